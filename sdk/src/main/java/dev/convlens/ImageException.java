package dev.convlens;

/**
 * Thrown when an image cannot be used: the file is missing or empty, its content is truncated or corrupt, or its
 * format is not one ConvLens decodes (JPEG, PNG, BMP, GIF, TIFF, and what Apache Commons Imaging reads).
 *
 * <p>{@link ImageTooLargeException} is the subclass for images larger than the configured pixel limit.
 */
public class ImageException extends ConvLensException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong and how to fix it
     */
    public ImageException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the exception that caused it.
     *
     * @param message what went wrong and how to fix it
     * @param cause the underlying failure
     */
    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
