package dev.convlens.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedInputStream;
import dev.convlens.Python;
import dev.convlens.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RewriterTest {
    static Stream<String> models() throws IOException {
        Path dir = Shared.require("models/wild");
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx")).sorted().toList()
                    .stream();
        }
    }

    /** Where the graph field's payload sits in a serialized model: {fieldStart, payloadStart, payloadEnd}. */
    private static int[] graphField(byte[] model) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(model);
        int[] found = null;
        for (int start = in.getTotalBytesRead(), tag = in.readTag(); tag != 0;
             start = in.getTotalBytesRead(), tag = in.readTag()) {
            if (tag >>> 3 == 7) {
                int length = in.readRawVarint32();
                found = new int[] {start, in.getTotalBytesRead(), in.getTotalBytesRead() + length};
                in.skipRawBytes(length);
            } else {
                in.skipField(tag);
            }
        }
        return found;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void addsOutputsAndLeavesEveryOtherByteAsItWas(String name, @TempDir Path dir) throws Exception {
        byte[] original = Files.readAllBytes(Shared.require("models/wild/" + name));
        Onnx.ModelProto parsed = Onnx.ModelProto.parseFrom(original);
        LayerCatalog catalog = LayerCatalog.of(ModelFile.of(original));
        List<Rewriter.Output> outputs = new ArrayList<>();
        for (LayerInfo layer : catalog.layers()) {
            outputs.add(new Rewriter.Output(layer.output(), layer.elemType(), 4));
        }
        byte[] rewritten = TinyModel.array(Rewriter.expose(original, outputs));

        int[] before = graphField(original);
        int[] after = graphField(rewritten);
        assertThat(Arrays.copyOfRange(rewritten, 0, after[0])).as("bytes before the graph")
                .isEqualTo(Arrays.copyOfRange(original, 0, before[0]));
        assertThat(Arrays.copyOfRange(rewritten, after[1], after[1] + before[2] - before[1])).as("the graph's bytes")
                .isEqualTo(Arrays.copyOfRange(original, before[1], before[2]));
        assertThat(Arrays.copyOfRange(rewritten, after[2], rewritten.length)).as("bytes after the graph")
                .isEqualTo(Arrays.copyOfRange(original, before[2], original.length));

        Onnx.GraphProto graph = Onnx.ModelProto.parseFrom(rewritten).getGraph();
        int old = parsed.getGraph().getOutputCount();
        assertThat(graph.getOutputList().subList(0, old)).isEqualTo(parsed.getGraph().getOutputList());
        assertThat(graph.getOutputCount()).isEqualTo(old + outputs.size());
        for (int i = 0; i < outputs.size(); i++) {
            Onnx.ValueInfoProto added = graph.getOutput(old + i);
            assertThat(added.getName()).isEqualTo(outputs.get(i).name());
            Onnx.TypeProto.Tensor type = added.getType().getTensorType();
            assertThat(type.getElemType()).isIn(1, 10);
            assertThat(type.getShape().getDimCount()).isEqualTo(4);
            assertThat(type.getShape().getDimList()).allSatisfy(d -> {
                assertThat(d.hasDimValue()).isFalse();
                assertThat(d.hasDimParam()).isFalse();
            });
        }
        checkWithOnnx(rewritten, dir.resolve("rewritten.onnx"));
    }

    /** The ONNX checker (Debian's python3-onnx) accepts the saved model; skipped where it is not installed. */
    private static void checkWithOnnx(byte[] model, Path file) throws Exception {
        Files.write(file, model);
        String out = Python.run("import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1])); print('ok')",
                file.toString());
        assertThat(out.trim()).as("onnx.checker on the rewritten model").endsWith("ok");
    }
}
