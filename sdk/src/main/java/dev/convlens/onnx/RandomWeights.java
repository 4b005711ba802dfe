package dev.convlens.onnx;

import com.google.protobuf.ByteString;
import dev.convlens.UnsupportedModelException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Copies of a model whose chosen layers have random weights: the models of the model-randomisation sanity check
 * (Adebayo et al. 2018), where an explanation that does not change when the model's weights do explains nothing
 * about the model.
 *
 * <p>Float weights are drawn as PyTorch's {@code reset_parameters()} draws them, which Quantus's MPRT calls: a
 * convolution's or dense layer's kernel and bias uniform in {@code +-1/sqrt(fanIn)} (kaiming uniform with
 * {@code a = sqrt(5)}), a BatchNormalization reset to scale 1, bias 0, mean 0, variance 1. Integer weights of an
 * int8 model are drawn uniform over the range of the integers they replace, which keeps their scale and zero point
 * meaningful. Each tensor draws from the seed and the layer's index, so a layer has the same random weights in every
 * copy that randomizes it: the cascade from the top adds one layer at a time to the same randomized model.
 */
public final class RandomWeights {
    private static final int FLOAT = Onnx.TensorProto.DataType.FLOAT_VALUE;
    private static final int INT8 = Onnx.TensorProto.DataType.INT8_VALUE;
    private static final int UINT8 = Onnx.TensorProto.DataType.UINT8_VALUE;
    private static final int INT32 = Onnx.TensorProto.DataType.INT32_VALUE;
    /** Ops that pass a stored weight on unchanged in value or meaning: an int8 model's weights sit behind these. */
    private static final Set<String> WEIGHT_PATHS = Set.of("DequantizeLinear", "Identity", "Cast");

    private RandomWeights() {
    }

    /**
     * Returns a copy of the model, in float32 ({@link ModelFile#inFloat32()}), with the layers' weights random.
     *
     * @param model the model
     * @param layers layers of the model's catalog
     * @param seed where the random values start
     * @throws UnsupportedModelException if the model keeps weights in external files, which a model in memory
     *     cannot reach, or a layer's weight is computed rather than stored
     */
    public static ModelFile of(ModelFile model, Collection<LayerInfo> layers, long seed) {
        if (model.hasExternalData()) {
            throw new UnsupportedModelException(model.source() + " keeps its weights in external files; the"
                    + " model-randomisation check builds its randomized copies in memory, which cannot reach them:"
                    + " turn the check off (Faithfulness.modelRandomization(false), --no-mprt)");
        }
        Onnx.ModelProto proto = model.inFloat32().proto();
        Graph graph = new Graph(proto.getGraph());
        Onnx.GraphProto.Builder g = proto.getGraph().toBuilder();
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            position.put(g.getInitializer(i).getName(), i);
        }
        Set<String> done = new HashSet<>();
        for (LayerInfo layer : layers) {
            Random random = new Random(seed + 1_000_003L * layer.index());
            for (int index : layer.nodes()) {
                Onnx.NodeProto node = graph.node(index);
                for (Weight w : weights(graph, node)) {
                    String name = stored(graph, node.getInput(w.input()), layer);
                    if (done.add(name)) {
                        int at = position.get(name);
                        g.setInitializer(at, randomized(g.getInitializer(at), w, fanIn(graph, node), random));
                    }
                }
            }
        }
        return ModelFile.of(proto.toBuilder().setGraph(g).build().toByteArray());
    }

    /** What a node's weight input becomes: random (a kernel or bias), or a constant (a reset normalization). */
    private record Weight(int input, float constant) {
        static Weight random(int input) {
            return new Weight(input, Float.NaN);
        }
    }

    /** The weight inputs of a node, by its op; none for ops without weights. */
    private static List<Weight> weights(Graph graph, Onnx.NodeProto node) {
        int n = node.getInputCount();
        List<Weight> all = switch (node.getOpType()) {
            case "Conv", "ConvTranspose", "Gemm" -> List.of(Weight.random(1), Weight.random(2));
            case "MatMul" -> graph.isConstant(node.getInput(1)) ? List.of(Weight.random(1)) : List.of();
            case "BatchNormalization" -> List.of(new Weight(1, 1), new Weight(2, 0), new Weight(3, 0),
                    new Weight(4, 1));
            case "QLinearConv" -> List.of(Weight.random(3), Weight.random(8));
            case "ConvInteger" -> List.of(Weight.random(1));
            case "QLinearMatMul" -> List.of(Weight.random(3));
            default -> List.of();
        };
        return all.stream().filter(w -> w.input() < n && !node.getInput(w.input()).isEmpty()).toList();
    }

    /** The initializer a weight input reads, through an int8 model's dequantization. */
    private static String stored(Graph graph, String tensor, LayerInfo layer) {
        String t = tensor;
        while (graph.initializer(t) == null) {
            int p = graph.producer(t);
            if (p < 0 || !WEIGHT_PATHS.contains(graph.node(p).getOpType())) {
                throw new UnsupportedModelException("the weight " + tensor + " of layer " + layer.name() + " is "
                        + (p < 0 ? "a graph input" : "computed by a " + graph.node(p).getOpType() + " node")
                        + ", not stored in the model, so the model-randomisation check cannot replace it: turn the"
                        + " check off (Faithfulness.modelRandomization(false), --no-mprt)");
            }
            t = graph.node(p).getInput(0);
        }
        return t;
    }

    /**
     * The inputs each output value of the node sums over, as PyTorch's {@code _calculate_fan_in_and_fan_out} counts
     * them from the kernel's shape: dimension 1 times the window for a convolution (of either direction), the
     * shared dimension for a dense layer.
     */
    private static long fanIn(Graph graph, Onnx.NodeProto node) {
        String kernel = node.getInput(node.getOpType().startsWith("QLinear") ? 3 : 1);
        long[] dims = graph.constantShape(kernel);
        if (dims == null || dims.length < 2) {
            return 1;
        }
        return switch (node.getOpType()) {
            case "Gemm" -> Attributes.integer(node, "transB", 0) != 0 ? dims[1] : dims[0];
            case "MatMul", "QLinearMatMul" -> dims[dims.length - 2];
            default -> {
                long window = 1;
                for (int i = 2; i < dims.length; i++) {
                    window *= dims[i];
                }
                yield dims[1] * window;
            }
        };
    }

    private static Onnx.TensorProto randomized(Onnx.TensorProto t, Weight w, long fanIn, Random random) {
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        int n = Math.toIntExact(count);
        int type = t.getDataType();
        ByteBuffer raw;
        if (type == FLOAT) {
            double bound = 1 / Math.sqrt(Math.max(1, fanIn));
            raw = ByteBuffer.allocate(n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                raw.putFloat(Float.isNaN(w.constant()) ? (float) ((2 * random.nextDouble() - 1) * bound)
                        : w.constant());
            }
        } else if (type == INT8 || type == UINT8 || type == INT32) {
            long[] values = integers(t, n);
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (long v : values) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            int size = type == INT32 ? Integer.BYTES : 1;
            raw = ByteBuffer.allocate(n * size).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                long v = min + (long) Math.floor(random.nextDouble() * (max - min + 1));
                if (type == INT32) {
                    raw.putInt((int) v);
                } else {
                    raw.put((byte) v);
                }
            }
        } else {
            throw new UnsupportedModelException("the weight " + t.getName() + " has ONNX element type " + type
                    + ", which the model-randomisation check does not draw (it draws float, int8, uint8 and int32):"
                    + " turn the check off (Faithfulness.modelRandomization(false), --no-mprt)");
        }
        raw.flip();
        return t.toBuilder().clearFloatData().clearInt32Data().setRawData(ByteString.copyFrom(raw)).build();
    }

    /** An integer tensor's values, from raw data or int32_data. */
    private static long[] integers(Onnx.TensorProto t, int n) {
        long[] values = new long[n];
        int type = t.getDataType();
        if (t.hasRawData()) {
            ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                values[i] = type == INT32 ? raw.getInt() : type == UINT8 ? raw.get() & 0xFF : raw.get();
            }
        } else {
            for (int i = 0; i < n; i++) {
                values[i] = t.getInt32Data(i);
            }
        }
        return values;
    }
}
