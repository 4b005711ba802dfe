package dev.convlens.render;

import dev.convlens.Contrast;

/**
 * The linear map from activation values to colormap levels, one per channel: {@code (x - offset) * gain + base},
 * clipped to 0..255 and truncated. Statistics skip NaN and infinite values.
 */
final class Levels {
    private final double[] offset;
    private final double[] gain;
    private final double[] base;
    private final boolean minMax;

    private Levels(int channels, boolean minMax) {
        this.offset = new double[channels];
        this.gain = new double[channels];
        this.base = new double[channels];
        this.minMax = minMax;
    }

    /** The maps of every channel of a layer's values, in CHW order. */
    static Levels of(Contrast contrast, float[] chw, int channels, int plane) {
        Levels levels = new Levels(channels, contrast != Contrast.STANDARDIZED);
        if (contrast == Contrast.LAYER_MIN_MAX) {
            double[] range = range(chw, 0, chw.length);
            for (int c = 0; c < channels; c++) {
                levels.set(c, range[0], range[1] - range[0], range[2] > 0);
            }
            return levels;
        }
        for (int c = 0; c < channels; c++) {
            int from = c * plane;
            if (contrast == Contrast.CHANNEL_MIN_MAX) {
                double[] range = range(chw, from, from + plane);
                levels.set(c, range[0], range[1] - range[0], range[2] > 0);
            } else {
                double[] stats = meanStd(chw, from, from + plane);
                levels.set(c, stats[0], stats[1], stats[2] > 0);
            }
        }
        return levels;
    }

    /** A channel's map from its offset and its spread (std, or max - min); a zero spread draws a flat tile. */
    private void set(int c, double offset, double spread, boolean nonZero) {
        if (spread > 0 && Double.isFinite(spread)) {
            this.offset[c] = offset;
            this.gain[c] = minMax ? 256 / spread : 64 / spread;
            this.base[c] = minMax ? 0 : 128;
        } else {
            this.gain[c] = 0;
            this.base[c] = nonZero ? 128 : 0;
        }
    }

    /** The level 0..255 of a finite value of channel c. */
    int level(int c, float x) {
        double v = (x - offset[c]) * gain[c] + base[c];
        return v <= 0 ? 0 : v >= 255 ? 255 : (int) v;
    }

    /** Mean, population standard deviation, and whether any finite value is non-zero. */
    private static double[] meanStd(float[] a, int from, int to) {
        double sum = 0;
        int n = 0;
        boolean nonZero = false;
        for (int i = from; i < to; i++) {
            float x = a[i];
            if (Float.isFinite(x)) {
                sum += x;
                n++;
                nonZero |= x != 0;
            }
        }
        if (n == 0) {
            return new double[] {0, 0, 0};
        }
        double mean = sum / n;
        double squares = 0;
        for (int i = from; i < to; i++) {
            float x = a[i];
            if (Float.isFinite(x)) {
                squares += (x - mean) * (x - mean);
            }
        }
        return new double[] {mean, Math.sqrt(squares / n), nonZero ? 1 : 0};
    }

    /** Minimum, maximum, and whether any finite value is non-zero. */
    private static double[] range(float[] a, int from, int to) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            float x = a[i];
            if (Float.isFinite(x)) {
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
        }
        if (min > max) {
            return new double[] {0, 0, 0};
        }
        return new double[] {min, max, min != 0 || max != 0 ? 1 : 0};
    }
}
