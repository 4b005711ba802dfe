package dev.convlens;

import java.util.Objects;

/**
 * Settings of an {@link Inspector}, fixed when it is created. Immutable; each setter returns a changed copy.
 *
 * <pre>{@code
 * Inspector inspector = Inspector.of(model, Options.defaults().threads(1).maxPixels(20_000_000));
 * }</pre>
 *
 * @param threads the threads one request may use: ONNX Runtime's intra-op threads, and with 1, no parallel
 *     drawing either; 0 (the default) lets ONNX Runtime use one per core and draws large layers on every core
 * @param cuda whether to run on an NVIDIA GPU through CUDA; default false
 * @param maxPixels the largest image, in pixels (width times height), that is decoded; default 50,000,000
 * @param layout the input layout, or null (the default) to read it from the input's shape
 */
public record Options(int threads, boolean cuda, long maxPixels, Layout layout) {
    /** The default pixel limit: 50 megapixels, more than an 8K frame or a 48 MP phone photo. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

    /**
     * Checks the values.
     *
     * @param threads see the record's description
     * @param cuda see the record's description
     * @param maxPixels see the record's description
     * @param layout see the record's description
     * @throws IllegalArgumentException if threads is negative or maxPixels is not positive
     */
    public Options {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (ONNX Runtime's default) or more, was " + threads);
        }
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, was " + maxPixels);
        }
    }

    /**
     * Returns the defaults: ONNX Runtime's threads, CPU, a 50-megapixel limit, layout read from the model.
     *
     * @return the default options
     */
    public static Options defaults() {
        return new Options(0, false, DEFAULT_MAX_PIXELS, null);
    }

    /**
     * Returns a copy with another number of threads per request: ONNX Runtime's intra-op threads, and with 1, no
     * parallel drawing or PNG writing either. Use 1 when many threads share one inspector, so each request keeps to
     * one core and requests do not compete for cores.
     *
     * @param threads 0 for ONNX Runtime's default, else the number of threads
     * @return a changed copy
     * @throws IllegalArgumentException if threads is negative
     */
    public Options threads(int threads) {
        return new Options(threads, cuda, maxPixels, layout);
    }

    /**
     * Returns a copy that runs on CUDA or on the CPU. CUDA needs the {@code onnxruntime_gpu} artifact in place of
     * {@code onnxruntime} and a matching CUDA installation.
     *
     * @param cuda true for CUDA, false for CPU
     * @return a changed copy
     */
    public Options cuda(boolean cuda) {
        return new Options(threads, cuda, maxPixels, layout);
    }

    /**
     * Returns a copy with another pixel limit. Images declaring more pixels are refused with
     * {@link ImageTooLargeException} before they are decoded.
     *
     * @param maxPixels the largest width times height accepted
     * @return a changed copy
     * @throws IllegalArgumentException if maxPixels is not positive
     */
    public Options maxPixels(long maxPixels) {
        return new Options(threads, cuda, maxPixels, layout);
    }

    /**
     * Returns a copy with the input layout set, for a model whose input shape cannot tell it.
     *
     * @param layout NCHW or NHWC
     * @return a changed copy
     */
    public Options layout(Layout layout) {
        return new Options(threads, cuda, maxPixels, Objects.requireNonNull(layout, "layout"));
    }
}
