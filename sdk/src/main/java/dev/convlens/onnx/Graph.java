package dev.convlens.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** An index over a graph's nodes: who produces and who consumes each tensor, and which tensors are constant. */
final class Graph {
    private final Onnx.GraphProto proto;
    private final Map<String, Integer> producer = new HashMap<>();
    private final Map<String, List<Integer>> consumers = new HashMap<>();
    private final Map<String, Onnx.TensorProto> initializers = new HashMap<>();
    private final Set<String> constants = new HashSet<>();
    private final Set<String> outputs = new HashSet<>();
    private final Map<String, Onnx.TypeProto.Tensor> types = new HashMap<>();

    Graph(Onnx.GraphProto proto) {
        this.proto = proto;
        for (Onnx.TensorProto t : proto.getInitializerList()) {
            initializers.put(t.getName(), t);
            constants.add(t.getName());
        }
        constants.add(""); // an empty input name is an omitted optional input
        for (Onnx.ValueInfoProto v : proto.getOutputList()) {
            outputs.add(v.getName());
        }
        for (List<Onnx.ValueInfoProto> list : List.of(proto.getInputList(), proto.getOutputList(),
                proto.getValueInfoList())) {
            for (Onnx.ValueInfoProto v : list) {
                if (v.getType().hasTensorType()) {
                    types.put(v.getName(), v.getType().getTensorType());
                }
            }
        }
        for (int i = 0; i < proto.getNodeCount(); i++) {
            Onnx.NodeProto node = proto.getNode(i);
            boolean constant = true;
            for (String in : node.getInputList()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
                constant &= constants.contains(in);
            }
            for (String out : node.getOutputList()) {
                producer.put(out, i);
            }
            // Nodes are topologically sorted, so a node fed only by constants (Constant, ConstantOfShape of a
            // constant shape, Identity of a weight, ...) yields a constant.
            if (constant) {
                constants.addAll(node.getOutputList());
            }
        }
    }

    Onnx.GraphProto proto() {
        return proto;
    }

    int nodeCount() {
        return proto.getNodeCount();
    }

    Onnx.NodeProto node(int index) {
        return proto.getNode(index);
    }

    /** The nodes that read a tensor, in graph order. */
    List<Integer> consumers(String tensor) {
        return consumers.getOrDefault(tensor, List.of());
    }

    /** The index of the node that writes a tensor, or -1 for graph inputs and initializers. */
    int producer(String tensor) {
        return producer.getOrDefault(tensor, -1);
    }

    boolean isConstant(String tensor) {
        return constants.contains(tensor);
    }

    boolean isGraphOutput(String tensor) {
        return outputs.contains(tensor);
    }

    Onnx.TensorProto initializer(String name) {
        return initializers.get(name);
    }

    /** The declared type of a tensor (from inputs, outputs or value_info), or null. */
    Onnx.TypeProto.Tensor declaredType(String tensor) {
        return types.get(tensor);
    }

    /**
     * The shape of a constant tensor if it can be read without computing anything: an initializer, a Constant
     * node's value, or a ConstantOfShape whose shape is itself such a tensor. Null if unknown.
     */
    long[] constantShape(String tensor) {
        Onnx.TensorProto t = initializers.get(tensor);
        if (t != null) {
            return dims(t);
        }
        int p = producer(tensor);
        if (p < 0) {
            return null;
        }
        Onnx.NodeProto node = node(p);
        switch (node.getOpType()) {
            case "Constant":
                Onnx.TensorProto value = Attributes.tensor(node, "value");
                return value == null ? null : dims(value);
            case "ConstantOfShape":
                return node.getInputCount() > 0 ? constantInts(node.getInput(0)) : null;
            case "Identity", "DequantizeLinear", "QuantizeLinear", "Cast":
                return constantShape(node.getInput(0)); // an int8 model's weights, behind their dequantization
            default:
                return null;
        }
    }

    /** The tensor behind a constant: an initializer or a Constant node's value; null otherwise. */
    Onnx.TensorProto constantTensor(String tensor) {
        Onnx.TensorProto t = initializers.get(tensor);
        if (t != null) {
            return t;
        }
        int p = producer(tensor);
        return p >= 0 && node(p).getOpType().equals("Constant") ? Attributes.tensor(node(p), "value") : null;
    }

    /** The values of a small constant int64 tensor (e.g. a shape), or null if not readable. */
    long[] constantInts(String tensor) {
        Onnx.TensorProto t = constantTensor(tensor);
        if (t == null || t.getDataType() != Onnx.TensorProto.DataType.INT64_VALUE) {
            return null;
        }
        if (t.getInt64DataCount() > 0) {
            return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
        }
        if (t.hasRawData() && t.getRawData().size() % 8 == 0) {
            java.nio.ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
            long[] values = new long[raw.remaining() / 8];
            for (int i = 0; i < values.length; i++) {
                values[i] = raw.getLong();
            }
            return values;
        }
        return null;
    }

    /**
     * The values of a small constant integer tensor of any width (int8, uint8, int32, int64: a zero point, a
     * shape), or null if not readable.
     */
    long[] constantIntegers(String tensor) {
        Onnx.TensorProto t = constantTensor(tensor);
        if (t == null) {
            return null;
        }
        int type = t.getDataType();
        if (type == Onnx.TensorProto.DataType.INT64_VALUE) {
            return constantInts(tensor);
        }
        boolean bytes = type == Onnx.TensorProto.DataType.INT8_VALUE || type == Onnx.TensorProto.DataType.UINT8_VALUE;
        if (!bytes && type != Onnx.TensorProto.DataType.INT32_VALUE) {
            return null;
        }
        if (t.getInt32DataCount() > 0) { // int8 and uint8 values too are kept in int32_data
            return t.getInt32DataList().stream().mapToLong(Integer::longValue).toArray();
        }
        java.nio.ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long[] values = new long[bytes ? raw.remaining() : raw.remaining() / 4];
        for (int i = 0; i < values.length; i++) {
            values[i] = !bytes ? raw.getInt() : type == Onnx.TensorProto.DataType.UINT8_VALUE
                    ? Byte.toUnsignedInt(raw.get()) : raw.get();
        }
        return values;
    }

    /** The values of a constant float32 tensor, or null if it is not one (or its data lives in a side file). */
    float[] constantFloats(String tensor) {
        Onnx.TensorProto t = constantTensor(tensor);
        if (t == null || t.getDataType() != Onnx.TensorProto.DataType.FLOAT_VALUE) {
            return null;
        }
        if (t.getFloatDataCount() > 0) {
            float[] values = new float[t.getFloatDataCount()];
            for (int i = 0; i < values.length; i++) {
                values[i] = t.getFloatData(i);
            }
            return values;
        }
        if (t.hasRawData() && t.getRawData().size() % 4 == 0) {
            java.nio.FloatBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer();
            float[] values = new float[raw.remaining()];
            raw.get(values);
            return values;
        }
        return null;
    }

    /**
     * The element type of every tensor, followed forward from the inputs and initializers: declared types first,
     * then each op's rule (QuantizeLinear and QLinearConv give their zero point's type, DequantizeLinear float, Cast
     * its target, shape ops int64), else the type of the op's first input.
     */
    Map<String, Integer> elemTypes(List<Declaration> inputs, int inputType) {
        Map<String, Integer> types = new HashMap<>();
        inputs.forEach(d -> types.put(d.name(), d.elemType() != 0 ? d.elemType() : inputType));
        proto.getInitializerList().forEach(t -> types.put(t.getName(), t.getDataType()));
        for (int i = 0; i < nodeCount(); i++) {
            Onnx.NodeProto node = node(i);
            int type = switch (node.getOpType()) {
                case "QuantizeLinear" -> node.getInputCount() > 2 ? types.getOrDefault(node.getInput(2), 2) : 2;
                case "QLinearConv", "QLinearMatMul", "QLinearAdd" -> node.getInputCount() > 7
                        ? types.getOrDefault(node.getInput(7), 2) : 2; // the output's zero point
                case "DequantizeLinear" -> Onnx.TensorProto.DataType.FLOAT_VALUE;
                case "ConvInteger", "MatMulInteger" -> Onnx.TensorProto.DataType.INT32_VALUE;
                case "Cast" -> (int) Attributes.integer(node, "to", inputType);
                case "Shape", "Size", "ArgMax", "ArgMin", "NonZero" -> Onnx.TensorProto.DataType.INT64_VALUE;
                default -> node.getInputCount() > 0 ? types.getOrDefault(node.getInput(0), inputType) : inputType;
            };
            for (String out : node.getOutputList()) {
                Onnx.TypeProto.Tensor declared = declaredType(out);
                types.put(out, declared != null && declared.getElemType() != 0 ? declared.getElemType() : type);
            }
        }
        return types;
    }

    /** The version of the default ONNX operator set the model imports. */
    static long opset(Onnx.ModelProto model) {
        for (Onnx.OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                return o.getVersion();
            }
        }
        return 1;
    }

    private static long[] dims(Onnx.TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }
}
