package dev.convlens.onnx;

import dev.convlens.Interpolation;
import dev.convlens.Layout;
import dev.convlens.Preprocessing;
import java.util.List;

/**
 * Writes the nodes that turn the bytes of an RGB picture, {@code uint8 [H, W, 3]} of any size, into a model's input
 * tensor, as ConvLens does in Java: Pillow's luma for a gray model, Pillow's resize (nearest by its affine sampling,
 * bilinear by its two fixed-point passes), the preprocessing's scale, mean and deviation, the channel order, the
 * layout. Every step repeats the Java arithmetic in the same types and order, so the tensor is the
 * one {@code Request} builds, value for value.
 */
final class PictureInput {
    /** Pillow's fixed-point precision for 8-bit resampling: {@code 32 - 8 - 2} bits. */
    private static final int PRECISION_BITS = 22;

    private final GraphWriter w;

    PictureInput(GraphWriter writer) {
        this.w = writer;
    }

    /**
     * Writes the nodes from the picture to the model input.
     *
     * @param picture the uint8 {@code [H, W, 3]} tensor
     * @param input the model input's name, which the last node writes
     * @param layout the model input's layout
     * @param channels 1 or 3
     * @param width the model input's width
     * @param height the model input's height
     * @param preprocessing the resize filter, scale, mean, deviation and channel order
     */
    void write(String picture, String input, Layout layout, int channels, int width, int height,
               Preprocessing preprocessing) {
        Interpolation interpolation = preprocessing.interpolation();
        String samples = picture;
        boolean integers = channels == 1 || interpolation == Interpolation.BILINEAR;
        if (integers) { // the sums below are Pillow's integer arithmetic; a nearest RGB resize only picks bytes
            samples = w.cast(picture, GraphWriter.INT32);
        }
        if (channels == 1) { // (19595 R + 38470 G + 7471 B + 0x8000) >> 16
            String weighted = w.mul(samples, w.int32(new int[] {19595, 38470, 7471}, 3));
            samples = w.emit("Div", w.add(w.reduce("ReduceSum", weighted, 2), w.int32(new int[] {0x8000})),
                    w.int32(new int[] {1 << 16}));
        }
        String rows = w.dimension(picture, 0);
        String columns = w.dimension(picture, 1);
        if (interpolation == Interpolation.NEAREST) {
            samples = w.gather(w.gather(samples, nearest(rows, height), 0), nearest(columns, width), 1);
        } else { // horizontal pass, then vertical, each rounded to 8 bits
            samples = pass(samples, columns, width, 1, -1, width, channels);
            samples = pass(samples, rows, height, 0, height, width, channels);
        }
        if (preprocessing.bgr() && channels == 3) {
            samples = w.gather(samples, w.int64(2, 1, 0), 2);
        }
        // (v * scale - mean[c]) / std[c] in float32, each step as TensorBuilder's table computes it; a step that
        // changes nothing (a scale of 1, means of 0, deviations of 1) is left out, as it would give the same values
        String values = w.cast(samples, GraphWriter.FLOAT);
        float[] mean = preprocessing.mean();
        float[] std = preprocessing.std();
        if (preprocessing.scale() != 1) {
            values = w.mul(values, w.scalar(preprocessing.scale()));
        }
        if (!allEqual(mean, channels, 0)) {
            values = w.sub(values, w.floats(java.util.Arrays.copyOf(mean, channels), channels));
        }
        if (!allEqual(std, channels, 1)) {
            values = w.emit("Div", values, w.floats(java.util.Arrays.copyOf(std, channels), channels));
        }
        if (layout == Layout.NCHW) {
            w.emitAs("Reshape", List.of(w.transpose(values, 2, 0, 1), w.int64(1, channels, height, width)), input);
        } else {
            w.emitAs("Reshape", List.of(values, w.int64(1, height, width, channels)), input);
        }
    }

    private static boolean allEqual(float[] values, int count, float value) {
        for (int c = 0; c < count; c++) {
            if (values[c] != value) {
                return false;
            }
        }
        return true;
    }

    /**
     * Pillow's nearest sample of each of {@code out} positions along an axis of {@code in}: the center
     * {@code step / 2} accumulated by {@code step = in / out} in float64, truncated, at most {@code in - 1}.
     */
    private String nearest(String in, int out) {
        String length = w.cast(in, GraphWriter.DOUBLE);
        String step = w.emit("Div", length, w.scalar((double) out));
        double[] steps = new double[out];
        java.util.Arrays.fill(steps, 1);
        steps[0] = 0.5;
        String centers = w.emit("CumSum", List.of(w.mul(w.doubles(steps, out), step), w.int64Scalar(0)));
        String last = w.sub(length, w.scalar(1.0));
        return w.cast(w.emit("Min", centers, last), GraphWriter.INT64);
    }

    /**
     * One of Pillow's bilinear passes ({@code precompute_coeffs}, {@code normalize_coeffs_8bpc}, then the
     * fixed-point sums of {@code ImagingResampleHorizontal_8bpc} or its vertical twin) along an axis of int32
     * samples {@code [H, W, C]}, from its length {@code in} to {@code out}. A pass at the same length is the identity:
     * one weight of 1.
     *
     * @param shape the shape of the result, -1 for the dimension left as it is
     */
    private String pass(String samples, String in, int out, int axis, long... shape) {
        String length = w.cast(in, GraphWriter.DOUBLE);
        String scale = w.emit("Div", length, w.scalar((double) out));
        String filterScale = w.emit("Max", scale, w.scalar(1.0)); // the bilinear filter's support is 1
        String support = filterScale;
        String taps = w.add(w.mul(w.cast(w.emit("Ceil", support), GraphWriter.INT64), w.int64Scalar(2)),
                w.int64Scalar(1));
        double[] positions = new double[out];
        java.util.Arrays.setAll(positions, o -> o);
        String center = w.mul(w.add(w.doubles(positions, out, 1), w.scalar(0.5)), scale); // [out, 1]
        String first = w.emit("Max", truncated(w.add(w.sub(center, support), w.scalar(0.5))), w.scalar(0.0));
        String count = w.sub(w.emit("Min", truncated(w.add(w.add(center, support), w.scalar(0.5))), length), first);
        String tap = w.cast(w.reshape(w.emit("Range", List.of(w.int64Scalar(0), taps, w.int64Scalar(1))), 1, -1),
                GraphWriter.DOUBLE); // [1, taps]
        String source = w.add(tap, first); // [out, taps]
        String ss = w.emit("Div", w.scalar(1.0), filterScale);
        String t = w.emit("Abs", w.mul(w.add(w.sub(source, center), w.scalar(0.5)), ss));
        String triangle = w.where(w.emit("Less", t, w.scalar(1.0)), w.sub(w.scalar(1.0), t), w.scalar(0.0));
        String k = w.where(w.emit("Less", tap, count), triangle, w.scalar(0.0));
        String total = w.reduce("ReduceSum", k, 1);
        String normalized = w.emit("Div", k, w.where(w.emit("Equal", total, w.scalar(0.0)), w.scalar(1.0), total));
        String weights = w.cast(w.add(w.scalar(0.5), w.mul(normalized, w.scalar((double) (1 << PRECISION_BITS)))),
                GraphWriter.INT32);
        String index = w.cast(w.emit("Min", source, w.sub(length, w.scalar(1.0))), GraphWriter.INT64);
        String gathered = w.gather(samples, index, axis); // [H, out, taps, C] or [out, taps, W, C]
        String kernel = axis == 1 ? w.unsqueeze(w.unsqueeze(weights, 0), 3) : w.unsqueeze(weights, 2, 3);
        String sum = w.reduce("ReduceSum", w.mul(gathered, kernel), axis + 1);
        String shifted = w.emit("Div", w.add(sum, w.int32(new int[] {1 << (PRECISION_BITS - 1)})),
                w.int32(new int[] {1 << PRECISION_BITS}));
        String clipped = w.cast(w.emit("Min", w.cast(shifted, GraphWriter.FLOAT), w.scalar(255f)), GraphWriter.INT32);
        return w.reshape(clipped, shape);
    }

    /** Java's {@code (int)} of a non-negative-or-small float64: toward zero, as a float64 again. */
    private String truncated(String x) {
        return w.cast(w.cast(x, GraphWriter.INT64), GraphWriter.DOUBLE);
    }
}
