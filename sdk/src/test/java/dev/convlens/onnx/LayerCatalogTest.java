package dev.convlens.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.protobuf.ByteString;
import dev.convlens.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LayerCatalogTest {
    @Test
    void scopesGiveKerasAndPytorchNames() {
        assertThat(LayerCatalog.scopeName("sequential_1/conv2d_1/BiasAdd")).isEqualTo("conv2d_1");
        assertThat(LayerCatalog.scopeName("StatefulPartitionedCall/functional_1/conv2d/BiasAdd")).isEqualTo("conv2d");
        assertThat(LayerCatalog.scopeName("/features/features.0/Conv")).isEqualTo("features.0");
        assertThat(LayerCatalog.scopeName("/layer1/layer1.0/conv1/Conv")).isEqualTo("layer1.0.conv1");
        assertThat(LayerCatalog.scopeName("/block1/block1.0/layer/layer.0/Conv")).isEqualTo("block1.0.layer.0");
        assertThat(LayerCatalog.scopeName("/conv1/Conv")).isEqualTo("conv1");
        assertThat(LayerCatalog.scopeName("Conv_0")).isNull();
        assertThat(LayerCatalog.scopeName("/Conv")).isNull();
    }

    @Test
    void wildModelsGetTheNamesTheirExportersKept() throws IOException {
        assertThat(names("mnist_tf2onnx_nhwc_op9.onnx")).startsWith("conv2d", "max_pooling2d", "conv2d_1");
        assertThat(names("xfeat_320x224_pytorch_op17.onnx")).startsWith("block1.0.layer.0", "block1.1.layer.0");
        assertThat(names("super_resolution_pytorch_op10.onnx")).containsExactly("conv1", "conv2", "conv3", "conv4");
        assertThat(names("squeezenet_fp16_caffe2_op7.onnx")).startsWith("conv1").contains("fire2/squeeze1x1");
        assertThat(names("ppocr_en_v3_det_paddle_op11.onnx")).startsWith("conv2d_0", "conv2d_1");
        assertThat(names("ultraface_rfb320_pytorch_op9.onnx")).startsWith("base_net.0.0", "base_net.1.0");
    }

    private static List<String> names(String model) throws IOException {
        ModelFile file = ModelFile.of(Files.readAllBytes(Shared.require("models/wild/" + model)));
        return LayerCatalog.of(file).layers().stream().map(LayerInfo::name).toList();
    }

    @Test
    void wildChainsEndAfterTheActivationTheExporterSplitOff() throws IOException {
        assertThat(ops("yolox_nano_handsign_pytorch_op11.onnx", 0)).containsExactly("Conv", "Sigmoid", "Mul");
        assertThat(ops("ppocr_en_v3_det_paddle_op11.onnx", 0))
                .containsExactly("Conv", "BatchNormalization", "Add", "Clip", "Mul", "Div");
        assertThat(ops("bertani_cnn_tf2onnx_nhwc_op13.onnx", 0)).containsExactly("Conv", "Relu", "Mul", "Add");
        assertThat(ops("ultraface_rfb320_pytorch_op9.onnx", 0))
                .containsExactly("Conv", "BatchNormalization", "Relu");
    }

    /** The op types of a model's convolution layer (YOLOX's first layer is its Focus Concat, a merge). */
    private static List<String> ops(String model, int convolution) throws IOException {
        ModelFile file = ModelFile.of(Files.readAllBytes(Shared.require("models/wild/" + model)));
        return LayerCatalog.of(file).convolutions().get(convolution).opTypes();
    }

    /** A graph builder for chain shapes that the wild models may not have. */
    private static final class G {
        final List<Onnx.NodeProto> nodes = new ArrayList<>();
        final List<Onnx.TensorProto> weights = new ArrayList<>();

        G weight(String name, long... dims) {
            Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(1);
            long n = 1;
            for (long d : dims) {
                t.addDims(d);
                n *= d;
            }
            weights.add(t.setRawData(ByteString.copyFrom(new byte[(int) n * 4])).build());
            return this;
        }

        G node(String op, String out, String... in) {
            nodes.add(Onnx.NodeProto.newBuilder().setName("/" + out + "/" + op).setOpType(op).addOutput(out)
                    .addAllInput(List.of(in)).build());
            return this;
        }

        LayerCatalog catalog(String output) {
            Onnx.ValueInfoProto x = Onnx.ValueInfoProto.newBuilder().setName("x").build();
            Onnx.ValueInfoProto y = Onnx.ValueInfoProto.newBuilder().setName(output).build();
            byte[] bytes = Onnx.ModelProto.newBuilder().setIrVersion(8).setGraph(Onnx.GraphProto.newBuilder()
                    .addAllNode(nodes).addAllInitializer(weights).addInput(x).addOutput(y)).build().toByteArray();
            return LayerCatalog.of(ModelFile.of(bytes));
        }
    }

    @Test
    void gatedActivationsBelongToTheirConvolution() {
        LayerCatalog hardSwish = new G().weight("w", 8, 3, 3, 3).weight("three").weight("six")
                .node("Conv", "c", "x", "w").node("HardSigmoid", "g", "c").node("Mul", "m", "c", "g")
                .node("Conv", "c2", "m", "w2").catalog("c2");
        assertThat(hardSwish.layers().get(0).opTypes()).containsExactly("Conv", "HardSigmoid", "Mul");
        assertThat(hardSwish.layers().get(0).output()).isEqualTo("m");
        assertThat(hardSwish.layers().get(0).parameters()).isEqualTo(8 * 3 * 9);
    }

    @Test
    void aResidualAddEndsTheChain() {
        LayerCatalog residual = new G().weight("w", 3, 3, 3, 3).weight("b", 3)
                .node("Conv", "c", "x", "w", "b").node("Add", "sum", "c", "x").node("Relu", "r", "sum").catalog("r");
        assertThat(residual.layers().get(0).opTypes()).containsExactly("Conv");
        assertThat(residual.layers().get(0).output()).isEqualTo("c");
        assertThat(residual.layers().get(0).parameters()).isEqualTo(3 * 3 * 9 + 3);
    }

    @Test
    void aBiasAddAndATensorUsedTwiceAreHandled() {
        LayerCatalog branch = new G().weight("w", 4, 3, 1, 1).weight("bias", 1, 4, 1, 1)
                .node("Conv", "c", "x", "w").node("Add", "biased", "c", "bias").node("Relu", "r", "biased")
                .node("MaxPool", "p1", "r").node("AveragePool", "p2", "r").node("Concat", "cat", "p1", "p2")
                .catalog("cat");
        List<LayerInfo> layers = branch.layers();
        assertThat(layers).extracting(LayerInfo::name).containsExactly("c", "p1", "p2", "cat");
        assertThat(layers.get(3).kind()).isEqualTo(LayerInfo.Kind.MERGE); // where the two pools' branches meet
        assertThat(layers.get(0).opTypes()).containsExactly("Conv", "Add", "Relu");
        assertThat(layers.get(0).parameters()).isEqualTo(4 * 3 + 4);
        assertThat(layers.get(1).kind()).isEqualTo(LayerInfo.Kind.POOLING);
    }

    @Test
    void oneAndThreeDimensionalConvolutionsAreNotLayers() {
        LayerCatalog conv1d = new G().weight("w1", 4, 3, 3).weight("w2", 4, 4, 3, 3)
                .node("Conv", "a", "x", "w1").node("Unsqueeze", "u", "a").node("Conv", "b", "u", "w2").catalog("b");
        assertThat(conv1d.layers()).extracting(LayerInfo::name).containsExactly("b");
    }

    @Test
    void findTriesExactThenSegmentThenOpTypeThenGlob() {
        LayerCatalog c = new G().weight("w", 4, 3, 3, 3)
                .node("Conv", "conv_a", "x", "w").node("Relu", "relu_a", "conv_a")
                .node("Conv", "conv_b", "relu_a", "w").node("MaxPool", "pool", "conv_b").catalog("pool");
        assertThat(c.find("conv_a")).extracting(LayerInfo::name).containsExactly("conv_a");
        assertThat(c.find("relu_a")).extracting(LayerInfo::name).containsExactly("conv_a"); // tensor and segment
        assertThat(c.find("/conv_b/Conv")).extracting(LayerInfo::name).containsExactly("conv_b");
        assertThat(c.find("Conv")).extracting(LayerInfo::name).containsExactly("conv_a", "conv_b");
        assertThat(c.find("MaxPool")).extracting(LayerInfo::name).containsExactly("pool");
        assertThat(c.find("conv_?")).extracting(LayerInfo::name).containsExactly("conv_a", "conv_b");
        assertThat(c.find("nothing")).isEmpty();
        assertThat(c.closest("conv_c", 2)).containsExactly("conv_a", "conv_b");
    }

    /** Globs against java.util.regex's reading of them, over every glob and name of up to 5 and 6 characters. */
    @Test
    void globsMatchAsRegularExpressionsDo() {
        String alphabet = "ab*?";
        int checked = 0;
        for (String glob : words(alphabet, 5)) {
            Pattern regex = Pattern.compile(glob.replace("?", ".").replace("*", ".*"));
            for (String name : words("ab", 6)) {
                assertThat(LayerCatalog.globMatches(glob, name)).as("%s on %s", glob, name)
                        .isEqualTo(regex.matcher(name).matches());
                checked++;
            }
        }
        assertThat(checked).isEqualTo(1365 * 127);
    }

    /**
     * A glob that made the regular expression it was turned into backtrack for minutes ("*?" ten times on a
     * ResNet-18 name that it does not match); the bound only says it does not hang.
     */
    @Test
    void aBacktrackingGlobDoesNotHang() {
        String name = "/layer4/layer4.1/conv2/Conv_output_0_with_a_long_tail_of_characters";
        assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThat(LayerCatalog.globMatches("*?".repeat(40) + "#", name)).isFalse());
    }

    /** Every word of 0 to {@code max} letters of an alphabet. */
    private static List<String> words(String alphabet, int max) {
        List<String> words = new ArrayList<>(List.of(""));
        for (int from = 0, length = 1; length <= max; length++) {
            int to = words.size();
            for (int i = from; i < to; i++) {
                for (char c : alphabet.toCharArray()) {
                    words.add(words.get(i) + c);
                }
            }
            from = to;
        }
        return words;
    }
}
