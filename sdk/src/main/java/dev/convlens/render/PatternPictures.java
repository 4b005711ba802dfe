package dev.convlens.render;

import java.util.List;

/**
 * Pictures of filter patterns as "Deep Learning with Python" 5.4.2 draws them: each pattern normalized to a mean of
 * 0.5 and a standard deviation of 0.1, clipped to 0..1 and scaled to 0..255; the patterns in a grid with 5-pixel black
 * margins between them.
 */
public final class PatternPictures {
    /** The book's margin between patterns. */
    public static final int MARGIN = 5;
    /** Where a channel no input excites stands: dark gray, crossed in red. */
    static final int DEAD = 0x202020;
    static final int CROSS = 0xC00000;

    private PatternPictures() {
    }

    /**
     * The book's {@code deprocess_image}: {@code x - mean(x)}, divided by {@code std(x) + 1e-5}, times 0.1, plus
     * 0.5, clipped to 0..1, times 255 and truncated; mean and standard deviation over every value of the picture.
     *
     * @param planes the picture, {@code channels x height x width} values, RGB or gray
     */
    public static Raster deprocess(float[] planes, int channels, int width, int height) {
        double sum = 0;
        for (float v : planes) {
            sum += v;
        }
        double mean = sum / planes.length;
        double squares = 0;
        for (float v : planes) {
            squares += (v - mean) * (v - mean);
        }
        double std = Math.sqrt(squares / planes.length);
        int plane = width * height;
        int[] rgb = new int[plane];
        for (int i = 0; i < plane; i++) {
            int color = 0;
            for (int c = 0; c < 3; c++) {
                double v = ((planes[(channels == 1 ? 0 : c) * plane + i] - mean) / (std + 1e-5)) * 0.1 + 0.5;
                color = color << 8 | (int) (Math.min(1, Math.max(0, v)) * 255);
            }
            rgb[i] = color;
        }
        return new Raster(width, height, rgb);
    }

    /** A tile for a channel no input excites: dark gray with a red cross, so it is not mistaken for a flat pattern. */
    public static Raster dead(int width, int height) {
        int[] rgb = new int[width * height];
        java.util.Arrays.fill(rgb, DEAD);
        for (int y = 0; y < height; y++) {
            int x = (int) ((long) y * (width - 1) / Math.max(1, height - 1));
            rgb[y * width + x] = CROSS;
            rgb[y * width + width - 1 - x] = CROSS;
        }
        return new Raster(width, height, rgb);
    }

    /**
     * The width and height of the grid of {@code count} tiles of {@code w x h}, in floating point so that no
     * setting can overflow them.
     */
    public static double[] size(int count, int w, int h, int perRow) {
        int columns = Math.min(perRow, count);
        int rows = (count - 1) / perRow + 1;
        return new double[] {columns * ((double) w + MARGIN) - MARGIN, rows * ((double) h + MARGIN) - MARGIN};
    }

    /**
     * The tiles, all of one size, {@code perRow} to a row, with {@link #MARGIN} black pixels between them; its
     * {@link #size} must fit an array.
     */
    public static Raster grid(List<Raster> tiles, int perRow) {
        int w = tiles.get(0).width();
        int h = tiles.get(0).height();
        double[] size = size(tiles.size(), w, h, perRow);
        int outW = (int) size[0];
        int outH = (int) size[1];
        int[] rgb = new int[Math.multiplyExact(outW, outH)];
        for (int t = 0; t < tiles.size(); t++) {
            int x0 = t % perRow * (w + MARGIN);
            int y0 = t / perRow * (h + MARGIN);
            for (int y = 0; y < h; y++) {
                System.arraycopy(tiles.get(t).rgb(), y * w, rgb, (y0 + y) * outW + x0, w);
            }
        }
        return new Raster(outW, outH, rgb);
    }
}
