package dev.convlens.render;

import dev.convlens.Contrast;

/**
 * The linear maps from a layer's activation values to colormap levels, one per channel:
 * {@code (x - offset) * gain + base}, clipped to 0..255 and truncated. Statistics skip NaN and infinite values.
 * A channel's map is measured when it is asked for, so that drawing one channel measures that channel alone; only
 * {@link Contrast#LAYER_MIN_MAX} and a layer of one value a channel measure the whole layer first.
 */
final class Levels {
    /**
     * One channel's map.
     *
     * @param offset the value that maps to {@code base}: the channel's mean, or its minimum
     * @param gain levels per unit of value
     * @param base the level of {@code offset}
     * @param finite whether every value of the channel is finite, so that drawing it needs no check per value
     */
    record Map(double offset, double gain, double base, boolean finite) {
    }

    private final Contrast contrast;
    private final float[][] channels;
    /** For {@link Contrast#LAYER_MIN_MAX} and one-value channels: the layer's map, and which channels are finite. */
    private final Map layer;
    private final boolean[] finite;

    private Levels(Contrast contrast, float[][] channels, Map layer, boolean[] finite) {
        this.contrast = contrast;
        this.channels = channels;
        this.layer = layer;
        this.finite = finite;
    }

    /**
     * The maps of a layer's channels, each {@code height x width} values. Channels of one value each (a dense layer,
     * a global pooling) share the layer's map whatever the contrast: one value alone has no contrast, and each would
     * be drawn flat.
     */
    static Levels of(Contrast contrast, float[][] channels) {
        if (channels.length > 0 && java.util.Arrays.stream(channels).allMatch(c -> c.length == 1)) {
            float[] values = new float[channels.length];
            boolean[] finite = new boolean[channels.length];
            for (int c = 0; c < channels.length; c++) {
                values[c] = channels[c][0];
                finite[c] = Float.isFinite(values[c]);
            }
            Contrast overAll = contrast == Contrast.STANDARDIZED ? contrast : Contrast.CHANNEL_MIN_MAX;
            return new Levels(contrast, channels, new Levels(overAll, new float[][] {values}, null, null).channel(0),
                    finite);
        }
        if (contrast != Contrast.LAYER_MIN_MAX) {
            return new Levels(contrast, channels, null, null);
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        boolean[] finite = new boolean[channels.length];
        for (int c = 0; c < channels.length; c++) {
            double[] range = range(channels[c]);
            if (range[2] >= 0) { // the channel has finite values
                min = Math.min(min, range[0]);
                max = Math.max(max, range[1]);
            }
            finite[c] = range[3] != 0;
        }
        boolean none = min > max;
        return new Levels(contrast, channels,
                map(true, none ? 0 : min, none ? 0 : max - min, !none && (min != 0 || max != 0), false), finite);
    }

    /** The map of channel {@code c}, measured now unless the contrast is the layer's. */
    Map channel(int c) {
        if (layer != null) {
            return new Map(layer.offset(), layer.gain(), layer.base(), finite[c]);
        }
        boolean minMax = contrast == Contrast.CHANNEL_MIN_MAX;
        double[] stats = minMax ? range(channels[c]) : meanStd(channels[c]);
        return map(minMax, stats[0], minMax ? stats[1] - stats[0] : stats[1], stats[2] > 0, stats[3] != 0);
    }

    /** A channel's map from its offset and its spread (std, or max - min); a zero spread draws a flat tile. */
    private static Map map(boolean minMax, double offset, double spread, boolean nonZero, boolean finite) {
        if (spread > 0 && Double.isFinite(spread)) {
            return new Map(offset, minMax ? 256 / spread : 64 / spread, minMax ? 0 : 128, finite);
        }
        return new Map(0, 0, nonZero ? 128 : 0, finite);
    }

    /**
     * Mean, population standard deviation, whether any finite value is non-zero, and whether all values are finite:
     * sums of values and squares relative to the first value, which keeps the subtraction exact enough for
     * activations. Four running sums, so that the additions do not wait on each other; a channel with a NaN or an
     * infinity, which poisons them, is summed again skipping those.
     */
    private static double[] meanStd(float[] a) {
        int n = a.length;
        if (n == 0) {
            return meanStdOfFinite(a);
        }
        double shift = a[0];
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double q0 = 0;
        double q1 = 0;
        double q2 = 0;
        double q3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            double d0 = a[i] - shift;
            double d1 = a[i + 1] - shift;
            double d2 = a[i + 2] - shift;
            double d3 = a[i + 3] - shift;
            s0 += d0;
            s1 += d1;
            s2 += d2;
            s3 += d3;
            q0 += d0 * d0;
            q1 += d1 * d1;
            q2 += d2 * d2;
            q3 += d3 * d3;
        }
        for (; i < n; i++) {
            double d = a[i] - shift;
            s0 += d;
            q0 += d * d;
        }
        double sum = s0 + s1 + s2 + s3;
        double squares = q0 + q1 + q2 + q3;
        if (!Double.isFinite(sum) || !Double.isFinite(squares)) {
            return meanStdOfFinite(a);
        }
        double mean = sum / n;
        double variance = Math.max(0, squares / n - mean * mean);
        // every value equals the shift when the squares are 0, so some value is non-zero iff one of these is
        return new double[] {shift + mean, Math.sqrt(variance), shift != 0 || squares > 0 ? 1 : 0, 1};
    }

    /** {@link #meanStd} of a channel that has NaN or infinite values, skipping them. */
    private static double[] meanStdOfFinite(float[] a) {
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
            return new double[] {0, 0, 0, 0};
        }
        double mean = sum / n;
        double variance = Math.max(0, squares / n - mean * mean);
        return new double[] {shift + mean, Math.sqrt(variance), nonZero ? 1 : 0, 0};
    }

    /**
     * Minimum, maximum, whether any finite value is non-zero (-1 when there is no finite value), and whether all
     * values are finite.
     */
    private static double[] range(float[] a) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        boolean all = true;
        for (float x : a) {
            if (Float.isFinite(x)) {
                min = Math.min(min, x);
                max = Math.max(max, x);
            } else {
                all = false;
            }
        }
        if (min > max) {
            return new double[] {0, 0, -1, 0};
        }
        return new double[] {min, max, min != 0 || max != 0 ? 1 : 0, all ? 1 : 0};
    }
}
