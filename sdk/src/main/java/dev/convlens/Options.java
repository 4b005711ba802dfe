package dev.convlens;

import java.util.Objects;

/**
 * Settings of an {@link Inspector}, fixed when it is created. Immutable; each setter returns a changed copy.
 *
 * <pre>{@code
 * Inspector inspector = Inspector.of(model, Options.defaults().threads(1).maxPixels(20_000_000));
 * }</pre>
 */
public final class Options {
    /** The default pixel limit: 50 megapixels, more than an 8K frame or a 48 MP phone photo. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;
    /**
     * The default limit on the values one run returns: 500 million, 2 GB as floats (ResNet-50's every convolution at
     * 224x224 returns about 11 million).
     */
    public static final long DEFAULT_MAX_ACTIVATIONS = 500_000_000L;
    private static final Options DEFAULTS = new Options(0, false, DEFAULT_MAX_PIXELS, DEFAULT_MAX_ACTIVATIONS, null);

    private final int threads;
    private final boolean cuda;
    private final long maxPixels;
    private final long maxActivations;
    private final Layout layout;

    private Options(int threads, boolean cuda, long maxPixels, long maxActivations, Layout layout) {
        this.threads = threads;
        this.cuda = cuda;
        this.maxPixels = maxPixels;
        this.maxActivations = maxActivations;
        this.layout = layout;
    }

    /**
     * Returns the defaults: ONNX Runtime's threads, CPU, a 50-megapixel limit, 500 million values a run, layout
     * read from the model.
     *
     * @return the default options
     */
    public static Options defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a copy with another number of threads per request: ONNX Runtime's intra-op threads, and with 1, no
     * parallel drawing or PNG writing either. Use 1 when many threads share one inspector, so each request keeps to
     * one core and requests do not compete for cores. Default 0.
     *
     * @param threads 0 for ONNX Runtime's default (one per core, and large layers drawn on every core), else the
     *     number of threads
     * @return a changed copy
     * @throws IllegalArgumentException if threads is negative
     */
    public Options threads(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (ONNX Runtime's default) or more, was " + threads);
        }
        return new Options(threads, cuda, maxPixels, maxActivations, layout);
    }

    /**
     * Returns a copy that runs on CUDA or on the CPU. CUDA needs the {@code onnxruntime_gpu} artifact in place of
     * {@code onnxruntime} and a matching CUDA installation. Default false.
     *
     * @param cuda true for CUDA, false for CPU
     * @return a changed copy
     */
    public Options cuda(boolean cuda) {
        return new Options(threads, cuda, maxPixels, maxActivations, layout);
    }

    /**
     * Returns a copy with another pixel limit, for every picture in and out: images with more pixels are refused
     * with {@link ImageTooLargeException} (files before they are decoded); a model whose fixed input is larger, with
     * {@link UnsupportedModelException}; a {@code size(w, h)} or a picture to draw (a grid at its upscale) that is
     * larger, with {@link IllegalArgumentException} before anything is allocated. Default
     * {@link #DEFAULT_MAX_PIXELS}.
     *
     * @param maxPixels the largest width times height accepted
     * @return a changed copy
     * @throws IllegalArgumentException if maxPixels is not positive
     */
    public Options maxPixels(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, was " + maxPixels);
        }
        return new Options(threads, cuda, maxPixels, maxActivations, layout);
    }

    /**
     * Returns a copy with another limit on the values one run may return to Java: the layers asked for and the
     * outputs, counted from their shapes before any is copied. A run over it (many layers of a large input, say)
     * fails with {@link InferenceException} naming the count, as does a run whose values do not fit the Java heap.
     * Default {@link #DEFAULT_MAX_ACTIVATIONS}.
     *
     * @param maxActivations the most values (floats) one run returns
     * @return a changed copy
     * @throws IllegalArgumentException if maxActivations is not positive
     */
    public Options maxActivations(long maxActivations) {
        if (maxActivations <= 0) {
            throw new IllegalArgumentException("maxActivations must be positive, was " + maxActivations);
        }
        return new Options(threads, cuda, maxPixels, maxActivations, layout);
    }

    /**
     * Returns a copy with the input layout set, for a model whose input shape cannot tell it. By default the layout
     * is read from the input's shape.
     *
     * @param layout NCHW or NHWC
     * @return a changed copy
     * @throws NullPointerException if layout is null
     */
    public Options layout(Layout layout) {
        return new Options(threads, cuda, maxPixels, maxActivations, Objects.requireNonNull(layout, "layout"));
    }

    /**
     * Returns the threads one request may use.
     *
     * @return 0 for ONNX Runtime's default, else the number of threads
     */
    public int threads() {
        return threads;
    }

    /**
     * Returns whether the model runs on CUDA.
     *
     * @return true for CUDA, false for CPU
     */
    public boolean cuda() {
        return cuda;
    }

    /**
     * Returns the largest image accepted, in pixels.
     *
     * @return width times height
     */
    public long maxPixels() {
        return maxPixels;
    }

    /**
     * Returns the most values one run may return.
     *
     * @return a number of values (floats)
     */
    public long maxActivations() {
        return maxActivations;
    }

    /**
     * Returns the input layout set with {@link #layout(Layout)}.
     *
     * @return the layout, or null when it is read from the model (the default)
     */
    public Layout layout() {
        return layout;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Options other && other.threads == threads && other.cuda == cuda
                && other.maxPixels == maxPixels && other.maxActivations == maxActivations && other.layout == layout;
    }

    @Override
    public int hashCode() {
        return Objects.hash(threads, cuda, maxPixels, maxActivations, layout);
    }

    @Override
    public String toString() {
        return "Options[threads " + threads + ", " + (cuda ? "CUDA" : "CPU") + ", maxPixels " + maxPixels
                + ", maxActivations " + maxActivations + (layout == null ? "" : ", " + layout) + "]";
    }
}
