package dev.convlens.render;

/**
 * RGB pixels, row by row: the platform-neutral picture that the API wraps into a {@code BufferedImage}.
 *
 * @param width width in pixels
 * @param height height in pixels
 * @param rgb {@code width * height} packed 0xRRGGBB values; shared, not copied
 */
public record Raster(int width, int height, int[] rgb) {
    /**
     * A picture of 8-bit samples: gray, or interleaved red, green and blue.
     *
     * @param samples {@code width * height * channels} bytes, row by row
     * @param channels 1 (gray) or 3 (RGB)
     */
    public static Raster ofSamples(byte[] samples, int channels, int width, int height) {
        int[] rgb = new int[width * height];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = channels == 1 ? (samples[i] & 0xFF) * 0x010101
                    : (samples[3 * i] & 0xFF) << 16 | (samples[3 * i + 1] & 0xFF) << 8 | samples[3 * i + 2] & 0xFF;
        }
        return new Raster(width, height, rgb);
    }
}
