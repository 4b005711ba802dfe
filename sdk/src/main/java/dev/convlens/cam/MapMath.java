package dev.convlens.cam;

import java.util.Arrays;

/** The arithmetic of class activation maps, on one array per channel of {@code h * w} values. */
public final class MapMath {
    private MapMath() {
    }

    /** {@code sum_k weights[k] * maps[k]}, then negative values set to zero, as every CAM method ends. */
    static float[] weightedRelu(float[][] maps, double[] weights) {
        double[] sum = new double[maps[0].length];
        for (int k = 0; k < maps.length; k++) {
            if (weights[k] == 0) {
                continue;
            }
            float[] m = maps[k];
            for (int i = 0; i < sum.length; i++) {
                sum[i] += weights[k] * m[i];
            }
        }
        float[] out = new float[sum.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.max(0, sum[i]);
        }
        return out;
    }

    /**
     * The gradient times the activation, position by position, as HiResCAM, LayerCAM and Eigen-Grad-CAM weigh the
     * maps; with {@code positive}, the gradient's negative part set to zero first (LayerCAM).
     */
    static float[][] gradientTimesActivation(float[][] activations, float[][] gradients, boolean positive) {
        float[][] out = new float[activations.length][];
        for (int k = 0; k < out.length; k++) {
            float[] a = activations[k];
            float[] g = gradients[k];
            float[] m = new float[a.length];
            for (int i = 0; i < m.length; i++) {
                m[i] = (positive ? Math.max(0, g[i]) : g[i]) * a[i];
            }
            out[k] = m;
        }
        return out;
    }

    /** XGrad-CAM's channel weights: {@code sum(g * a) / (sum(a) + 1e-7)} over each channel's positions. */
    static double[] xGradCamWeights(float[][] activations, float[][] gradients) {
        double[] w = new double[activations.length];
        for (int k = 0; k < w.length; k++) {
            double products = 0;
            double sum = 0;
            for (int i = 0; i < activations[k].length; i++) {
                products += (double) gradients[k][i] * activations[k][i];
                sum += activations[k][i];
            }
            w[k] = products / (sum + 1e-7);
        }
        return w;
    }

    /**
     * The maps weighted and combined: summed and negative values set to zero ({@link #weightedRelu}), or with
     * {@code eigenSmooth}, the weighted maps projected on their first principal component
     * ({@link #principalProjection}, signed to agree with the sum), as pytorch-grad-cam's {@code eigen_smooth}.
     */
    static float[] combine(float[][] maps, double[] weights, boolean eigenSmooth) {
        if (!eigenSmooth) {
            return weightedRelu(maps, weights);
        }
        float[][] weighted = new float[maps.length][];
        for (int k = 0; k < maps.length; k++) {
            weighted[k] = new float[maps[k].length];
            for (int i = 0; i < maps[k].length; i++) {
                weighted[k][i] = (float) (weights[k] * maps[k][i]);
            }
        }
        return principalProjection(weighted);
    }

    /** Grad-CAM's channel weights: the mean of each channel's gradient. */
    static double[] meanGradients(float[][] gradients) {
        double[] w = new double[gradients.length];
        for (int k = 0; k < w.length; k++) {
            double s = 0;
            for (float g : gradients[k]) {
                s += g;
            }
            w[k] = s / gradients[k].length;
        }
        return w;
    }

    /**
     * Grad-CAM++'s channel weights, with the second and third derivatives approximated by powers of the first:
     * {@code a = g^2 / (2 g^2 + sum(A) g^3)} where the gradient is not zero, {@code w_k = sum(a * relu(g))}.
     */
    static double[] gradCamPlusPlusWeights(float[][] activations, float[][] gradients) {
        double[] w = new double[gradients.length];
        for (int k = 0; k < w.length; k++) {
            double sumA = 0;
            for (float a : activations[k]) {
                sumA += a;
            }
            double s = 0;
            for (float g : gradients[k]) {
                if (g == 0) {
                    continue;
                }
                double g2 = (double) g * g;
                double alpha = g2 / (2 * g2 + sumA * g2 * g + 1e-6);
                s += alpha * Math.max(g, 0);
            }
            w[k] = s;
        }
        return w;
    }

    /**
     * Eigen-CAM: each pixel's channel vector, centered per channel, projected on the first principal component;
     * signed so that it correlates positively with the channels' sum (the component's sign is arbitrary), then
     * negative values set to zero.
     */
    static float[] principalProjection(float[][] maps) {
        int channels = maps.length;
        int pixels = maps[0].length;
        double[][] x = new double[pixels][channels];
        for (int k = 0; k < channels; k++) {
            double mean = 0;
            for (float v : maps[k]) {
                mean += v;
            }
            mean /= pixels;
            for (int i = 0; i < pixels; i++) {
                x[i][k] = maps[k][i] - mean;
            }
        }
        // The first left singular vector of x, from the pixels x pixels Gram matrix (pixels are usually fewer).
        double[][] gram = new double[pixels][pixels];
        for (int i = 0; i < pixels; i++) {
            for (int j = i; j < pixels; j++) {
                double s = 0;
                for (int k = 0; k < channels; k++) {
                    s += x[i][k] * x[j][k];
                }
                gram[i][j] = s;
                gram[j][i] = s;
            }
        }
        double[] u = new double[pixels];
        java.util.Arrays.fill(u, 1.0 / Math.sqrt(pixels));
        for (int iteration = 0; iteration < 500; iteration++) {
            double[] next = new double[pixels];
            double norm = 0;
            for (int i = 0; i < pixels; i++) {
                double s = 0;
                for (int j = 0; j < pixels; j++) {
                    s += gram[i][j] * u[j];
                }
                next[i] = s;
                norm += s * s;
            }
            norm = Math.sqrt(norm);
            if (norm == 0) {
                break;
            }
            double change = 0;
            for (int i = 0; i < pixels; i++) {
                next[i] /= norm;
                change += Math.abs(next[i] - u[i]);
            }
            u = next;
            if (change < 1e-12) {
                break;
            }
        }
        // projection = x v with v = x^T u / |x^T u|, i.e. u scaled by the singular value
        double[] v = new double[channels];
        double vn = 0;
        for (int k = 0; k < channels; k++) {
            for (int i = 0; i < pixels; i++) {
                v[k] += x[i][k] * u[i];
            }
            vn += v[k] * v[k];
        }
        vn = Math.sqrt(vn);
        double[] p = new double[pixels];
        double agreement = 0;
        for (int i = 0; i < pixels; i++) {
            double s = 0;
            double total = 0;
            for (int k = 0; k < channels; k++) {
                s += x[i][k] * (vn == 0 ? 0 : v[k] / vn);
                total += maps[k][i];
            }
            p[i] = s;
            agreement += s * total;
        }
        float[] out = new float[pixels];
        for (int i = 0; i < pixels; i++) {
            out[i] = (float) Math.max(0, agreement < 0 ? -p[i] : p[i]);
        }
        return out;
    }

    /** Bilinear resizing with corners aligned (PyTorch's {@code UpsamplingBilinear2d}), as Score-CAM masks use. */
    static float[] resizeAlignCorners(float[] map, int h, int w, int outH, int outW) {
        float[] out = new float[outH * outW];
        for (int y = 0; y < outH; y++) {
            double sy = outH == 1 ? 0 : (double) y * (h - 1) / (outH - 1);
            for (int x = 0; x < outW; x++) {
                double sx = outW == 1 ? 0 : (double) x * (w - 1) / (outW - 1);
                out[y * outW + x] = (float) sample(map, h, w, sy, sx);
            }
        }
        return out;
    }

    /** Bilinear resizing with pixel centers aligned (OpenCV's and TensorFlow's), for overlays. */
    public static float[] resize(float[] map, int h, int w, int outH, int outW) {
        float[] out = new float[outH * outW];
        for (int y = 0; y < outH; y++) {
            double sy = Math.min(Math.max((y + 0.5) * h / outH - 0.5, 0), h - 1);
            for (int x = 0; x < outW; x++) {
                double sx = Math.min(Math.max((x + 0.5) * w / outW - 0.5, 0), w - 1);
                out[y * outW + x] = (float) sample(map, h, w, sy, sx);
            }
        }
        return out;
    }

    private static double sample(float[] map, int h, int w, double sy, double sx) {
        int y0 = (int) Math.floor(sy);
        int x0 = (int) Math.floor(sx);
        int y1 = Math.min(y0 + 1, h - 1);
        int x1 = Math.min(x0 + 1, w - 1);
        double fy = sy - y0;
        double fx = sx - x0;
        double top = map[y0 * w + x0] * (1 - fx) + map[y0 * w + x1] * fx;
        double bottom = map[y1 * w + x0] * (1 - fx) + map[y1 * w + x1] * fx;
        return top * (1 - fy) + bottom * fy;
    }

    static double[] softmax(double[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double[] out = new double[scores.length];
        double sum = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.exp(scores[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    /**
     * A map scaled to 0..1 by its minimum and maximum exactly as pytorch-grad-cam's {@code scale_cam_image} scales
     * its heatmaps (for its metrics, its smoothing, several layers and FullGrad's channels): {@code (m - min) /
     * (1e-7 + max - min)}. The 1e-7 matters where a map's values are tiny (FullGrad's channels of small gradients):
     * such a map scales to less than 1. A constant map is all 0.
     */
    public static float[] minMaxScaled(float[] map) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : map) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float[] out = new float[map.length];
        for (int i = 0; i < map.length; i++) {
            out[i] = (float) ((map[i] - min) / (1e-7 + (max - min)));
        }
        return out;
    }

    /**
     * A map clipped at 0 and scaled to 0..1, as pytorch-grad-cam prepares each map it combines with others
     * ({@code scale_cam_image(np.maximum(cam, 0))}, before any resize): the maps of several layers or of several
     * augmented inputs.
     */
    public static float[] clippedAndScaled(float[] map) {
        float[] clipped = new float[map.length];
        for (int i = 0; i < map.length; i++) {
            clipped[i] = Math.max(map[i], 0);
        }
        return minMaxScaled(clipped);
    }

    /**
     * Spearman's rank correlation of two maps of equal size, as {@code scipy.stats.spearmanr} computes it (Pearson's
     * correlation of the ranks, tied values sharing their mean rank), which Quantus's MPRT compares maps by. A
     * constant map orders nothing, so it shares no order with any other: 0, where scipy gives NaN.
     */
    public static double spearman(float[] a, float[] b) {
        double[] x = ranks(a);
        double[] y = ranks(b);
        double n = x.length;
        double mean = (n + 1) / 2; // the mean of ranks 1..n, ties or not
        double xy = 0;
        double xx = 0;
        double yy = 0;
        for (int i = 0; i < x.length; i++) {
            xy += (x[i] - mean) * (y[i] - mean);
            xx += (x[i] - mean) * (x[i] - mean);
            yy += (y[i] - mean) * (y[i] - mean);
        }
        return xx == 0 || yy == 0 ? 0 : xy / Math.sqrt(xx * yy);
    }

    /** Ranks 1..n by value, ties sharing the mean of their ranks (-0 ties with 0, as in numpy). */
    private static double[] ranks(float[] values) {
        float[] v = new float[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i] + 0f;
        }
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Float.compare(v[p], v[q]));
        double[] ranks = new double[v.length];
        for (int start = 0; start < order.length; ) {
            int end = start;
            while (end + 1 < order.length && Float.compare(v[order[end + 1]], v[order[start]]) == 0) {
                end++;
            }
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) {
                ranks[order[k]] = rank;
            }
            start = end + 1;
        }
        return ranks;
    }
}
