package dev.convlens;

/**
 * Thrown when a model cannot be used at all: the file is missing, empty, not ONNX, truncated, refers to external
 * weight files that are missing, or ONNX Runtime refuses to load it.
 *
 * <p>{@link UnsupportedModelException} is the subclass for models that are valid ONNX but that ConvLens cannot
 * inspect.
 */
public class ModelException extends ConvLensException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong and how to fix it
     */
    public ModelException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the exception that caused it.
     *
     * @param message what went wrong and how to fix it
     * @param cause the underlying failure
     */
    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
