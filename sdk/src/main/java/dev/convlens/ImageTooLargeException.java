package dev.convlens;

/**
 * Thrown when an image declares more pixels than {@link Options#maxPixels()} allows. The check reads only the
 * image's header, so a small file that declares a huge size (a decompression bomb) is refused before any memory is
 * spent on decoding it.
 */
public class ImageTooLargeException extends ImageException {
    private static final long serialVersionUID = 1L;

    /** The width the image declares. */
    private final long width;
    /** The height the image declares. */
    private final long height;
    /** The pixel limit in force. */
    private final long limit;

    /**
     * Creates an exception for an image of {@code width} x {@code height} pixels over {@code limit}.
     *
     * @param message what went wrong and how to fix it
     * @param width the width the image declares
     * @param height the height the image declares
     * @param limit the pixel limit in force
     */
    public ImageTooLargeException(String message, long width, long height, long limit) {
        super(message);
        this.width = width;
        this.height = height;
        this.limit = limit;
    }

    /**
     * Returns the width the image declares.
     *
     * @return width in pixels
     */
    public long width() {
        return width;
    }

    /**
     * Returns the height the image declares.
     *
     * @return height in pixels
     */
    public long height() {
        return height;
    }

    /**
     * Returns the pixel limit that the image exceeds.
     *
     * @return the maximum number of pixels (width times height)
     */
    public long limit() {
        return limit;
    }
}
