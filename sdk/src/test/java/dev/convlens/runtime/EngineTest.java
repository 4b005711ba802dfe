package dev.convlens.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convlens.onnx.ModelFile;
import dev.convlens.onnx.Onnx;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the engine reads back from ONNX Runtime's outputs. */
class EngineTest {
    private static Onnx.ValueInfoProto declare(String name, int type, long... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
    }

    private static Onnx.NodeProto cast(String in, String out, int to) {
        return Onnx.NodeProto.newBuilder().setOpType("Cast").addInput(in).addOutput(out)
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("to")
                        .setType(Onnx.AttributeProto.AttributeType.INT).setI(to)).build();
    }

    @Test
    void integerAndDoubleOutputsComeBackAsFloats() {
        // x [1, 4] -> ArgMax (int64), Cast to float64, Cast to int32
        byte[] model = Onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(Onnx.GraphProto.newBuilder().setName("types")
                        .addNode(Onnx.NodeProto.newBuilder().setOpType("ArgMax").addInput("x").addOutput("index")
                                .addAttribute(Onnx.AttributeProto.newBuilder().setName("axis").setI(1)
                                        .setType(Onnx.AttributeProto.AttributeType.INT)))
                        .addNode(cast("x", "doubles", 11))
                        .addNode(cast("x", "ints", 6))
                        .addInput(declare("x", 1, 1, 4))
                        .addOutput(declare("index", 7, 1, 1))
                        .addOutput(declare("doubles", 11, 1, 4))
                        .addOutput(declare("ints", 6, 1, 4)))
                .build().toByteArray();
        ModelFile file = ModelFile.of(model);
        try (Engine engine = Engine.open(file, Engine.load(file, 1, false), List.of(), List.of(), Long.MAX_VALUE)) {
            Map<String, Values> out = engine.run("x", new float[] {-2.5f, 7.25f, 3f, -40f}, new long[] {1, 4}, false,
                    new LinkedHashSet<>(engine.modelOutputs()));
            assertThat(out.keySet()).containsExactly("index", "doubles", "ints");
            assertThat(out.get("index").planes()[0]).containsExactly(1f);
            assertThat(out.get("doubles").planes()[0]).containsExactly(-2.5f, 7.25f, 3f, -40f);
            assertThat(out.get("ints").planes()[0]).containsExactly(-2f, 7f, 3f, -40f);
            assertThat(out.get("ints").shape()).containsExactly(1, 4);
        }
    }
}
