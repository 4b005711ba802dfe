package dev.convlens.onnx;

import dev.convlens.UnsupportedModelException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Appends backward nodes to a model, so that ONNX Runtime computes the gradient of a score with respect to a layer's
 * output, or to the model's input, in the same run as the forward pass: what Grad-CAM needs, on a runtime without
 * autograd.
 *
 * <p>The score is {@code sum(seed * output)}: the seed, fed as an extra input of the output's shape, is the one-hot
 * vector of the target class (or -1 for the complement of a single sigmoid score), one row per batch element.
 * Starting from it, each node between the target and the output gets the gradient rule of its op
 * ({@link BackwardRules}), and gradients of a tensor used twice are summed. No gradient flows through shapes, indices,
 * comparisons and integer casts: a Reshape whose shape a Shape node computes from the layer reshapes the gradient
 * like any other. The model gets two more outputs: the target and its gradient. Shapes are taken from a run of the
 * model, so the gradient model is for one input shape, batch included.
 */
public final class GradientBuilder {
    /** The name of the extra input: the gradient of the score with respect to the model output. */
    public static final String SEED = "convlens/grad/seed";
    /** The ops with a gradient rule. */
    public static final List<String> SUPPORTED = BackwardRules.OPS;
    private static final String PREFIX = "convlens/grad/";
    /** Ops whose outputs are constant, or steps, whatever their inputs: no gradient passes them. */
    private static final Set<String> STEPS = Set.of("Shape", "Size", "ArgMax", "ArgMin", "NonZero", "Equal",
            "Greater", "GreaterOrEqual", "Less", "LessOrEqual", "Not", "And", "Or", "Xor", "IsNaN", "IsInf", "Sign",
            "Floor", "Ceil", "Round");
    /** The float element types: float32, float16, double, bfloat16. */
    private static final Set<Long> FLOATS = Set.of(1L, 10L, 11L, 16L);

    private GradientBuilder() {
    }

    /** The name under which the built model returns the gradient of a tensor. */
    public static String gradientOf(String tensor) {
        return PREFIX + tensor;
    }

    /**
     * The tensors between a target (a layer's output, or a graph input) and a model output, both included, and the
     * other inputs of the Concats among them: the ones whose shapes {@link #build} needs.
     *
     * @throws UnsupportedModelException if the output does not depend on the target
     */
    public static List<String> path(ModelFile model, String target, String output) {
        Graph g = new Graph(model.proto().getGraph());
        Set<String> needed = active(g, target, output);
        // a Concat's gradient is cut by the sizes of all its inputs, the ones off the path included (a detector's
        // other heads, when the target is one of them)
        for (int i = 0; i < g.nodeCount(); i++) {
            Onnx.NodeProto n = g.node(i);
            if (n.getOpType().equals("Concat") && needed.contains(n.getOutput(0))) {
                n.getInputList().stream().filter(in -> !g.isConstant(in)).forEach(needed::add);
            }
        }
        return List.copyOf(needed);
    }

    /** Whether a model output depends on a target through ops a gradient passes. */
    public static boolean reaches(ModelFile model, String target, String output) {
        return downstream(new Graph(model.proto().getGraph()), target).contains(output);
    }

    /** The tensors a target reaches through ops a gradient passes. */
    private static Set<String> downstream(Graph g, String target) {
        Set<String> down = new HashSet<>(Set.of(target));
        for (int i = 0; i < g.nodeCount(); i++) {
            Onnx.NodeProto n = g.node(i);
            if (passesGradient(n) && n.getInputList().stream().anyMatch(down::contains)) {
                down.addAll(n.getOutputList());
            }
        }
        return down;
    }

    private static Set<String> active(Graph g, String target, String output) {
        Set<String> down = downstream(g, target);
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
        Set<String> active = new LinkedHashSet<>(List.of(target));
        for (int i = 0; i < g.nodeCount(); i++) {
            for (String t : g.node(i).getOutputList()) {
                if (down.contains(t) && up.contains(t)) {
                    active.add(t);
                }
            }
        }
        return active;
    }

    private static boolean passesGradient(Onnx.NodeProto n) {
        if (n.getOpType().equals("Cast")) {
            return FLOATS.contains(Attributes.integer(n, "to", 0));
        }
        return !STEPS.contains(n.getOpType());
    }

    /**
     * Builds the model that also returns the target and the score's gradient with respect to it.
     *
     * @param target a layer's output tensor, or a graph input
     * @param output the model output the score is taken from
     * @param shapes the shape of every tensor of {@link #path}, for one input (a graph input's shape may be left out
     *     where the model declares it)
     * @return the serialized model, with the extra input {@link #SEED} and outputs {@code target} (unless it is an
     *     input or already an output) and {@link #gradientOf gradientOf(target)}; all in float32, a float16 model
     *     included ({@link ModelFile#inFloat32()})
     * @throws UnsupportedModelException if an op between the target and the output has no gradient rule, or a case
     *     its rule does not handle
     * @throws IllegalArgumentException if a tensor of the path has no shape in {@code shapes} nor in the model
     */
    public static ByteBuffer build(ModelFile model, String target, String output, Map<String, long[]> shapes) {
        return build(model, target, output, shapes, false);
    }

    /**
     * Builds the model that also returns the target and the score's gradient with respect to it, by plain
     * backpropagation or by guided backpropagation (Springenberg et al. 2015), where a Relu passes back only the
     * positive part of its gradient, and only where its input was positive.
     *
     * @param guided whether Relus pass back only positive gradients
     * @see #build(ModelFile, String, String, Map)
     */
    public static ByteBuffer build(ModelFile model, String target, String output, Map<String, long[]> shapes,
                               boolean guided) {
        return build(model, target, output, shapes, guided, null);
    }

    /**
     * Builds the model that returns, in one run, the model's outputs, the target and the gradient at the target of
     * the predicted class's score: the seed is computed in the graph from the output, as the predicted class is
     * picked in Java (the first maximum of the values; for a single sigmoid value, class 1 from 0.5 up with seed 1,
     * else class 0, the complement, with seed -1). Nothing is fed but the model's input.
     *
     * @see #build(ModelFile, String, String, Map)
     */
    public static ByteBuffer buildForPrediction(ModelFile model, String target, String output,
                                                Map<String, long[]> shapes) {
        return build(model, target, output, shapes, false, null, List.of(), Pick.PREDICTED);
    }

    /**
     * Builds a model that returns only the gradient and some tensors of the forward pass: the model's own outputs are
     * dropped, and so are the nodes and weights that only they need (the layers after a filter pattern's layer, say),
     * which ONNX Runtime would otherwise run.
     *
     * @param returned the forward tensors to return besides the gradient, each by name
     * @see #build(ModelFile, String, String, Map, boolean)
     */
    public static ByteBuffer build(ModelFile model, String target, String output, Map<String, long[]> shapes,
                               boolean guided, List<String> returned) {
        return build(model, target, output, shapes, guided, returned, List.of(), null);
    }

    /**
     * Builds a model that returns, from one backward pass down to {@code target}, the gradient at several tensors on
     * the way, each as {@link #gradientOf}: which of a detector's heads a score depends on, say, in one run.
     *
     * @param at tensors between the target and the output (whose shapes {@code shapes} holds); those the gradient
     *     does not reach are left out
     */
    public static ByteBuffer gradients(ModelFile model, String target, String output, Map<String, long[]> shapes,
                                       List<String> at) {
        return build(model, target, output, shapes, false, List.of(), at, null);
    }

    /**
     * How the graph picks the class whose score it differentiates, instead of being fed the seed: the first maximum
     * of the output (for a single sigmoid value, class 1 from 0.5 up, else class 0, the complement), unless a class is
     * requested.
     *
     * @param requested an int64 scalar tensor holding the class, or -1 for the predicted one; null: always predicted
     * @param classTensor where the graph writes the class it explains (int64 scalar), or null for nowhere
     * @param scoreTensor where it writes that class's score (float scalar), or null for nowhere
     * @param points how many inputs follow the first in the batch, whose rows the seed weighs (integrated
     *     gradients' points) while the class is the first input's; 0 for a batch of that one input
     */
    record Pick(String requested, String classTensor, String scoreTensor, int points) {
        static final Pick PREDICTED = new Pick(null, null, null, 0);
    }

    private static ByteBuffer build(ModelFile model, String target, String output, Map<String, long[]> shapes,
                                    boolean guided, List<String> returned, List<String> at, Pick pick) {
        return ModelFile.serialize(model(model, target, output, shapes, guided, returned, at, pick));
    }

    /**
     * The gradient model, unserialized, for a model that builds on it (an explainer).
     *
     * @param target the tensor the gradient is taken at, or null for none: then only the picked class and its score
     *     are written (a pick is needed)
     * @param returned the forward tensors to return besides the gradients, or null for the model's outputs and the
     *     target
     * @param pick how the seed is picked in the graph, or null to feed it as {@link #SEED}
     */
    static Onnx.ModelProto model(ModelFile model, String target, String output, Map<String, long[]> shapes,
                                 boolean guided, List<String> returned, List<String> at, Pick pick) {
        ModelFile float32 = model.inFloat32();
        Onnx.ModelProto proto = float32.proto();
        Graph graph = new Graph(proto.getGraph());
        Onnx.GraphProto.Builder out = proto.getGraph().toBuilder();
        GraphWriter writer = new GraphWriter(out, Graph.opset(proto), PREFIX);
        if (pick != null) { // before the backward nodes that read the seed: nodes are listed in topological order
            pickedSeed(writer, output, shapes.get(output), pick);
        }
        if (target == null) { // the picked class and its score alone, for a method that needs no gradient
            return proto.toBuilder().setGraph(out).build();
        }
        Map<String, String> gradients = backward(graph, shapes, writer, target, output, guided);
        String gradient = gradients.get(target);
        writer.emitAs("Identity", List.of(gradient), gradientOf(target));
        if (pick == null) {
            out.addInput(ValueInfo.of(SEED, GraphWriter.FLOAT, shapes.get(output)));
        }
        Map<String, Integer> types = graph.elemTypes(float32.inputs(), GraphWriter.FLOAT);
        if (returned != null) {
            out.clearOutput();
            for (String t : returned) {
                out.addOutput(ValueInfo.of(t, types.getOrDefault(t, GraphWriter.FLOAT), shapes.get(t)));
            }
        } else {
            boolean input = proto.getGraph().getInputList().stream().anyMatch(v -> v.getName().equals(target));
            if (!float32.isOutput(target) && !input) {
                out.addOutput(ValueInfo.of(target, types.getOrDefault(target, GraphWriter.FLOAT),
                        shapes.get(target))); // an int8 model's layer holds integers
            }
        }
        out.addOutput(ValueInfo.of(gradientOf(target), GraphWriter.FLOAT, shapes.get(target)));
        for (String t : at) {
            if (!t.equals(target) && gradients.containsKey(t)) {
                writer.emitAs("Identity", List.of(gradients.get(t)), gradientOf(t));
                out.addOutput(ValueInfo.of(gradientOf(t), GraphWriter.FLOAT, shapes.get(t)));
            }
        }
        if (returned != null) {
            prune(out);
        }
        return proto.toBuilder().setGraph(out).build();
    }

    /**
     * Writes one backward pass, from {@link #SEED} at the output down to a target.
     *
     * @return the gradient written for each tensor on the way, the target's included
     * @throws UnsupportedModelException if no gradient reaches the target, or an op on the way has no rule
     */
    private static Map<String, String> backward(Graph graph, Map<String, long[]> shapes, GraphWriter writer,
                                                String target, String output, boolean guided) {
        Set<String> active = active(graph, target, output);
        Map<String, String> gradients = new HashMap<>(Map.of(output, SEED));
        BackwardRules rules = new BackwardRules(graph, shapes, active, writer, guided,
                (tensor, gradient) -> gradients.merge(tensor, gradient, writer::add));
        for (int i = graph.nodeCount() - 1; i >= 0; i--) {
            Onnx.NodeProto node = graph.node(i);
            List<String> outputGradients = node.getOutputList().stream().map(gradients::get).toList();
            if (outputGradients.stream().anyMatch(Objects::nonNull)
                    && node.getInputList().stream().anyMatch(active::contains)) {
                rules.backward(i, node, outputGradients);
            }
        }
        if (gradients.get(target) == null) {
            throw new UnsupportedModelException("no gradient reaches '" + target + "' from '" + output + "'");
        }
        return gradients;
    }

    /**
     * Writes a second backward pass into a gradient model: guided backpropagation from the same seed down to the
     * model's input, its nodes named apart from the first pass's (guided Grad-CAM needs both in one run).
     *
     * @param out the graph of a model {@link #model} built, with its seed
     * @return the tensor holding the guided gradient at the input
     */
    static String guidedToInput(Onnx.GraphProto.Builder out, ModelFile model, String input, String output,
                                Map<String, long[]> shapes) {
        Onnx.ModelProto proto = model.inFloat32().proto();
        GraphWriter writer = new GraphWriter(out, Graph.opset(proto), PREFIX + "guided/");
        // the graph as the first pass left it: a MaxPool it gave an Indices output keeps it, for both passes
        String gradient = backward(new Graph(out.build()), shapes, writer, input, output, true).get(input);
        return writer.emitAs("Identity", List.of(gradient), PREFIX + "guided/" + input);
    }

    /** Writes the nodes that compute {@link #SEED} for the picked class from the output of one input. */
    private static void pickedSeed(GraphWriter writer, String output, long[] shape, Pick pick) {
        long values = 1;
        for (int d = 1; d < shape.length; d++) {
            values = Math.multiplyExact(values, shape[d]);
        }
        if (shape.length > 0 && shape[0] != 1 + pick.points() || values < 1) {
            throw new UnsupportedModelException("the predicted class of output '" + output + "' of shape "
                    + Arrays.toString(shape) + " cannot be picked: a class is one of the values of one input, [1, ...];"
                    + " name the value to explain with Target.output(name, index...)");
        }
        // the class is picked on the first input's output; the seed weighs the points' rows, or that input's
        String first = pick.points() > 0 ? writer.slice(output, 0, 0, 1) : output;
        String one; // the seed of one input, [1, values]
        if (values == 1) { // a single sigmoid value (a scalar too): +1 for class 1, -1 for class 0
            String predicted = writer.cast(writer.emit("Not", writer.emit("Less", first, writer.scalar(0.5f))),
                    GraphWriter.FLOAT);
            String chosen = pick.requested() == null ? predicted : writer.where(
                    writer.emit("Less", pick.requested(), writer.int64Scalar(0)), predicted,
                    writer.cast(pick.requested(), GraphWriter.FLOAT));
            one = writer.reshape(writer.sub(writer.mul(chosen, writer.scalar(2f)), writer.scalar(1f)), 1, 1);
            if (pick.classTensor() != null) {
                writer.emitAs("Reshape", List.of(writer.cast(chosen, GraphWriter.INT64), writer.int64()),
                        pick.classTensor());
            }
            if (pick.scoreTensor() != null) { // s for class 1, 1 - s for class 0
                String score = writer.add(writer.sub(writer.scalar(1f), chosen),
                        writer.mul(one, writer.reshape(first, 1, 1)));
                writer.emitAs("Reshape", List.of(score, writer.int64()), pick.scoreTensor());
            }
        } else {
            String flat = writer.reshape(first, 1, values);
            String chosen = writer.emit("ArgMax", List.of(flat), GraphWriter.int1("axis", 1),
                    GraphWriter.int1("keepdims", 1));
            if (pick.requested() != null) {
                chosen = writer.where(writer.emit("Less", pick.requested(), writer.int64Scalar(0)), chosen,
                        pick.requested());
            }
            one = writer.mask("Equal", writer.positions(1, values), chosen);
            if (pick.classTensor() != null) {
                writer.emitAs("Reshape", List.of(chosen, writer.int64()), pick.classTensor());
            }
            if (pick.scoreTensor() != null) {
                writer.emitAs("Reshape", List.of(writer.reduce("ReduceSum", writer.mul(flat, one), 1),
                        writer.int64()), pick.scoreTensor());
            }
        }
        if (pick.points() > 0) { // 0 for the first input's row, the seed for each point's
            float[] rows = new float[1 + pick.points()];
            Arrays.fill(rows, 1, rows.length, 1f);
            one = writer.mul(one, writer.floats(rows, rows.length, 1));
        }
        writer.emitAs("Reshape", List.of(one, writer.int64(shape)), SEED);
    }

    /**
     * Drops the nodes no output needs, and the weights only they read. A graph with subgraphs (If, Loop) is left as
     * it is: their bodies may read any tensor of the graph by name.
     */
    static void prune(Onnx.GraphProto.Builder graph) {
        boolean subgraphs = graph.getNodeList().stream().flatMap(n -> n.getAttributeList().stream())
                .map(Onnx.AttributeProto::getType)
                .anyMatch(t -> t == Onnx.AttributeProto.AttributeType.GRAPH
                        || t == Onnx.AttributeProto.AttributeType.GRAPHS);
        if (subgraphs) {
            return;
        }
        Set<String> needed = new HashSet<>();
        graph.getOutputList().forEach(v -> needed.add(v.getName()));
        List<Onnx.NodeProto> kept = new ArrayList<>();
        for (int i = graph.getNodeCount() - 1; i >= 0; i--) {
            Onnx.NodeProto n = graph.getNode(i);
            if (n.getOutputList().stream().anyMatch(needed::contains)) {
                kept.add(n);
                needed.addAll(n.getInputList());
            }
        }
        Collections.reverse(kept);
        graph.clearNode().addAllNode(kept);
        graph.getInputList().forEach(v -> needed.add(v.getName())); // older models list their weights as inputs
        List<Onnx.TensorProto> weights = graph.getInitializerList().stream()
                .filter(t -> needed.contains(t.getName())).toList();
        graph.clearInitializer().addAllInitializer(weights);
    }
}
