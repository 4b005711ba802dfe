package dev.convlens.onnx;

import dev.convlens.LayerNotFoundException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds a model's layers the way a Keras user sees them.
 *
 * <p>A convolution layer is a Conv (or ConvTranspose) node followed by the nodes an exporter split off it: a bias
 * Add, a BatchNormalization or the Mul+Add it was folded into, and the activation, including gated ones such as
 * SiLU ({@code x * sigmoid(x)}) and hard-swish. Its output is the last tensor of that chain, the tensor Keras
 * would return for the layer, and the one that keeps ONNX Runtime's Conv+activation fusion intact when it is
 * exposed. Pooling layers are single MaxPool, AveragePool, LpPool or global pooling nodes. Merge layers are where
 * spatial branches meet (a residual Add, a Concat, a gating Mul, a Sum) with the activation and normalization after
 * them: a ResNet block's output, the tensor pytorch-grad-cam users name as {@code model.layer4[-1]}. Dense layers
 * are a Gemm, or a MatMul by a constant, on the vector after the flattening or global pooling, with its bias,
 * activation and softmax: Keras's {@code Dense}, PyTorch's {@code nn.Linear}.
 */
public final class LayerCatalog {
    private static final Set<String> CONVOLUTIONS = Set.of("Conv", "ConvTranspose", "QLinearConv", "ConvInteger");
    /** Ops whose integer output keeps its input's quantization: they move or pick values, never rescale them. */
    private static final Set<String> KEEP_QUANTIZATION = Set.of("MaxPool", "Relu", "Identity", "Transpose", "Reshape",
            "Flatten", "Squeeze", "Unsqueeze", "Slice", "Pad", "Resize", "Concat", "GlobalMaxPool");
    private static final Set<String> POOLS = Set.of("MaxPool", "AveragePool", "LpPool", "GlobalAveragePool",
            "GlobalMaxPool", "GlobalLpPool");
    /** Ops of a dense layer, on a vector. */
    private static final Set<String> DENSE = Set.of("Gemm", "MatMul");
    /** Ops where branches meet, when two or more of their inputs are computed. */
    private static final Set<String> MERGES = Set.of("Add", "Sum", "Mul", "Concat", "Max");
    /** Ops after which a tensor no longer has positions of the image. */
    private static final Set<String> MIXES_POSITIONS = Set.of("GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool",
            "Flatten", "Gemm", "MatMul", "Reshape", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum",
            "ReduceProd", "ReduceL1", "ReduceL2", "Shape", "Size", "ArgMax", "ArgMin", "Squeeze", "TopK",
            "NonMaxSuppression");
    /** Ops that average or pick over positions: the classifier's global pooling. */
    private static final Set<String> GLOBAL_POOLS = Set.of("GlobalAveragePool", "GlobalMaxPool", "ReduceMean",
            "ReduceMax");
    /** Ops that act on each element (or channel) of one tensor, with all other inputs constant. */
    private static final Set<String> ELEMENTWISE = Set.of("Add", "Sub", "Mul", "Div", "BatchNormalization",
            "InstanceNormalization", "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "ThresholdedRelu",
            "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Softplus", "Softsign", "Mish", "Gelu", "Clip",
            "Identity", "Dropout");
    /** Ops whose constant inputs are all weights. */
    private static final Set<String> WEIGHTED = Set.of("Conv", "ConvTranspose", "BatchNormalization",
            "InstanceNormalization", "PRelu", "Gemm", "MatMul");
    /** Activations that are flat below a bound: a unit there passes no gradient back. */
    private static final Set<String> SWITCHES = Set.of("Relu", "Clip");
    /** Longest gate branch followed, e.g. hard-swish's Add, Clip, Div before the Mul. */
    private static final int MAX_GATE = 4;
    /** Suffixes exporters give weight names: PyTorch, Caffe2, Paddle, Keras. */
    private static final List<String> WEIGHT_SUFFIXES = List.of(".weight", "_w_0", ".w_0", "/kernel:0",
            "/kernel", "_w", "_W");

    private final List<LayerInfo> layers;
    /** The layer whose output enters the classifier's global pooling, or null. */
    private final LayerInfo pooled;
    /** The other spatial tensors by name, selectable by that name, numbered after the layers. */
    private final Map<String, LayerInfo> tensors;

    private LayerCatalog(List<LayerInfo> layers, LayerInfo pooled, Map<String, LayerInfo> tensors) {
        this.layers = List.copyOf(layers);
        this.pooled = pooled;
        this.tensors = Map.copyOf(tensors);
    }

    /** Finds the layers of a model. */
    public static LayerCatalog of(ModelFile model) {
        Graph graph = new Graph(model.proto().getGraph());
        int inputType = model.inputs().stream().mapToInt(Declaration::elemType).filter(t -> t != 0).findFirst()
                .orElse(Onnx.TensorProto.DataType.FLOAT_VALUE);
        Map<String, Integer> types = graph.elemTypes(model.inputs(), inputType);
        Map<String, LayerInfo.Quantized> quantized = quantization(graph);
        List<Found> found = new ArrayList<>();
        Set<Integer> inLayers = new java.util.HashSet<>();
        Set<String> spatial = spatialTensors(graph, model.inputs());
        for (int i = 0; i < graph.nodeCount(); i++) {
            Onnx.NodeProto node = graph.node(i);
            if (!isDefaultDomain(node) || node.getOutputCount() == 0 || inLayers.contains(i)) {
                continue;
            }
            Found f = null;
            if (CONVOLUTIONS.contains(node.getOpType()) && isTwoDimensional(graph, node)) {
                f = new Found(LayerInfo.Kind.CONVOLUTION, chain(graph, i));
            } else if (POOLS.contains(node.getOpType())) {
                f = new Found(LayerInfo.Kind.POOLING, List.of(i));
            } else if (MERGES.contains(node.getOpType()) && computedInputs(graph, node) >= 2
                    && spatial.contains(node.getOutput(0))) { // not the merges of a classifier's vectors
                f = new Found(LayerInfo.Kind.MERGE, chain(graph, i));
            } else if (DENSE.contains(node.getOpType()) && isDense(graph, node, spatial)) {
                f = new Found(LayerInfo.Kind.DENSE, withSoftmax(graph, chain(graph, i)));
            }
            if (f != null) {
                found.add(f);
                inLayers.addAll(f.nodes);
            }
        }
        List<String> names = uniqueNames(graph, found);
        List<LayerInfo> layers = new ArrayList<>();
        for (int k = 0; k < found.size(); k++) {
            Found f = found.get(k);
            List<String> ops = new ArrayList<>();
            List<String> nodeNames = new ArrayList<>();
            for (int i : f.nodes) {
                ops.add(graph.node(i).getOpType());
                nodeNames.add(graph.node(i).getName());
            }
            Onnx.NodeProto last = graph.node(f.nodes.get(f.nodes.size() - 1));
            String output = last.getOutput(0);
            boolean pooling = f.kind == LayerInfo.Kind.POOLING;
            String preActivation = !pooling && f.nodes.size() > 1 && SWITCHES.contains(last.getOpType())
                    ? last.getInput(0) : output;
            layers.add(new LayerInfo(k, names.get(k), f.kind, ops, nodeNames, f.nodes, output, preActivation,
                    pooling ? 0 : parameters(graph, f.nodes), types.getOrDefault(output, inputType),
                    quantized.get(output)));
        }
        Set<String> outputs = new java.util.HashSet<>();
        layers.forEach(l -> outputs.add(l.output()));
        Map<String, LayerInfo> tensors = new HashMap<>();
        for (int i = 0; i < graph.nodeCount(); i++) {
            Onnx.NodeProto node = graph.node(i);
            for (String t : node.getOutputList()) {
                if (spatial.contains(t) && !outputs.contains(t) && !t.isEmpty()) {
                    int type = types.getOrDefault(t, inputType);
                    if (type == Onnx.TensorProto.DataType.FLOAT_VALUE || type == Onnx.TensorProto.DataType.FLOAT16_VALUE
                            || quantized.containsKey(t)) {
                        tensors.put(t, new LayerInfo(layers.size() + tensors.size(), t, LayerInfo.Kind.TENSOR,
                                List.of(node.getOpType()), List.of(node.getName()), List.of(i), t, t, 0, type,
                                quantized.get(t)));
                    }
                }
            }
        }
        return new LayerCatalog(layers, pooled(graph, layers), tensors);
    }

    /**
     * The layer whose output the last global pooling of the graph reads (through layout transposes), as a
     * classifier's head does: a GlobalAveragePool or GlobalMaxPool, or a ReduceMean or ReduceMax over the two
     * spatial axes (tf2onnx's GlobalAveragePooling2D on NHWC). Null if there is none.
     */
    private static LayerInfo pooled(Graph graph, List<LayerInfo> layers) {
        Map<String, LayerInfo> byOutput = new HashMap<>();
        layers.forEach(l -> byOutput.put(l.output(), l));
        for (int i = graph.nodeCount() - 1; i >= 0; i--) {
            Onnx.NodeProto node = graph.node(i);
            if (!GLOBAL_POOLS.contains(node.getOpType()) || node.getInputCount() == 0 || !isDefaultDomain(node)
                    || node.getOpType().startsWith("Reduce") && !spatialAxes(graph, node)) {
                continue;
            }
            String tensor = node.getInput(0);
            for (int hops = 0; hops < 4 && !byOutput.containsKey(tensor); hops++) {
                int producer = graph.producer(tensor);
                if (producer < 0 || !Set.of("Transpose", "Identity").contains(graph.node(producer).getOpType())) {
                    break;
                }
                tensor = graph.node(producer).getInput(0);
            }
            return byOutput.get(tensor);
        }
        return null;
    }

    /** Whether a Reduce node averages over exactly two axes, the spatial ones of NCHW or NHWC. */
    private static boolean spatialAxes(Graph graph, Onnx.NodeProto node) {
        long[] axes = Attributes.ints(node, "axes");
        if (axes == null && node.getInputCount() > 1) {
            axes = graph.constantInts(node.getInput(1)); // opset 18 takes the axes as an input
        }
        if (axes == null || axes.length != 2) {
            return false;
        }
        Set<Long> set = Set.of(axes[0], axes[1]);
        return set.equals(Set.of(2L, 3L)) || set.equals(Set.of(-2L, -1L)) || set.equals(Set.of(1L, 2L));
    }

    /**
     * The layer whose output enters the classifier's global pooling, as found in the graph: the layer
     * pytorch-grad-cam users pick for CAM methods. Empty for a model without one (a Keras Flatten head).
     */
    public java.util.Optional<LayerInfo> pooled() {
        return java.util.Optional.ofNullable(pooled);
    }

    private record Found(LayerInfo.Kind kind, List<Integer> nodes) {
    }

    /**
     * The tensors computed from the image input without a step that mixes every position (a global pooling, a
     * flattening, a dense layer): the spatial ones, where a merge of branches is a layer to look at.
     */
    private static Set<String> spatialTensors(Graph graph, List<Declaration> inputs) {
        Set<String> spatial = new java.util.HashSet<>();
        inputs.forEach(i -> spatial.add(i.name()));
        for (int i = 0; i < graph.nodeCount(); i++) {
            Onnx.NodeProto node = graph.node(i);
            if (!MIXES_POSITIONS.contains(node.getOpType())
                    && node.getInputList().stream().anyMatch(spatial::contains)) {
                spatial.addAll(node.getOutputList());
            }
        }
        return spatial;
    }

    /**
     * Whether a Gemm or MatMul is a dense layer: its first input computed from the image but no longer spatial (a
     * MatMul over a map's channels, as some exporters write a 1x1 convolution, is not one), a MatMul's second input
     * constant weights.
     */
    private static boolean isDense(Graph graph, Onnx.NodeProto node, Set<String> spatial) {
        if (node.getInputCount() < 2) {
            return false;
        }
        String x = node.getInput(0);
        return !graph.isConstant(x) && !spatial.contains(x)
                && (node.getOpType().equals("Gemm") || graph.isConstant(node.getInput(1)));
    }

    /** A dense chain with the Softmax that ends it, which Keras counts as the layer's activation. */
    private static List<Integer> withSoftmax(Graph graph, List<Integer> nodes) {
        String end = graph.node(nodes.get(nodes.size() - 1)).getOutput(0);
        List<Integer> next = graph.consumers(end);
        if (!graph.isGraphOutput(end) && next.size() == 1 && graph.node(next.get(0)).getOpType().equals("Softmax")
                && graph.node(next.get(0)).getOutputCount() > 0) {
            List<Integer> all = new ArrayList<>(nodes);
            all.add(next.get(0));
            return all;
        }
        return nodes;
    }

    /** How many of a node's inputs are computed, not constants. */
    private static int computedInputs(Graph graph, Onnx.NodeProto node) {
        int computed = 0;
        for (String in : node.getInputList()) {
            computed += graph.isConstant(in) ? 0 : 1;
        }
        return computed;
    }

    /** Every layer, convolutions and pooling, in graph order. */
    public List<LayerInfo> layers() {
        return layers;
    }

    /** The spatial tensors that are no layer's output, selectable by their exact names. */
    public java.util.Collection<LayerInfo> tensors() {
        return tensors.values();
    }

    /** The convolution layers, in graph order. */
    public List<LayerInfo> convolutions() {
        return layers.stream().filter(l -> l.kind() == LayerInfo.Kind.CONVOLUTION).toList();
    }

    /**
     * The layers some names select, each name as {@link #find} takes it, in model order.
     *
     * @throws LayerNotFoundException if a name matches no layer, with the closest names
     */
    public List<LayerInfo> select(String... names) {
        Set<LayerInfo> chosen = new TreeSet<>(Comparator.comparingInt(LayerInfo::index));
        for (String name : names) {
            List<LayerInfo> found = find(name);
            if (found.isEmpty()) {
                List<String> closest = closest(name, 5);
                throw new LayerNotFoundException("no layer matches '" + name + "'; closest: "
                        + String.join(", ", closest) + " (Inspector.layers() lists all " + layers.size() + ")",
                        name, closest);
            }
            chosen.addAll(found);
        }
        return List.copyOf(chosen);
    }

    /**
     * The one layer a name selects.
     *
     * @throws LayerNotFoundException if the name matches no layer
     * @throws IllegalArgumentException if it matches several
     */
    public LayerInfo selectOne(String name) {
        List<LayerInfo> found = select(name);
        if (found.size() != 1) {
            throw new IllegalArgumentException("'" + name + "' matches " + found.size() + " layers ("
                    + found.stream().map(LayerInfo::name).toList() + "); name one of them");
        }
        return found.get(0);
    }

    /**
     * The layers at some indexes of {@link #layers()}, negative ones counting from the end, in model order.
     *
     * @throws LayerNotFoundException if an index is out of range
     */
    public List<LayerInfo> select(int... indexes) {
        Set<LayerInfo> chosen = new TreeSet<>(Comparator.comparingInt(LayerInfo::index));
        for (int index : indexes) {
            int i = index < 0 ? layers.size() + index : index;
            if (i < 0 || i >= layers.size()) {
                throw new LayerNotFoundException("no layer at index " + index + "; the model has " + layers.size()
                        + " layers, 0 to " + (layers.size() - 1) + " (or -1 to -" + layers.size() + " from the end)",
                        String.valueOf(index), List.of());
            }
            chosen.add(layers.get(i));
        }
        return List.copyOf(chosen);
    }

    /**
     * The layers a query names, in graph order; empty if none. Tried in turn, the first rule that matches wins:
     * the exact layer, node or output tensor name; a '/'-separated segment of a node name (Keras
     * {@code conv2d_1} in tf2onnx's {@code model/conv2d_1/BiasAdd}, PyTorch {@code features.0} in
     * {@code /features/features.0/Conv}); an op type ({@code Conv}, {@code MaxPool}); a glob with {@code *} and
     * {@code ?} over layer and node names.
     */
    public List<LayerInfo> find(String query) {
        List<LayerInfo> hits = filter(l -> l.name().equals(query) || l.output().equals(query)
                || l.nodeNames().contains(query));
        if (hits.isEmpty() && tensors.containsKey(query)) {
            return List.of(tensors.get(query));
        }
        if (hits.isEmpty()) {
            hits = filter(l -> l.nodeNames().stream().anyMatch(n -> segments(n).contains(query)));
        }
        if (hits.isEmpty()) {
            hits = filter(l -> l.opTypes().contains(query));
        }
        if (hits.isEmpty() && (query.contains("*") || query.contains("?"))) {
            hits = filter(l -> globMatches(query, l.name())
                    || l.nodeNames().stream().anyMatch(n -> globMatches(query, n)));
        }
        return hits;
    }

    /** The layer names closest to a query by edit distance, best first, at most {@code limit}. */
    public List<String> closest(String query, int limit) {
        String q = query.toLowerCase(Locale.ROOT);
        return layers.stream()
                .sorted(Comparator.comparingInt((LayerInfo l) -> distance(q, l.name().toLowerCase(Locale.ROOT)))
                        .thenComparingInt(LayerInfo::index))
                .limit(limit)
                .map(LayerInfo::name)
                .toList();
    }

    private List<LayerInfo> filter(java.util.function.Predicate<LayerInfo> test) {
        return layers.stream().filter(test).toList();
    }

    private static boolean isDefaultDomain(Onnx.NodeProto node) {
        return node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx");
    }

    /** Conv1D and Conv3D have no picture per channel; a kernel of unknown rank is taken as 2-D. */
    private static boolean isTwoDimensional(Graph graph, Onnx.NodeProto node) {
        long[] kernel = Attributes.ints(node, "kernel_shape");
        if (kernel != null) {
            return kernel.length == 2;
        }
        int at = weightInput(node);
        long[] weight = node.getInputCount() > at ? graph.constantShape(node.getInput(at)) : null;
        return weight == null || weight.length == 4;
    }

    /** Where a convolution takes its kernel: QLinearConv after its input's scale and zero point. */
    private static int weightInput(Onnx.NodeProto node) {
        return node.getOpType().equals("QLinearConv") ? 3 : 1;
    }

    /** The nodes of a convolution or merge layer: its first node and what follows it that belongs to it. */
    private static List<Integer> chain(Graph graph, int conv) {
        List<Integer> nodes = new ArrayList<>(List.of(conv));
        String current = graph.node(conv).getOutput(0);
        while (!graph.isGraphOutput(current)) {
            List<Integer> next = graph.consumers(current);
            List<Integer> step;
            if (next.size() == 1 && appliesTo(graph, graph.node(next.get(0)), current)) {
                step = next;
            } else if (next.size() == 2) {
                step = gate(graph, current, next);
            } else {
                break;
            }
            // a node seen before means a cycle, which ONNX forbids but a broken file can hold
            if (step.isEmpty() || step.stream().anyMatch(nodes::contains)) {
                break;
            }
            nodes.addAll(step);
            current = graph.node(nodes.get(nodes.size() - 1)).getOutput(0);
        }
        return nodes;
    }

    /** Whether a node is elementwise on {@code x} with every other input constant. */
    private static boolean appliesTo(Graph graph, Onnx.NodeProto node, String x) {
        if (!isDefaultDomain(node) || !ELEMENTWISE.contains(node.getOpType()) || node.getOutputCount() == 0) {
            return false;
        }
        int dynamic = 0;
        for (String in : node.getInputList()) {
            if (in.equals(x)) {
                dynamic++;
            } else if (!graph.isConstant(in)) {
                return false;
            }
        }
        return dynamic == 1;
    }

    /**
     * A gated activation {@code x * g(x)}: x feeds a Mul and a short branch of elementwise nodes whose end is the
     * Mul's other input (SiLU: Sigmoid; hard-swish: HardSigmoid, or Add+Clip+Div). Returns the branch and the
     * Mul, or nothing.
     */
    private static List<Integer> gate(Graph graph, String x, List<Integer> consumers) {
        for (int m = 0; m < 2; m++) {
            Onnx.NodeProto mul = graph.node(consumers.get(m));
            if (!mul.getOpType().equals("Mul") || mul.getInputCount() != 2 || mul.getOutputCount() == 0
                    || !mul.getInputList().contains(x)) {
                continue;
            }
            String gated = mul.getInput(0).equals(x) ? mul.getInput(1) : mul.getInput(0);
            List<Integer> branch = new ArrayList<>();
            String current = x;
            int node = consumers.get(1 - m);
            while (branch.size() < MAX_GATE && appliesTo(graph, graph.node(node), current)) {
                branch.add(node);
                current = graph.node(node).getOutput(0);
                if (current.equals(gated)) {
                    if (graph.consumers(current).size() != 1 || graph.isGraphOutput(current)) {
                        return List.of();
                    }
                    branch.add(consumers.get(m));
                    return branch;
                }
                List<Integer> next = graph.consumers(current);
                if (next.size() != 1 || graph.isGraphOutput(current)) {
                    break;
                }
                node = next.get(0);
            }
        }
        return List.of();
    }

    /**
     * Weights of the layer's nodes, each tensor counted once: every constant input of the convolution and of
     * normalizations, and the per-channel constants of other ops (a bias Add, a folded BatchNorm's Mul), but not
     * scalars such as hard-swish's 3 and 6. -1 if a weight's size cannot be read.
     */
    private static long parameters(Graph graph, List<Integer> nodes) {
        Set<String> seen = new LinkedHashSet<>();
        long total = 0;
        for (int i : nodes) {
            Onnx.NodeProto node = graph.node(i);
            boolean weighted = WEIGHTED.contains(node.getOpType());
            List<String> inputs = node.getInputList();
            if (node.getOpType().equals("QLinearConv")) { // its weights are kernel (3) and bias (8), not scales
                inputs = node.getInputCount() > 8 ? List.of(node.getInput(3), node.getInput(8))
                        : List.of(node.getInput(3));
            }
            weighted |= node.getOpType().equals("QLinearConv") || node.getOpType().equals("ConvInteger");
            for (String in : inputs) {
                if (in.isEmpty() || !graph.isConstant(in) || !seen.add(in)) {
                    continue;
                }
                long[] shape = graph.constantShape(in);
                if (shape == null) {
                    if (weighted) {
                        return -1;
                    }
                    continue;
                }
                long count = 1;
                for (long d : shape) {
                    count *= d;
                }
                if (weighted || count > 1) {
                    total += count;
                }
            }
        }
        return total;
    }


    /**
     * How each integer tensor of an int8 model maps to real values: a QuantizeLinear's or QLinearConv's output
     * scale and zero point (constant, per tensor), kept by ops that only move or pick values (MaxPool, Reshape...).
     */
    private static Map<String, LayerInfo.Quantized> quantization(Graph graph) {
        Map<String, LayerInfo.Quantized> quantized = new HashMap<>();
        for (int i = 0; i < graph.nodeCount(); i++) {
            Onnx.NodeProto node = graph.node(i);
            LayerInfo.Quantized q = switch (node.getOpType()) {
                case "QuantizeLinear" -> scaleAndZero(graph, node, 1, 2);
                case "QLinearConv" -> scaleAndZero(graph, node, 6, 7);
                default -> KEEP_QUANTIZATION.contains(node.getOpType()) && node.getInputCount() > 0
                        ? quantized.get(node.getInput(0)) : null;
            };
            if (q != null && node.getOutputCount() > 0) {
                quantized.put(node.getOutput(0), q);
            }
        }
        return quantized;
    }

    /** A per-tensor scale and zero point from two constant inputs; null where they are missing or per channel. */
    private static LayerInfo.Quantized scaleAndZero(Graph graph, Onnx.NodeProto node, int scale, int zero) {
        float[] s = node.getInputCount() > scale ? graph.constantFloats(node.getInput(scale)) : null;
        long[] z = node.getInputCount() > zero ? graph.constantIntegers(node.getInput(zero)) : new long[] {0};
        return s != null && s.length == 1 && z != null && z.length == 1 ? new LayerInfo.Quantized(s[0], z[0]) : null;
    }

    /**
     * Display names, unique within the model. From the node's scope where the exporter kept one (tf2onnx's
     * {@code model/conv2d_1/BiasAdd} gives {@code conv2d_1}; PyTorch's {@code /layer1/layer1.0/conv1/Conv}
     * gives {@code layer1.0.conv1}), else from the weight's name ({@code conv1.weight}, {@code conv1_w_0}), else
     * the node's name, else its output's. Repeats get {@code #2}, {@code #3}, ...
     */
    private static List<String> uniqueNames(Graph graph, List<Found> found) {
        List<String> names = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Found f : found) {
            String name = baseName(graph, graph.node(f.nodes.get(0)));
            int n = seen.merge(name, 1, Integer::sum);
            names.add(n == 1 ? name : name + "#" + n);
        }
        return names;
    }

    private static String baseName(Graph graph, Onnx.NodeProto node) {
        String scoped = scopeName(node.getName());
        if (scoped != null) {
            return scoped;
        }
        if (node.getInputCount() > 1) {
            String weight = node.getInput(1);
            for (String suffix : WEIGHT_SUFFIXES) {
                if (weight.endsWith(suffix) && weight.length() > suffix.length()) {
                    return weight.substring(0, weight.length() - suffix.length());
                }
            }
        }
        return node.getName().isEmpty() ? node.getOutput(0) : node.getName();
    }

    /** The layer's scope in a scoped node name, or null when the name has no scope. */
    static String scopeName(String nodeName) {
        List<String> parts = segments(nodeName);
        if (parts.size() < 2) {
            return null;
        }
        List<String> scope = parts.subList(0, parts.size() - 1);
        if (!nodeName.startsWith("/")) {
            return scope.get(scope.size() - 1); // tf2onnx: the Keras layer is the innermost scope
        }
        // PyTorch: each scope repeats its parent's attribute name ("layer1", "layer1.0"); rebuild the module path.
        List<String> path = new ArrayList<>();
        String previous = null;
        for (String segment : scope) {
            if (previous != null && segment.startsWith(previous + ".")) {
                String last = path.remove(path.size() - 1);
                path.add(last + segment.substring(previous.length()));
            } else {
                path.add(segment);
            }
            previous = segment;
        }
        return String.join(".", path);
    }

    private static List<String> segments(String name) {
        List<String> parts = new ArrayList<>();
        for (String s : name.split("/")) {
            if (!s.isEmpty()) {
                parts.add(s);
            }
        }
        return parts;
    }

    /**
     * Whether a glob of {@code *} (any run of characters) and {@code ?} (any one character) matches all of a name.
     * On a mismatch only the last {@code *} is retried one character further (the earlier ones can match nothing
     * more than it can), so the work is at most the name's length times the glob's: a regular expression of
     * {@code .*} would backtrack exponentially ({@code "*?"} ten times took over a minute on ResNet-18's names).
     */
    static boolean globMatches(String glob, String name) {
        int g = 0;
        int n = 0;
        int star = -1;
        int resume = 0;
        while (n < name.length()) {
            boolean more = g < glob.length();
            if (more && glob.charAt(g) == '*') {
                star = g++;
                resume = n;
            } else if (more && (glob.charAt(g) == '?' || glob.charAt(g) == name.charAt(n))) {
                g++;
                n++;
            } else if (star >= 0) {
                g = star + 1;
                n = ++resume;
            } else {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
