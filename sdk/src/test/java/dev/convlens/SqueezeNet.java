package dev.convlens;

import com.google.protobuf.ByteString;
import dev.convlens.onnx.Onnx;
import dev.convlens.onnx.TinyModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * torchvision's SqueezeNet 1.1 (1.24 M weights, random) as an ONNX model built here, with a dynamic height and width
 * and a dynamic batch: a real-sized network whose sessions cost what real ones do, for the memory tests.
 */
final class SqueezeNet {
    private final List<Onnx.NodeProto> nodes = new ArrayList<>();
    private final List<Onnx.TensorProto> weights = new ArrayList<>();
    private final Random random = new Random(11);
    private int counter;

    private SqueezeNet() {
    }

    /** The serialized model: input {@code [N, 3, H, W]}, output {@code scores [N, 1000]}. */
    static byte[] bytes() {
        SqueezeNet net = new SqueezeNet();
        String x = net.conv("features.0", "input", 3, 64, 3, 2, 0);
        x = net.maxPool(x);
        x = net.fire("features.3", x, 64, 16, 64);
        x = net.fire("features.4", x, 128, 16, 64);
        x = net.maxPool(x);
        x = net.fire("features.6", x, 128, 32, 128);
        x = net.fire("features.7", x, 256, 32, 128);
        x = net.maxPool(x);
        x = net.fire("features.9", x, 256, 48, 192);
        x = net.fire("features.10", x, 384, 48, 192);
        x = net.fire("features.11", x, 384, 64, 256);
        x = net.fire("features.12", x, 512, 64, 256);
        x = net.conv("classifier.1", x, 512, 1000, 1, 1, 0);
        net.nodes.add(TestModels.node("/classifier/GlobalAveragePool", "GlobalAveragePool", List.of(x), "pooled"));
        net.nodes.add(TestModels.node("/Flatten", "Flatten", List.of("pooled"), "scores"));
        Onnx.GraphProto graph = Onnx.GraphProto.newBuilder().setName("squeezenet1_1").addAllNode(net.nodes)
                .addAllInitializer(net.weights)
                .addInput(declare("input", "N", "3", "H", "W"))
                .addOutput(declare("scores", "N", "1000"))
                .build();
        return Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("convlens-tests")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph).build().toByteArray();
    }

    /** A Fire module: a 1x1 squeeze, then 1x1 and 3x3 expands side by side, concatenated. */
    private String fire(String name, String x, int in, int squeeze, int expand) {
        String s = conv(name + ".squeeze", x, in, squeeze, 1, 1, 0);
        String a = conv(name + ".expand1x1", s, squeeze, expand, 1, 1, 0);
        String b = conv(name + ".expand3x3", s, squeeze, expand, 3, 1, 1);
        String out = "/" + name + "/Concat_output_0";
        nodes.add(TestModels.node("/" + name + "/Concat", "Concat", List.of(a, b), out, Onnx.AttributeProto
                .newBuilder().setName("axis").setType(Onnx.AttributeProto.AttributeType.INT).setI(1).build()));
        return out;
    }

    /** Conv with bias, then Relu, He-initialized. */
    private String conv(String name, String x, int in, int out, int kernel, int stride, int pad) {
        float[] w = new float[out * in * kernel * kernel];
        double scale = Math.sqrt(2.0 / (in * kernel * kernel));
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() * scale);
        }
        weights.add(tensor(name + ".weight", w, out, in, kernel, kernel));
        weights.add(tensor(name + ".bias", new float[out], out));
        String scope = "/" + name.replace('.', '/');
        nodes.add(TestModels.node(scope + "/Conv", "Conv", List.of(x, name + ".weight", name + ".bias"),
                scope + "/Conv_output_0", TinyModel.ints("kernel_shape", kernel, kernel),
                TinyModel.ints("strides", stride, stride), TinyModel.ints("pads", pad, pad, pad, pad)));
        nodes.add(TestModels.node(scope + "/Relu", "Relu", List.of(scope + "/Conv_output_0"), scope + "/Relu_output_0"));
        return scope + "/Relu_output_0";
    }

    /** MaxPool 3x3, stride 2, ceil mode, as SqueezeNet's. */
    private String maxPool(String x) {
        String out = "/MaxPool_" + counter++ + "_output_0";
        nodes.add(TestModels.node("/MaxPool_" + counter, "MaxPool", List.of(x), out,
                TinyModel.ints("kernel_shape", 3, 3), TinyModel.ints("strides", 2, 2),
                Onnx.AttributeProto.newBuilder().setName("ceil_mode").setType(Onnx.AttributeProto.AttributeType.INT)
                        .setI(1).build()));
        return out;
    }

    private static Onnx.TensorProto tensor(String name, float[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putFloat(v);
        }
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(1)
                .setRawData(ByteString.copyFrom(raw.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** A float tensor whose dimensions are numbers or names (dynamic). */
    private static Onnx.ValueInfoProto declare(String name, String... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (String d : dims) {
            Onnx.TensorShapeProto.Dimension.Builder dim = Onnx.TensorShapeProto.Dimension.newBuilder();
            if (Character.isDigit(d.charAt(0))) {
                dim.setDimValue(Long.parseLong(d));
            } else {
                dim.setDimParam(d);
            }
            shape.addDim(dim);
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
    }
}
