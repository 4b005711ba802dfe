package dev.convlens.render;

import dev.convlens.Contrast;
import java.util.stream.IntStream;

/**
 * The linear map from activation values to colormap levels, one per channel: {@code (x - offset) * gain + base},
 * clipped to 0..255 and truncated. Statistics skip NaN and infinite values.
 */
final class Levels {
    /** Layers with at least this many values are measured and drawn on several cores. */
    static final long PARALLEL_VALUES = 1 << 16;

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
    static Levels of(Contrast contrast, float[][] channels, boolean parallel) {
        int count = channels.length;
        Levels levels = new Levels(count, contrast != Contrast.STANDARDIZED);
        if (contrast == Contrast.LAYER_MIN_MAX) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (float[] plane : channels) {
                double[] range = range(plane);
                if (range[2] >= 0) { // the channel has finite values
                    min = Math.min(min, range[0]);
                    max = Math.max(max, range[1]);
                }
            }
            boolean none = min > max;
            for (int c = 0; c < count; c++) {
                levels.set(c, none ? 0 : min, none ? 0 : max - min, !none && (min != 0 || max != 0));
            }
            return levels;
        }
        // channels are independent: large layers spread them over the cores
        IntStream cs = IntStream.range(0, count);
        (parallel && isLarge(channels) ? cs.parallel() : cs).forEach(c -> {
            double[] stats = contrast == Contrast.CHANNEL_MIN_MAX ? range(channels[c]) : meanStd(channels[c]);
            levels.set(c, stats[0], contrast == Contrast.CHANNEL_MIN_MAX ? stats[1] - stats[0] : stats[1],
                    stats[2] > 0);
        });
        return levels;
    }

    /** Whether a layer is worth measuring and drawing on several cores. */
    static boolean isLarge(float[][] channels) {
        return channels.length > 1 && (long) channels.length * channels[0].length >= PARALLEL_VALUES;
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

    /** The value that maps to {@link #base}: the channel's mean, or its minimum. */
    double offset(int c) {
        return offset[c];
    }

    /** Levels per unit of value. */
    double gain(int c) {
        return gain[c];
    }

    /** The level of {@link #offset}. */
    double base(int c) {
        return base[c];
    }

    /**
     * Mean, population standard deviation, and whether any finite value is non-zero, in one pass: sums of values
     * and squares relative to the first finite value, which keeps the subtraction exact enough for activations.
     */
    private static double[] meanStd(float[] a) {
        double shift = Double.NaN;
        double sum = 0;
        double squares = 0;
        int n = 0;
        boolean nonZero = false;
        for (float x : a) {
            if (Float.isFinite(x)) {
                if (n == 0) {
                    shift = x;
                }
                double d = x - shift;
                sum += d;
                squares += d * d;
                n++;
                nonZero |= x != 0;
            }
        }
        if (n == 0) {
            return new double[] {0, 0, 0};
        }
        double mean = sum / n;
        double variance = Math.max(0, squares / n - mean * mean);
        return new double[] {shift + mean, Math.sqrt(variance), nonZero ? 1 : 0};
    }

    /** Minimum, maximum, and whether any finite value is non-zero (-1 when there is no finite value). */
    private static double[] range(float[] a) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float x : a) {
            if (Float.isFinite(x)) {
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
        }
        if (min > max) {
            return new double[] {0, 0, -1};
        }
        return new double[] {min, max, min != 0 || max != 0 ? 1 : 0};
    }
}
