package dev.convlens.render;

import dev.convlens.Contrast;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
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
    /** Layers with at least this many values, together, are measured and drawn on several cores. */
    private static final long PARALLEL_VALUES = 1 << 16;

    private GridRenderer() {
    }

    /**
     * A layer's values.
     *
     * @param planes one {@code height x width} array per channel; shared, not copied
     * @param height the map's height
     * @param width the map's width
     */
    public record Channels(float[][] planes, int height, int width) {
    }

    /**
     * Draws every channel of several layers, one grid each. All their channels are measured, then drawn, in runs of
     * about equal numbers of values that large layers spread over the cores: one job for all layers keeps the
     * cores busy where a job per layer would leave them waiting at each small layer's end.
     *
     * @param layers the layers' values
     * @param perRow tiles per row, at least 1; fewer when a layer has fewer channels
     * @param scale the integer factor each value is enlarged by, at least 1
     * @param parallel whether large layers may be drawn on several cores
     * @return one grid per layer, in order
     */
    public static List<Raster> grids(List<Channels> layers, int perRow, int scale, Contrast contrast,
                                     Palette palette, boolean parallel) {
        int count = layers.size();
        Levels[] levels = new Levels[count];
        int[][] pixels = new int[count][];
        int[] widths = new int[count];
        int[] heights = new int[count];
        int[] first = new int[count + 1]; // the flat index of each layer's first channel
        long values = 0;
        for (int l = 0; l < count; l++) {
            Channels layer = layers.get(l);
            levels[l] = Levels.of(contrast, layer.planes());
            pixels[l] = blank(layer, perRow, scale, palette);
            double[] size = size(layer.planes().length, layer.height(), layer.width(), perRow, scale);
            widths[l] = (int) size[0];
            heights[l] = (int) size[1];
            first[l + 1] = first[l] + layer.planes().length;
            values += (long) layer.planes().length * layer.height() * layer.width();
        }
        Levels.Map[] maps = new Levels.Map[first[count]];
        int[] pieces = pieces(layers, first, parallel && values >= PARALLEL_VALUES);
        // measuring every channel before drawing any measured faster than measuring and drawing in one task
        inPieces(pieces, i -> {
            int l = layerOf(first, i);
            maps[i] = levels[l].channel(i - first[l]);
        });
        inPieces(pieces, i -> {
            int l = layerOf(first, i);
            int c = i - first[l];
            Channels layer = layers.get(l);
            int x0 = c % perRow * (layer.width() * scale + 1);
            int y0 = c / perRow * (layer.height() * scale + 1);
            paint(layer.planes()[c], maps[i], layer.height(), layer.width(), scale, palette, pixels[l], widths[l],
                    y0 * widths[l] + x0);
        });
        List<Raster> grids = new ArrayList<>(count);
        for (int l = 0; l < count; l++) {
            grids.add(new Raster(widths[l], heights[l], pixels[l]));
        }
        return grids;
    }

    /**
     * Splits the flat channel indexes into runs of about equal numbers of values, a few per core, as the bounds
     * of each run: split by count, the first runs would hold the large early layers and one core would draw most.
     */
    private static int[] pieces(List<Channels> layers, int[] first, boolean split) {
        int channels = first[first.length - 1];
        long[] end = new long[channels]; // values up to and including each channel
        long total = 0;
        for (int l = 0; l < layers.size(); l++) {
            long plane = (long) layers.get(l).height() * layers.get(l).width();
            for (int i = first[l]; i < first[l + 1]; i++) {
                total += plane;
                end[i] = total;
            }
        }
        int count = split ? Math.min(channels, 4 * Runtime.getRuntime().availableProcessors()) : 1;
        int[] bounds = new int[count + 1];
        for (int k = 1; k < count; k++) {
            int at = Arrays.binarySearch(end, total * k / count);
            bounds[k] = Math.max(bounds[k - 1], at < 0 ? -at - 1 : at + 1);
        }
        bounds[count] = channels;
        return bounds;
    }

    /** Runs a task for every flat channel index, the runs on several cores when there are several. */
    private static void inPieces(int[] pieces, IntConsumer task) {
        IntStream runs = IntStream.range(0, pieces.length - 1);
        (pieces.length > 2 ? runs.parallel() : runs).forEach(k -> {
            for (int i = pieces[k]; i < pieces[k + 1]; i++) {
                task.accept(i);
            }
        });
    }

    /** The layer of a flat channel index. */
    private static int layerOf(int[] first, int index) {
        int l = Arrays.binarySearch(first, index);
        if (l < 0) {
            return -l - 2;
        }
        while (first[l + 1] == index) { // layers with no channel share their first index with the next
            l++;
        }
        return l;
    }

    /** A layer's grid with its separators and padding drawn, the tiles still to be painted. */
    private static int[] blank(Channels layer, int perRow, int scale, Palette palette) {
        int count = layer.planes().length;
        double[] size = size(count, layer.height(), layer.width(), perRow, scale);
        if (size[0] * size[1] > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "a grid of %.0fx%.0f pixels"
                    + " is more than a Java array holds", size[0], size[1]));
        }
        int outW = (int) size[0];
        int outH = (int) size[1];
        int[] rgb = new int[outW * outH];
        fillGaps(rgb, outW, outH, Math.multiplyExact(layer.width(), scale), Math.multiplyExact(layer.height(), scale),
                Math.min(perRow, count), count, palette.color(0));
        return rgb;
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
        int outW = width * scale;
        int[] rgb = new int[Math.multiplyExact(outW, height * scale)];
        paint(channels[channel], Levels.of(contrast, channels).channel(channel), height, width, scale, palette, rgb,
                outW, 0);
        return new Raster(outW, height * scale, rgb);
    }

    private static void paint(float[] values, Levels.Map map, int height, int width, int scale, Palette palette,
                              int[] rgb, int stride, int origin) {
        // the per-pixel work, with the channel's map and the table in locals: the hot loop of rendering
        double offset = map.offset();
        double gain = map.gain();
        double base = map.base();
        int[] colors = palette.table();
        if (scale == 1 && map.finite()) { // the common case, without a branch per value
            for (int y = 0; y < height; y++) {
                int row = origin + y * stride;
                int in = y * width;
                for (int x = 0; x < width; x++) {
                    rgb[row + x] = colors[level((values[in + x] - offset) * gain + base)];
                }
            }
            return;
        }
        for (int y = 0; y < height; y++) {
            int row = origin + y * scale * stride;
            int in = y * width;
            for (int x = 0; x < width; x++) {
                float v = values[in + x];
                int color = Float.isFinite(v) ? colors[level((v - offset) * gain + base)] : NON_FINITE;
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

    /**
     * A level clipped to 0..255 and truncated. Clipping the truncated int gives the same level as clipping first
     * (the cast saturates), and one test of its high bits finds the few levels out of range.
     */
    private static int level(double value) {
        int level = (int) value;
        return (level & ~0xFF) == 0 ? level : level < 0 ? 0 : 255;
    }
}
