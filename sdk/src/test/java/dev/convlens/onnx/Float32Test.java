package dev.convlens.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The float32 copy of a float16 model ({@link ModelFile#inFloat32()}): a model written here with float16 in every
 * place a model can hold it, its values given as float16 bit patterns whose values the IEEE 754 format defines.
 */
class Float32Test {
    private static final int FLOAT = Onnx.TensorProto.DataType.FLOAT_VALUE;
    private static final int FLOAT16 = Onnx.TensorProto.DataType.FLOAT16_VALUE;
    /** Weights as raw data: 1, -2, the largest float16 (65504), the smallest subnormal (2^-24). */
    private static final short[] W = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001};
    private static final float[] W_VALUES = {1f, -2f, 65504f, 0x1p-24f};
    /** Biases as int32_data, the other way ONNX stores float16: 0.333251953125, -0, the smallest normal, -infinity. */
    private static final short[] B = {0x3555, (short) 0x8000, 0x0400, (short) 0xFC00};
    private static final float[] B_VALUES = {0.333251953125f, -0f, 0x1p-14f, Float.NEGATIVE_INFINITY};
    /** A Constant node's value: 3. */
    private static final short C = 0x4200;

    /** {@code y = Cast16(Cast32((x * w + b) * c))}, all float16, with {@code a = x * w + b} declared in value_info. */
    private static Onnx.ModelProto float16Model(Onnx.TensorProto w) {
        Onnx.TensorProto.Builder b = Onnx.TensorProto.newBuilder().setName("b").setDataType(FLOAT16).addDims(4);
        for (short bits : B) {
            b.addInt32Data(bits & 0xFFFF);
        }
        Onnx.TensorProto c = Onnx.TensorProto.newBuilder().setDataType(FLOAT16).addDims(1)
                .setRawData(halves(C)).build();
        Onnx.GraphProto graph = Onnx.GraphProto.newBuilder().setName("half")
                .addInitializer(w).addInitializer(b)
                .addNode(node("Constant", List.of(), "c", Onnx.AttributeProto.newBuilder().setName("value")
                        .setType(Onnx.AttributeProto.AttributeType.TENSOR).setT(c).build()))
                .addNode(node("Mul", List.of("x", "w"), "m"))
                .addNode(node("Add", List.of("m", "b"), "a"))
                .addNode(node("Mul", List.of("a", "c"), "s"))
                .addNode(node("Cast", List.of("s"), "f", TinyModel.integer("to", FLOAT)))
                .addNode(node("Cast", List.of("f"), "y", TinyModel.integer("to", FLOAT16)))
                .addInput(declared("x")).addOutput(declared("y")).addValueInfo(declared("a"))
                .build();
        return Onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph).build();
    }

    private static Onnx.TensorProto.Builder weights() {
        return Onnx.TensorProto.newBuilder().setName("w").setDataType(FLOAT16).addDims(4);
    }

    @Test
    void everyFloat16BecomesFloat32AndTheCopyComputesInFloat32() throws OrtException {
        ModelFile half = ModelFile.of(float16Model(weights().setRawData(halves(W)).build()).toByteArray());
        ModelFile full = half.inFloat32();
        assertThat(half.inFloat32()).as("made once").isSameAs(full);
        Onnx.GraphProto g = full.proto().getGraph();
        assertThat(g.getInitializerList()).allMatch(t -> t.getDataType() == FLOAT && t.getInt32DataCount() == 0);
        assertThat(floats(g.getInitializer(0))).containsExactly(W_VALUES);
        assertThat(floats(g.getInitializer(1))).containsExactly(B_VALUES);
        Onnx.TensorProto c = g.getNode(0).getAttribute(0).getT();
        assertThat(c.getDataType()).isEqualTo(FLOAT);
        assertThat(floats(c)).containsExactly(3f);
        assertThat(g.getNodeList().stream().filter(n -> n.getOpType().equals("Cast"))
                .map(n -> n.getAttribute(0).getI())).containsExactly((long) FLOAT, (long) FLOAT);
        assertThat(List.of(g.getInput(0), g.getOutput(0), g.getValueInfo(0)))
                .allMatch(v -> v.getType().getTensorType().getElemType() == FLOAT);

        float[] x = {1, 2, 3, 4};
        float[] expected = new float[4];
        for (int i = 0; i < 4; i++) { // 3 * 65504 * 3 is past float16's range, within float32's
            expected[i] = (x[i] * W_VALUES[i] + B_VALUES[i]) * 3f;
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(full.bytes());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {4});
             OrtSession.Result result = session.run(Map.of("x", input))) {
            FloatBuffer y = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] actual = new float[y.remaining()];
            y.get(actual);
            assertThat(actual).containsExactly(expected);
        }
    }

    @Test
    void float16WeightsInAnExternalFileAreReadIntoTheCopy(@TempDir Path dir) throws IOException {
        byte[] side = new byte[8 + 2 * W.length]; // 8 bytes of another tensor first
        new Random(1).nextBytes(side);
        halves(W).copyTo(side, 8);
        Files.write(dir.resolve("weights.bin"), side);
        Onnx.TensorProto w = weights().setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", "weights.bin")).addExternalData(entry("offset", "8"))
                .addExternalData(entry("length", String.valueOf(2 * W.length))).build();
        Path file = dir.resolve("model.onnx");
        Files.write(file, float16Model(w).toByteArray());
        Onnx.TensorProto copied = ModelFile.read(file).inFloat32().proto().getGraph().getInitializer(0);
        assertThat(copied.getExternalDataCount()).isZero();
        assertThat(copied.getDataLocation()).isEqualTo(Onnx.TensorProto.DataLocation.DEFAULT);
        assertThat(floats(copied)).containsExactly(W_VALUES);
    }

    @Test
    void aFloat32ModelIsItsOwnCopy() {
        TinyModel m = new TinyModel(13, new long[] {1, 2}, new Random(1));
        ModelFile model = m.model(m.node("Relu"), List.of());
        assertThat(model.inFloat32()).isSameAs(model);
    }

    private static ByteString halves(short... bits) {
        ByteBuffer raw = ByteBuffer.allocate(2 * bits.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short b : bits) {
            raw.putShort(b);
        }
        return ByteString.copyFrom(raw.array());
    }

    private static float[] floats(Onnx.TensorProto t) {
        FloatBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] values = new float[raw.remaining()];
        raw.get(values);
        return values;
    }

    private static Onnx.NodeProto node(String op, List<String> inputs, String output,
                                       Onnx.AttributeProto... attributes) {
        return Onnx.NodeProto.newBuilder().setOpType(op).setName(output).addAllInput(inputs).addOutput(output)
                .addAllAttribute(List.of(attributes)).build();
    }

    private static Onnx.ValueInfoProto declared(String name) {
        return ValueInfo.of(name, FLOAT16, new long[] {4});
    }

    private static Onnx.StringStringEntryProto entry(String key, String value) {
        return Onnx.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
