package dev.convlens.onnx;

import com.google.protobuf.ByteString;
import dev.convlens.ModelException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The float32 copy of a float16 model, which the models derived from it (gradient models, tails, models that expose
 * inner tensors) are built from: ConvLens feeds them float32 and reads float32 back, and its gradient rules write
 * float32 constants. Float16 weights and constants become float32 (exactly: every float16 value is a float32 value),
 * Casts to float16 cast to float32, and declared float16 inputs, outputs and inner tensors are declared float32, so
 * the copy computes what the model computes, with float32 rounding instead of float16's.
 *
 * <p>Subgraphs (the bodies of If, Loop, Scan), which ConvLens's reading of ONNX does not parse, stay as they are.
 */
final class Float32 {
    private static final int FLOAT = Onnx.TensorProto.DataType.FLOAT_VALUE;
    private static final int FLOAT16 = Onnx.TensorProto.DataType.FLOAT16_VALUE;
    /** The attributes that name an element type: Cast's target, and the dtype of EyeLike, RandomNormal and others. */
    private static final List<String> TYPE_ATTRIBUTES = List.of("to", "dtype");

    private Float32() {
    }

    /** Whether a model has anything in float16: a weight, a constant, a Cast, a declared tensor. */
    static boolean needed(Onnx.ModelProto model) {
        Onnx.GraphProto g = model.getGraph();
        return g.getInitializerList().stream().anyMatch(t -> t.getDataType() == FLOAT16)
                || g.getNodeList().stream().flatMap(n -> n.getAttributeList().stream())
                        .anyMatch(a -> a.hasT() && a.getT().getDataType() == FLOAT16 || namesFloat16(a))
                || Stream.of(g.getInputList(), g.getOutputList(), g.getValueInfoList()).flatMap(List::stream)
                        .anyMatch(v -> v.getType().getTensorType().getElemType() == FLOAT16);
    }

    private static boolean namesFloat16(Onnx.AttributeProto a) {
        return a.getType() == Onnx.AttributeProto.AttributeType.INT && TYPE_ATTRIBUTES.contains(a.getName())
                && a.getI() == FLOAT16;
    }

    /**
     * The model with float16 replaced by float32 throughout.
     *
     * @param directory where external weight files are, or null for a model from bytes (which has none)
     * @throws ModelException if an external weight file cannot be read
     */
    static Onnx.ModelProto of(Onnx.ModelProto model, Path directory) {
        Onnx.GraphProto.Builder g = model.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            g.setInitializer(i, widen(g.getInitializer(i), directory));
        }
        for (int i = 0; i < g.getNodeCount(); i++) {
            Onnx.NodeProto.Builder n = g.getNodeBuilder(i);
            for (int k = 0; k < n.getAttributeCount(); k++) {
                Onnx.AttributeProto a = n.getAttribute(k);
                if (a.hasT()) {
                    n.setAttribute(k, a.toBuilder().setT(widen(a.getT(), directory)));
                } else if (namesFloat16(a)) {
                    n.setAttribute(k, a.toBuilder().setI(FLOAT));
                }
            }
        }
        for (List<Onnx.ValueInfoProto.Builder> declared : List.of(g.getInputBuilderList(), g.getOutputBuilderList(),
                g.getValueInfoBuilderList())) {
            for (Onnx.ValueInfoProto.Builder v : declared) {
                if (v.getType().getTensorType().getElemType() == FLOAT16) {
                    v.getTypeBuilder().getTensorTypeBuilder().setElemType(FLOAT);
                }
            }
        }
        return model.toBuilder().setGraph(g).build();
    }

    /** A float16 tensor as float32, in raw little-endian data; any other tensor as it is. */
    private static Onnx.TensorProto widen(Onnx.TensorProto t, Path directory) {
        if (t.getDataType() != FLOAT16) {
            return t;
        }
        ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(count(t), Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        if (t.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL || t.hasRawData()) {
            ByteString raw = t.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL ? external(t, directory)
                    : t.getRawData();
            ShortBuffer halves = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
            while (halves.hasRemaining() && out.hasRemaining()) {
                out.putFloat(value(halves.get()));
            }
        } else { // int32_data holds one float16's bits in the low 16 bits of each element
            for (int i = 0; i < t.getInt32DataCount() && out.hasRemaining(); i++) {
                out.putFloat(value((short) t.getInt32Data(i)));
            }
        }
        out.rewind();
        return t.toBuilder().setDataType(FLOAT).clearInt32Data().clearExternalData().clearDataLocation()
                .setRawData(ByteString.copyFrom(out)).build();
    }

    /** The value of a float16 (IEEE 754 binary16) from its bits; every one is a float32 value. */
    private static float value(short bits) {
        int exponent = bits >> 10 & 0x1F;
        int fraction = bits & 0x3FF;
        float magnitude;
        if (exponent == 0x1F) {
            magnitude = fraction == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else if (exponent == 0) { // zero or subnormal
            magnitude = fraction * 0x1p-24f;
        } else { // rebias the exponent from 15 to 127, widen the fraction from 10 bits to 23
            magnitude = Float.intBitsToFloat((exponent + 112) << 23 | fraction << 13);
        }
        return bits < 0 ? -magnitude : magnitude;
    }

    /** The number of elements a tensor's dims make. */
    private static int count(Onnx.TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            n = Math.multiplyExact(n, d);
        }
        return Math.toIntExact(n);
    }

    /** The bytes of a tensor kept in an external file, which {@link ModelFile} has checked are there. */
    private static ByteString external(Onnx.TensorProto t, Path directory) {
        String location = "";
        long offset = 0;
        long length = -1;
        for (Onnx.StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = Long.parseLong(e.getValue());
                case "length" -> length = Long.parseLong(e.getValue());
                default -> { }
            }
        }
        Path file = directory.resolve(location);
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            byte[] bytes = new byte[Math.toIntExact(length >= 0 ? length : in.length() - offset)];
            in.seek(offset);
            in.readFully(bytes);
            return ByteString.copyFrom(bytes);
        } catch (IOException e) {
            throw new ModelException("cannot read the float16 weights of '" + t.getName() + "' from " + file
                    + " to make a float32 copy of the model: " + e.getMessage(), e);
        }
    }
}
