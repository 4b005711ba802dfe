package dev.convlens.render;

/**
 * RGB pixels, row by row: the platform-neutral picture that the API wraps into a {@code BufferedImage}.
 *
 * @param width width in pixels
 * @param height height in pixels
 * @param rgb {@code width * height} packed 0xRRGGBB values; shared, not copied
 */
public record Raster(int width, int height, int[] rgb) {
}
