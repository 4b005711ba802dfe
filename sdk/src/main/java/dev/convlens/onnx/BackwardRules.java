package dev.convlens.onnx;

import static dev.convlens.onnx.GraphWriter.FLOAT;
import static dev.convlens.onnx.GraphWriter.float1;
import static dev.convlens.onnx.GraphWriter.int1;
import static dev.convlens.onnx.GraphWriter.ints;
import static dev.convlens.onnx.GraphWriter.string1;

import dev.convlens.UnsupportedModelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * The gradient rule of each op: from the gradients of a node's outputs, the nodes that compute the gradients of its
 * inputs, written with plain ONNX ops of the model's opset. {@link GradientBuilder} walks the graph backwards and sums
 * what the rules give a tensor that is used more than once.
 */
final class BackwardRules {
    /** The ops with a rule. */
    static final List<String> OPS = List.of("Conv", "ConvTranspose", "Relu", "LeakyRelu", "Clip", "HardSigmoid", "HardSwish", "Tanh",
            "Sigmoid", "Softmax", "Exp", "Sqrt", "Erf", "Neg", "Pow", "MaxPool", "AveragePool", "GlobalAveragePool",
            "ReduceMean", "ReduceSum", "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Expand", "Slice",
            "Split", "Gather", "Pad", "Resize", "Upsample", "Gemm", "MatMul", "Add", "Sum", "Sub", "Mul", "Div", "Max",
            "Min", "BatchNormalization", "InstanceNormalization", "LayerNormalization", "Concat", "Cast", "Dropout",
            "Identity", "QuantizeLinear", "DequantizeLinear");
    /** The ops whose rule gives every input that depends on the layer its share; the others' rules, the first only. */
    private static final Set<String> EVERY_INPUT = Set.of("Add", "Sum", "Sub", "Mul", "Div", "Max", "Min", "MatMul",
            "Concat");
    /** The most elements of a matrix that maps a Resize's or Pad's axis (64 MB of float32): axes up to 4096. */
    private static final long LARGEST_MATRIX = 1 << 24;

    private final Graph graph;
    private final Map<String, long[]> shapes;
    private final Set<String> active;
    private final GraphWriter w;
    private final long opset;
    private final boolean guided;
    private final BiConsumer<String, String> sink;

    /**
     * @param shapes the shapes of the tensors between the layer and the output, from a run
     * @param active those tensors: the ones that depend on the layer and lead to the output
     * @param guided whether a Relu passes back only the positive part of its gradient (guided backpropagation)
     * @param sink takes a gradient contribution to a tensor
     */
    BackwardRules(Graph graph, Map<String, long[]> shapes, Set<String> active, GraphWriter writer, boolean guided,
                  BiConsumer<String, String> sink) {
        this.graph = graph;
        this.shapes = shapes;
        this.active = active;
        this.w = writer;
        this.opset = writer.opset();
        this.guided = guided;
        this.sink = sink;
    }

    /**
     * Writes the gradients of a node's inputs.
     *
     * @param index the node's position in the graph (MaxPool is given a second output there)
     * @param gradients the gradient of each of the node's outputs, null for those that do not lead to the score
     */
    void backward(int index, Onnx.NodeProto n, List<String> gradients) {
        String op = n.getOpType();
        if (opset < 7) { // the ops the rules write broadcast from opset 7 on, and ONNX Runtime has no Greater before
            throw unsupported(n, "op '" + op + "' at opset " + opset);
        }
        if (op.equals("Split")) {
            give(n.getInput(0), split(n, gradients));
            return;
        }
        for (int i = 1; i < gradients.size(); i++) {
            if (gradients.get(i) != null) {
                throw unsupported(n, "the output " + i + " of a " + op);
            }
        }
        if (!EVERY_INPUT.contains(op)) {
            for (int i = 1; i < n.getInputCount(); i++) {
                if (active.contains(n.getInput(i))) {
                    throw unsupported(n, "a " + op + " whose input " + i + " (weights, bounds, exponent...) depends"
                            + " on the layer");
                }
            }
        }
        String gy = gradients.get(0);
        String x = n.getInput(0);
        String y = n.getOutput(0);
        switch (op) {
            case "Identity", "Dropout" -> give(x, gy);
            // an int8 model's (de)quantization: the scale's factor, straight through the rounding (the
            // straight-through estimator), so a QuantizeLinear-DequantizeLinear pair passes the gradient as it is
            case "DequantizeLinear" -> give(x, w.mul(gy, w.scalar(tensorScale(n))));
            case "QuantizeLinear" -> give(x, w.emit("Div", gy, w.scalar(tensorScale(n))));
            case "Cast" -> {
                long to = Attributes.integer(n, "to", 0);
                if (to != FLOAT) { // a Cast to another float type; to an integer type passes no gradient at all
                    throw unsupported(n, "a Cast to element type " + to);
                }
                give(x, gy);
            }
            case "Neg" -> give(x, w.emit("Neg", gy));
            case "Relu" -> give(x, w.mul(guided ? w.emit("Relu", gy) : gy, mask("Greater", y, 0f)));
            case "LeakyRelu" -> {
                float alpha = Attributes.real(n, "alpha", 0.01f);
                String m = mask("Greater", x, 0f);
                give(x, w.mul(gy, w.add(w.mul(m, w.scalar(1 - alpha)), w.scalar(alpha))));
            }
            case "Sigmoid" -> give(x, w.mul(gy, w.mul(y, w.sub(w.scalar(1f), y))));
            case "Tanh" -> give(x, w.mul(gy, w.sub(w.scalar(1f), w.mul(y, y))));
            case "Exp" -> give(x, w.mul(gy, y));
            case "Sqrt" -> give(x, w.emit("Div", w.mul(gy, w.scalar(0.5f)), y));
            case "Erf" -> give(x, w.mul(gy, w.mul(w.scalar((float) (2 / Math.sqrt(Math.PI))),
                    w.emit("Exp", w.emit("Neg", w.mul(x, x))))));
            case "Pow" -> { // any exponent that does not depend on the layer: p * x^(p - 1)
                String p = w.emit("Cast", List.of(n.getInput(1)), int1("to", FLOAT));
                String slope = w.mul(p, w.emit("Pow", x, w.sub(p, w.scalar(1f))));
                give(x, reduceTo(w.mul(gy, slope), shape(y), shape(x)));
            }
            case "Clip" -> {
                float min = opset < 11 ? Attributes.real(n, "min", Float.NEGATIVE_INFINITY)
                        : bound(n, 1, -Float.MAX_VALUE);
                float max = opset < 11 ? Attributes.real(n, "max", Float.POSITIVE_INFINITY)
                        : bound(n, 2, Float.MAX_VALUE);
                give(x, w.mul(gy, w.mul(mask("Greater", x, min), mask("Less", x, max))));
            }
            case "HardSigmoid" -> {
                float alpha = Attributes.real(n, "alpha", 0.2f);
                float beta = Attributes.real(n, "beta", 0.5f);
                String z = w.add(w.mul(x, w.scalar(alpha)), w.scalar(beta));
                give(x, w.mul(gy, w.mul(w.scalar(alpha), w.mul(mask("Greater", z, 0f), mask("Less", z, 1f)))));
            }
            case "HardSwish" -> {
                String inner = w.mul(w.mul(mask("Greater", x, -3f), mask("Less", x, 3f)),
                        w.add(w.mul(x, w.scalar(1f / 3)), w.scalar(0.5f)));
                give(x, w.mul(gy, w.add(inner, mask("Greater", x, 3f))));
            }
            case "Softmax" -> give(x, softmax(n, y, gy));
            case "Flatten", "Reshape", "Squeeze", "Unsqueeze" -> give(x, w.reshape(gy, shape(x)));
            case "Expand" -> give(x, reduceTo(gy, shape(y), shape(x)));
            case "Transpose" -> give(x, transpose(n, x, gy));
            case "GlobalAveragePool" -> give(x, spread(gy, shape(x), range(2, shape(x).length), true));
            case "ReduceMean", "ReduceSum" -> give(x, spread(gy, shape(x), reductionAxes(n, shape(x).length),
                    op.equals("ReduceMean")));
            case "AveragePool" -> give(x, averagePool(n, x, gy));
            case "MaxPool" -> {
                int relu = graph.producer(x);
                if (relu >= 0 && graph.node(relu).getOpType().equals("Relu") && graph.consumers(x).size() == 1
                        && active.contains(graph.node(relu).getInput(0))) {
                    // the Relu's mask taken at the pooled size: a winner's input is the window's maximum, so the
                    // same where gradients go, and a quarter of the work for 2x2 windows
                    String passed = w.mul(guided ? w.emit("Relu", gy) : gy, mask("Greater", y, 0f));
                    give(graph.node(relu).getInput(0), maxPool(index, n, x, passed));
                } else {
                    give(x, maxPool(index, n, x, gy));
                }
            }
            case "Conv" -> give(x, conv(n, x, gy));
            case "ConvTranspose" -> give(x, convTranspose(n, gy));
            case "BatchNormalization" -> give(x, w.mul(gy, batchNormFactor(n, x)));
            case "InstanceNormalization" -> {
                long[] perChannel = new long[shape(x).length - 1];
                Arrays.fill(perChannel, 1);
                perChannel[0] = shape(x)[1];
                give(x, normalization(x, gy, w.reshape(n.getInput(1), perChannel), range(2, shape(x).length),
                        Attributes.real(n, "epsilon", 1e-5f)));
            }
            case "LayerNormalization" -> {
                int rank = shape(x).length;
                give(x, normalization(x, gy, n.getInput(1), range(axis(Attributes.integer(n, "axis", -1), rank), rank),
                        Attributes.real(n, "epsilon", 1e-5f)));
            }
            case "Gemm" -> give(x, gemm(n, gy));
            case "MatMul" -> matMul(n, gy);
            case "Slice" -> give(x, moved(n, x, gy, false));
            case "Gather" -> give(x, moved(n, x, gy, mayRepeat(n, shape(x))));
            case "Pad" -> give(x, pad(n, x, gy));
            case "Resize", "Upsample" -> give(x, resize(n, x, gy));
            case "Add", "Sum" -> {
                for (String in : activeInputs(n)) { // x + x counts twice
                    give(in, reduceTo(gy, shape(y), shape(in)));
                }
            }
            case "Sub" -> {
                for (int i = 0; i < 2; i++) { // x - x: both shares, which cancel
                    String in = n.getInput(i);
                    if (active.contains(in)) {
                        String g = reduceTo(gy, shape(y), shape(in));
                        give(in, i == 0 ? g : w.emit("Neg", g));
                    }
                }
            }
            case "Mul" -> {
                for (int i = 0; i < 2; i++) { // x * x: each factor's share, summed
                    String in = n.getInput(i);
                    if (active.contains(in)) {
                        give(in, reduceTo(w.mul(gy, n.getInput(1 - i)), shape(y), shape(in)));
                    }
                }
            }
            case "Div" -> { // d(a / b) = da / b - db * (a / b) / b
                String b = n.getInput(1);
                if (active.contains(x)) {
                    give(x, reduceTo(w.emit("Div", gy, b), shape(y), shape(x)));
                }
                if (active.contains(b)) {
                    give(b, reduceTo(w.emit("Neg", w.emit("Div", w.mul(gy, y), b)), shape(y), shape(b)));
                }
            }
            case "Max", "Min" -> {
                String beaten = op.equals("Max") ? "Less" : "Greater"; // an input that is not the extreme
                for (String in : new LinkedHashSet<>(activeInputs(n))) { // max(x, x) is x
                    String won = w.sub(w.scalar(1f), w.mask(beaten, in, y));
                    give(in, reduceTo(w.mul(gy, won), shape(y), shape(in)));
                }
            }
            case "Concat" -> concat(n, y, gy);
            default -> throw unsupported(n, null);
        }
    }

    private UnsupportedModelException unsupported(Onnx.NodeProto n, String what) {
        return new UnsupportedModelException("gradient-based heatmaps cannot go through " + (what != null ? what
                : "op '" + n.getOpType() + "'") + " (node '" + n.getName() + "', output '" + n.getOutput(0)
                + "'): gradient rules exist for " + String.join(", ", OPS) + ". Use a forward-only method"
                + " (SCORE_CAM, ABLATION_CAM, EIGEN_CAM or OCCLUSION), or a target layer past that op.");
    }

    /** Hands a gradient contribution to a tensor that depends on the layer on. */
    private void give(String tensor, String gradient) {
        sink.accept(tensor, gradient);
    }

    /** The inputs that depend on the layer, in order, repeated where the node repeats them. */
    private List<String> activeInputs(Onnx.NodeProto n) {
        return n.getInputList().stream().filter(active::contains).toList();
    }

    // ---- shapes and elementwise ops ----

    private String transpose(Onnx.NodeProto n, String x, String gy) {
        long[] perm = Attributes.ints(n, "perm");
        int rank = shape(x).length;
        if (perm == null) {
            perm = new long[rank];
            for (int i = 0; i < rank; i++) {
                perm[i] = rank - 1 - i;
            }
        }
        long[] inverse = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inverse[(int) perm[i]] = i;
        }
        return w.transpose(gy, inverse);
    }

    private String softmax(Onnx.NodeProto n, String y, String gy) {
        int rank = shape(y).length;
        int axis = axis(Attributes.integer(n, "axis", opset < 13 ? 1 : -1), rank);
        // before opset 13, a Softmax normalizes over the axes from its axis on, taken together
        String dot = w.reduce("ReduceSum", w.mul(gy, y), opset < 13 ? range(axis, rank) : new long[] {axis});
        return w.mul(y, w.sub(gy, dot));
    }

    /** The axes a ReduceMean or ReduceSum reduces, from 0; none when it reduces nothing. */
    private long[] reductionAxes(Onnx.NodeProto n, int rank) {
        long[] axes;
        if (GraphWriter.axesAreInput(n.getOpType(), opset)) {
            boolean given = n.getInputCount() > 1 && !n.getInput(1).isEmpty();
            axes = given ? constantInts(n.getInput(1)) : new long[0];
            if (axes == null) {
                throw unsupported(n, "a " + n.getOpType() + " whose axes are computed");
            }
        } else {
            axes = Attributes.ints(n, "axes");
            axes = axes == null ? new long[0] : axes;
        }
        if (axes.length == 0) {
            return Attributes.integer(n, "noop_with_empty_axes", 0) != 0 ? axes : range(0, rank);
        }
        return Arrays.stream(axes).map(a -> axis(a, rank)).toArray();
    }

    /**
     * The gradient of a sum or mean over axes: each output's gradient copied (or, for a mean, shared) over the
     * elements it reduced, by broadcasting against a constant of the reduced axes' shape (Expand came with opset 8).
     */
    private String spread(String gy, long[] in, long[] axes, boolean mean) {
        long[] kept = in.clone();
        long[] window = new long[in.length];
        Arrays.fill(window, 1);
        for (long a : axes) {
            kept[(int) a] = 1;
            window[(int) a] = in[(int) a];
        }
        float[] share = new float[Math.toIntExact(size(window))];
        Arrays.fill(share, mean ? 1f / share.length : 1f);
        return w.mul(w.reshape(gy, kept), w.floats(share, window));
    }

    /** Sums a gradient over the axes a tensor was broadcast along, back to the tensor's shape. */
    private String reduceTo(String gradient, long[] from, long[] to) {
        if (to == null || Arrays.equals(from, to)) {
            return gradient;
        }
        long[] padded = new long[from.length];
        Arrays.fill(padded, 1);
        System.arraycopy(to, 0, padded, from.length - to.length, to.length);
        long[] axes = Arrays.stream(range(0, from.length)).filter(i -> padded[(int) i] == 1 && from[(int) i] != 1)
                .toArray();
        return w.reshape(axes.length == 0 ? gradient : w.reduce("ReduceSum", gradient, axes), to);
    }

    private void concat(Onnx.NodeProto n, String y, String gy) {
        int axis = axis(Attributes.integer(n, "axis", 0), shape(y).length);
        long[] sizes = new long[n.getInputCount()];
        long unknownSize = shape(y)[axis];
        int unknown = -1; // a constant a node computes has no known shape; one such is what the others leave
        for (int i = 0; i < sizes.length; i++) {
            long[] s = shape(n.getInput(i));
            if (s == null && unknown >= 0) {
                throw unsupported(n, "a Concat of several constants whose shapes are not known");
            } else if (s == null) {
                unknown = i;
            } else {
                sizes[i] = s[axis];
                unknownSize -= sizes[i];
            }
        }
        if (unknown >= 0) {
            sizes[unknown] = unknownSize;
        }
        long offset = 0;
        for (int i = 0; i < sizes.length; i++) {
            if (active.contains(n.getInput(i))) {
                give(n.getInput(i), w.slice(gy, axis, offset, offset + sizes[i]));
            }
            offset += sizes[i];
        }
    }

    /** Split's gradient: its outputs' gradients side by side, zeros for an output that does not lead to the score. */
    private String split(Onnx.NodeProto n, List<String> gradients) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < gradients.size(); i++) {
            if (gradients.get(i) == null && opset < 9) {
                throw unsupported(n, "a Split of opset " + opset + " with an output that does not lead to the score");
            }
            parts.add(gradients.get(i) != null ? gradients.get(i) : w.zerosLike(n.getOutput(i)));
        }
        int axis = axis(Attributes.integer(n, "axis", 0), shape(n.getInput(0)).length);
        return w.emit("Concat", parts, int1("axis", axis));
    }

    // ---- ops that move elements ----

    /**
     * The gradient of an op that only moves or copies elements (Slice, Gather): the same node applied to the input's
     * flat positions says where each output element came from, whatever its starts, ends or indices, computed ones
     * included; the gradient is scattered back there.
     *
     * @param repeats whether an element may be copied more than once, so that its gradients must be added
     */
    private String moved(Onnx.NodeProto n, String x, String gy, boolean repeats) {
        if (opset < 9) {
            throw unsupported(n, "a " + n.getOpType() + " of opset " + opset);
        }
        if (repeats && opset < 16) { // ScatterElements adds from opset 16 on
            throw unsupported(n, "a Gather whose indices repeat or are computed, before opset 16");
        }
        long[] in = shape(x);
        List<String> inputs = new ArrayList<>(n.getInputList());
        inputs.set(0, w.positions(in));
        String from = w.emit(n.getOpType(), inputs, n.getAttributeList().toArray(Onnx.AttributeProto[]::new));
        return scatter(in, from, gy, repeats);
    }

    /** Whether a Gather may take an element twice: unless its indices are constant and distinct, it may. */
    private boolean mayRepeat(Onnx.NodeProto n, long[] in) {
        long[] indices = constantInts(n.getInput(1));
        if (indices == null) {
            return true;
        }
        long length = in[axis(Attributes.integer(n, "axis", 0), in.length)];
        return Arrays.stream(indices).map(i -> i < 0 ? i + length : i).distinct().count() < indices.length;
    }

    /**
     * A gradient laid into zeros of the input's shape at flat positions; added where positions repeat (opset 16 and
     * later), else written (positions must then be distinct).
     */
    private String scatter(long[] in, String positions, String gy, boolean add) {
        List<Onnx.AttributeProto> attributes = new ArrayList<>(List.of(int1("axis", 0)));
        if (add) {
            attributes.add(string1("reduction", "add"));
        }
        String scattered = w.emit(opset >= 11 ? "ScatterElements" : "Scatter",
                List.of(w.zeros(size(in)), w.reshape(positions, -1), w.reshape(gy, -1)),
                attributes.toArray(Onnx.AttributeProto[]::new));
        return w.reshape(scattered, in);
    }

    private String pad(Onnx.NodeProto n, String x, String gy) {
        String mode = Attributes.string(n, "mode");
        if (mode.isEmpty() || mode.equals("constant")) { // the gradient cropped where Pad padded, padded where it cut
            if (opset < 11) {
                return w.emit("Pad", List.of(gy), ints("pads", Arrays.stream(Attributes.ints(n, "pads"))
                        .map(p -> -p).toArray()));
            }
            List<String> inputs = new ArrayList<>(List.of(gy, w.emit("Neg", n.getInput(1))));
            if (n.getInputCount() > 3) { // the axes the pads are for (opset 18)
                inputs.addAll(List.of("", n.getInput(3)));
            }
            return w.emit("Pad", inputs);
        }
        long[] pads = opset < 11 ? Attributes.ints(n, "pads") : constantInts(n.getInput(1));
        if (!mode.equals("reflect") && !mode.equals("edge") || pads == null || n.getInputCount() > 3) {
            throw unsupported(n, "a Pad in " + mode + " mode, or with pads computed or for some axes only");
        }
        long[] in = shape(x);
        long[] out = shape(n.getOutput(0));
        return mixAxes(n, gy, out, in, axis -> {
            double[][] m = new double[(int) out[axis]][(int) in[axis]];
            for (int o = 0; o < m.length; o++) {
                long p = o - pads[axis];
                long last = in[axis] - 1;
                long reflected = p < 0 ? -p : p > last ? 2 * last - p : p;
                m[o][(int) (mode.equals("edge") ? Math.max(0, Math.min(p, last)) : reflected)] = 1;
            }
            return m;
        });
    }

    /**
     * Resize and Upsample, nearest and linear, any scale and coordinate mode but tf_crop_and_resize: along each axis
     * an output element is a fixed mix of input elements, which {@link #interpolation} writes down as ONNX Runtime
     * computes it.
     */
    private String resize(Onnx.NodeProto n, String x, String gy) {
        String mode = orElse(Attributes.string(n, "mode"), "nearest");
        boolean legacy = n.getOpType().equals("Upsample") || opset < 11; // no coordinate or rounding modes yet
        String coordinates = legacy ? "asymmetric"
                : orElse(Attributes.string(n, "coordinate_transformation_mode"), "half_pixel");
        String rounding = legacy ? "legacy" : orElse(Attributes.string(n, "nearest_mode"), "round_prefer_floor");
        if (!Set.of("nearest", "linear").contains(mode) || Attributes.integer(n, "antialias", 0) != 0
                || Attributes.ints(n, "axes") != null || !Set.of("half_pixel", "pytorch_half_pixel", "align_corners",
                "asymmetric", "tf_half_pixel_for_nn").contains(coordinates)) {
            throw unsupported(n, "a " + n.getOpType() + " in " + mode + " mode with " + coordinates
                    + " coordinates, antialiasing or axes");
        }
        long[] in = shape(x);
        long[] out = shape(n.getOutput(0));
        float[] scales = resizeScales(n, in, out);
        return mixAxes(n, gy, out, in, axis -> interpolation(mode.equals("linear"), coordinates, rounding,
                (int) in[axis], (int) out[axis], scales[axis]));
    }

    /** The scale of each axis: given, or the output's size over the input's when sizes are given. */
    private float[] resizeScales(Onnx.NodeProto n, long[] in, long[] out) {
        boolean attribute = n.getOpType().equals("Upsample") && opset < 9;
        int input = opset < 11 ? 1 : 2;
        String name = n.getInputCount() > input ? n.getInput(input) : "";
        float[] given = attribute ? Attributes.reals(n, "scales") : name.isEmpty() ? null : constantFloats(name);
        if (given == null && !attribute && !name.isEmpty()) {
            throw unsupported(n, "a " + n.getOpType() + " whose scales are computed");
        }
        if (given != null && given.length > 0) {
            return given;
        }
        float[] scales = new float[in.length];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = (float) out[i] / in[i];
        }
        return scales;
    }

    /**
     * How much each input element makes of each output element along one axis, {@code [out][in]}, computed in
     * float32 as ONNX Runtime does: the output element's coordinate in the input, then its nearest element or its two
     * neighbours weighted linearly, clamped to the edges.
     */
    private static double[][] interpolation(boolean linear, String coordinates, String rounding, int in, int out,
                                    float scale) {
        double[][] m = new double[out][in];
        for (int o = 0; o < out; o++) {
            float x = switch (coordinates) {
                case "half_pixel" -> (o + 0.5f) / scale - 0.5f;
                case "pytorch_half_pixel" -> out > 1 ? (o + 0.5f) / scale - 0.5f : 0f;
                case "align_corners" -> out == 1 ? 0f : o * (float) (in - 1) / (out - 1);
                case "tf_half_pixel_for_nn" -> (o + 0.5f) / scale;
                default -> o / scale; // asymmetric
            };
            if (linear) {
                float clamped = Math.max(0f, Math.min(x, in - 1));
                int low = (int) clamped;
                float fraction = clamped - low;
                m[o][low] += 1 - fraction;
                m[o][Math.min(low + 1, in - 1)] += fraction;
            } else {
                long nearest = switch (rounding) {
                    case "round_prefer_floor" -> (long) Math.ceil(x - 0.5);
                    case "round_prefer_ceil" -> (long) Math.floor(x + 0.5);
                    case "floor" -> (long) Math.floor(x);
                    case "ceil" -> (long) Math.ceil(x);
                    default -> scale < 1 ? (long) Math.ceil(x) : (long) x; // Upsample and Resize-10
                };
                m[o][(int) Math.max(0, Math.min(nearest, in - 1))] = 1;
            }
        }
        return m;
    }

    /**
     * The gradient of an op that maps each axis on its own and linearly, as Resize and Pad do: {@code weights(axis)},
     * {@code [out][in]}, says how much each input element makes of each output element. Each axis whose map is not the
     * identity costs one MatMul by the transposed map.
     */
    private String mixAxes(Onnx.NodeProto n, String gy, long[] out, long[] in, IntFunction<double[][]> weights) {
        String g = gy;
        long[] shape = out.clone();
        for (int axis = 0; axis < in.length; axis++) {
            if (out[axis] * in[axis] > LARGEST_MATRIX) {
                throw unsupported(n, "a " + n.getOpType() + " from " + in[axis] + " to " + out[axis] + " elements"
                        + " along an axis");
            }
            double[][] m = weights.apply(axis);
            if (isIdentity(m)) {
                continue;
            }
            float[] transposed = new float[Math.toIntExact(in[axis] * out[axis])];
            for (int o = 0; o < out[axis]; o++) {
                for (int i = 0; i < in[axis]; i++) {
                    transposed[(int) (i * out[axis] + o)] = (float) m[o][i];
                }
            }
            long before = size(Arrays.copyOfRange(shape, 0, axis));
            long after = size(Arrays.copyOfRange(shape, axis + 1, shape.length));
            String mixed = w.emit("MatMul", w.floats(transposed, in[axis], out[axis]),
                    w.reshape(g, before, out[axis], after));
            shape[axis] = in[axis];
            g = w.reshape(mixed, shape);
        }
        return g;
    }

    private static boolean isIdentity(double[][] m) {
        for (int o = 0; o < m.length; o++) {
            if (m[o].length != m.length) {
                return false;
            }
            for (int i = 0; i < m[o].length; i++) {
                if (m[o][i] != (o == i ? 1 : 0)) {
                    return false;
                }
            }
        }
        return true;
    }

    // ---- pooling and convolution ----

    /**
     * AveragePool's gradient, any window: each output's gradient divided as ONNX Runtime divides that output (by the
     * window, or by its part inside the input without count_include_pad), then spread over the window by a transposed
     * convolution with a kernel of ones, the channels folded into the batch. The divisor is read off the op itself:
     * AveragePool of ones is the in-input part of each window over its divisor.
     */
    private String averagePool(Onnx.NodeProto n, String x, String gy) {
        long[] in = shape(x);
        long[] out = shape(n.getOutput(0));
        int spatial = in.length - 2;
        Window win = window(n, in, out, Attributes.ints(n, "kernel_shape"));
        long[] plane = in.clone();
        plane[0] = 1;
        plane[1] = 1;
        String pooledOnes = w.emit("AveragePool", List.of(w.floats(filled(size(plane), 1f), plane)),
                n.getAttributeList().toArray(Onnx.AttributeProto[]::new));
        long[] outPlane = out.clone();
        outPlane[0] = 1;
        outPlane[1] = 1;
        String reciprocal = w.emit("Div", pooledOnes, w.floats(insideCounts(win, in, out), outPlane));
        long[] folded = out.clone();
        folded[0] = in[0] * in[1];
        folded[1] = 1;
        long[] kernel = new long[in.length];
        Arrays.fill(kernel, 1);
        System.arraycopy(win.kernel, 0, kernel, 2, spatial);
        long[] pads = new long[2 * spatial];
        long[] outputPadding = new long[spatial];
        for (int i = 0; i < spatial; i++) { // crop what ceil_mode windows cover past the input, pad what none covers
            long reach = (out[2 + i] - 1) * win.strides[i] + (win.kernel[i] - 1) * win.dilations[i] + 1 - win.pads[i];
            pads[i] = win.pads[i];
            pads[spatial + i] = Math.max(reach - in[2 + i], 0);
            outputPadding[i] = Math.max(in[2 + i] - reach, 0);
        }
        String spreadOut = w.emit("ConvTranspose", List.of(w.reshape(w.mul(gy, reciprocal), folded),
                        w.floats(filled(size(kernel), 1f), kernel)), ints("strides", win.strides),
                ints("dilations", win.dilations), ints("pads", pads), ints("output_padding", outputPadding));
        return w.reshape(spreadOut, in);
    }

    /** How many elements of each pooling window lie inside the input (at least 1, so that dividing by it is safe). */
    private static float[] insideCounts(Window win, long[] in, long[] out) {
        int spatial = win.kernel.length;
        float[] counts = new float[Math.toIntExact(size(Arrays.copyOfRange(out, 2, out.length)))];
        Arrays.fill(counts, 1f);
        int period = counts.length;
        for (int i = 0; i < spatial; i++) {
            period /= out[2 + i];
            for (int flat = 0; flat < counts.length; flat++) {
                long o = flat / period % out[2 + i];
                int inside = 0;
                for (long k = 0; k < win.kernel[i]; k++) {
                    long p = o * win.strides[i] - win.pads[i] + k * win.dilations[i];
                    inside += p >= 0 && p < in[2 + i] ? 1 : 0;
                }
                counts[flat] *= inside;
            }
        }
        for (int flat = 0; flat < counts.length; flat++) {
            counts[flat] = Math.max(counts[flat], 1f);
        }
        return counts;
    }

    /**
     * MaxPool's gradient goes to the position that won: the node is given its Indices output to know which, and
     * MaxUnpool lays each gradient there (a scatter made for this, several times faster in ONNX Runtime than
     * ScatterElements). Where windows overlap, two outputs can have the same winner and their gradients must add:
     * ScatterElements adds from opset 16 on; before, the outputs are scattered in groups whose windows do not
     * overlap, and the groups summed. Where that cannot be written (see {@link #maxPoolByPositions}), or where
     * Indices would count positions column by column ({@code storage_order} 1), the winners are found by comparison
     * instead.
     */
    private String maxPool(int index, Onnx.NodeProto n, String x, String gy) {
        long[] in = shape(x);
        Window win = window(n, in, shape(n.getOutput(0)), Attributes.ints(n, "kernel_shape"));
        int spatial = win.kernel.length;
        long[] apart = new long[spatial]; // outputs this many apart along an axis have windows that do not overlap
        for (int i = 0; i < spatial; i++) {
            long extent = (win.kernel[i] - 1) * win.dilations[i] + 1;
            apart[i] = (extent + win.strides[i] - 1) / win.strides[i];
        }
        boolean overlapping = Arrays.stream(apart).anyMatch(a -> a > 1);
        int producer = graph.producer(x);
        // a MaxPool of an int8 model's integers (after a QuantizeLinear, or one ONNX Runtime fuses from a Dequantize-
        // MaxPool-Quantize chain) runs in an 8-bit kernel that leaves the Indices output unwritten: MaxUnpool then
        // reads indices such as -19
        boolean quantized = producer >= 0 && Set.of("QuantizeLinear", "DequantizeLinear")
                .contains(graph.node(producer).getOpType());
        if (quantized) { // its integers compared in float32, where the comparison's convolutions run
            return maxPoolByPositions(n, w.cast(x, FLOAT), w.cast(n.getOutput(0), FLOAT), gy, win);
        }
        if (opset < 9 || overlapping && opset < 10 || Attributes.integer(n, "storage_order", 0) != 0) {
            return maxPoolByPositions(n, x, n.getOutput(0), gy, win);
        }
        String indices;
        if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) { // its Indices already (another backward pass's)
            indices = n.getOutput(1);
        } else {
            indices = w.fresh("indices");
            w.replace(index, n.toBuilder().addOutput(indices).build());
        }
        if (!overlapping) {
            return unpoolable(in, shape(n.getOutput(0)), win)
                    ? w.emit("MaxUnpool", List.of(gy, indices, w.int64(in)), ints("kernel_shape", win.kernel),
                            ints("strides", win.strides), ints("pads", win.pads))
                    : scatter(in, indices, gy, false);
        }
        if (opset >= 16) {
            return scatter(in, indices, gy, true);
        }
        long[] axes = range(2, 2 + spatial);
        List<String> groups = new ArrayList<>();
        for (long group = 0; group < size(apart); group++) {
            long[] first = new long[spatial];
            long rest = group;
            for (int i = 0; i < spatial; i++) {
                first[i] = rest % apart[i];
                rest /= apart[i];
            }
            groups.add(scatter(in, w.strided(indices, first, axes, apart), w.strided(gy, first, axes, apart), false));
        }
        return w.emit("Sum", groups);
    }

    /**
     * Whether ONNX Runtime's MaxUnpool takes the input's shape as its output's: it refuses one smaller than its
     * windows reach, as ceil_mode's last window may.
     */
    private static boolean unpoolable(long[] in, long[] out, Window win) {
        int spatial = win.kernel.length;
        for (int i = 0; i < spatial; i++) {
            if ((out[2 + i] - 1) * win.strides[i] + win.kernel[i] - win.pads[i] - win.pads[spatial + i] > in[2 + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * MaxPool's gradient without its Indices, for a node that returns them already and before the ops that scatter
     * by them (Indices came with opset 8, ConstantOfShape and Scatter with 9, Slice's steps, which groups
     * overlapping windows, with 10). For each position of the window in turn, a depthwise Conv with a one-hot kernel
     * reads that element of every window (exactly: every other product is by zero); the windows whose maximum it is,
     * and that no earlier position has won, take their gradient, which the transposed Conv with the same kernel lays
     * back. The first position wins a tie, as in Indices.
     */
    private String maxPoolByPositions(Onnx.NodeProto n, String x, String y, String gy, Window win) {
        long[] in = shape(n.getInput(0));
        long[] out = shape(n.getOutput(0));
        int spatial = win.kernel.length;
        long[] pads = win.pads.clone();
        long[] outputPadding = new long[spatial];
        for (int i = 0; i < spatial; i++) {
            long extent = (win.kernel[i] - 1) * win.dilations[i] + 1;
            long reach = (out[2 + i] - 1) * win.strides[i] + extent; // ceil_mode's last window may pass the pads
            pads[spatial + i] = Math.max(pads[spatial + i], reach - in[2 + i] - pads[i]);
            outputPadding[i] = in[2 + i] - (reach - pads[i] - pads[spatial + i]);
        }
        long channels = in[1];
        int positions = Math.toIntExact(size(win.kernel));
        long[] kernelDims = new long[spatial + 2];
        kernelDims[0] = channels;
        kernelDims[1] = 1;
        System.arraycopy(win.kernel, 0, kernelDims, 2, spatial);
        long[] mapDims = out.clone();
        mapDims[0] = 1;
        mapDims[1] = 1;
        List<Onnx.AttributeProto> window = List.of(ints("kernel_shape", win.kernel), ints("strides", win.strides),
                ints("dilations", win.dilations), ints("pads", pads), int1("group", channels));
        List<Onnx.AttributeProto> transposed = new ArrayList<>(window);
        transposed.add(ints("output_padding", outputPadding));
        String claimed = null;
        List<String> parts = new ArrayList<>();
        for (int p = 0; p < positions; p++) {
            float[] oneHot = new float[Math.toIntExact(channels * positions)];
            for (int c = 0; c < channels; c++) {
                oneHot[c * positions + p] = 1;
            }
            String kernel = w.floats(oneHot, kernelDims);
            String element = w.emit("Conv", List.of(x, kernel), window.toArray(Onnx.AttributeProto[]::new));
            String won = w.sub(w.scalar(1f), w.mask("Less", element, y));
            float[] inside = inside(win, in, out, p);
            if (inside != null) { // a padded position, which the Conv reads as 0, never wins
                won = w.mul(won, w.floats(inside, mapDims));
            }
            String taken = claimed == null ? won : w.mul(won, w.sub(w.scalar(1f), claimed));
            claimed = claimed == null ? taken : w.add(claimed, taken);
            parts.add(w.emit("ConvTranspose", List.of(w.mul(gy, taken), kernel),
                    transposed.toArray(Onnx.AttributeProto[]::new)));
        }
        return w.emit("Sum", parts);
    }

    /**
     * 1 for the windows whose element at a position (counted row-major in the window) lies inside the input, 0 for
     * those where it lies in the padding, over the output's spatial shape; null if it lies inside for every window.
     */
    private static float[] inside(Window win, long[] in, long[] out, int position) {
        int spatial = win.kernel.length;
        long[] offset = new long[spatial];
        long rest = position;
        for (int i = spatial - 1; i >= 0; i--) {
            offset[i] = rest % win.kernel[i];
            rest /= win.kernel[i];
        }
        float[] mask = new float[Math.toIntExact(size(Arrays.copyOfRange(out, 2, out.length)))];
        boolean padded = false;
        for (int flat = 0; flat < mask.length; flat++) {
            long rem = flat;
            boolean within = true;
            for (int i = spatial - 1; i >= 0; i--) {
                long o = rem % out[2 + i];
                rem /= out[2 + i];
                long at = o * win.strides[i] - win.pads[i] + offset[i] * win.dilations[i];
                within &= at >= 0 && at < in[2 + i];
            }
            mask[flat] = within ? 1 : 0;
            padded |= !within;
        }
        return padded ? mask : null;
    }

    /**
     * A convolution's gradient with respect to its input: the transposed convolution with the same kernel, or, for
     * a stride-1 convolution, the same thing written as a Conv (see {@link #flippedConv}).
     */
    private String conv(Onnx.NodeProto n, String x, String gy) {
        requireConstant(n, 1);
        long[] in = shape(x);
        long[] o = shape(n.getOutput(0));
        long[] kernel = Attributes.ints(n, "kernel_shape");
        if (kernel == null) { // then the weights' shape says it
            long[] weights = shape(n.getInput(1));
            if (weights == null) {
                throw unsupported(n, "a Conv without kernel_shape whose weights' shape is not known");
            }
            kernel = Arrays.copyOfRange(weights, 2, weights.length);
        }
        Window win = window(n, in, o, kernel);
        String flipped = flippedConv(n, in, win, gy);
        if (flipped != null) {
            return flipped;
        }
        int spatial = in.length - 2;
        long[] outputPadding = new long[spatial];
        for (int i = 0; i < spatial; i++) {
            long size = (o[2 + i] - 1) * win.strides[i] - win.pads[i] - win.pads[spatial + i]
                    + win.dilations[i] * (kernel[i] - 1) + 1;
            outputPadding[i] = in[2 + i] - size;
        }
        return w.emit("ConvTranspose", List.of(gy, n.getInput(1)), ints("strides", win.strides),
                ints("dilations", win.dilations), ints("pads", win.pads), ints("output_padding", outputPadding),
                int1("group", Attributes.integer(n, "group", 1)));
    }

    /**
     * A transposed convolution's input gradient: the convolution it is the transpose of, with the same weights,
     * strides, pads, dilations and groups (output_padding only widens the output, which the convolution's floor
     * division takes back).
     */
    private String convTranspose(Onnx.NodeProto n, String gy) {
        requireConstant(n, 1);
        String autoPad = Attributes.string(n, "auto_pad");
        if (Attributes.ints(n, "output_shape") != null || !autoPad.isEmpty() && !autoPad.equals("NOTSET")) {
            throw unsupported(n, "a ConvTranspose sized by output_shape or auto_pad");
        }
        List<Onnx.AttributeProto> kept = new ArrayList<>();
        for (String name : List.of("strides", "pads", "dilations", "kernel_shape")) {
            long[] values = Attributes.ints(n, name);
            if (values != null) {
                kept.add(ints(name, values));
            }
        }
        kept.add(int1("group", Attributes.integer(n, "group", 1)));
        return w.emit("Conv", List.of(gy, n.getInput(1)), kept.toArray(Onnx.AttributeProto[]::new));
    }

    /**
     * A stride-1 convolution's input gradient as a Conv whose kernel is the forward kernel flipped along every
     * spatial axis, its two channel axes swapped, and whose pads are what is left of the kernel's reach: the same
     * sums as the transposed convolution, but ONNX Runtime runs a Conv in its blocked channel layout, about twice as
     * fast as its ConvTranspose once the gradient has 8 channels or more (with fewer, the blocks are mostly zeros and
     * ConvTranspose wins). Null where that does not apply: strides, groups, fewer channels, weights that are not a
     * float constant, or pads wider than the kernel reaches.
     */
    private String flippedConv(Onnx.NodeProto n, long[] in, Window win, String gy) {
        int spatial = in.length - 2;
        float[] weights = constantFloats(n.getInput(1));
        long[] dims = shape(n.getInput(1));
        if (Attributes.integer(n, "group", 1) != 1 || Arrays.stream(win.strides).anyMatch(s -> s != 1)
                || in[1] < 8 || weights == null || dims == null) {
            return null;
        }
        long[] pads = new long[2 * spatial];
        for (int i = 0; i < 2 * spatial; i++) {
            pads[i] = win.dilations[i % spatial] * (win.kernel[i % spatial] - 1) - win.pads[i];
            if (pads[i] < 0) {
                return null;
            }
        }
        // flipping every spatial axis of a row-major block reverses its flat order
        int outputs = (int) dims[0];
        int inputs = (int) dims[1];
        int area = weights.length / (outputs * inputs);
        float[] swapped = new float[weights.length];
        for (int co = 0; co < outputs; co++) {
            for (int ci = 0; ci < inputs; ci++) {
                int from = (co * inputs + ci) * area;
                int to = (ci * outputs + co) * area + area - 1;
                for (int k = 0; k < area; k++) {
                    swapped[to - k] = weights[from + k];
                }
            }
        }
        long[] swappedDims = dims.clone();
        swappedDims[0] = inputs;
        swappedDims[1] = outputs;
        return w.emit("Conv", List.of(gy, w.floats(swapped, swappedDims)), ints("dilations", win.dilations),
                ints("pads", pads));
    }

    /** A convolution's or pool's window: kernel, strides, dilations and pads, defaults and auto_pad resolved. */
    private record Window(long[] kernel, long[] strides, long[] dilations, long[] pads) {
    }

    private static Window window(Onnx.NodeProto n, long[] in, long[] out, long[] kernel) {
        int spatial = in.length - 2;
        long[] strides = orDefault(Attributes.ints(n, "strides"), spatial, 1);
        long[] dilations = orDefault(Attributes.ints(n, "dilations"), spatial, 1);
        long[] pads = orDefault(Attributes.ints(n, "pads"), 2 * spatial, 0);
        String autoPad = Attributes.string(n, "auto_pad");
        if (!autoPad.isEmpty() && !autoPad.equals("NOTSET")) {
            pads = new long[2 * spatial];
            if (!autoPad.equals("VALID")) {
                for (int i = 0; i < spatial; i++) {
                    long total = Math.max((out[2 + i] - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1
                            - in[2 + i], 0);
                    long small = total / 2;
                    pads[i] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    pads[spatial + i] = total - pads[i];
                }
            }
        }
        return new Window(kernel, strides, dilations, pads);
    }

    // ---- normalization and dense layers ----

    /** {@code scale / sqrt(var + epsilon)} per channel, as a constant shaped to multiply the input. */
    private String batchNormFactor(Onnx.NodeProto n, String x) {
        float[] scale = constantFloats(n.getInput(1));
        float[] var = constantFloats(n.getInput(4));
        if (scale == null || var == null) {
            throw unsupported(n, "a BatchNormalization whose scale or variance is not a float constant");
        }
        float epsilon = Attributes.real(n, "epsilon", 1e-5f);
        float[] factor = new float[scale.length];
        for (int c = 0; c < factor.length; c++) {
            factor[c] = (float) (scale[c] / Math.sqrt(var[c] + epsilon));
        }
        long[] dims = new long[shape(x).length - 1];
        Arrays.fill(dims, 1);
        dims[0] = factor.length;
        return w.floats(factor, dims);
    }

    /**
     * The gradient of {@code scale * (x - mean) / sqrt(var + epsilon)}, the statistics over {@code axes} (Layer and
     * Instance Normalization): {@code r * (g - mean(g) - xhat * mean(g * xhat))} with {@code g = gy * scale},
     * {@code r = 1 / sqrt(var + epsilon)}, {@code xhat = (x - mean) * r}, the statistics recomputed from x.
     */
    private String normalization(String x, String gy, String scale, long[] axes, float epsilon) {
        String centered = w.sub(x, w.reduce("ReduceMean", x, axes));
        String variance = w.reduce("ReduceMean", w.mul(centered, centered), axes);
        String r = w.emit("Reciprocal", w.emit("Sqrt", w.add(variance, w.scalar(epsilon))));
        String normalized = w.mul(centered, r);
        String g = w.mul(gy, scale);
        String correlation = w.mul(normalized, w.reduce("ReduceMean", w.mul(g, normalized), axes));
        return w.mul(r, w.sub(w.sub(g, w.reduce("ReduceMean", g, axes)), correlation));
    }

    private String gemm(Onnx.NodeProto n, String gy) {
        requireConstant(n, 1);
        boolean transA = Attributes.integer(n, "transA", 0) != 0;
        boolean transB = Attributes.integer(n, "transB", 0) != 0;
        float alpha = Attributes.real(n, "alpha", 1f);
        List<String> inputs = new ArrayList<>(List.of(gy, n.getInput(1)));
        if (opset < 11) {
            inputs.add(w.scalar(0f)); // C was required before opset 11
        }
        String da = w.emit("Gemm", inputs, float1("alpha", alpha), float1("beta", 0f), int1("transB", transB ? 0 : 1));
        return transA ? w.transpose(da, 1, 0) : da;
    }

    /**
     * MatMul of any ranks, either operand or both depending on the layer: {@code da = gy @ b^T} and
     * {@code db = a^T @ gy}, summed over the batch axes an operand was broadcast along. A vector is a matrix of one
     * row (on the left) or one column (on the right) whose axis the output dropped.
     */
    private void matMul(Onnx.NodeProto n, String gy) {
        String a = n.getInput(0);
        String b = n.getInput(1);
        long[] sa = shape(a);
        long[] sb = shape(b);
        if (sa == null || sb == null) {
            throw unsupported(n, "a MatMul whose operands' shapes are not known");
        }
        long[] ma = sa.length == 1 ? new long[] {1, sa[0]} : sa;
        long[] mb = sb.length == 1 ? new long[] {sb[0], 1} : sb;
        long[] sy = shape(n.getOutput(0));
        List<Long> my = new ArrayList<>(Arrays.stream(sy).boxed().toList());
        if (sb.length == 1) {
            my.add(1L);
        }
        if (sa.length == 1) {
            my.add(my.size() - 1, 1L);
        }
        long[] matrices = my.stream().mapToLong(Long::longValue).toArray();
        String g = Arrays.equals(matrices, sy) ? gy : w.reshape(gy, matrices);
        int last = matrices.length - 1;
        if (active.contains(a)) {
            String da = w.emit("MatMul", g, swapLastTwo(sb.length == 1 ? w.reshape(b, mb) : b, mb.length));
            long[] from = matrices.clone();
            from[last] = ma[ma.length - 1];
            give(a, w.reshape(reduceTo(da, from, ma), sa));
        }
        if (active.contains(b)) {
            String db = w.emit("MatMul", swapLastTwo(sa.length == 1 ? w.reshape(a, ma) : a, ma.length), g);
            long[] from = matrices.clone();
            from[last - 1] = mb[mb.length - 2];
            give(b, w.reshape(reduceTo(db, from, mb), sb));
        }
    }

    private String swapLastTwo(String x, int rank) {
        long[] perm = range(0, rank);
        perm[rank - 2] = rank - 1;
        perm[rank - 1] = rank - 2;
        return w.transpose(x, perm);
    }

    // ---- helpers ----

    /** 1.0 where {@code x op value}, else 0.0. */
    private String mask(String op, String x, float value) {
        return w.mask(op, x, w.scalar(value));
    }

    /** A float constant's values, through the Identity nodes torch writes for weights it shares; null if none. */
    private float[] constantFloats(String tensor) {
        return graph.constantFloats(copiedFrom(tensor));
    }

    /** An int64 constant's values, through Identity nodes; null if none. */
    private long[] constantInts(String tensor) {
        return graph.constantInts(copiedFrom(tensor));
    }

    /** The tensor that a chain of Identity nodes copies, or the tensor itself. */
    private String copiedFrom(String tensor) {
        int producer = graph.producer(tensor);
        return producer >= 0 && graph.node(producer).getOpType().equals("Identity")
                ? copiedFrom(graph.node(producer).getInput(0)) : tensor;
    }

    /** A (de)quantization's one constant scale; one per channel on the gradient's path is not supported. */
    private float tensorScale(Onnx.NodeProto n) {
        float[] scale = n.getInputCount() > 1 ? constantFloats(n.getInput(1)) : null;
        if (scale == null || scale.length != 1) {
            throw unsupported(n, "a " + n.getOpType() + " with a scale per channel, or not constant,");
        }
        return scale[0];
    }

    private void requireConstant(Onnx.NodeProto n, int input) {
        if (n.getInputCount() <= input || !graph.isConstant(n.getInput(input))) {
            throw unsupported(n, "a " + n.getOpType() + " whose weights are not constant");
        }
    }

    /** A Clip bound given as an input: a float constant, or {@code otherwise} when omitted. */
    private float bound(Onnx.NodeProto n, int input, float otherwise) {
        if (n.getInputCount() <= input || n.getInput(input).isEmpty()) {
            return otherwise;
        }
        float[] v = constantFloats(n.getInput(input));
        if (v == null || v.length != 1) {
            throw unsupported(n, "a Clip whose bounds are not float constants");
        }
        return v[0];
    }

    /**
     * A tensor's shape: from the run, else a constant's own, else the shape the model declares for a graph input,
     * else that of the constant a Cast converts (float16 weights); null if none says it.
     *
     * @throws IllegalArgumentException for a tensor between the target and the output that has none: the caller's
     *     shapes must have it
     */
    private long[] shape(String tensor) {
        long[] s = knownShape(tensor);
        if (s == null && active.contains(tensor)) {
            throw new IllegalArgumentException("no shape for '" + tensor + "', which lies between the target and the"
                    + " output: the shapes must have every tensor of the path, a graph input's too unless the model"
                    + " declares all its dimensions");
        }
        return s;
    }

    private long[] knownShape(String tensor) {
        long[] s = shapes.get(tensor);
        if (s == null) {
            s = graph.constantShape(tensor);
        }
        Onnx.TypeProto.Tensor declared = graph.declaredType(tensor);
        if (s == null && declared != null && declared.hasShape()
                && declared.getShape().getDimList().stream().allMatch(Onnx.TensorShapeProto.Dimension::hasDimValue)) {
            s = declared.getShape().getDimList().stream().mapToLong(Onnx.TensorShapeProto.Dimension::getDimValue)
                    .toArray();
        }
        int producer = graph.producer(tensor);
        if (s == null && producer >= 0 && graph.node(producer).getOpType().equals("Cast")) {
            s = knownShape(graph.node(producer).getInput(0));
        }
        return s;
    }

    private static int axis(long axis, int rank) {
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /** {@code from, from + 1, ..., to - 1}. */
    private static long[] range(int from, int to) {
        long[] r = new long[to - from];
        Arrays.setAll(r, i -> from + i);
        return r;
    }

    private static long size(long[] dims) {
        return Arrays.stream(dims).reduce(1, Math::multiplyExact);
    }

    private static float[] filled(long n, float value) {
        float[] values = new float[Math.toIntExact(n)];
        Arrays.fill(values, value);
        return values;
    }

    private static long[] orDefault(long[] values, int n, long value) {
        if (values != null) {
            return values;
        }
        long[] d = new long[n];
        Arrays.fill(d, value);
        return d;
    }

    private static String orElse(String value, String otherwise) {
        return value.isEmpty() ? otherwise : value;
    }
}
