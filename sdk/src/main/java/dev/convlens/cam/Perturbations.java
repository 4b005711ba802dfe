package dev.convlens.cam;

import dev.convlens.Layout;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The changed inputs that faithfulness metrics score: pixels removed in the order of a map, to zeros, into a blur,
 * or by noisy linear imputation. Works on one model input ({@code channels} planes of {@code height x width} values,
 * in the input's layout) and a map of the same {@code height x width}.
 */
public final class Perturbations {
    /** RISE's blur: an 11x11 kernel, {@code scipy.ndimage.gaussian_filter} of a centred impulse, sigma 5. */
    private static final int BLUR_SIZE = 11;
    private static final double BLUR_SIGMA = 5;
    /** Noisy linear imputation's neighbours: {dy, dx} and their weights, 1/6 direct and 1/12 diagonal. */
    private static final int[][] NEIGHBOURS = {{1, 1}, {0, 1}, {-1, 1}, {1, -1}, {0, -1}, {-1, -1}, {1, 0}, {-1, 0}};
    private static final double[] WEIGHTS = {1 / 12.0, 1 / 6.0, 1 / 12.0, 1 / 12.0, 1 / 6.0, 1 / 12.0, 1 / 6.0,
            1 / 6.0};

    private final float[] input;
    private final Layout layout;
    private final int channels;
    private final int height;
    private final int width;

    /**
     * The perturbations of one input.
     *
     * @param input one model input, in its layout
     */
    public Perturbations(float[] input, Layout layout, int channels, int height, int width) {
        this.input = input;
        this.layout = layout;
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    /** The pixels most relevant first: the map's values in decreasing order, ties in raster order. */
    public static int[] mostRelevantFirst(float[] map) {
        return IntStream.range(0, map.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -map[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    /**
     * The input with its first {@code count} pixels of an order replaced: by {@code into}'s (deletion's zeros,
     * insertion's start) or, with {@code swap}, {@code into} with those pixels taken from the input (insertion).
     */
    public float[] replaced(int[] order, int count, float[] into, boolean swap) {
        float[] out = (swap ? into : input).clone();
        float[] from = swap ? input : into;
        for (int k = 0; k < count; k++) {
            int p = order[k];
            for (int c = 0; c < channels; c++) {
                int at = at(c, p);
                out[at] = from[at];
            }
        }
        return out;
    }

    /**
     * The input mirrored left to right and its values multiplied by a factor: one of ttach's test-time augmentations
     * ({@code HorizontalFlip}, {@code Multiply}), as pytorch-grad-cam's {@code aug_smooth} applies them. A map is
     * one channel; mirroring it again takes it back.
     */
    public float[] augmented(boolean mirror, float factor) {
        float[] out = new float[input.length];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    out[at(c, y * width + x)] = factor * input[at(c, y * width + (mirror ? width - 1 - x : x))];
                }
            }
        }
        return out;
    }

    /**
     * The input multiplied by a map of {@code height x width} values, the same for every channel: Score-CAM's masked
     * inputs, occlusion's, and pytorch-grad-cam's {@code multiply_tensor_with_cam}.
     */
    public float[] times(float[] map) {
        float[] out = new float[input.length];
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < plane; i++) {
                int at = at(c, i);
                out[at] = input[at] * map[i];
            }
        }
        return out;
    }

    /**
     * RISE's blurred input: each channel convolved with its 11x11 kernel, zero padding ({@code conv2d(x, kern,
     * padding=5)}).
     */
    public float[] blurred() {
        double[] k = blurKernel();
        int r = BLUR_SIZE / 2;
        float[] out = new float[input.length];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double sum = 0;
                    for (int dy = -r; dy <= r; dy++) {
                        int yy = y + dy;
                        if (yy < 0 || yy >= height) {
                            continue;
                        }
                        for (int dx = -r; dx <= r; dx++) {
                            int xx = x + dx;
                            if (xx >= 0 && xx < width) {
                                sum += k[(dy + r) * BLUR_SIZE + dx + r] * input[at(c, yy * width + xx)];
                            }
                        }
                    }
                    out[at(c, y * width + x)] = (float) sum;
                }
            }
        }
        return out;
    }

    /**
     * {@code scipy.ndimage.gaussian_filter} of an 11x11 impulse at its centre, sigma 5: a truncated (4 sigma)
     * normalized Gaussian applied along each axis with mirror ("reflect") boundaries, the outer product of one
     * axis's response.
     */
    static double[] blurKernel() {
        int radius = (int) (4 * BLUR_SIGMA + 0.5);
        double[] g = new double[2 * radius + 1];
        double total = 0;
        for (int i = -radius; i <= radius; i++) {
            g[i + radius] = Math.exp(-0.5 * i * i / (BLUR_SIGMA * BLUR_SIGMA));
            total += g[i + radius];
        }
        double[] line = new double[BLUR_SIZE];
        int centre = BLUR_SIZE / 2;
        for (int i = 0; i < BLUR_SIZE; i++) {
            for (int k = -radius; k <= radius; k++) {
                if (reflect(i + k, BLUR_SIZE) == centre) {
                    line[i] += g[k + radius] / total;
                }
            }
        }
        double[] kernel = new double[BLUR_SIZE * BLUR_SIZE];
        for (int y = 0; y < BLUR_SIZE; y++) {
            for (int x = 0; x < BLUR_SIZE; x++) {
                kernel[y * BLUR_SIZE + x] = line[y] * line[x];
            }
        }
        return kernel;
    }

    /** scipy's "reflect" index: d c b a | a b c d | d c b a. */
    private static int reflect(int i, int n) {
        int period = 2 * n;
        int m = Math.floorMod(i, period);
        return m < n ? m : period - 1 - m;
    }

    /**
     * The pixels ROAD removes at a percentile: those whose key is at or above the keys' p-th percentile (numpy's
     * linear one), as pytorch-grad-cam's {@code RemoveMostRelevantFirst} keeps those below it.
     */
    public static boolean[] atOrAbovePercentile(float[] keys, int percentile) {
        double[] sorted = new double[keys.length];
        for (int i = 0; i < keys.length; i++) {
            sorted[i] = keys[i];
        }
        Arrays.sort(sorted);
        double index = percentile / 100.0 * (sorted.length - 1);
        int below = (int) Math.floor(index);
        int above = Math.min(below + 1, sorted.length - 1);
        double threshold = sorted[below] + (sorted[above] - sorted[below]) * (index - below);
        boolean[] removed = new boolean[keys.length];
        for (int i = 0; i < keys.length; i++) {
            removed[i] = !(keys[i] < threshold);
        }
        return removed;
    }

    /**
     * Noisy linear imputation (Rong et al. 2022, pytorch-grad-cam's and Quantus's {@code NoisyLinearImputer}): each
     * removed pixel, in each channel, the weighted mean of its neighbours inside the image, the unknowns solving one
     * sparse symmetric positive definite system (the known pixels its boundary) by conjugate gradients; then Gaussian
     * noise of {@code noise} added to each imputed value.
     */
    public float[] imputed(boolean[] removed, float noise, Random random) {
        int[] unknown = IntStream.range(0, removed.length).filter(p -> removed[p]).toArray();
        int n = unknown.length;
        int[] variable = new int[removed.length];
        Arrays.fill(variable, -1);
        for (int v = 0; v < n; v++) {
            variable[unknown[v]] = v;
        }
        // the system s_i x_i - sum_j w_ij x_j = sum_k w_ik v_k: removed neighbours j, known neighbours k, s_i the
        // weights of the neighbours inside the image
        int[][] neighbour = new int[n][NEIGHBOURS.length];
        double[] diagonal = new double[n];
        for (int v = 0; v < n; v++) {
            int y = unknown[v] / width;
            int x = unknown[v] % width;
            for (int k = 0; k < NEIGHBOURS.length; k++) {
                int yy = y + NEIGHBOURS[k][0];
                int xx = x + NEIGHBOURS[k][1];
                boolean inside = yy >= 0 && yy < height && xx >= 0 && xx < width;
                neighbour[v][k] = inside ? yy * width + xx : -1;
                diagonal[v] += inside ? WEIGHTS[k] : 0;
            }
        }
        float[] out = input.clone();
        for (int c = 0; c < channels; c++) {
            double[] b = new double[n];
            for (int v = 0; v < n; v++) {
                for (int k = 0; k < NEIGHBOURS.length; k++) {
                    int p = neighbour[v][k];
                    if (p >= 0 && variable[p] < 0) {
                        b[v] += WEIGHTS[k] * input[at(c, p)];
                    }
                }
            }
            double[] x = conjugateGradients(neighbour, variable, diagonal, b);
            for (int v = 0; v < n; v++) {
                out[at(c, unknown[v])] = (float) x[v];
            }
        }
        if (noise > 0) { // drawn channel by channel, pixel by pixel, after the solve
            for (int c = 0; c < channels; c++) {
                for (int p : unknown) {
                    out[at(c, p)] += (float) (noise * random.nextGaussian());
                }
            }
        }
        return out;
    }

    private static double[] conjugateGradients(int[][] neighbour, int[] variable, double[] diagonal, double[] b) {
        int n = b.length;
        double[] x = new double[n];
        double[] r = b.clone();
        double[] d = r.clone();
        double[] q = new double[n];
        double rr = dot(r, r);
        double stop = 1e-24 * Math.max(rr, Double.MIN_NORMAL);
        for (int iteration = 0; iteration < 10 * n + 100 && rr > stop; iteration++) {
            for (int v = 0; v < n; v++) {
                double s = diagonal[v] * d[v];
                for (int k = 0; k < NEIGHBOURS.length; k++) {
                    int p = neighbour[v][k];
                    if (p >= 0 && variable[p] >= 0) {
                        s -= WEIGHTS[k] * d[variable[p]];
                    }
                }
                q[v] = s;
            }
            double alpha = rr / dot(d, q);
            for (int v = 0; v < n; v++) {
                x[v] += alpha * d[v];
                r[v] -= alpha * q[v];
            }
            double next = dot(r, r);
            double beta = next / rr;
            rr = next;
            for (int v = 0; v < n; v++) {
                d[v] = r[v] + beta * d[v];
            }
        }
        return x;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private int at(int channel, int pixel) {
        return layout == Layout.NCHW ? channel * height * width + pixel : pixel * channels + channel;
    }
}
