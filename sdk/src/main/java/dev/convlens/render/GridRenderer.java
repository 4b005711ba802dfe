package dev.convlens.render;

import dev.convlens.Contrast;
import java.util.Arrays;
import java.util.stream.IntStream;

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
     * Draws every channel of a layer. Large layers may be drawn on several cores, a channel per task.
     *
     * @param channels the layer's values, one {@code height x width} array per channel
     * @param perRow tiles per row, at least 1; fewer when the layer has fewer channels
     * @param scale the integer factor each value is enlarged by, at least 1
     * @param parallel whether a large layer may be drawn on several cores
     */
    public static Raster grid(float[][] channels, int height, int width, int perRow, int scale, Contrast contrast,
                              Palette palette, boolean parallel) {
        int count = channels.length;
        Levels levels = Levels.of(contrast, channels, parallel);
        int columns = Math.min(perRow, count);
        double[] size = size(count, height, width, perRow, scale);
        int tileW = Math.multiplyExact(width, scale);
        int tileH = Math.multiplyExact(height, scale);
        int outW = (int) size[0];
        int outH = (int) size[1];
        if (size[0] * size[1] > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "a grid of %.0fx%.0f pixels"
                    + " is more than a Java array holds", size[0], size[1]));
        }
        int[] rgb = new int[outW * outH];
        fillGaps(rgb, outW, outH, tileW, tileH, columns, count, palette.color(0));
        IntStream cs = IntStream.range(0, count);
        (parallel && Levels.isLarge(channels) ? cs.parallel() : cs).forEach(c -> {
            int x0 = c % perRow * (tileW + 1);
            int y0 = c / perRow * (tileH + 1);
            paint(channels[c], c, height, width, scale, levels, palette, rgb, outW, y0 * outW + x0);
        });
        return new Raster(outW, outH, rgb);
    }

    /**
     * The width and height of a layer's grid, in floating point so that no setting can overflow them: tiles of the
     * enlarged channel, {@code perRow} to a row (fewer if the layer has fewer channels), 1-pixel separators.
     */
    public static double[] size(int count, int height, int width, int perRow, int scale) {
        int columns = Math.min(perRow, count);
        int rows = (count - 1) / perRow + 1;
        return new double[] {columns * ((double) width * scale + 1) - 1, rows * ((double) height * scale + 1) - 1};
    }

    /** Colors the separators and the empty tiles that pad the last row; the tiles are drawn over the rest. */
    private static void fillGaps(int[] rgb, int outW, int outH, int tileW, int tileH, int columns, int count,
                                 int color) {
        for (int y = 0; y < outH; y++) {
            int row = y * outW;
            if (y % (tileH + 1) == tileH) { // a separator row
                Arrays.fill(rgb, row, row + outW, color);
                continue;
            }
            for (int x = tileW; x < outW; x += tileW + 1) { // separator columns
                rgb[row + x] = color;
            }
            int tiles = Math.min(columns, count - y / (tileH + 1) * columns); // drawn in this row of tiles
            if (tiles < columns) {
                Arrays.fill(rgb, row + tiles * (tileW + 1), row + outW, color);
            }
        }
    }

    /**
     * Draws one channel alone, with the contrast computed over the whole layer (which matters for
     * {@link Contrast#LAYER_MIN_MAX}).
     */
    public static Raster channel(float[][] channels, int height, int width, int channel, int scale,
                                 Contrast contrast, Palette palette) {
        Levels levels = Levels.of(contrast, channels, false);
        int outW = width * scale;
        int[] rgb = new int[Math.multiplyExact(outW, height * scale)];
        paint(channels[channel], channel, height, width, scale, levels, palette, rgb, outW, 0);
        return new Raster(outW, height * scale, rgb);
    }

    private static void paint(float[] values, int c, int height, int width, int scale, Levels levels,
                              Palette palette, int[] rgb, int stride, int origin) {
        // the per-pixel work, with the channel's map and the table in locals: the hot loop of rendering
        double offset = levels.offset(c);
        double gain = levels.gain(c);
        double base = levels.base(c);
        int[] colors = palette.table();
        for (int y = 0; y < height; y++) {
            int row = origin + y * scale * stride;
            int in = y * width;
            for (int x = 0; x < width; x++) {
                float v = values[in + x];
                int color = NON_FINITE;
                if (Float.isFinite(v)) {
                    double level = (v - offset) * gain + base;
                    color = colors[level <= 0 ? 0 : level >= 255 ? 255 : (int) level];
                }
                if (scale == 1) {
                    rgb[row + x] = color;
                } else {
                    Arrays.fill(rgb, row + x * scale, row + (x + 1) * scale, color);
                }
            }
            for (int dy = 1; dy < scale; dy++) { // repeat the row just drawn
                System.arraycopy(rgb, row, rgb, row + dy * stride, width * scale);
            }
        }
    }
}
