package dev.convlens.image;

/**
 * An 8-bit RGB image: interleaved R, G, B bytes, row by row, top to bottom.
 *
 * @param width width in pixels
 * @param height height in pixels
 * @param rgb {@code width * height * 3} bytes; shared, not copied
 */
public record Pixels(int width, int height, byte[] rgb) {
    /** Checks that the buffer holds exactly {@code width * height} RGB pixels. */
    public Pixels {
        if (width <= 0 || height <= 0 || rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("bad pixel buffer: " + width + "x" + height + ", " + rgb.length
                    + " bytes");
        }
    }
}
