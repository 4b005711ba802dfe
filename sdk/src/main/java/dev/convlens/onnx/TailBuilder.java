package dev.convlens.onnx;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cuts a model at a layer: the tail runs the rest of the network from the layer's output, so that a changed
 * activation (Ablation-CAM sets one channel to zero) can be scored without running the layers before it again.
 */
public final class TailBuilder {
    private static final int FLOAT = Onnx.TensorProto.DataType.FLOAT_VALUE;
    private TailBuilder() {
    }

    /**
     * The tail of a model from a tensor to one output.
     *
     * @param model the serialized tail: inputs {@code target} (batch dimension dynamic) then {@code externals},
     *     one output
     * @param externals other tensors computed before the cut that the tail also reads (a residual branch, say);
     *     they are fed with batch 1 and broadcast
     */
    public record Tail(ByteBuffer model, List<String> externals) {
    }

    /** The tensors whose values and shapes {@link #build} needs from a forward run: the target and externals. */
    public static List<String> inputs(ModelFile model, String target, String output) {
        Set<String> result = new LinkedHashSet<>(List.of(target));
        result.addAll(plan(new Graph(model.proto().getGraph()), target, output).externals);
        return List.copyOf(result);
    }

    private record Plan(List<Integer> nodes, List<String> externals) {
    }

    private static Plan plan(Graph g, String target, String output) {
        Set<String> needed = new HashSet<>(Set.of(output));
        for (int i = g.nodeCount() - 1; i >= 0; i--) {
            Onnx.NodeProto n = g.node(i);
            if (n.getOutputList().stream().anyMatch(needed::contains)) {
                needed.addAll(n.getInputList());
            }
        }
        Set<String> after = new HashSet<>(Set.of(target));
        Set<String> produced = new HashSet<>();
        List<Integer> nodes = new ArrayList<>();
        for (int i = 0; i < g.nodeCount(); i++) {
            Onnx.NodeProto n = g.node(i);
            boolean downstream = n.getInputList().stream().anyMatch(after::contains);
            if (downstream) {
                after.addAll(n.getOutputList());
            }
            boolean constant = n.getOutputList().stream().allMatch(g::isConstant);
            if ((downstream || constant) && n.getOutputList().stream().anyMatch(needed::contains)) {
                nodes.add(i);
                produced.addAll(n.getOutputList());
            }
        }
        Set<String> externals = new LinkedHashSet<>();
        for (int i : nodes) {
            for (String in : g.node(i).getInputList()) {
                if (!in.equals(target) && !produced.contains(in) && !g.isConstant(in)) {
                    externals.add(in);
                }
            }
        }
        return new Plan(nodes, List.copyOf(externals));
    }

    /**
     * Writes a second copy of the tail into a graph being extended, reading another tensor in place of the target
     * (Recipro-CAM's batch of masked maps): every tensor the copy makes is renamed under the writer's prefix, and it
     * reads the weights and the externals (batch 1, broadcast) of the original.
     *
     * @param graph the model's graph, whose nodes the copy repeats
     * @return the copy's output
     */
    static String copy(GraphWriter writer, Onnx.GraphProto graph, String target, String replacement, String output) {
        Graph g = new Graph(graph);
        Plan plan = plan(g, target, output);
        java.util.Map<String, String> renamed = new java.util.HashMap<>(java.util.Map.of(target, replacement));
        for (int i : plan.nodes) {
            Onnx.NodeProto n = g.node(i);
            Onnx.NodeProto.Builder copy = n.toBuilder().clearInput().clearOutput()
                    .setName(writer.fresh("tail_" + n.getOpType()));
            n.getInputList().forEach(in -> copy.addInput(renamed.getOrDefault(in, in)));
            for (String out : n.getOutputList()) {
                String name = out.isEmpty() ? out : writer.fresh("tail");
                renamed.put(out, name);
                copy.addOutput(name);
            }
            writer.add(copy.build());
        }
        return renamed.get(output);
    }

    /**
     * Builds the tail, in float32 whatever the model's type ({@link ModelFile#inFloat32()}).
     *
     * @param shapes the shapes, batch 1, of the target and of the externals
     */
    public static Tail build(ModelFile model, String target, String output, Map<String, long[]> shapes) {
        Onnx.ModelProto proto = model.inFloat32().proto();
        Graph g = new Graph(proto.getGraph());
        Plan plan = plan(g, target, output);
        Onnx.GraphProto.Builder tail = Onnx.GraphProto.newBuilder().setName("convlens-tail")
                .addAllInitializer(proto.getGraph().getInitializerList());
        for (int i : plan.nodes) {
            tail.addNode(g.node(i));
        }
        long[] batched = shapes.get(target).clone();
        batched[0] = -1; // Ablation-CAM feeds one ablated copy per channel
        tail.addInput(ValueInfo.of(target, FLOAT, batched));
        for (String e : plan.externals) {
            tail.addInput(ValueInfo.of(e, FLOAT, shapes.get(e)));
        }
        for (Onnx.ValueInfoProto v : proto.getGraph().getOutputList()) {
            if (v.getName().equals(output)) {
                tail.addOutput(v);
            }
        }
        return new Tail(ModelFile.serialize(proto.toBuilder().setGraph(tail).build()), plan.externals);
    }
}
