package dev.convlens.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;

/**
 * A float32 model of a few nodes, built by a test: graph input {@link #INPUT}, {@code TARGET = Identity(INPUT)},
 * then whatever nodes the test adds after {@link #TARGET}. Constants are initializers with random values from a seeded
 * generator, so a model is the same on every run. Its attribute writers serve the other tests' models too.
 */
public final class TinyModel {
    static final String INPUT = "x";
    static final String TARGET = "t";

    private final long opset;
    private final Random random;
    private final List<Onnx.NodeProto> nodes = new ArrayList<>();
    private final List<Onnx.TensorProto> initializers = new ArrayList<>();
    private final List<Onnx.ValueInfoProto> inputs = new ArrayList<>();

    TinyModel(long opset, long[] inputShape, Random random) {
        this.opset = opset;
        this.random = random;
        inputs.add(valueInfo(INPUT, inputShape));
        nodes.add(Onnx.NodeProto.newBuilder().setName("target").setOpType("Identity").addInput(INPUT)
                .addOutput(TARGET).build());
    }

    long opset() {
        return opset;
    }

    /** Adds a node of one output, named after its op and position, and returns that output. */
    String node(String op, List<String> in, Onnx.AttributeProto... attributes) {
        String name = op + "_" + nodes.size();
        nodes.add(Onnx.NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(in).addOutput(name)
                .addAllAttribute(List.of(attributes)).build());
        return name;
    }

    /**
     * Gives the node that wrote {@code output} {@code count} outputs in all ({@code output}, {@code output_1}, ...),
     * and returns them.
     */
    List<String> outputs(String output, int count) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).getOutput(0).equals(output)) {
                Onnx.NodeProto.Builder node = nodes.get(i).toBuilder();
                for (int k = 1; k < count; k++) {
                    node.addOutput(output + "_" + k);
                }
                nodes.set(i, node.build());
                return node.getOutputList();
            }
        }
        throw new IllegalArgumentException("no node writes " + output);
    }

    /** {@link #node(String, List, Onnx.AttributeProto...)} of the target alone. */
    String node(String op, Onnx.AttributeProto... attributes) {
        return node(op, List.of(TARGET), attributes);
    }

    /** A constant of normally distributed values, standard deviation 0.5. */
    String weights(long... dims) {
        float[] v = new float[size(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * 0.5);
        }
        return floats(v, dims);
    }

    /** A constant of values in [0.5, 1.5): variances and divisors, kept away from 0. */
    String positive(long... dims) {
        float[] v = new float[size(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = 0.5f + random.nextFloat();
        }
        return floats(v, dims);
    }

    String floats(float[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putFloat(v);
        }
        return initializer(Onnx.TensorProto.DataType.FLOAT_VALUE, raw.array(), dims);
    }

    /** A float32 scalar written by a Constant node, as exporters write bounds and factors. */
    String constantNode(float value) {
        Onnx.TensorProto t = Onnx.TensorProto.newBuilder().setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                .addFloatData(value).build();
        return node("Constant", List.of(), Onnx.AttributeProto.newBuilder().setName("value")
                .setType(Onnx.AttributeProto.AttributeType.TENSOR).setT(t).build());
    }

    /** A one-dimensional int64 constant: a shape or a list of axes. */
    String int64s(long... values) {
        return initializer(Onnx.TensorProto.DataType.INT64_VALUE, longBytes(values), values.length);
    }

    /** An int64 constant of rank 0: an index that drops its axis. */
    String int64Scalar(long value) {
        return initializer(Onnx.TensorProto.DataType.INT64_VALUE, longBytes(value));
    }

    private static byte[] longBytes(long... values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            raw.putLong(v);
        }
        return raw.array();
    }

    private String initializer(int type, byte[] raw, long... dims) {
        String name = "const_" + initializers.size();
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(type)
                .setRawData(ByteString.copyFrom(raw));
        for (long d : dims) {
            t.addDims(d);
        }
        initializers.add(t.build());
        return name;
    }

    /** Another graph input: a tensor that is neither constant nor computed from the target. */
    String input(String name, long... dims) {
        inputs.add(valueInfo(name, dims));
        return name;
    }

    List<Onnx.ValueInfoProto> inputs() {
        return List.copyOf(inputs);
    }

    /**
     * The model whose outputs are {@code output} (float32) and then {@code exposed}, those without a declared type
     * (ONNX Runtime infers it), each tensor of the exposed ones that is not already an input.
     */
    ModelFile model(String output, Collection<String> exposed) {
        Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder().setName("tiny").addAllNode(nodes)
                .addAllInitializer(initializers).addAllInput(inputs).addOutput(valueInfo(output, null));
        for (String name : exposed) {
            if (!name.equals(output) && inputs.stream().noneMatch(i -> i.getName().equals(name))) {
                graph.addOutput(Onnx.ValueInfoProto.newBuilder().setName(name));
            }
        }
        return ModelFile.of(Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("convlens-tests")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph).build().toByteArray());
    }

    static int size(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    private static Onnx.ValueInfoProto valueInfo(String name, long[] dims) {
        Onnx.TypeProto.Tensor.Builder type = Onnx.TypeProto.Tensor.newBuilder()
                .setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE);
        if (dims != null) {
            Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
            for (long d : dims) {
                shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
            type.setShape(shape);
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name)
                .setType(Onnx.TypeProto.newBuilder().setTensorType(type)).build();
    }

    // ---- attributes: GraphWriter's, under the names the tests read best ----

    /** An INTS attribute. */
    public static Onnx.AttributeProto ints(String name, long... values) {
        return GraphWriter.ints(name, values);
    }

    static Onnx.AttributeProto integer(String name, long value) {
        return GraphWriter.int1(name, value);
    }

    static Onnx.AttributeProto reals(String name, float... values) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name)
                .setType(Onnx.AttributeProto.AttributeType.FLOATS);
        for (float v : values) {
            a.addFloats(v);
        }
        return a.build();
    }

    static Onnx.AttributeProto real(String name, float value) {
        return GraphWriter.float1(name, value);
    }

    static Onnx.AttributeProto string(String name, String value) {
        return GraphWriter.string1(name, value);
    }

    /** The bytes of a serialized model, from its buffer's position to its limit. */
    public static byte[] array(java.nio.ByteBuffer model) {
        byte[] bytes = new byte[model.remaining()];
        model.duplicate().get(bytes);
        return bytes;
    }
}
