package dev.convlens.onnx;

import dev.convlens.AttributionMethod;
import dev.convlens.ExplanationMethod;
import dev.convlens.HeatmapMethod;
import dev.convlens.Layout;
import java.util.List;

/**
 * Writes the nodes that make a heatmap from a run's tensors, and draw it over the picture, as ConvLens's Java does:
 * the CAM weights of {@code MapMath} and the channel reductions of {@code Attributions} in float32, and
 * {@code Heatmap.overlay()}'s scaling, bilinear resize (in float64, as {@code MapMath.resize}), jet levels and
 * rescaled sum.
 */
final class HeatmapGraph {
    /** Eigen-CAM's squarings of the Gram matrix: 1024 power iterations, past the 500 of the Java iteration. */
    static final int SQUARINGS = 10;

    private final GraphWriter w;

    HeatmapGraph(GraphWriter writer) {
        this.w = writer;
    }

    /**
     * A CAM method's map, {@code [1, 1, h, w]}, from a layer's activations and the score's gradient there, each
     * {@code [1, C, h, w]}.
     */
    String cam(HeatmapMethod method, String activations, String gradient) {
        String weighted = switch (method) {
            case HIRES_CAM -> w.mul(activations, gradient);
            case LAYER_CAM -> w.mul(activations, w.emit("Relu", gradient));
            default -> w.mul(activations, weights(method, activations, gradient));
        };
        return w.emit("Relu", w.reduce("ReduceSum", weighted, 1));
    }

    /** A CAM method's channel weights, {@code [1, C, 1, 1]}. */
    private String weights(HeatmapMethod method, String activations, String gradient) {
        return switch (method) {
            case GRAD_CAM -> w.reduce("ReduceMean", gradient, 2, 3);
            case GRAD_CAM_PLUS_PLUS -> { // a = g^2 / (2 g^2 + sum(A) g^3 + 1e-6), w = sum(a * relu(g))
                String g2 = w.mul(gradient, gradient);
                String g3 = w.mul(g2, gradient);
                String sum = w.reduce("ReduceSum", activations, 2, 3);
                String alpha = w.emit("Div", g2, w.add(w.add(w.mul(w.scalar(2f), g2), w.mul(sum, g3)),
                        w.scalar(1e-6f)));
                yield w.reduce("ReduceSum", w.mul(alpha, w.emit("Relu", gradient)), 2, 3);
            }
            case XGRAD_CAM -> w.emit("Div", w.reduce("ReduceSum", w.mul(gradient, activations), 2, 3),
                    w.add(w.reduce("ReduceSum", activations, 2, 3), w.scalar(1e-7f)));
            default -> throw new IllegalArgumentException(method + " is not written in the graph");
        };
    }

    /**
     * CAM's map, {@code [1, 1, h, w]}: the pooled feature maps weighted by the dense layer's weights of the class
     * (for a single sigmoid unit, its one row, negated for class 0).
     *
     * @param classIndex the picked class, an int64 scalar
     */
    String cam(DenseHead head, String activations, String classIndex) {
        int classes = head.weights().length;
        String row = classes == 1 ? w.int64Scalar(0) : classIndex;
        String weights = w.gather(head.weightTensor(), row, head.classesFirst() ? 0 : 1); // [C]
        if (classes == 1) { // +1 for class 1, -1 for class 0
            weights = w.mul(weights, w.sub(w.mul(w.cast(classIndex, GraphWriter.FLOAT), w.scalar(2f)),
                    w.scalar(1f)));
        }
        String perChannel = w.reshape(weights, 1, head.weights()[0].length, 1, 1);
        return w.emit("Relu", w.reduce("ReduceSum", w.mul(activations, perChannel), 1));
    }

    /**
     * Eigen-CAM's map, {@code [h * w, 1]}: each position's channel vector, centered per channel, projected on the
     * first principal component, signed to agree with the channels' sum, negative values set to zero; in float64, as
     * {@code MapMath.principalProjection}. The component is the Gram matrix's first eigenvector, found by squaring
     * the matrix {@value #SQUARINGS} times (as 2^{@value #SQUARINGS} power iterations, each square rescaled by its
     * largest value) and applying it to each position's channel sum. (The Java iteration starts from the uniform
     * vector, which the centering makes orthogonal to every component: it converges from the rounding's noise
     * there, in hundreds of steps; the sums hold the component the sign is read from anyway.)
     */
    String eigenCam(String activations, long channels, long h, long wide) {
        long pixels = h * wide;
        String x0 = w.transpose(w.cast(w.reshape(activations, channels, pixels), GraphWriter.DOUBLE), 1, 0);
        String x = w.sub(x0, w.reduce("ReduceMean", x0, 0)); // [P, C]
        String xt = w.transpose(x, 1, 0);
        String gram = w.emit("MatMul", x, xt);
        for (int i = 0; i < SQUARINGS; i++) {
            String squared = w.emit("MatMul", gram, gram);
            String largest = w.reduce("ReduceMax", w.reshape(w.emit("Abs", squared), 1, pixels * pixels), 1);
            gram = w.emit("Div", squared, w.emit("Max", largest, w.scalar(Double.MIN_NORMAL)));
        }
        String sums = w.reduce("ReduceSum", x0, 1); // [P, 1]
        String u = w.emit("MatMul", gram, sums);
        String v = w.emit("MatMul", xt, u); // [C, 1], the component up to its length
        String length = w.emit("Sqrt", w.reduce("ReduceSum", w.mul(v, v), 0));
        String p = w.emit("MatMul", x, w.emit("Div", v, w.emit("Max", length, w.scalar(Double.MIN_NORMAL))));
        String agreement = w.reduce("ReduceSum", w.mul(p, sums), 0);
        String sign = w.where(w.emit("Less", agreement, w.scalar(0.0)), w.scalar(-1.0), w.scalar(1.0));
        return w.cast(w.emit("Relu", w.mul(p, sign)), GraphWriter.FLOAT);
    }

    /**
     * Recipro-CAM's scores, {@code [h * w, values]}: the network's tail copied once more and run on the layer's maps
     * under each one-hot spatial mask as one batch of {@code h * w} (the masks made in the graph, {@code Equal} of
     * two ranges, not stored), reading the same weights.
     *
     * @param graph the model's graph, whose tail is copied
     */
    String reciproOutputs(Onnx.GraphProto graph, String activations, long h, long wide, String output, long values) {
        long pixels = h * wide;
        String masks = w.mask("Equal", w.positions(pixels, 1, 1, 1), w.positions(1, 1, h, wide));
        String mosaic = w.mul(activations, masks); // [h * w, C, h, w]
        return w.reshape(TailBuilder.copy(w, graph, activations, mosaic, output), pixels, values);
    }

    /**
     * Recipro-CAM's map of the picked class, {@code [1, h * w]}: each copy's score read with the class's seed, then
     * scaled as {@code CamRunner} does ({@link #scaledRows}).
     *
     * @param seed the picked class's weight of each output value, of the output's shape (batch 1)
     * @param constant added to each score (1 - class for a single sigmoid value's class 0), or null
     */
    String reciproCam(String outputs, long values, String seed, String constant) {
        String scores = w.reduce("ReduceSum", w.mul(outputs, w.reshape(seed, 1, values)), 1);
        if (constant != null) {
            scores = w.add(scores, constant);
        }
        return scaledRows(w.transpose(scores, 1, 0));
    }

    /**
     * Recipro-CAM's map of every class, {@code [classes, h * w]}: the output values of each copy as they are (for
     * a single sigmoid value, class 0 its complement and class 1 itself), each class scaled on its own.
     */
    String reciproCamAll(String outputs, long values) {
        String perClass = w.transpose(outputs, 1, 0); // [values, h * w]
        if (values == 1) {
            perClass = w.emit("Concat", List.of(w.sub(w.scalar(1f), perClass), perClass), GraphWriter.int1("axis", 0));
        }
        return scaledRows(perClass);
    }

    /** Each row scaled by its minimum and maximum, {@code (s - min) / (max - min + 1e-12)}. */
    private String scaledRows(String rows) {
        String min = w.reduce("ReduceMin", rows, 1);
        String range = w.add(w.sub(w.reduce("ReduceMax", rows, 1), min), w.scalar(1e-12f));
        return w.emit("Div", w.sub(rows, min), range);
    }

    /**
     * CAM's map of every class, {@code [classes, h * w]}: the dense weights times the pooled maps, one product, the
     * negative values set to zero (for a single sigmoid unit, class 0 its negated row and class 1 its row).
     */
    String camAll(DenseHead head, String activations, long pixels) {
        String weights = head.classesFirst() ? head.weightTensor() : w.transpose(head.weightTensor(), 1, 0);
        if (head.weights().length == 1) {
            weights = w.emit("Concat", List.of(w.emit("Neg", weights), weights), GraphWriter.int1("axis", 0));
        }
        long channels = head.weights()[0].length;
        return w.emit("Relu", w.emit("MatMul", weights, w.reshape(activations, channels, pixels)));
    }

    /**
     * Integrated gradients' map at the input's resolution: {@code (input - baseline)} times the gradient averaged
     * over the path's points (the batch's rows after the first), summed over channels.
     */
    String integratedGradients(String input, String baseline, String gradient, int points, Layout layout) {
        String mean = w.reduce("ReduceMean", w.slice(gradient, 0, 1, 1 + points), 0);
        return w.reduce("ReduceSum", w.mul(w.sub(input, baseline), mean), layout == Layout.NCHW ? 1 : 3);
    }

    /**
     * Guided Grad-CAM's map at the input's resolution: the guided gradient's largest absolute value over the
     * channels times the Grad-CAM map resized to the input as {@code MapMath.resize} does.
     */
    String guidedGradCam(String guided, String cam, long h, long wide, long height, long width, Layout layout) {
        String guidedMap = w.reshape(attribution(AttributionMethod.GUIDED_BACKPROP, null, guided, layout), height,
                width);
        return w.mul(guidedMap, resize(cam, h, wide, w.int64Scalar(height), w.int64Scalar(width)));
    }

    /** An attribution's map at the input's resolution, from the model input and the score's gradient there. */
    String attribution(AttributionMethod method, String input, String gradient, Layout layout) {
        long channels = layout == Layout.NCHW ? 1 : 3;
        return switch (method) {
            case GRADIENT, GUIDED_BACKPROP -> w.reduce("ReduceMax", w.emit("Abs", gradient), channels);
            case INPUT_X_GRADIENT -> w.reduce("ReduceSum", w.mul(input, gradient), channels);
            default -> throw new IllegalArgumentException(method + " is not written in the graph");
        };
    }

    /**
     * {@code Heatmap.overlay()}: the map scaled to 0..1 by its maximum (an attribution by the 98th percentile of its
     * positive values), resized to the picture, turned into jet levels, added at 0.4 to the picture, and the sum
     * rescaled to 0..255.
     *
     * @param map the map, {@code [h, w]}
     * @param picture the uint8 picture {@code [H, W, 3]}
     * @param colors 0.4 times each of the 256 jet colors' channels, {@code [256, 3]}
     */
    String overlay(ExplanationMethod method, String map, long h, long wide, String picture, float[] colors) {
        String top = method instanceof AttributionMethod ? percentile98(map) : w.reduce("ReduceMax",
                w.reshape(map, 1, h * wide), 1);
        String positive = w.emit("Greater", top, w.scalar(0f));
        String divisor = w.where(positive, top, w.scalar(1f));
        String scaled = w.where(positive, w.emit("Min", w.emit("Div", w.emit("Relu", map), divisor), w.scalar(1f)),
                w.scalar(0f));
        String resized = resize(scaled, h, wide, w.dimension(picture, 0), w.dimension(picture, 1));
        String levels = w.cast(w.emit("Min", w.emit("Max", w.mul(resized, w.scalar(255f)), w.scalar(0f)),
                w.scalar(255f)), GraphWriter.INT64);
        String sum = w.add(w.gather(w.floats(colors, 256, 3), levels, 0), w.cast(picture, GraphWriter.FLOAT));
        String all = w.reshape(sum, 1, -1);
        String min = w.reduce("ReduceMin", all, 1);
        String range = w.sub(w.reduce("ReduceMax", all, 1), min);
        String flat = w.emit("Equal", range, w.scalar(0f));
        String rescaled = w.mul(w.emit("Div", w.sub(sum, min), w.where(flat, w.scalar(1f), range)), w.scalar(255f));
        return w.cast(w.where(flat, w.scalar(0f), rescaled), GraphWriter.UINT8);
    }

    /**
     * The 98th percentile of a map's positive values, {@code sorted[ceil(0.98 n) - 1]}, as {@code [1, 1]}; 0 or
     * less where none is positive.
     */
    private String percentile98(String map) {
        String flat = w.reshape(map, 1, -1);
        String positive = w.emit("Greater", flat, w.scalar(0f));
        String n = w.reduce("ReduceSum", w.cast(positive, GraphWriter.INT64), 1);
        String rank = w.cast(w.emit("Ceil", w.mul(w.cast(n, GraphWriter.DOUBLE), w.scalar(0.98))), GraphWriter.INT64);
        String k = w.reshape(w.add(w.sub(n, rank), w.int64Scalar(1)), 1);
        String candidates = w.where(positive, flat, w.scalar(Float.NEGATIVE_INFINITY));
        String largest = w.emitFirst("TopK", List.of(candidates, k), 2, GraphWriter.int1("axis", 1));
        return w.reduce("ReduceMin", largest, 1);
    }

    /**
     * {@code MapMath.resize}: bilinear with pixel centers aligned and the source position clamped to the map, in
     * float64, from {@code [h, w]} to the picture's rows and columns.
     */
    private String resize(String map, long h, long wide, String rows, String columns) {
        Axis y = axis(rows, h);
        Axis x = axis(columns, wide);
        // along x on the map's h rows first, then along y: the same products and sums, in the same order, as
        // interpolating the four neighbours of each pixel
        String values = w.cast(map, GraphWriter.DOUBLE);
        String across = w.add(w.mul(w.gather(values, x.low, 1), w.sub(w.scalar(1.0), x.fraction)),
                w.mul(w.gather(values, x.high, 1), x.fraction)); // [h, W]
        String fy = w.unsqueeze(y.fraction, 1);
        return w.cast(w.add(w.mul(w.gather(across, y.low, 0), w.sub(w.scalar(1.0), fy)),
                w.mul(w.gather(across, y.high, 0), fy)), GraphWriter.FLOAT);
    }

    /** The two source positions and the weight of the second, for each position along one output axis. */
    private record Axis(String low, String high, String fraction) {
    }

    private Axis axis(String out, long in) {
        String length = w.cast(out, GraphWriter.DOUBLE);
        String index = w.emit("Range", List.of(w.scalar(0.0), length, w.scalar(1.0)));
        String source = w.sub(w.emit("Div", w.mul(w.add(index, w.scalar(0.5)), w.scalar((double) in)), length),
                w.scalar(0.5));
        String clamped = w.emit("Min", w.emit("Max", source, w.scalar(0.0)), w.scalar((double) (in - 1)));
        String floor = w.emit("Floor", clamped);
        String low = w.cast(floor, GraphWriter.INT64);
        String high = w.cast(w.emit("Min", w.add(floor, w.scalar(1.0)), w.scalar((double) (in - 1))),
                GraphWriter.INT64);
        return new Axis(low, high, w.sub(clamped, floor));
    }
}
