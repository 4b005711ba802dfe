package dev.convlens.onnx;

import com.google.protobuf.ByteString;
import dev.convlens.UnsupportedModelException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Appends backward nodes to a model, so that ONNX Runtime computes the gradient of a score with respect to a layer's
 * output in the same run as the forward pass: what Grad-CAM needs, on a runtime without autograd.
 *
 * <p>The score is {@code sum(seed * output)}: the seed, fed as an extra input, is the one-hot vector of the target
 * class (or -1 for the complement of a single sigmoid score). Starting from it, each node between the layer and the
 * output gets the gradient rule of its op, written with plain ONNX ops for the model's opset, and gradients of a
 * tensor used twice are summed. The model gets two more outputs: the layer's output and its gradient. Shapes are
 * taken from a run of the model, so the gradient model is for one input shape, batch 1.
 */
public final class GradientBuilder {
    /** The name of the extra input: the gradient of the score with respect to the model output. */
    public static final String SEED = "convlens/grad/seed";
    /** The ops with a gradient rule. */
    public static final List<String> SUPPORTED = List.of("Conv", "Relu", "LeakyRelu", "Clip", "HardSigmoid",
            "HardSwish", "Tanh", "Sigmoid", "Softmax", "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten",
            "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Gemm", "MatMul", "Add", "Sum", "Sub", "Mul", "Div",
            "BatchNormalization", "Concat", "Dropout", "Identity");
    private static final String PREFIX = "convlens/grad/";
    private static final int FLOAT = Onnx.TensorProto.DataType.FLOAT_VALUE;
    private static final int INT64 = Onnx.TensorProto.DataType.INT64_VALUE;

    private final Graph graph;
    private final long opset;
    private final Map<String, long[]> shapes;
    private final Onnx.GraphProto.Builder out;
    private final Map<String, String> gradients = new HashMap<>();
    private int counter;

    private GradientBuilder(Onnx.ModelProto model, Map<String, long[]> shapes) {
        this.graph = new Graph(model.getGraph());
        this.opset = Graph.opset(model);
        this.shapes = shapes;
        this.out = model.getGraph().toBuilder();
    }

    /** The name under which the built model returns the gradient of a tensor. */
    public static String gradientOf(String tensor) {
        return PREFIX + tensor;
    }

    /**
     * The tensors between a layer's output and a model output, both included: the ones whose shapes
     * {@link #build} needs.
     *
     * @throws UnsupportedModelException if the output does not depend on the layer
     */
    public static List<String> path(ModelFile model, String target, String output) {
        Graph g = new Graph(model.proto().getGraph());
        Set<String> active = active(g, target, output);
        return List.copyOf(active);
    }

    private static Set<String> active(Graph g, String target, String output) {
        Set<String> down = new HashSet<>(Set.of(target));
        for (int i = 0; i < g.nodeCount(); i++) {
            Onnx.NodeProto n = g.node(i);
            if (n.getInputList().stream().anyMatch(down::contains)) {
                down.addAll(n.getOutputList());
            }
        }
        if (!down.contains(output)) {
            throw new UnsupportedModelException("the model output '" + output + "' does not depend on '" + target
                    + "', so there is no gradient to take");
        }
        Set<String> up = new HashSet<>(Set.of(output));
        for (int i = g.nodeCount() - 1; i >= 0; i--) {
            Onnx.NodeProto n = g.node(i);
            if (n.getOutputList().stream().anyMatch(up::contains)) {
                up.addAll(n.getInputList());
            }
        }
        Set<String> active = new LinkedHashSet<>();
        for (int i = 0; i < g.nodeCount(); i++) {
            for (String t : g.node(i).getOutputList()) {
                if (down.contains(t) && up.contains(t)) {
                    active.add(t);
                }
            }
        }
        active.add(target);
        return active;
    }

    /**
     * Builds the model that also returns the layer's output and the score's gradient with respect to it.
     *
     * @param target the layer's output tensor
     * @param output the model output the score is taken from
     * @param shapes the shape of every tensor of {@link #path}, for one input
     * @return the serialized model, with the extra input {@link #SEED} and outputs {@code target} and
     *     {@link #gradientOf gradientOf(target)}
     * @throws UnsupportedModelException if an op between the layer and the output has no gradient rule
     */
    public static byte[] build(ModelFile model, String target, String output, Map<String, long[]> shapes) {
        GradientBuilder b = new GradientBuilder(model.proto(), shapes);
        Set<String> active = active(b.graph, target, output);
        b.gradients.put(output, SEED);
        for (int i = b.graph.nodeCount() - 1; i >= 0; i--) {
            Onnx.NodeProto node = b.graph.node(i);
            if (node.getOutputCount() == 0 || !active.contains(node.getOutput(0))
                    || !b.gradients.containsKey(node.getOutput(0))
                    || node.getInputList().stream().noneMatch(active::contains)) {
                continue; // not between the layer and the output (the layer's own node, for one)
            }
            b.backward(i, node, active);
        }
        String gradient = b.gradients.get(target);
        if (gradient == null) {
            throw new UnsupportedModelException("no gradient reaches '" + target + "' from '" + output + "'");
        }
        b.emitAs("Identity", List.of(gradient), gradientOf(target));
        b.out.addInput(ValueInfo.of(SEED, FLOAT, shapes.get(output)));
        if (!model.isOutput(target)) {
            b.out.addOutput(ValueInfo.of(target, FLOAT, shapes.get(target)));
        }
        b.out.addOutput(ValueInfo.of(gradientOf(target), FLOAT, shapes.get(target)));
        return model.proto().toBuilder().setGraph(b.out).build().toByteArray();
    }

    /** Writes the gradients of a node's active inputs from the gradient of its first output. */
    private void backward(int index, Onnx.NodeProto n, Set<String> active) {
        String gy = gradients.get(n.getOutput(0));
        String x = n.getInputCount() > 0 ? n.getInput(0) : "";
        String y = n.getOutput(0);
        if (opset < 7) { // the ops the rules write broadcast from opset 7 on, and ONNX Runtime has no Greater before
            throw unsupported(n, "op '" + n.getOpType() + "' at opset " + opset);
        }
        boolean elementwise = Set.of("Add", "Sum", "Sub", "Mul", "Div", "Concat").contains(n.getOpType());
        if (!elementwise && !active.contains(x)) {
            throw unsupported(n, "the weights of a " + n.getOpType());
        }
        switch (n.getOpType()) {
            case "Identity", "Dropout" -> give(x, gy, active);
            case "Relu" -> give(x, mul(gy, mask("Greater", y, 0f)), active);
            case "LeakyRelu" -> {
                float alpha = Attributes.real(n, "alpha", 0.01f);
                String m = mask("Greater", x, 0f);
                give(x, mul(gy, add(mul(m, scalar(1 - alpha)), scalar(alpha))), active);
            }
            case "Sigmoid" -> give(x, mul(gy, mul(y, emit("Sub", scalar(1f), y))), active);
            case "Tanh" -> give(x, mul(gy, emit("Sub", scalar(1f), mul(y, y))), active);
            case "Clip" -> {
                float min = opset < 11 ? Attributes.real(n, "min", Float.NEGATIVE_INFINITY)
                        : constant(n, 1, -Float.MAX_VALUE);
                float max = opset < 11 ? Attributes.real(n, "max", Float.POSITIVE_INFINITY)
                        : constant(n, 2, Float.MAX_VALUE);
                give(x, mul(gy, mul(mask("Greater", x, min), mask("Less", x, max))), active);
            }
            case "HardSigmoid" -> {
                float alpha = Attributes.real(n, "alpha", 0.2f);
                float beta = Attributes.real(n, "beta", 0.5f);
                String z = add(mul(x, scalar(alpha)), scalar(beta));
                give(x, mul(gy, mul(scalar(alpha), mul(mask("Greater", z, 0f), mask("Less", z, 1f)))), active);
            }
            case "HardSwish" -> {
                String inner = mul(mul(mask("Greater", x, -3f), mask("Less", x, 3f)),
                        add(mul(x, scalar(1f / 3)), scalar(0.5f)));
                give(x, mul(gy, add(inner, mask("Greater", x, 3f))), active);
            }
            case "Softmax" -> give(x, softmax(n, y, gy), active);
            case "Flatten", "Reshape", "Squeeze", "Unsqueeze" -> give(x, reshape(gy, shape(x)), active);
            case "Transpose" -> {
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
                give(x, emit("Transpose", List.of(gy), ints("perm", inverse)), active);
            }
            case "GlobalAveragePool" -> {
                long[] window = shape(x).clone();
                window[0] = 1;
                window[1] = 1;
                give(x, mul(gy, share(window)), active);
            }
            case "AveragePool" -> give(x, averagePool(n, x, gy), active);
            case "MaxPool" -> give(x, maxPool(index, n, x, gy), active);
            case "Conv" -> give(x, conv(n, x, gy), active);
            case "BatchNormalization" -> give(x, mul(gy, batchNormFactor(n, x)), active);
            case "Gemm" -> give(x, gemm(n, gy), active);
            case "MatMul" -> {
                requireConstant(n, 1);
                if (shape(x).length != 2) {
                    throw unsupported(n, "a MatMul on a tensor of rank " + shape(x).length);
                }
                long[] w = shape(n.getInput(1));
                if (w != null && w.length != 2) { // the gradient below transposes them as a matrix
                    throw unsupported(n, "a MatMul by weights of rank " + w.length);
                }
                give(x, emit("MatMul", gy, emit("Transpose", List.of(n.getInput(1)), ints("perm", 1, 0))), active);
            }
            case "Add", "Sum" -> {
                for (String in : n.getInputList()) { // x + x counts twice
                    if (active.contains(in)) {
                        give(in, reduceTo(gy, shape(y), in), active);
                    }
                }
            }
            case "Sub" -> {
                if (active.contains(n.getInput(0))) {
                    give(n.getInput(0), reduceTo(gy, shape(y), n.getInput(0)), active);
                }
                if (active.contains(n.getInput(1))) {
                    give(n.getInput(1), emit("Neg", reduceTo(gy, shape(y), n.getInput(1))), active);
                }
            }
            case "Mul" -> {
                for (int i = 0; i < 2; i++) { // x * x: each factor's share, summed
                    String in = n.getInput(i);
                    if (active.contains(in)) {
                        give(in, reduceTo(mul(gy, n.getInput(1 - i)), shape(y), in), active);
                    }
                }
            }
            case "Div" -> {
                if (active.contains(n.getInput(1))) {
                    throw unsupported(n, "a Div by a tensor that depends on the layer");
                }
                give(x, reduceTo(emit("Div", gy, n.getInput(1)), shape(y), x), active);
            }
            case "Concat" -> {
                int rank = shape(y).length;
                long axis = Attributes.integer(n, "axis", 0);
                axis = axis < 0 ? axis + rank : axis;
                long[] sizes = new long[n.getInputCount()];
                long unknownSize = shape(y)[(int) axis];
                int unknown = -1; // a constant a node computes has no known shape; one such is what the others leave
                for (int i = 0; i < sizes.length; i++) {
                    long[] s = shape(n.getInput(i));
                    if (s == null && unknown >= 0) {
                        throw unsupported(n, "a Concat of several constants whose shapes are not known");
                    } else if (s == null) {
                        unknown = i;
                    } else {
                        sizes[i] = s[(int) axis];
                        unknownSize -= sizes[i];
                    }
                }
                if (unknown >= 0) {
                    sizes[unknown] = unknownSize;
                }
                long offset = 0;
                for (int i = 0; i < sizes.length; i++) {
                    String in = n.getInput(i);
                    if (active.contains(in)) {
                        give(in, slice(gy, axis, offset, offset + sizes[i]), active);
                    }
                    offset += sizes[i];
                }
            }
            default -> throw unsupported(n, null);
        }
    }

    private UnsupportedModelException unsupported(Onnx.NodeProto n, String what) {
        return new UnsupportedModelException("gradient-based heatmaps cannot go through " + (what != null ? what
                : "op '" + n.getOpType() + "'") + " (node '" + n.getName() + "', output '" + n.getOutput(0)
                + "'): gradient rules exist for " + String.join(", ", SUPPORTED) + ". Use a forward-only method"
                + " (SCORE_CAM, ABLATION_CAM, EIGEN_CAM or OCCLUSION), or a target layer past that op.");
    }

    /** Adds a gradient contribution to a tensor, if the tensor depends on the layer. */
    private void give(String tensor, String gradient, Set<String> active) {
        if (!active.contains(tensor)) {
            return;
        }
        String before = gradients.get(tensor);
        gradients.put(tensor, before == null ? gradient : add(before, gradient));
    }

    private String softmax(Onnx.NodeProto n, String y, String gy) {
        int rank = shape(y).length;
        long axis = Attributes.integer(n, "axis", opset < 13 ? 1 : -1);
        axis = axis < 0 ? axis + rank : axis;
        if (opset < 13 && axis != rank - 1) {
            throw unsupported(n, "a Softmax of opset " + opset + " over axes " + axis + ".." + (rank - 1));
        }
        String dot = reduceSum(mul(gy, y), new long[] {axis});
        return mul(y, emit("Sub", gy, dot));
    }

    /** A non-overlapping AveragePool's gradient: each output's gradient spread evenly over its window. */
    private String averagePool(Onnx.NodeProto n, String x, String gy) {
        long[] k = Attributes.ints(n, "kernel_shape");
        long[] s = Attributes.ints(n, "strides");
        long[] p = Attributes.ints(n, "pads");
        long[] in = shape(x);
        long[] o = shape(n.getOutput(0));
        boolean simple = k != null && k.length == 2 && s != null && Arrays.equals(k, s)
                && (p == null || Arrays.stream(p).allMatch(v -> v == 0)) && in.length == 4
                && o[2] * k[0] == in[2] && o[3] * k[1] == in[3] && !dilated(n);
        if (!simple) {
            throw unsupported(n, "an AveragePool whose windows overlap, are padded or do not tile the input");
        }
        String blocks = mul(reshape(gy, new long[] {o[0], o[1], o[2], 1, o[3], 1}), share(1, 1, 1, k[0], 1, k[1]));
        return reshape(blocks, in);
    }

    /**
     * A constant of a pooling window's shape, each element {@code 1 / size}: multiplying spreads each output's
     * gradient evenly over its window by broadcasting, which opset 7 has (Expand came with opset 8).
     */
    private String share(long... window) {
        float[] values = new float[(int) Arrays.stream(window).reduce(1, Math::multiplyExact)];
        Arrays.fill(values, 1f / values.length);
        return floats(values, window);
    }

    /** MaxPool's gradient goes to the position that won: the node is given its Indices output to know which. */
    private String maxPool(int index, Onnx.NodeProto n, String x, String gy) {
        if (opset < 9 || n.getOutputCount() > 1) { // Indices came with opset 8, ConstantOfShape and Scatter with 9
            throw unsupported(n, "a MaxPool of opset " + opset + " or one that already returns indices");
        }
        long[] k = Attributes.ints(n, "kernel_shape");
        long[] s = Attributes.ints(n, "strides");
        boolean overlapping = k == null || s == null || !Arrays.equals(k, s) || dilated(n);
        if (overlapping && opset < 16) {
            throw unsupported(n, "a MaxPool with overlapping windows before opset 16");
        }
        String indices = PREFIX + "indices_" + counter++;
        out.setNode(index, n.toBuilder().addOutput(indices));
        long[] in = shape(x);
        long total = 1;
        for (long d : in) {
            total *= d;
        }
        Onnx.TensorProto zero = Onnx.TensorProto.newBuilder().setDataType(FLOAT).addDims(1)
                .setRawData(floatBytes(0f)).build();
        String zeros = emit("ConstantOfShape", List.of(int64(total)),
                Onnx.AttributeProto.newBuilder().setName("value").setType(Onnx.AttributeProto.AttributeType.TENSOR)
                        .setT(zero).build());
        List<Onnx.AttributeProto> attributes = new ArrayList<>(List.of(int1("axis", 0)));
        if (overlapping) {
            attributes.add(Onnx.AttributeProto.newBuilder().setName("reduction")
                    .setType(Onnx.AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8("add")).build());
        }
        String scattered = emit(opset >= 11 ? "ScatterElements" : "Scatter",
                List.of(zeros, reshape(indices, new long[] {-1}), reshape(gy, new long[] {-1})),
                attributes.toArray(Onnx.AttributeProto[]::new));
        return reshape(scattered, in);
    }

    /** Whether a pool's windows are dilated: then they overlap even where the strides equal the kernel. */
    private static boolean dilated(Onnx.NodeProto n) {
        long[] d = Attributes.ints(n, "dilations");
        return d != null && Arrays.stream(d).anyMatch(v -> v > 1);
    }

    /** A convolution's gradient with respect to its input: the transposed convolution with the same kernel. */
    private String conv(Onnx.NodeProto n, String x, String gy) {
        requireConstant(n, 1);
        long[] in = shape(x);
        long[] o = shape(n.getOutput(0));
        long[] kernel = Attributes.ints(n, "kernel_shape");
        if (kernel == null) { // then the weights' shape says it, unless a node computes them (a Cast of float16 ones)
            long[] w = shape(n.getInput(1));
            if (w == null) {
                throw unsupported(n, "a Conv without kernel_shape whose weights a node computes");
            }
            kernel = Arrays.copyOfRange(w, 2, w.length);
        }
        int spatial = in.length - 2;
        long[] strides = orDefault(Attributes.ints(n, "strides"), spatial, 1);
        long[] dilations = orDefault(Attributes.ints(n, "dilations"), spatial, 1);
        long[] pads = orDefault(Attributes.ints(n, "pads"), 2 * spatial, 0);
        String autoPad = Attributes.string(n, "auto_pad");
        if (!autoPad.isEmpty() && !autoPad.equals("NOTSET")) {
            pads = new long[2 * spatial];
            if (!autoPad.equals("VALID")) {
                for (int i = 0; i < spatial; i++) {
                    long total = Math.max((o[2 + i] - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1
                            - in[2 + i], 0);
                    long small = total / 2;
                    pads[i] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    pads[spatial + i] = total - pads[i];
                }
            }
        }
        long[] outputPadding = new long[spatial];
        for (int i = 0; i < spatial; i++) {
            long size = (o[2 + i] - 1) * strides[i] - pads[i] - pads[spatial + i] + dilations[i] * (kernel[i] - 1) + 1;
            outputPadding[i] = in[2 + i] - size;
        }
        return emit("ConvTranspose", List.of(gy, n.getInput(1)), ints("strides", strides),
                ints("dilations", dilations), ints("pads", pads), ints("output_padding", outputPadding),
                int1("group", Attributes.integer(n, "group", 1)));
    }

    /** {@code scale / sqrt(var + epsilon)} per channel, as a constant shaped to multiply the input. */
    private String batchNormFactor(Onnx.NodeProto n, String x) {
        float[] scale = graph.constantFloats(n.getInput(1));
        float[] var = graph.constantFloats(n.getInput(4));
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
        return floats(factor, dims);
    }

    private String gemm(Onnx.NodeProto n, String gy) {
        requireConstant(n, 1);
        boolean transA = Attributes.integer(n, "transA", 0) != 0;
        boolean transB = Attributes.integer(n, "transB", 0) != 0;
        float alpha = Attributes.real(n, "alpha", 1f);
        List<String> inputs = new ArrayList<>(List.of(gy, n.getInput(1)));
        if (opset < 11) {
            inputs.add(scalar(0f)); // C was required before opset 11
        }
        String da = emit("Gemm", inputs, float1("alpha", alpha), float1("beta", 0f), int1("transB", transB ? 0 : 1));
        return transA ? emit("Transpose", List.of(da), ints("perm", 1, 0)) : da;
    }

    /** Sums a gradient over the axes a tensor was broadcast along, back to the tensor's shape. */
    private String reduceTo(String gradient, long[] from, String tensor) {
        long[] to = shape(tensor);
        if (to == null || Arrays.equals(from, to)) {
            return gradient;
        }
        long[] padded = new long[from.length];
        Arrays.fill(padded, 1);
        System.arraycopy(to, 0, padded, from.length - to.length, to.length);
        List<Long> axes = new ArrayList<>();
        for (int i = 0; i < from.length; i++) {
            if (padded[i] == 1 && from[i] != 1) {
                axes.add((long) i);
            }
        }
        String summed = axes.isEmpty() ? gradient : reduceSum(gradient, axes.stream().mapToLong(Long::longValue).toArray());
        return reshape(summed, to);
    }

    private String reduceSum(String x, long[] axes) {
        if (opset >= 13) {
            return emit("ReduceSum", List.of(x, int64(axes)), int1("keepdims", 1));
        }
        return emit("ReduceSum", List.of(x), ints("axes", axes), int1("keepdims", 1));
    }

    private String slice(String x, long axis, long start, long end) {
        if (opset >= 10) {
            return emit("Slice", List.of(x, int64(start), int64(end), int64(axis)));
        }
        return emit("Slice", List.of(x), ints("starts", start), ints("ends", end), ints("axes", axis));
    }

    private String reshape(String x, long[] shape) {
        return emit("Reshape", x, int64(shape));
    }

    /** 1.0 where {@code x op value}, else 0.0. */
    private String mask(String op, String x, float value) {
        String compared = emit(op, x, scalar(value));
        return emit("Cast", List.of(compared), int1("to", FLOAT));
    }

    private String mul(String a, String b) {
        return emit("Mul", a, b);
    }

    private String add(String a, String b) {
        return emit("Add", a, b);
    }

    private void requireConstant(Onnx.NodeProto n, int input) {
        if (n.getInputCount() <= input || !graph.isConstant(n.getInput(input))) {
            throw unsupported(n, "a " + n.getOpType() + " whose weights are not constant");
        }
    }

    private float constant(Onnx.NodeProto n, int input, float otherwise) {
        if (n.getInputCount() <= input || n.getInput(input).isEmpty()) {
            return otherwise;
        }
        float[] v = graph.constantFloats(n.getInput(input));
        if (v == null || v.length != 1) {
            throw unsupported(n, "a Clip whose bounds are not float constants");
        }
        return v[0];
    }

    private long[] shape(String tensor) {
        long[] s = shapes.get(tensor);
        if (s == null) {
            s = graph.constantShape(tensor);
        }
        return s;
    }

    private static long[] orDefault(long[] values, int n, long value) {
        if (values != null) {
            return values;
        }
        long[] d = new long[n];
        Arrays.fill(d, value);
        return d;
    }

    // ---- node and constant writers ----

    private String emit(String op, String a, String b) {
        return emit(op, List.of(a, b));
    }

    private String emit(String op, String a) {
        return emit(op, List.of(a));
    }

    private String emit(String op, List<String> inputs, Onnx.AttributeProto... attributes) {
        return emitAs(op, inputs, PREFIX + op + "_" + counter++, attributes);
    }

    private String emitAs(String op, List<String> inputs, String output, Onnx.AttributeProto... attributes) {
        out.addNode(Onnx.NodeProto.newBuilder().setOpType(op).setName(output).addAllInput(inputs).addOutput(output)
                .addAllAttribute(List.of(attributes)));
        return output;
    }

    private String scalar(float value) {
        return floats(new float[] {value});
    }

    private String floats(float[] values, long... dims) {
        String name = PREFIX + "const_" + counter++;
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putFloat(v);
        }
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(FLOAT)
                .setRawData(ByteString.copyFrom(raw.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        out.addInitializer(t);
        return name;
    }

    private String int64(long... values) {
        String name = PREFIX + "const_" + counter++;
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            raw.putLong(v);
        }
        out.addInitializer(Onnx.TensorProto.newBuilder().setName(name).setDataType(INT64).addDims(values.length)
                .setRawData(ByteString.copyFrom(raw.array())));
        return name;
    }

    private static ByteString floatBytes(float v) {
        return ByteString.copyFrom(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
    }

    private static Onnx.AttributeProto ints(String name, long... values) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    private static Onnx.AttributeProto int1(String name, long value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT)
                .setI(value).build();
    }

    private static Onnx.AttributeProto float1(String name, float value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.FLOAT)
                .setF(value).build();
    }
}
