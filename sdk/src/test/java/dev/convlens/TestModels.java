package dev.convlens;

import static dev.convlens.onnx.TinyModel.ints;

import ai.onnxruntime.platform.Fp16Conversions;
import com.google.protobuf.ByteString;
import dev.convlens.onnx.Onnx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Small convolutional models built by the tests themselves, with known weights:
 * <pre>
 * input [1,C,H,W] or [1,H,W,C] (then a Transpose)
 *   conv1: Conv 3x3 pad 1, C -> 4, bias; Relu            "conv1"  output (4, H, W)
 *   pool1: MaxPool 2x2                                    "pool1"  output (4, H/2, W/2)
 *   conv2: Conv 3x3, 4 -> 6, no bias; BatchNormalization; Relu "conv2"
 *   GlobalAveragePool, Flatten, Gemm 6 -> 2               output "scores" [1, 2]
 * </pre>
 * Node names follow PyTorch's scoped style ({@code /conv1/Conv}). {@link #identity()} is a model whose one layer
 * returns its input tensor, to check preprocessing.
 */
final class TestModels {
    static final int CONV1 = 4;
    static final int CONV2 = 6;

    /** How to build a model. */
    record Spec(Layout layout, int channels, int height, int width, boolean dynamicSize, boolean float16,
                long seed) {
        static Spec rgb(int height, int width) {
            return new Spec(Layout.NCHW, 3, height, width, false, false, 7);
        }

        Spec withLayout(Layout l) {
            return new Spec(l, channels, height, width, dynamicSize, float16, seed);
        }

        Spec withChannels(int c) {
            return new Spec(layout, c, height, width, dynamicSize, float16, seed);
        }

        Spec withDynamicSize() {
            return new Spec(layout, channels, height, width, true, float16, seed);
        }

        Spec withFloat16() {
            return new Spec(layout, channels, height, width, dynamicSize, true, seed);
        }
    }

    /** The weights, so tests can compute the layers themselves. */
    record Weights(float[] conv1W, float[] conv1B, float[] conv2W, float[] bnScale, float[] bnBias, float[] bnMean,
                   float[] bnVar, float[] gemmW, float[] gemmB) {
    }

    final Spec spec;
    final Weights weights;
    private final Map<String, Onnx.TensorProto> initializers = new LinkedHashMap<>();

    TestModels(Spec spec) {
        this.spec = spec;
        Random r = new Random(spec.seed);
        int c = spec.channels;
        this.weights = new Weights(random(r, CONV1 * c * 9, 0.2f), random(r, CONV1, 0.1f),
                random(r, CONV2 * CONV1 * 9, 0.2f), positive(r, CONV2), random(r, CONV2, 0.1f),
                random(r, CONV2, 0.1f), positive(r, CONV2), random(r, 2 * CONV2, 0.5f), random(r, 2, 0.1f));
    }

    private static float[] random(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    private static float[] positive(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = 0.5f + r.nextFloat();
        }
        return a;
    }

    /** The serialized model with every weight inside. */
    byte[] bytes() {
        return model().toByteArray();
    }

    /** Writes the model to {@code dir/model.onnx} with every weight in {@code dir/weights.bin}. */
    Path writeWithExternalData(Path dir) throws IOException {
        Onnx.ModelProto model = model();
        Onnx.GraphProto.Builder graph = model.getGraph().toBuilder();
        java.io.ByteArrayOutputStream side = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            Onnx.TensorProto t = graph.getInitializer(i);
            long offset = side.size();
            side.writeBytes(t.getRawData().toByteArray());
            graph.setInitializer(i, t.toBuilder().clearRawData()
                    .setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(entry("location", "weights.bin"))
                    .addExternalData(entry("offset", String.valueOf(offset)))
                    .addExternalData(entry("length", String.valueOf(t.getRawData().size()))));
        }
        Files.write(dir.resolve("weights.bin"), side.toByteArray());
        Path file = dir.resolve("model.onnx");
        Files.write(file, model.toBuilder().setGraph(graph).build().toByteArray());
        return file;
    }

    private static Onnx.StringStringEntryProto entry(String key, String value) {
        return Onnx.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /**
     * A model whose one layer, {@code identity}, is a 1x1 Conv with identity weights and no bias: its activations are
     * exactly the input tensor, in CHW order, whatever the input's layout.
     */
    byte[] identity() {
        initializers.clear();
        int c = spec.channels;
        List<Onnx.NodeProto> nodes = new ArrayList<>();
        String x = nchwInput(nodes);
        float[] eye = new float[c * c];
        for (int i = 0; i < c; i++) {
            eye[i * c + i] = 1;
        }
        tensor("identity.weight", eye, c, c, 1, 1);
        nodes.add(node("/identity/Conv", "Conv", List.of(x, "identity.weight"), "identity",
                ints("kernel_shape", 1, 1)));
        return graph(nodes, "identity", new long[] {1, c, spec.height, spec.width}).toByteArray();
    }

    /** The input in NCHW order: the input itself, or a Transpose of an NHWC one. */
    private String nchwInput(List<Onnx.NodeProto> nodes) {
        if (spec.layout == Layout.NCHW) {
            return "input";
        }
        nodes.add(node("/Transpose", "Transpose", List.of("input"), "nchw", ints("perm", 0, 3, 1, 2)));
        return "nchw";
    }

    private Onnx.ModelProto model() {
        initializers.clear();
        int c = spec.channels;
        Weights w = weights;
        List<Onnx.NodeProto> nodes = new ArrayList<>();
        String x = nchwInput(nodes);
        tensor("conv1.weight", w.conv1W(), CONV1, c, 3, 3);
        tensor("conv1.bias", w.conv1B(), CONV1);
        nodes.add(node("/conv1/Conv", "Conv", List.of(x, "conv1.weight", "conv1.bias"), "/conv1/Conv_output_0",
                ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1)));
        nodes.add(node("/relu1/Relu", "Relu", List.of("/conv1/Conv_output_0"), "/relu1/Relu_output_0"));
        nodes.add(node("/pool1/MaxPool", "MaxPool", List.of("/relu1/Relu_output_0"), "/pool1/MaxPool_output_0",
                ints("kernel_shape", 2, 2), ints("strides", 2, 2)));
        tensor("conv2.weight", w.conv2W(), CONV2, CONV1, 3, 3);
        nodes.add(node("/conv2/Conv", "Conv", List.of("/pool1/MaxPool_output_0", "conv2.weight"),
                "/conv2/Conv_output_0", ints("kernel_shape", 3, 3)));
        tensor("bn2.weight", w.bnScale(), CONV2);
        tensor("bn2.bias", w.bnBias(), CONV2);
        tensor("bn2.running_mean", w.bnMean(), CONV2);
        tensor("bn2.running_var", w.bnVar(), CONV2);
        nodes.add(node("/bn2/BatchNormalization", "BatchNormalization", List.of("/conv2/Conv_output_0", "bn2.weight",
                "bn2.bias", "bn2.running_mean", "bn2.running_var"), "/bn2/BatchNormalization_output_0"));
        nodes.add(node("/relu2/Relu", "Relu", List.of("/bn2/BatchNormalization_output_0"), "/relu2/Relu_output_0"));
        nodes.add(node("/gap/GlobalAveragePool", "GlobalAveragePool", List.of("/relu2/Relu_output_0"), "gap"));
        nodes.add(node("/Flatten", "Flatten", List.of("gap"), "flat"));
        tensor("fc.weight", w.gemmW(), 2, CONV2);
        tensor("fc.bias", w.gemmB(), 2);
        nodes.add(node("/fc/Gemm", "Gemm", List.of("flat", "fc.weight", "fc.bias"), "scores",
                Onnx.AttributeProto.newBuilder().setName("transB").setType(Onnx.AttributeProto.AttributeType.INT)
                        .setI(1).build()));
        return graph(nodes, "scores", new long[] {1, 2});
    }

    /** The model of these nodes, with the spec's input and the initializers made so far. */
    private Onnx.ModelProto graph(List<Onnx.NodeProto> nodes, String output, long[] outputDims) {
        int c = spec.channels;
        int type = spec.float16 ? 10 : 1;
        long[] dims = spec.layout == Layout.NCHW ? new long[] {1, c, spec.height, spec.width}
                : new long[] {1, spec.height, spec.width, c};
        Onnx.GraphProto graph = Onnx.GraphProto.newBuilder()
                .setName("test")
                .addAllNode(nodes)
                .addAllInitializer(initializers.values())
                .addInput(valueInfo("input", type, dims, spec.dynamicSize, spec.layout))
                .addOutput(valueInfo(output, type, outputDims, false, null))
                .build();
        return Onnx.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("convlens-tests")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph)
                .build();
    }

    private static Onnx.ValueInfoProto valueInfo(String name, int type, long[] dims, boolean dynamic, Layout layout) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            boolean spatial = layout == Layout.NCHW ? i >= 2 : i == 1 || i == 2;
            Onnx.TensorShapeProto.Dimension.Builder d = Onnx.TensorShapeProto.Dimension.newBuilder();
            if (i == 0 && dynamic) {
                d.setDimParam("N");
            } else if (dynamic && spatial) {
                d.setDimParam(i == (layout == Layout.NCHW ? 2 : 1) ? "H" : "W");
            } else {
                d.setDimValue(dims[i]);
            }
            shape.addDim(d);
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
    }

    private void tensor(String name, float[] values, long... dims) {
        ByteBuffer raw;
        if (spec.float16) {
            raw = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                raw.putShort(Fp16Conversions.floatToFp16(v));
            }
        } else {
            raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                raw.putFloat(v);
            }
        }
        raw.flip();
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(spec.float16 ? 10 : 1).setRawData(ByteString.copyFrom(raw));
        for (long d : dims) {
            t.addDims(d);
        }
        initializers.put(name, t.build());
    }

    static Onnx.NodeProto node(String name, String op, List<String> inputs, String output,
                               Onnx.AttributeProto... attributes) {
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(inputs)
                .addOutput(output);
        for (Onnx.AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        return n.build();
    }

    /** conv1 then Relu, computed directly: the reference for the first layer, in CHW order. */
    float[] conv1(float[][][] image) {
        int c = spec.channels;
        int h = image[0].length;
        int wd = image[0][0].length;
        float[] out = new float[CONV1 * h * wd];
        for (int o = 0; o < CONV1; o++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < wd; x++) {
                    double sum = weights.conv1B()[o];
                    for (int i = 0; i < c; i++) {
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                int yy = y + ky - 1;
                                int xx = x + kx - 1;
                                if (yy >= 0 && yy < h && xx >= 0 && xx < wd) {
                                    sum += weights.conv1W()[((o * c + i) * 3 + ky) * 3 + kx] * image[i][yy][xx];
                                }
                            }
                        }
                    }
                    out[(o * h + y) * wd + x] = (float) Math.max(0, sum);
                }
            }
        }
        return out;
    }
}
