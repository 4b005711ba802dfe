package dev.convlens;

/**
 * Thrown when a model is valid ONNX but ConvLens cannot inspect it: it has no convolution layer, its input is not
 * an image tensor ({@code [N,C,H,W]} or {@code [N,H,W,C]} with 1 or 3 channels), it has several inputs, its input
 * type is neither float32 nor float16, or ONNX Runtime has no kernel for one of its operators.
 */
public class UnsupportedModelException extends ModelException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong and how to fix it
     */
    public UnsupportedModelException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the exception that caused it.
     *
     * @param message what went wrong and how to fix it
     * @param cause the underlying failure
     */
    public UnsupportedModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
