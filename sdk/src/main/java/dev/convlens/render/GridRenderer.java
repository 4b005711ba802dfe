package dev.convlens.render;

import dev.convlens.Contrast;

/**
 * Draws a layer as a grid of tiles, one per channel: each tile the map's own size times an integer factor,
 * {@code perRow} tiles per row, 1-pixel separators and no outer border, as in "Deep Learning with Python" 9.4.
 * The last row is padded with empty tiles, so no channel is dropped. Separators and padding take the colormap's
 * level 0, as the zeros of the seed's grid do.
 */
public final class GridRenderer {
    /** Where an activation is NaN or infinite: magenta, which no built-in colormap contains. */
    public static final int NON_FINITE = 0xFF00FF;

    private GridRenderer() {
    }

    /**
     * Draws every channel of a layer.
     *
     * @param chw the layer's values in CHW order
     * @param perRow tiles per row, at least 1; fewer when the layer has fewer channels
     * @param scale the integer factor each value is enlarged by, at least 1
     */
    public static Raster grid(float[] chw, int channels, int height, int width, int perRow, int scale,
                              Contrast contrast, Palette palette) {
        int plane = height * width;
        Levels levels = Levels.of(contrast, chw, channels, plane);
        int columns = Math.min(perRow, channels);
        int rows = (channels + perRow - 1) / perRow;
        int tileW = width * scale;
        int tileH = height * scale;
        int outW = columns * (tileW + 1) - 1;
        int outH = rows * (tileH + 1) - 1;
        int[] rgb = new int[Math.multiplyExact(outW, outH)];
        java.util.Arrays.fill(rgb, palette.color(0));
        for (int c = 0; c < channels; c++) {
            int x0 = c % perRow * (tileW + 1);
            int y0 = c / perRow * (tileH + 1);
            paint(chw, c, height, width, scale, levels, palette, rgb, outW, y0 * outW + x0);
        }
        return new Raster(outW, outH, rgb);
    }

    /**
     * Draws one channel alone, with the contrast computed over the whole layer (which matters for
     * {@link Contrast#LAYER_MIN_MAX}).
     */
    public static Raster channel(float[] chw, int channels, int height, int width, int channel, int scale,
                                 Contrast contrast, Palette palette) {
        Levels levels = Levels.of(contrast, chw, channels, height * width);
        int outW = width * scale;
        int[] rgb = new int[Math.multiplyExact(outW, height * scale)];
        paint(chw, channel, height, width, scale, levels, palette, rgb, outW, 0);
        return new Raster(outW, height * scale, rgb);
    }

    private static void paint(float[] chw, int c, int height, int width, int scale, Levels levels, Palette palette,
                              int[] rgb, int stride, int origin) {
        int from = c * height * width;
        for (int y = 0; y < height; y++) {
            int rowStart = origin + y * scale * stride;
            for (int x = 0; x < width; x++) {
                float v = chw[from + y * width + x];
                int color = Float.isFinite(v) ? palette.color(levels.level(c, v)) : NON_FINITE;
                int at = rowStart + x * scale;
                for (int dy = 0; dy < scale; dy++) {
                    java.util.Arrays.fill(rgb, at + dy * stride, at + dy * stride + scale, color);
                }
            }
        }
    }
}
