package dev.convlens.image;

/**
 * Resizes interleaved 8-bit images exactly as Pillow 9 does, so a model sees the pixels it was trained on.
 *
 * <p>Nearest follows Pillow's affine scaling ({@code ImagingScaleAffine}): sample centers accumulated in double
 * precision from half a step. Bilinear follows Pillow's two-pass convolution ({@code ImagingResample}): a triangle
 * filter widened by the downscaling factor, 22-bit fixed-point coefficients, horizontal pass then vertical, each
 * rounded to 8 bits.
 */
final class Resampler {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Resampler() {
    }

    static byte[] nearest(byte[] src, int sw, int sh, int channels, int dw, int dh) {
        if (sw == dw && sh == dh) {
            return src;
        }
        int[] xs = nearestIndex(sw, dw);
        int[] ys = nearestIndex(sh, dh);
        byte[] out = new byte[dw * dh * channels];
        int o = 0;
        for (int y = 0; y < dh; y++) {
            int row = ys[y] * sw;
            for (int x = 0; x < dw; x++) {
                int s = (row + xs[x]) * channels;
                for (int c = 0; c < channels; c++) {
                    out[o++] = src[s + c];
                }
            }
        }
        return out;
    }

    private static int[] nearestIndex(int in, int out) {
        double step = (double) in / out;
        double position = step * 0.5;
        int[] index = new int[out];
        for (int i = 0; i < out; i++) {
            index[i] = Math.min((int) position, in - 1);
            position += step;
        }
        return index;
    }

    static byte[] bilinear(byte[] src, int sw, int sh, int channels, int dw, int dh) {
        byte[] image = src;
        if (sw != dw) {
            image = pass(image, sw, sh, channels, dw, true);
        }
        if (sh != dh) {
            image = pass(image, dw, sh, channels, dh, false);
        }
        return image;
    }

    /** One convolution pass along x (horizontal) or y, from {@code w x h} to {@code out} samples along it. */
    private static byte[] pass(byte[] src, int w, int h, int channels, int out, boolean horizontal) {
        int in = horizontal ? w : h;
        Coefficients k = Coefficients.of(in, out);
        int outW = horizontal ? out : w;
        int outH = horizontal ? h : out;
        byte[] dst = new byte[outW * outH * channels];
        int stride = horizontal ? channels : w * channels;
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int along = horizontal ? x : y;
                int first = k.first[along];
                int base = horizontal ? (y * w + first) * channels : (first * w + x) * channels;
                int kBase = along * k.size;
                for (int c = 0; c < channels; c++) {
                    int sum = 1 << (PRECISION_BITS - 1);
                    int s = base + c;
                    for (int i = 0; i < k.count[along]; i++, s += stride) {
                        sum += (src[s] & 0xFF) * k.weights[kBase + i];
                    }
                    dst[(y * outW + x) * channels + c] = clip8(sum);
                }
            }
        }
        return dst;
    }

    /** Pillow's {@code clip8}, less its lower bound: the bilinear weights are never negative, so neither is a sum. */
    private static byte clip8(int sum) {
        return (byte) Math.min(sum >> PRECISION_BITS, 255);
    }

    /** Pillow's {@code precompute_coeffs} with the bilinear filter, then {@code normalize_coeffs_8bpc}. */
    private record Coefficients(int size, int[] first, int[] count, int[] weights) {
        static Coefficients of(int in, int out) {
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale; // the bilinear filter's support is 1
            int size = (int) Math.ceil(support) * 2 + 1;
            int[] first = new int[out];
            int[] count = new int[out];
            int[] weights = new int[out * size];
            double[] k = new double[size];
            for (int o = 0; o < out; o++) {
                double center = (o + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int min = Math.max((int) (center - support + 0.5), 0);
                int max = Math.min((int) (center + support + 0.5), in) - min;
                double total = 0;
                for (int i = 0; i < max; i++) {
                    double t = Math.abs((i + min - center + 0.5) * ss);
                    k[i] = t < 1.0 ? 1.0 - t : 0.0;
                    total += k[i];
                }
                for (int i = 0; i < max; i++) {
                    double w = total != 0 ? k[i] / total : k[i];
                    // Pillow rounds negative weights with -0.5 instead; the triangle filter has none
                    weights[o * size + i] = (int) (0.5 + w * (1 << PRECISION_BITS));
                }
                first[o] = min;
                count[o] = Math.max(max, 0);
            }
            return new Coefficients(size, first, count, weights);
        }
    }
}
