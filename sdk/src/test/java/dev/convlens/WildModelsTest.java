package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convlens.onnx.Onnx;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every real model in ../shared/models/wild: those whose input is an image give a grid for every convolution;
 * the others fail with a message that says why. Skipped where ../shared is absent.
 */
class WildModelsTest {
    /** The models whose input is not an image, per ../shared/SOURCES.md. */
    private static final Set<String> NOT_IMAGES = Set.of("cat_vs_dog_flat_input_pytorch_op14.onnx");

    static Stream<String> models() throws IOException {
        Path dir = Shared.require("models/wild");
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx")).sorted().toList()
                    .stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void imageModelsGiveAGridForEveryConvolution(String name) throws IOException {
        Path file = Shared.require("models/wild/" + name);
        Path photo = Shared.require("images/dog_1080x1080.jpg");
        if (NOT_IMAGES.contains(name)) {
            assertThatThrownBy(() -> Inspector.of(file)).isInstanceOf(UnsupportedModelException.class)
                    .hasMessageContaining("not an image").hasMessageContaining("[150528]");
            System.out.printf("%-45s refused: input is not an image%n", name);
            return;
        }
        long convolutions = countConvolutionNodes(file);
        try (Inspector inspector = Inspector.of(file)) {
            List<Layer> layers = inspector.layers();
            long convLayers = layers.stream().filter(l -> l.kind() == Layer.Kind.CONVOLUTION).count();
            assertThat(convLayers).as("conv layers found").isEqualTo(convolutions);

            int[] convIndexes = layers.stream().filter(l -> l.kind() == Layer.Kind.CONVOLUTION)
                    .mapToInt(Layer::index).toArray();
            Request request = inspector.image(photo).layers(convIndexes);
            request.inspect(); // warm up: the first run creates the inspecting session
            long start = System.nanoTime();
            Inspection result = request.inspect();
            double ms = (System.nanoTime() - start) / 1e6;
            List<BufferedImage> grids = result.grid(16);
            assertThat(result.activations()).hasSize((int) convolutions);
            assertThat(grids).hasSize((int) convolutions);
            // the default set: the convolutions whose maps are more than one value (squeeze-and-excite ones are not)
            List<String> spatial = result.activations().stream().filter(m -> m.height() * m.width() > 1)
                    .map(m -> m.layer().name()).toList();
            assertThat(inspector.image(photo).activations()).extracting(m -> m.layer().name())
                    .containsExactlyElementsOf(spatial);
            for (int i = 0; i < grids.size(); i++) {
                FeatureMap map = result.activations().get(i);
                int columns = Math.min(16, map.channels());
                int rows = (map.channels() + 15) / 16;
                assertThat(grids.get(i).getWidth()).isEqualTo(columns * (map.width() + 1) - 1);
                assertThat(grids.get(i).getHeight()).isEqualTo(rows * (map.height() + 1) - 1);
            }
            assertSameOutputs(result.outputs(), request.outputs(), name);
            System.out.printf("%-45s %3d conv (%3d spatial) + %2d pooling layers, %7.1f ms per image (inspect, all conv"
                    + " layers)%n", name, convLayers, spatial.size(), layers.size() - convLayers, ms);
        }
    }

    /**
     * Outputs with every layer exposed equal the plain model's: normwise relative difference
     * {@code ||exposed - plain|| / ||plain||} at most 1e-5 for each output. (Most models give identical bits; where
     * exposing a tensor keeps ONNX Runtime from fusing a Conv with the Add after it, sums round differently.)
     */
    static void assertSameOutputs(List<Tensor> exposed, List<Tensor> plain, String model) {
        assertThat(exposed).hasSameSizeAs(plain);
        for (int t = 0; t < plain.size(); t++) {
            float[] a = exposed.get(t).values();
            float[] b = plain.get(t).values();
            assertThat(a).hasSameSizeAs(b);
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < b.length; i++) {
                diff += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
                norm += (double) b[i] * b[i];
            }
            double relative = norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
            assertThat(relative).as("%s output %s: normwise relative difference", model, plain.get(t).name())
                    .isLessThanOrEqualTo(1e-5);
        }
    }

    /** Conv and ConvTranspose nodes, counted straight from the protobuf. */
    private static long countConvolutionNodes(Path file) throws IOException {
        Onnx.ModelProto model = Onnx.ModelProto.parseFrom(Files.readAllBytes(file));
        return model.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("Conv") || n.getOpType().equals("ConvTranspose")).count();
    }

    /**
     * PyTorch's {@code nn.Linear} layers of the cats-vs-dogs model are listed as dense layers with their weights
     * counted, and their units are values: the last one's equal the model's output, and each is the previous one's
     * Gemm, computed here from the weights in the file ({@code y = x W^T + b}).
     */
    @Test
    void denseLayersAreListedAndTheirUnitsAreTheGemmsValues() throws IOException {
        Path file = Shared.require("models/wild/cat_vs_dog_pytorch_op13.onnx");
        try (Inspector inspector = Inspector.of(file)) {
            List<Layer> dense = inspector.layers().stream().filter(l -> l.kind() == Layer.Kind.DENSE).toList();
            assertThat(dense).extracting(Layer::name).containsExactly("FC.0", "FC.3");
            assertThat(dense).extracting(Layer::opTypes).containsExactly(List.of("Gemm", "Relu"), List.of("Gemm"));
            assertThat(dense).extracting(Layer::shape).containsExactly("(512,)", "(2,)");
            assertThat(dense).extracting(Layer::parameters).containsExactly(576L * 512 + 512, 512L * 2 + 2);
            assertThat(inspector.summary()).contains("FC.0", "Gemm+Relu", "(512,)", "295,424");

            Inspection result = inspector.image(Shared.require("images/dog_1080x1080.jpg")).layers("FC.0", "FC.3")
                    .inspect();
            FeatureMap hidden = result.activation("FC.0");
            FeatureMap logits = result.activation("FC.3");
            assertThat(hidden.channels()).isEqualTo(512);
            assertThat(hidden.height()).isEqualTo(1);
            assertThat(hidden.width()).isEqualTo(1);
            assertThat(logits.values()).containsExactly(result.output().values());
            Onnx.GraphProto graph = Onnx.ModelProto.parseFrom(Files.readAllBytes(file)).getGraph();
            float[] w = initializer(graph, "FC.3.weight");
            float[] b = initializer(graph, "FC.3.bias");
            float[] x = hidden.values();
            for (int o = 0; o < 2; o++) {
                double y = b[o];
                for (int i = 0; i < 512; i++) {
                    y += (double) x[i] * w[o * 512 + i];
                }
                assertThat(logits.value(o, 0, 0)).as("unit " + o).isCloseTo((float) y,
                        org.assertj.core.api.Assertions.within(1e-4f * Math.max(1, Math.abs((float) y))));
            }
            double smallest = Double.MAX_VALUE;
            double largest = 0;
            for (float v : x) {
                smallest = Math.min(smallest, v);
                largest = Math.max(largest, v);
            }
            assertThat(smallest).as("Relu units").isGreaterThanOrEqualTo(0);
            assertThat(largest).as("Relu units").isPositive();
        }
    }

    private static float[] initializer(Onnx.GraphProto graph, String name) {
        Onnx.TensorProto t = graph.getInitializerList().stream().filter(i -> i.getName().equals(name)).findFirst()
                .orElseThrow();
        float[] values = new float[t.getRawData().size() / 4];
        ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }
}
