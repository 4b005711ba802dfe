package dev.convlens.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Appends nodes and constants to a graph being extended, each named under one prefix so that nothing clashes with the
 * model's own names, and in the form the model's opset has for each op (attributes or inputs).
 */
final class GraphWriter {
    static final int FLOAT = Onnx.TensorProto.DataType.FLOAT_VALUE;
    static final int UINT8 = Onnx.TensorProto.DataType.UINT8_VALUE;
    static final int INT32 = Onnx.TensorProto.DataType.INT32_VALUE;
    static final int INT64 = Onnx.TensorProto.DataType.INT64_VALUE;
    static final int DOUBLE = Onnx.TensorProto.DataType.DOUBLE_VALUE;

    private final Onnx.GraphProto.Builder out;
    private final long opset;
    private final String prefix;
    private int counter;

    GraphWriter(Onnx.GraphProto.Builder out, long opset, String prefix) {
        this.out = out;
        this.opset = opset;
        this.prefix = prefix;
    }

    long opset() {
        return opset;
    }

    /** A name no other tensor has. */
    String fresh(String what) {
        return prefix + what + "_" + counter++;
    }

    /** Appends a node written elsewhere (a copy of one of the model's own). */
    void add(Onnx.NodeProto node) {
        out.addNode(node);
    }

    /** Replaces one of the model's own nodes (to give it another output). */
    void replace(int index, Onnx.NodeProto node) {
        out.setNode(index, node);
    }

    String emit(String op, String a) {
        return emit(op, List.of(a));
    }

    String emit(String op, String a, String b) {
        return emit(op, List.of(a, b));
    }

    String emit(String op, List<String> inputs, Onnx.AttributeProto... attributes) {
        return emitAs(op, inputs, fresh(op), attributes);
    }

    String emitAs(String op, List<String> inputs, String output, Onnx.AttributeProto... attributes) {
        out.addNode(Onnx.NodeProto.newBuilder().setOpType(op).setName(output).addAllInput(inputs).addOutput(output)
                .addAllAttribute(List.of(attributes)));
        return output;
    }

    /** A node with several outputs, of which the first is used: the rest are declared, as the op requires. */
    String emitFirst(String op, List<String> inputs, int outputs, Onnx.AttributeProto... attributes) {
        String first = fresh(op);
        Onnx.NodeProto.Builder node = Onnx.NodeProto.newBuilder().setOpType(op).setName(first).addAllInput(inputs)
                .addOutput(first).addAllAttribute(List.of(attributes));
        for (int i = 1; i < outputs; i++) {
            node.addOutput(first + "_" + i);
        }
        out.addNode(node);
        return first;
    }

    String mul(String a, String b) {
        return emit("Mul", a, b);
    }

    String add(String a, String b) {
        return emit("Add", a, b);
    }

    String sub(String a, String b) {
        return emit("Sub", a, b);
    }

    String reshape(String x, long... shape) {
        return emit("Reshape", x, int64(shape));
    }

    String transpose(String x, long... perm) {
        return emit("Transpose", List.of(x), ints("perm", perm));
    }

    String cast(String x, int type) {
        return emit("Cast", List.of(x), int1("to", type));
    }

    /** Elements of {@code data} at {@code indices} along an axis. */
    String gather(String data, String indices, long axis) {
        return emit("Gather", List.of(data, indices), int1("axis", axis));
    }

    /** {@code a} where {@code condition}, else {@code b}. */
    String where(String condition, String a, String b) {
        return emit("Where", List.of(condition, a, b));
    }

    /** Dimensions of 1 inserted at axes, in the form the opset has (an attribute before 13, an input from 13). */
    String unsqueeze(String x, long... axes) {
        if (opset >= 13) {
            return emit("Unsqueeze", List.of(x, int64(axes)));
        }
        return emit("Unsqueeze", List.of(x), ints("axes", axes));
    }

    /** One dimension of a tensor's shape, read when the model runs: an int64 scalar. */
    String dimension(String tensor, long axis) {
        return gather(emit("Shape", tensor), int64Scalar(axis), 0);
    }

    /** 1.0 where {@code a op b}, else 0.0. */
    String mask(String op, String a, String b) {
        return emit("Cast", List.of(emit(op, a, b)), int1("to", FLOAT));
    }

    /** A reduction ({@code ReduceSum}, {@code ReduceMean}) over axes, keeping them as dimensions of 1. */
    String reduce(String op, String x, long... axes) {
        if (axesAreInput(op, opset)) {
            return emit(op, List.of(x, int64(axes)), int1("keepdims", 1));
        }
        return emit(op, List.of(x), ints("axes", axes), int1("keepdims", 1));
    }

    /** Whether a reduction takes its axes as an input rather than an attribute, at an opset. */
    static boolean axesAreInput(String op, long opset) {
        return opset >= (op.equals("ReduceSum") ? 13 : 18);
    }

    /** Elements {@code start} to {@code end} of one axis. */
    String slice(String x, long axis, long start, long end) {
        if (opset >= 10) {
            return emit("Slice", List.of(x, int64(start), int64(end), int64(axis)));
        }
        return emit("Slice", List.of(x), ints("starts", start), ints("ends", end), ints("axes", axis));
    }

    /** Every {@code steps[i]}-th element of {@code axes[i]} from {@code starts[i]} on (opset 10 and later). */
    String strided(String x, long[] starts, long[] axes, long[] steps) {
        long[] ends = new long[starts.length];
        Arrays.fill(ends, Long.MAX_VALUE);
        return emit("Slice", List.of(x, int64(starts), int64(ends), int64(axes), int64(steps)));
    }

    /** A float32 tensor of zeros (opset 9 and later). */
    String zeros(long... shape) {
        return constantOfShape(int64(shape));
    }

    /** Zeros of a tensor's shape, read when the model runs (opset 9 and later). */
    String zerosLike(String tensor) {
        return constantOfShape(emit("Shape", tensor));
    }

    private String constantOfShape(String shape) {
        Onnx.TensorProto zero = Onnx.TensorProto.newBuilder().setDataType(FLOAT).addDims(1)
                .setRawData(ByteString.copyFrom(new byte[4])).build();
        return emit("ConstantOfShape", List.of(shape), Onnx.AttributeProto.newBuilder().setName("value")
                .setType(Onnx.AttributeProto.AttributeType.TENSOR).setT(zero).build());
    }

    /** The int64 positions 0, 1, 2... of a tensor's elements, in its shape. */
    String positions(long... shape) {
        long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        if (opset >= 11) { // ONNX Runtime folds a Range of constants when it loads the model, so none is stored here
            return reshape(emit("Range", List.of(int64Scalar(0), int64Scalar(n), int64Scalar(1))), shape);
        }
        long[] values = new long[Math.toIntExact(n)];
        Arrays.setAll(values, i -> i);
        return initializer(INT64, longBytes(values), shape);
    }

    String scalar(float value) {
        return floats(new float[] {value});
    }

    String floats(float[] values, long... dims) {
        ByteBuffer raw = littleEndian(values.length * 4);
        raw.asFloatBuffer().put(values);
        return initializer(FLOAT, raw.array(), dims);
    }

    /** A one-dimensional int64 constant: a shape, axes, pads. */
    String int64(long... values) {
        return initializer(INT64, longBytes(values), values.length);
    }

    /** A float64 constant of any shape. */
    String doubles(double[] values, long... dims) {
        ByteBuffer raw = littleEndian(values.length * 8);
        raw.asDoubleBuffer().put(values);
        return initializer(DOUBLE, raw.array(), dims);
    }

    String scalar(double value) {
        return doubles(new double[] {value});
    }

    /** An int32 constant of any shape. */
    String int32(int[] values, long... dims) {
        ByteBuffer raw = littleEndian(values.length * 4);
        raw.asIntBuffer().put(values);
        return initializer(INT32, raw.array(), dims);
    }

    String int64Scalar(long value) {
        return initializer(INT64, longBytes(value));
    }

    private String initializer(int type, byte[] raw, long... dims) {
        String name = fresh("const");
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(type)
                .setRawData(ByteString.copyFrom(raw));
        for (long d : dims) {
            t.addDims(d);
        }
        out.addInitializer(t);
        return name;
    }

    private static byte[] longBytes(long... values) {
        ByteBuffer raw = littleEndian(values.length * 8);
        raw.asLongBuffer().put(values);
        return raw.array();
    }

    /** A buffer for a tensor's raw data, which ONNX keeps little-endian. */
    private static ByteBuffer littleEndian(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    static Onnx.AttributeProto ints(String name, long... values) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static Onnx.AttributeProto int1(String name, long value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT)
                .setI(value).build();
    }

    static Onnx.AttributeProto float1(String name, float value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.FLOAT)
                .setF(value).build();
    }

    static Onnx.AttributeProto string1(String name, String value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }
}
