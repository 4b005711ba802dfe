package dev.convlens;

/**
 * Thrown when ONNX Runtime fails while running a model on an image (the message names ONNX Runtime's error code and
 * the cause is ONNX Runtime's own exception), or when a run gives a heatmap or attribution that is NaN or infinite
 * (the message counts the values).
 */
public class InferenceException extends ConvLensException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong and how to fix it
     */
    public InferenceException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the exception that caused it.
     *
     * @param message what went wrong and how to fix it
     * @param cause the underlying failure
     */
    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
