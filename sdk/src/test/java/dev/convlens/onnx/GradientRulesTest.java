package dev.convlens.onnx;

import static dev.convlens.onnx.TinyModel.INPUT;
import static dev.convlens.onnx.TinyModel.TARGET;
import static dev.convlens.onnx.TinyModel.integer;
import static dev.convlens.onnx.TinyModel.ints;
import static dev.convlens.onnx.TinyModel.real;
import static dev.convlens.onnx.TinyModel.reals;
import static dev.convlens.onnx.TinyModel.string;
import static java.util.stream.Collectors.toSet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.convlens.UnsupportedModelException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each gradient rule of {@link GradientBuilder}, alone in a tiny model {@code x -> Identity -> t -> op -> y}: the
 * gradient of {@code sum(seed * y)} with respect to {@code t} that ONNX Runtime computes through the appended backward
 * nodes, against central differences of that score computed by running the plain model, perturbing {@code x} (which
 * {@code t} copies exactly) one element at a time. Then small networks built as torchvision's families export, from
 * the graph input {@code x} itself, as the gradient to the input that filter patterns need.
 *
 * <p>Errors are measured as {@code max |analytic - numeric| / max |numeric|} over the tensor. The step is {@link #STEP}
 * and the tolerance {@link #TOLERANCE}, {@link #NETWORK_TOLERANCE} for networks; see there why.
 */
class GradientRulesTest {
    /**
     * The finite-difference step. Its error has two parts: float32 rounding of the score, about
     * {@code 6e-8 * |score| / STEP}, around 1e-5 for these tensors' scores of a few units; and, for curved ops
     * (Tanh, Sigmoid, Softmax, HardSwish's parabola), truncation of order {@code STEP^2 / 6 * |f'''|}, also about 1e-5.
     * Piecewise linear ops have no truncation error at all as long as no input is within the step of a kink, which
     * {@link #MARGIN} keeps. A power of two, so that {@code x +- STEP} is exact in float32 for most {@code x}; the
     * step actually taken is read back from the perturbed float32 values anyway.
     */
    private static final double STEP = 0x1p-7;
    /** How far inputs stay from a rule's kinks (and, for MaxPool, from each other): four steps. */
    private static final double MARGIN = 4 * STEP;
    /**
     * 23x the largest error measured (4.4e-5, Div; the per-row lines this test prints say each), and well under what
     * a wrong rule gives: a wrong factor, a missing or swapped term, a misplaced window err by 1e-2 or more. (The
     * BatchNormalization rows take epsilon 0.2, so that leaving epsilon out errs by percents, not by 1e-4.)
     */
    private static final double TOLERANCE = 1e-3;
    /**
     * The bound for networks: their deeper scores round more in float32, and at this step that dominates (up to 6.4e-4
     * measured, EfficientNet; it grows as 1 / STEP: 2.7e-3 at a quarter of the step). A rule left out or wrong in a
     * network errs by 1e-2 and more.
     */
    private static final double NETWORK_TOLERANCE = 2e-3;
    /**
     * In a network, an element whose perturbation crosses an inner kink has a central difference that mixes the slopes
     * on both sides; one that errs by more than {@link #TOLERANCE} is let off when the analytic gradient lies between
     * its forward and backward differences (the slope on the side it is on), at most one element in this many. A wrong
     * rule errs at many elements, and where it errs at few, it still lands outside the one-sided differences.
     */
    private static final int EXCUSED = 20;
    private static final OrtEnvironment ORT = OrtEnvironment.getEnvironment();
    private static final long FLOAT = Onnx.TensorProto.DataType.FLOAT_VALUE;
    private static final long INT64 = Onnx.TensorProto.DataType.INT64_VALUE;
    private static final long DOUBLE = Onnx.TensorProto.DataType.DOUBLE_VALUE;

    /** Adds the nodes after {@link TinyModel#TARGET} and returns the output the score is taken from. */
    @FunctionalInterface
    interface Body {
        String after(TinyModel m);
    }

    /**
     * One op in one variant, or one network. Inputs are drawn uniformly from {@code center +- scale} at least
     * {@link #MARGIN} from each kink, or, when {@code distinctValues}, spread evenly over that range and shuffled, so
     * that no two are closer. The gradient is taken with respect to {@code target}: {@link TinyModel#TARGET}, or the
     * graph input {@link TinyModel#INPUT} for a {@code network}, whose inner kinks (Relu, MaxPool, Clip...) no choice
     * of input avoids (see {@link #EXCUSED}) and whose bound is {@link #NETWORK_TOLERANCE}.
     */
    record Row(String op, String variant, long opset, long[] shape, Body body, double scale, double center,
               double[] kinks, boolean distinctValues, String target, boolean network) {
        Row avoiding(double... points) {
            return new Row(op, variant, opset, shape, body, scale, center, points, distinctValues, target, network);
        }

        Row scaled(double s) {
            return new Row(op, variant, opset, shape, body, s, center, kinks, distinctValues, target, network);
        }

        Row around(double c) {
            return new Row(op, variant, opset, shape, body, scale, c, kinks, distinctValues, target, network);
        }

        Row distinct() {
            return new Row(op, variant, opset, shape, body, scale, center, kinks, true, target, network);
        }

        @Override
        public String toString() {
            return op + ": " + variant + " (opset " + opset + ", input " + Arrays.toString(shape) + ")";
        }
    }

    private static Row row(String op, String variant, long opset, long[] shape, Body body) {
        return new Row(op, variant, opset, shape, body, 1, 0, new double[0], false, TARGET, false);
    }

    /** A network whose gradient is taken with respect to the graph input, which its body reads as {@code INPUT}. */
    private static Row network(String name, String layers, long opset, long[] shape, Body body) {
        return new Row(name, layers, opset, shape, body, 1, 0, new double[0], false, INPUT, true);
    }

    private static long[] dims(long... d) {
        return d;
    }

    private static Body conv(long[] weights, Onnx.AttributeProto... attributes) {
        return m -> m.node("Conv", List.of(TARGET, m.weights(weights)), attributes);
    }

    /** {@code op(t, constant)}. */
    private static Body with(String op, Body constant, Onnx.AttributeProto... attributes) {
        return m -> m.node(op, List.of(TARGET, constant.after(m)), attributes);
    }

    /** {@code op(constant, t)}. */
    private static Body before(String op, Body constant) {
        return m -> m.node(op, List.of(constant.after(m), TARGET));
    }

    static Stream<Row> rows() {
        return Stream.of(
                row("Conv", "3x3, pads 1, bias", 13, dims(1, 2, 5, 5),
                        m -> m.node("Conv", List.of(TARGET, m.weights(3, 2, 3, 3), m.weights(3)),
                                ints("pads", 1, 1, 1, 1))),
                row("ConvTranspose", "3x3, strides 2, pads 1, output_padding 1, bias", 13, dims(1, 2, 4, 4),
                        m -> m.node("ConvTranspose", List.of(TARGET, m.weights(2, 3, 3, 3), m.weights(3)),
                                ints("strides", 2, 2), ints("pads", 1, 1, 1, 1), ints("output_padding", 1, 1))),
                row("ConvTranspose", "group 2, asymmetric pads", 13, dims(1, 4, 3, 3),
                        m -> m.node("ConvTranspose", List.of(TARGET, m.weights(4, 1, 2, 2)), integer("group", 2),
                                ints("strides", 2, 2), ints("pads", 0, 1, 1, 0))),
                row("ConvTranspose", "dilations 2", 13, dims(1, 2, 3, 3),
                        m -> m.node("ConvTranspose", List.of(TARGET, m.weights(2, 2, 3, 3)),
                                ints("dilations", 2, 2))),
                row("Conv", "strides 2, pads 1 (output_padding 1)", 13, dims(1, 2, 6, 6),
                        conv(dims(3, 2, 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))),
                row("Conv", "strides 2, no padding", 13, dims(1, 2, 7, 7),
                        conv(dims(3, 2, 3, 3), ints("strides", 2, 2))),
                row("Conv", "asymmetric pads", 13, dims(1, 2, 5, 5),
                        conv(dims(2, 2, 3, 3), ints("pads", 0, 1, 2, 0))),
                row("Conv", "dilations 2", 13, dims(1, 2, 7, 7),
                        conv(dims(2, 2, 3, 3), ints("dilations", 2, 2), ints("pads", 2, 1, 2, 1))),
                row("Conv", "group 2", 13, dims(1, 4, 5, 5),
                        conv(dims(4, 2, 3, 3), integer("group", 2), ints("pads", 1, 1, 1, 1))),
                row("Conv", "depthwise, strides 2", 13, dims(1, 3, 5, 5),
                        conv(dims(3, 1, 3, 3), integer("group", 3), ints("strides", 2, 2))),
                row("Conv", "auto_pad SAME_UPPER, strides 2", 13, dims(1, 2, 6, 6),
                        conv(dims(2, 2, 3, 3), string("auto_pad", "SAME_UPPER"), ints("strides", 2, 2))),
                row("Conv", "auto_pad SAME_LOWER, strides 2", 13, dims(1, 2, 6, 6),
                        conv(dims(2, 2, 3, 3), string("auto_pad", "SAME_LOWER"), ints("strides", 2, 2))),
                row("Conv", "auto_pad SAME_UPPER, 2x4 kernel", 13, dims(1, 2, 4, 5),
                        conv(dims(2, 2, 2, 4), string("auto_pad", "SAME_UPPER"))),
                row("Conv", "auto_pad SAME_LOWER, 2x4 kernel", 13, dims(1, 2, 4, 5),
                        conv(dims(2, 2, 2, 4), string("auto_pad", "SAME_LOWER"))),
                row("Conv", "auto_pad VALID, strides 2", 13, dims(1, 2, 6, 6),
                        conv(dims(2, 2, 3, 3), string("auto_pad", "VALID"), ints("strides", 2, 2))),
                row("Conv", "weights computed by a node", 13, dims(1, 2, 5, 5),
                        m -> m.node("Conv", List.of(TARGET, castWeights(m, 3, 2, 3, 3)), ints("kernel_shape", 3, 3))),
                row("Conv", "weights computed by a node (a Cast), no kernel_shape", 13, dims(1, 2, 5, 5),
                        m -> m.node("Conv", List.of(TARGET, castWeights(m, 3, 2, 3, 3)))),
                row("Conv", "1-D, strides 2, pads 1", 13, dims(1, 2, 9),
                        conv(dims(3, 2, 3), ints("strides", 2), ints("pads", 1, 1))),
                // from 8 input channels on, a stride-1 Conv's gradient is a Conv of the flipped kernel
                row("Conv", "8 channels: flipped kernel, pads 1, bias", 13, dims(1, 8, 5, 5),
                        m -> m.node("Conv", List.of(TARGET, m.weights(3, 8, 3, 3), m.weights(3)),
                                ints("pads", 1, 1, 1, 1))),
                row("Conv", "8 channels: flipped 2x4 kernel, asymmetric pads", 13, dims(1, 8, 5, 6),
                        conv(dims(2, 8, 2, 4), ints("pads", 0, 1, 2, 0))),
                row("Conv", "8 channels: flipped kernel, dilations 2", 13, dims(1, 8, 7, 7),
                        conv(dims(2, 8, 3, 3), ints("dilations", 2, 2), ints("pads", 2, 1, 2, 1))),
                row("Conv", "8 channels: pads wider than the kernel reaches (ConvTranspose)", 13, dims(1, 8, 4, 4),
                        conv(dims(2, 8, 3, 3), ints("pads", 3, 3, 3, 3))),
                row("Conv", "8 channels: group 2 (ConvTranspose)", 13, dims(1, 8, 4, 4),
                        conv(dims(4, 4, 3, 3), integer("group", 2), ints("pads", 1, 1, 1, 1))),
                row("Conv", "8 channels: 1-D, flipped kernel", 13, dims(1, 8, 9),
                        conv(dims(3, 8, 3), ints("pads", 1, 1))),
                row("Conv", "8 channels: 3-D, flipped 2x3x2 kernel", 13, dims(1, 8, 4, 4, 4),
                        conv(dims(2, 8, 2, 3, 2), ints("pads", 1, 0, 1, 0, 1, 0))),

                row("Relu", "", 13, dims(1, 2, 3, 3), m -> m.node("Relu")).avoiding(0),
                row("LeakyRelu", "default alpha 0.01", 13, dims(1, 2, 3, 3), m -> m.node("LeakyRelu")).avoiding(0),
                row("LeakyRelu", "alpha 0.3", 13, dims(1, 2, 3, 3), m -> m.node("LeakyRelu", real("alpha", 0.3f)))
                        .avoiding(0),
                row("Clip", "min and max attributes", 10, dims(1, 2, 3, 3),
                        m -> m.node("Clip", real("min", -0.5f), real("max", 0.6f))).avoiding(-0.5, 0.6),
                row("Clip", "max attribute alone", 7, dims(1, 2, 3, 3), m -> m.node("Clip", real("max", 0.3f)))
                        .avoiding(0.3),
                row("Clip", "min and max inputs", 11, dims(1, 2, 3, 3),
                        m -> m.node("Clip", List.of(TARGET, m.floats(new float[] {-0.5f}),
                                m.floats(new float[] {0.6f})))).avoiding(-0.5, 0.6),
                row("Clip", "max input alone, min omitted", 13, dims(1, 2, 3, 3),
                        m -> m.node("Clip", List.of(TARGET, "", m.floats(new float[] {0.3f})))).avoiding(0.3),
                row("Clip", "min input alone", 13, dims(1, 2, 3, 3),
                        m -> m.node("Clip", List.of(TARGET, m.floats(new float[] {-0.2f})))).avoiding(-0.2),
                row("Clip", "bounds through Identity nodes", 13, dims(1, 2, 3, 3),
                        m -> m.node("Clip", List.of(TARGET, copied(m, m.constantNode(-0.4f)),
                                copied(m, m.constantNode(0.5f)))))
                        .avoiding(-0.4, 0.5),
                row("Clip", "bounds from Constant nodes", 13, dims(1, 2, 3, 3),
                        m -> m.node("Clip", List.of(TARGET, m.constantNode(-0.4f), m.constantNode(0.5f))))
                        .avoiding(-0.4, 0.5),
                row("HardSigmoid", "default alpha 0.2, beta 0.5", 13, dims(1, 2, 3, 3), m -> m.node("HardSigmoid"))
                        .scaled(4).avoiding(-2.5, 2.5),
                row("HardSigmoid", "alpha 0.5, beta 0.4", 13, dims(1, 2, 3, 3),
                        m -> m.node("HardSigmoid", real("alpha", 0.5f), real("beta", 0.4f)))
                        .scaled(2).avoiding(-0.8, 1.2),
                row("HardSwish", "", 14, dims(1, 2, 3, 3), m -> m.node("HardSwish")).scaled(4.5).avoiding(-3, 3),
                row("Tanh", "", 13, dims(1, 2, 3, 3), m -> m.node("Tanh")).scaled(2),
                row("Sigmoid", "", 13, dims(1, 2, 3, 3), m -> m.node("Sigmoid")).scaled(3),
                row("Softmax", "default axis 1 of rank 2", 7, dims(2, 5), m -> m.node("Softmax")).scaled(2),
                row("Softmax", "axis -1 of rank 3", 11, dims(1, 3, 4), m -> m.node("Softmax", integer("axis", -1)))
                        .scaled(2),
                row("Softmax", "default axis -1", 13, dims(1, 3, 4), m -> m.node("Softmax")).scaled(2),
                row("Softmax", "axis 1 of rank 3", 13, dims(1, 3, 4), m -> m.node("Softmax", integer("axis", 1)))
                        .scaled(2),
                row("Softmax", "axis 1 of rank 3 at opset 11: over axes 1 and 2 together", 11, dims(1, 3, 4),
                        m -> m.node("Softmax", integer("axis", 1))).scaled(2),
                row("Exp", "", 13, dims(2, 3), m -> m.node("Exp")).scaled(2),
                row("Sqrt", "", 13, dims(2, 3), m -> m.node("Sqrt")).around(1.5),
                row("Erf", "", 13, dims(2, 3), m -> m.node("Erf")).scaled(2),
                row("Erf", "GELU as torch exports it: t * (1 + erf(t / sqrt 2)) * 0.5", 13, dims(2, 5),
                        m -> gelu(m, TARGET)).scaled(3),
                row("Neg", "", 13, dims(2, 3), m -> m.node("Neg")),
                row("Pow", "exponent 2 from a Constant node (LayerNorm before opset 17)", 13, dims(2, 3),
                        with("Pow", m -> m.constantNode(2f))),
                row("Pow", "exponent 3", 7, dims(2, 3), with("Pow", m -> m.floats(new float[] {3f}))),
                row("Pow", "exponent -0.5 of a positive base", 13, dims(2, 3), with("Pow", m -> m.constantNode(-0.5f)))
                        .around(1.5),
                row("Pow", "exponents 1, 2, 3 along the last axis: the target broadcast", 13, dims(2, 1),
                        with("Pow", m -> m.floats(new float[] {1, 2, 3}, 3))),
                row("Pow", "int64 exponent", 15, dims(2, 3), with("Pow", m -> m.int64s(2))),

                row("MaxPool", "after a Relu: the Relu's mask at the pooled size", 13, dims(1, 2, 4, 6),
                        m -> m.node("MaxPool", List.of(m.node("Relu")), ints("kernel_shape", 2, 2),
                                ints("strides", 2, 2))).distinct(),
                // most windows below 0, where the mask decides; no value closer to 0 than 0.01
                row("MaxPool", "after a Relu, overlapping, opset 9: by comparison, masked at the pooled size", 9,
                        dims(1, 2, 5, 5), m -> m.node("MaxPool", List.of(m.node("Relu")),
                                ints("kernel_shape", 3, 3), ints("strides", 1, 1))).distinct().around(-0.71),
                row("MaxPool", "after a Relu that an Add reads too: masked at full size", 13, dims(1, 2, 4, 4),
                        m -> {
                            String relu = m.node("Relu");
                            String pooled = m.node("MaxPool", List.of(relu), ints("kernel_shape", 2, 2),
                                    ints("strides", 2, 2));
                            return m.node("Add", List.of(m.node("ReduceSum", List.of(relu), integer("keepdims", 0)),
                                    m.node("ReduceSum", List.of(pooled), integer("keepdims", 0))));
                        }).distinct(),
                row("MaxPool", "2x2, strides 2, storage_order 1: by comparison", 13, dims(1, 2, 4, 6),
                        m -> m.node("MaxPool", ints("kernel_shape", 2, 2), ints("strides", 2, 2),
                                integer("storage_order", 1))).distinct(),
                row("MaxPool", "2x2, strides 2: MaxUnpool", 9, dims(1, 2, 4, 4),
                        m -> m.node("MaxPool", ints("kernel_shape", 2, 2), ints("strides", 2, 2))).distinct(),
                row("MaxPool", "2x2, strides 2, last row and column left out", 13, dims(1, 2, 5, 5),
                        m -> m.node("MaxPool", ints("kernel_shape", 2, 2), ints("strides", 2, 2))).distinct(),
                row("MaxPool", "3x3, strides 1: overlapping", 16, dims(1, 2, 5, 5),
                        m -> m.node("MaxPool", ints("kernel_shape", 3, 3), ints("strides", 1, 1))).distinct(),
                row("MaxPool", "3x3, strides 1: overlapping, scattered in 9 groups", 13, dims(1, 2, 5, 5),
                        m -> m.node("MaxPool", ints("kernel_shape", 3, 3), ints("strides", 1, 1))).distinct(),
                row("MaxPool", "3x3, strides 2, pads 1: overlapping", 16, dims(1, 2, 6, 6),
                        m -> m.node("MaxPool", ints("kernel_shape", 3, 3), ints("strides", 2, 2),
                                ints("pads", 1, 1, 1, 1)))
                        .distinct(),
                row("MaxPool", "3x3, strides 2, pads 1: overlapping, in 4 groups (ResNet's stem)", 13,
                        dims(2, 2, 6, 6), m -> m.node("MaxPool", ints("kernel_shape", 3, 3), ints("strides", 2, 2),
                                ints("pads", 1, 1, 1, 1)))
                        .distinct(),
                row("MaxPool", "2x2, default strides: overlapping", 16, dims(1, 1, 4, 4),
                        m -> m.node("MaxPool", ints("kernel_shape", 2, 2))).distinct(),
                row("MaxPool", "2x2, strides 2, dilations 2: overlapping", 16, dims(1, 2, 5, 5),
                        m -> m.node("MaxPool", ints("kernel_shape", 2, 2), ints("strides", 2, 2),
                                ints("dilations", 2, 2)))
                        .distinct(),
                row("MaxPool", "2x2, strides 2, dilations 2: overlapping, in groups", 10, dims(1, 2, 5, 5),
                        m -> m.node("MaxPool", ints("kernel_shape", 2, 2), ints("strides", 2, 2),
                                ints("dilations", 2, 2)))
                        .distinct(),
                row("MaxPool", "3x3, strides 2, ceil_mode (GoogLeNet, SqueezeNet)", 16, dims(1, 2, 8, 8),
                        maxPoolCeil(3, 2, 0)).distinct(),
                row("MaxPool", "3x3, strides 2, ceil_mode, in groups", 13, dims(1, 2, 8, 8), maxPoolCeil(3, 2, 0))
                        .distinct(),
                row("MaxPool", "3x3, strides 1, pads 1, ceil_mode (GoogLeNet's inception)", 16, dims(1, 2, 5, 5),
                        maxPoolCeil(3, 1, 1)).distinct(),
                row("MaxPool", "2x2, strides 2, ceil_mode: windows that do not overlap", 13, dims(1, 2, 5, 5),
                        maxPoolCeil(2, 2, 0)).distinct(),
                row("MaxPool", "2x2, strides 2, opset 8: by comparison", 8, dims(1, 2, 4, 4),
                        m -> m.node("MaxPool", ints("kernel_shape", 2, 2), ints("strides", 2, 2))).distinct(),
                row("MaxPool", "3x3, strides 1: overlapping, opset 9: by comparison", 9, dims(1, 2, 5, 5),
                        m -> m.node("MaxPool", ints("kernel_shape", 3, 3), ints("strides", 1, 1))).distinct(),
                row("MaxPool", "3x3, strides 2, pads 1, opset 7, all below 0: by comparison, the padding never wins",
                        7, dims(1, 2, 6, 6), m -> m.node("MaxPool", ints("kernel_shape", 3, 3),
                                ints("strides", 2, 2), ints("pads", 1, 1, 1, 1)))
                        .distinct().around(-2),
                row("MaxPool", "with its own Indices output: by comparison", 13, dims(1, 2, 4, 4),
                        m -> withIndices(m, m.node("MaxPool", ints("kernel_shape", 2, 2), ints("strides", 2, 2))))
                        .distinct(),
                row("MaxPool", "3x3, strides 2, ceil_mode, with its own Indices output: by comparison", 13,
                        dims(1, 2, 8, 8), m -> withIndices(m, maxPoolCeil(3, 2, 0).after(m))).distinct(),
                row("AveragePool", "2x2, strides 2", 13, dims(1, 2, 4, 4),
                        m -> m.node("AveragePool", ints("kernel_shape", 2, 2), ints("strides", 2, 2))),
                row("AveragePool", "3x2, strides 3x2", 7, dims(1, 2, 6, 4),
                        m -> m.node("AveragePool", ints("kernel_shape", 3, 2), ints("strides", 3, 2))),
                row("AveragePool", "2x2, strides 2: last row and column left out", 13, dims(1, 2, 5, 5),
                        m -> m.node("AveragePool", ints("kernel_shape", 2, 2), ints("strides", 2, 2))),
                row("AveragePool", "3x3, strides 1: overlapping", 13, dims(1, 2, 5, 5),
                        m -> m.node("AveragePool", ints("kernel_shape", 3, 3), ints("strides", 1, 1))),
                row("AveragePool", "2x2, strides 2, pads 1", 13, dims(1, 2, 4, 4), averagePool(2, 2, 1, 0, 0)),
                row("AveragePool", "2x2, strides 2, pads 1, count_include_pad", 13, dims(1, 2, 4, 4),
                        averagePool(2, 2, 1, 0, 1)),
                row("AveragePool", "3x3, strides 2, pads 1, ceil_mode; batch 2", 13, dims(2, 2, 6, 6),
                        averagePool(3, 2, 1, 1, 0)),
                row("AveragePool", "3x3, strides 2, pads 1, ceil_mode, count_include_pad", 13, dims(1, 2, 6, 6),
                        averagePool(3, 2, 1, 1, 1)),
                row("AveragePool", "3x3, strides 1, pads 1, count_include_pad (Inception)", 10, dims(1, 2, 5, 5),
                        averagePool(3, 1, 1, 0, 1)),
                row("AveragePool", "dilations 2, ceil_mode", 19, dims(1, 1, 5, 5),
                        m -> m.node("AveragePool", ints("kernel_shape", 2, 2), ints("strides", 2, 2),
                                ints("dilations", 2, 2), integer("ceil_mode", 1))),
                row("AveragePool", "auto_pad SAME_UPPER, 3x3, strides 2", 11, dims(1, 2, 5, 6),
                        m -> m.node("AveragePool", ints("kernel_shape", 3, 3), ints("strides", 2, 2),
                                string("auto_pad", "SAME_UPPER"))),
                row("AveragePool", "1-D, 3, strides 2, pads 1", 13, dims(1, 2, 9),
                        m -> m.node("AveragePool", ints("kernel_shape", 3), ints("strides", 2), ints("pads", 1, 1))),
                row("GlobalAveragePool", "", 13, dims(1, 3, 4, 5), m -> m.node("GlobalAveragePool")),
                row("GlobalAveragePool", "", 7, dims(1, 3, 4, 5), m -> m.node("GlobalAveragePool")),
                row("ReduceMean", "axes 2, 3, keepdims 0 (ShuffleNetV2's mean)", 13, dims(2, 3, 2, 4),
                        m -> m.node("ReduceMean", ints("axes", 2, 3), integer("keepdims", 0))),
                row("ReduceMean", "axes -1 (LayerNorm before opset 17)", 13, dims(1, 2, 3, 4),
                        m -> m.node("ReduceMean", ints("axes", -1))),
                row("ReduceMean", "no axes: every axis", 13, dims(2, 3), m -> m.node("ReduceMean")),
                row("ReduceMean", "axes input", 18, dims(1, 2, 3, 4), with("ReduceMean", m -> m.int64s(1, 3))),
                row("ReduceSum", "axes attribute", 11, dims(1, 2, 3, 4), m -> m.node("ReduceSum", ints("axes", 0, 2))),
                row("ReduceSum", "axes input, keepdims 0", 13, dims(1, 2, 3, 4),
                        m -> m.node("ReduceSum", List.of(TARGET, m.int64s(-1, 1)), integer("keepdims", 0))),
                row("ReduceSum", "no axes: every axis", 13, dims(2, 3), m -> m.node("ReduceSum")),
                row("ReduceSum", "no axes, noop_with_empty_axes", 13, dims(2, 3),
                        m -> m.node("ReduceSum", integer("noop_with_empty_axes", 1))),

                row("Flatten", "default axis 1", 13, dims(1, 2, 3, 4), m -> m.node("Flatten")),
                row("Flatten", "axis 2", 13, dims(1, 2, 3, 4), m -> m.node("Flatten", integer("axis", 2))),
                row("Reshape", "to [1, 4, 6]", 13, dims(1, 2, 3, 4), with("Reshape", m -> m.int64s(1, 4, 6))),
                row("Reshape", "to [0, -1]", 13, dims(1, 2, 3, 4), with("Reshape", m -> m.int64s(0, -1))),
                row("Squeeze", "axes attribute", 11, dims(1, 1, 4, 1), m -> m.node("Squeeze", ints("axes", 1, 3))),
                row("Squeeze", "axes input", 13, dims(1, 1, 4, 1), with("Squeeze", m -> m.int64s(3))),
                row("Squeeze", "no axes: every 1", 13, dims(1, 1, 4, 1), m -> m.node("Squeeze")),
                row("Unsqueeze", "axes attribute", 11, dims(2, 3), m -> m.node("Unsqueeze", ints("axes", 0, 3))),
                row("Unsqueeze", "axes input", 13, dims(2, 3), with("Unsqueeze", m -> m.int64s(1))),
                row("Transpose", "perm 0, 2, 3, 1", 13, dims(1, 2, 3, 4),
                        m -> m.node("Transpose", ints("perm", 0, 2, 3, 1))),
                row("Transpose", "no perm: axes reversed", 13, dims(2, 3, 4), m -> m.node("Transpose")),
                row("Expand", "[3, 1] to [2, 3, 4]", 13, dims(3, 1), with("Expand", m -> m.int64s(2, 3, 4))),
                row("Expand", "[1, 3, 1, 1] to [1, 3, 2, 2]", 8, dims(1, 3, 1, 1),
                        with("Expand", m -> m.int64s(1, 3, 2, 2))),
                row("Expand", "to a shape computed from the target's Shape", 13, dims(2, 1),
                        with("Expand", m -> m.node("Concat", List.of(m.node("Shape"), m.int64s(3)),
                                integer("axis", 0)))),
                row("Slice", "starts, ends, axes inputs; a negative start, an end past the axis", 13,
                        dims(1, 4, 5, 6), m -> m.node("Slice", List.of(TARGET, m.int64s(1, -4), m.int64s(3, 1000),
                                m.int64s(1, 3)))),
                row("Slice", "steps 2 and -1", 13, dims(1, 2, 5, 6), m -> m.node("Slice", List.of(TARGET,
                        m.int64s(0, -1), m.int64s(5, -100), m.int64s(2, 3), m.int64s(2, -1)))),
                row("Slice", "inputs, axes omitted", 10, dims(3, 4),
                        m -> m.node("Slice", List.of(TARGET, m.int64s(1, 0), m.int64s(3, 2)))),
                row("Slice", "attributes", 9, dims(1, 4, 5),
                        m -> m.node("Slice", ints("starts", 1, 1), ints("ends", 3, 4), ints("axes", 1, 2))),
                row("Slice", "end computed from the target's Shape (ShuffleNetV2's channel split)", 13,
                        dims(1, 4, 2, 2), m -> m.node("Slice", List.of(TARGET, m.int64s(0), half(m, TARGET),
                                m.int64s(1)))),
                row("Split", "split input, both outputs used", 13, dims(1, 5, 2), m -> {
                    List<String> parts = m.outputs(m.node("Split", List.of(TARGET, m.int64s(2, 3)),
                            integer("axis", 1)), 2);
                    return m.node("Concat", List.of(m.node("Tanh", List.of(parts.get(1))), parts.get(0)),
                            integer("axis", 1));
                }),
                row("Split", "split attribute, the first output unused", 11, dims(2, 6), m -> m.node("Tanh",
                        List.of(m.outputs(m.node("Split", ints("split", 2, 4), integer("axis", 1)), 2).get(1)))),
                row("Split", "equal parts of axis 0", 13, dims(4, 3), m -> {
                    List<String> parts = m.outputs(m.node("Split"), 2);
                    return m.node("Mul", parts);
                }),
                row("Split", "num_outputs 3 of 7: 3, 3, 1, the middle one unused", 18, dims(7, 2), m -> {
                    List<String> parts = m.outputs(m.node("Split", integer("num_outputs", 3)), 3);
                    return m.node("Concat", List.of(parts.get(2), m.node("Tanh", List.of(parts.get(0)))),
                            integer("axis", 0));
                }),
                row("Gather", "a scalar index on axis 1 (torch's x[:, c])", 13, dims(2, 3, 2, 2),
                        with("Gather", m -> m.int64Scalar(1), integer("axis", 1))),
                row("Gather", "indices 2, -1, 0 on axis -1", 11, dims(2, 4),
                        with("Gather", m -> m.int64s(2, -1, 0), integer("axis", -1))),
                row("Gather", "Scatter", 9, dims(4, 3), with("Gather", m -> m.int64s(3, 1))),
                row("Gather", "repeated indices", 16, dims(3, 4), with("Gather", m -> m.int64s(1, 1, 0, 1))),
                row("Gather", "indices 3 and -1: the same element", 16, dims(2, 4),
                        with("Gather", m -> m.int64s(3, -1), integer("axis", 1))),
                row("Pad", "constant 0.5", 13, dims(1, 2, 3, 4),
                        m -> m.node("Pad", List.of(TARGET, m.int64s(0, 0, 1, 2, 0, 0, 2, 1), m.constantNode(0.5f)))),
                row("Pad", "zeros on no side (DenseNet's transition)", 13, dims(1, 2, 3, 4),
                        with("Pad", m -> m.int64s(0, 0, 0, 0, 0, 0, 0, 0))),
                row("Pad", "negative pads: cropping", 13, dims(1, 2, 4, 5),
                        with("Pad", m -> m.int64s(0, 0, -1, 1, 0, 0, 1, -2))),
                row("Pad", "pads attribute", 7, dims(1, 2, 3, 4),
                        m -> m.node("Pad", ints("pads", 0, 0, 1, 0, 0, 0, 0, 2), real("value", 0.3f))),
                row("Pad", "axes input", 18, dims(1, 2, 3, 4),
                        m -> m.node("Pad", List.of(TARGET, m.int64s(1, 2, 2, 1), m.constantNode(0f),
                                m.int64s(-2, -1)))),
                row("Pad", "reflect", 13, dims(1, 2, 4, 5),
                        m -> m.node("Pad", List.of(TARGET, m.int64s(0, 0, 2, 1, 0, 0, 1, 3)),
                                string("mode", "reflect"))),
                row("Pad", "edge", 11, dims(1, 2, 3, 4),
                        m -> m.node("Pad", List.of(TARGET, m.int64s(0, 0, 2, 0, 0, 0, 1, 3)), string("mode", "edge"))),
                row("Pad", "reflect, pads attribute", 10, dims(1, 1, 4, 4),
                        m -> m.node("Pad", ints("pads", 0, 0, 1, 2, 0, 0, 2, 1), string("mode", "reflect"))),
                row("Resize", "nearest, asymmetric, floor, scales 2 (torch's interpolate)", 13, dims(1, 2, 3, 4),
                        resize(scales(1, 1, 2, 2), "nearest", "asymmetric", "floor")),
                row("Resize", "nearest, half_pixel, round_prefer_floor (the defaults), scales 3 and 1.5: ties", 11,
                        dims(1, 2, 2, 4), resize(scales(1, 1, 3, 1.5f), "", "", "")),
                row("Resize", "nearest, asymmetric, round_prefer_ceil, scales 2: ties", 13, dims(1, 2, 3, 4),
                        resize(scales(1, 1, 2, 2), "nearest", "asymmetric", "round_prefer_ceil")),
                row("Resize", "nearest, tf_half_pixel_for_nn, floor, scales 2 and 1.5", 11, dims(1, 1, 3, 4),
                        resize(scales(1, 1, 2, 1.5f), "nearest", "tf_half_pixel_for_nn", "floor")),
                row("Resize", "nearest, asymmetric, ceil, sizes 4 to 7", 13, dims(1, 1, 4, 4),
                        resize(sizes(1, 1, 7, 7), "nearest", "asymmetric", "ceil")),
                row("Resize", "linear, pytorch_half_pixel, scales 2 (torch's bilinear)", 13, dims(1, 2, 3, 4),
                        resize(scales(1, 1, 2, 2), "linear", "pytorch_half_pixel", "")),
                row("Resize", "linear, align_corners, sizes", 13, dims(1, 2, 3, 4),
                        resize(sizes(1, 2, 7, 9), "linear", "align_corners", "")),
                row("Resize", "linear, half_pixel, shrinking 6x8 to 3x5", 13, dims(1, 1, 6, 8),
                        resize(sizes(1, 1, 3, 5), "linear", "half_pixel", "")),
                row("Resize", "nearest, scales 2", 10, dims(1, 2, 3, 4),
                        resizeBefore11("Resize", "nearest", 1, 1, 2, 2)),
                row("Resize", "linear, scales 2", 10, dims(1, 2, 3, 4), resizeBefore11("Resize", "linear", 1, 1, 2, 2)),
                row("Resize", "nearest, scales 0.6: shrinking", 10, dims(1, 1, 5, 5),
                        resizeBefore11("Resize", "nearest", 1, 1, 0.6f, 0.6f)),
                row("Upsample", "nearest, scales input", 9, dims(1, 2, 3, 4),
                        resizeBefore11("Upsample", "nearest", 1, 1, 2, 2)),
                row("Upsample", "linear, scales attribute", 7, dims(1, 2, 3, 4),
                        m -> m.node("Upsample", reals("scales", 1, 1, 2, 3), string("mode", "linear"))),

                row("Gemm", "bias", 13, dims(2, 4),
                        m -> m.node("Gemm", List.of(TARGET, m.weights(4, 3), m.weights(3)))),
                row("Gemm", "transB", 13, dims(2, 4), with("Gemm", m -> m.weights(3, 4), integer("transB", 1))),
                row("Gemm", "transA", 13, dims(4, 2), with("Gemm", m -> m.weights(4, 3), integer("transA", 1))),
                row("Gemm", "transA, transB, alpha 0.5, beta 2", 13, dims(4, 2),
                        m -> m.node("Gemm", List.of(TARGET, m.weights(3, 4), m.weights(1, 3)), integer("transA", 1),
                                integer("transB", 1), real("alpha", 0.5f), real("beta", 2f))),
                row("Gemm", "C required", 9, dims(2, 4),
                        m -> m.node("Gemm", List.of(TARGET, m.weights(4, 3), m.weights(3)), real("alpha", 2f))),
                row("MatMul", "rank 2 by constant rank-2 weights", 13, dims(2, 4),
                        with("MatMul", m -> m.weights(4, 3))),
                row("MatMul", "rank 4 by rank-2 weights (ConvNeXt's Linear on [1, H, W, C])", 13, dims(1, 2, 3, 4),
                        with("MatMul", m -> m.weights(4, 5))),
                row("MatMul", "rank-1 weights", 13, dims(2, 4), with("MatMul", m -> m.weights(4))),
                row("MatMul", "a rank-1 target by rank-3 weights", 13, dims(4),
                        with("MatMul", m -> m.weights(2, 4, 3))),
                row("MatMul", "weights by the target, which is broadcast over their batch", 13, dims(4, 3),
                        before("MatMul", m -> m.weights(2, 2, 4))),
                row("MatMul", "weights computed by a node (a Cast)", 13, dims(2, 4),
                        with("MatMul", m -> castWeights(m, 4, 3))),
                row("MatMul", "weights that are a graph input", 13, dims(2, 4),
                        with("MatMul", m -> m.input("b", 4, 3))),
                row("MatMul", "t @ t^T: both operands active (attention-like)", 13, dims(2, 3, 4),
                        m -> m.node("MatMul", List.of(TARGET, m.node("Transpose", ints("perm", 0, 2, 1))))),

                row("Add", "constant of the same shape", 13, dims(1, 2, 3), with("Add", m -> m.weights(1, 2, 3))),
                row("Add", "constant broadcast", 13, dims(1, 2, 3, 3), with("Add", m -> m.weights(2, 1, 1))),
                row("Add", "target broadcast along an axis", 13, dims(1, 3, 1, 4),
                        with("Add", m -> m.weights(1, 3, 5, 4))),
                row("Add", "target broadcast along an axis", 7, dims(1, 3, 1, 4),
                        with("Add", m -> m.weights(1, 3, 5, 4))),
                row("Add", "target of lower rank broadcast", 13, dims(4), before("Add", m -> m.weights(2, 3, 4))),
                row("Add", "t + t", 13, dims(2, 3), m -> m.node("Add", List.of(TARGET, TARGET))),
                row("Sum", "t, constant, t", 13, dims(2, 3),
                        m -> m.node("Sum", List.of(TARGET, m.weights(2, 3), TARGET))),
                row("Sum", "target broadcast", 13, dims(3, 1),
                        m -> m.node("Sum", List.of(m.weights(2, 3, 4), TARGET, m.weights(4)))),
                row("Sub", "t - constant broadcast", 13, dims(2, 3), with("Sub", m -> m.weights(3))),
                row("Sub", "constant - t, target broadcast", 13, dims(3), before("Sub", m -> m.weights(2, 3))),
                row("Sub", "t - t * constant: both active", 13, dims(2, 3),
                        m -> m.node("Sub", List.of(TARGET, m.node("Mul", List.of(TARGET, m.weights(2, 3)))))),
                row("Sub", "(t - t) + t", 13, dims(2, 3), m -> plusTarget(m, m.node("Sub", List.of(TARGET, TARGET)))),
                row("Mul", "constant broadcast", 13, dims(1, 2, 3, 3), with("Mul", m -> m.weights(2, 1, 1))),
                row("Mul", "target broadcast", 13, dims(1, 3, 1, 1), before("Mul", m -> m.weights(1, 3, 2, 2))),
                row("Mul", "t * t", 13, dims(2, 3), m -> m.node("Mul", List.of(TARGET, TARGET))),
                row("Div", "by a constant broadcast", 13, dims(1, 2, 3), with("Div", m -> m.positive(3))),
                row("Div", "target broadcast", 13, dims(3, 1), with("Div", m -> m.positive(3, 4))),
                row("Div", "constant / t: the divisor active", 13, dims(2, 3), before("Div", m -> m.weights(2, 3)))
                        .around(2),
                row("Div", "constant / t, the divisor broadcast", 13, dims(3), before("Div", m -> m.weights(2, 3)))
                        .around(2),
                row("Div", "t / (t + 2): both active", 13, dims(2, 3),
                        m -> m.node("Div", List.of(TARGET, m.node("Add", List.of(TARGET, m.constantNode(2f)))))),
                row("Div", "(t / t) + t", 13, dims(2, 3), m -> plusTarget(m, m.node("Div", List.of(TARGET, TARGET))))
                        .around(2),
                row("Max", "t, constant 0.3", 13, dims(2, 3), with("Max", m -> m.floats(new float[] {0.3f})))
                        .avoiding(0.3),
                row("Max", "t, constants along the last axis, -0.5 t: three inputs", 8, dims(2, 3),
                        m -> m.node("Max", List.of(TARGET, m.floats(new float[] {0.2f, -0.4f, 0.7f}, 3),
                                scaledBy(m, TARGET, -0.5f))))
                        .avoiding(0, 0.2, -0.4, 0.7, 0.8),
                row("Max", "t, t", 13, dims(2, 3), m -> m.node("Max", List.of(TARGET, TARGET))),
                row("Min", "t, -0.5 t: both active", 13, dims(2, 3),
                        m -> m.node("Min", List.of(TARGET, scaledBy(m, TARGET, -0.5f)))).avoiding(0),
                row("Min", "constant, t: the target broadcast", 13, dims(3),
                        before("Min", m -> m.floats(new float[] {0.1f, 0.2f, 0.3f, -0.1f, -0.2f, -0.3f}, 2, 3)))
                        .avoiding(0.1, 0.2, 0.3, -0.1, -0.2, -0.3),
                row("Min", "ReLU6 as Min(Max(t, 0), 6)", 13, dims(2, 4),
                        m -> m.node("Min", List.of(m.node("Max", List.of(TARGET, m.floats(new float[] {0f}))),
                                m.floats(new float[] {6f}))))
                        .scaled(8).avoiding(0, 6),

                row("BatchNormalization", "rank 4", 9, dims(1, 3, 2, 2), batchNormalization()),
                row("BatchNormalization", "rank 3", 15, dims(1, 3, 4), batchNormalization()),
                row("BatchNormalization", "rank 2", 15, dims(2, 3), batchNormalization()),
                row("BatchNormalization", "scale and variance through Identity nodes (torch's shared weights)", 13,
                        dims(1, 3, 2, 2), m -> m.node("BatchNormalization", List.of(TARGET, copied(m, m.weights(3)),
                                m.weights(3), m.weights(3), copied(m, m.positive(3))), real("epsilon", 0.2f))),
                row("InstanceNormalization", "epsilon 0.2, batch 2", 13, dims(2, 3, 2, 3),
                        m -> m.node("InstanceNormalization", List.of(TARGET, m.weights(3), m.weights(3)),
                                real("epsilon", 0.2f))),
                row("InstanceNormalization", "rank 3, default epsilon", 7, dims(1, 2, 6),
                        m -> m.node("InstanceNormalization", List.of(TARGET, m.weights(2), m.weights(2)))),
                row("LayerNormalization", "axis -1, scale and bias, epsilon 0.2", 17, dims(1, 2, 3, 5),
                        m -> m.node("LayerNormalization", List.of(TARGET, m.weights(5), m.weights(5)),
                                real("epsilon", 0.2f))),
                row("LayerNormalization", "axis 1 of rank 3, no bias, default epsilon", 17, dims(2, 3, 4),
                        m -> m.node("LayerNormalization", List.of(TARGET, m.weights(3, 4)), integer("axis", 1))),
                row("Concat", "axis 1, both inputs active", 13, dims(1, 2, 3, 3),
                        m -> m.node("Concat", List.of(TARGET, m.node("Conv", List.of(TARGET, m.weights(3, 2, 1, 1)))),
                                integer("axis", 1))),
                row("Concat", "axis 1, a constant first", 7, dims(1, 2, 3, 3),
                        m -> m.node("Concat", List.of(m.weights(1, 3, 3, 3), TARGET), integer("axis", 1))),
                row("Concat", "axis 1, a constant computed by a node", 13, dims(1, 2, 3, 3),
                        m -> m.node("Concat", List.of(castWeights(m, 1, 3, 3, 3), TARGET), integer("axis", 1))),
                row("Concat", "two constants computed by nodes (Casts)", 13, dims(1, 2, 3, 3),
                        m -> m.node("Concat", List.of(castWeights(m, 1, 3, 3, 3), TARGET, castWeights(m, 1, 1, 3, 3)),
                                integer("axis", 1))),
                row("Concat", "axis -1, both inputs active", 11, dims(1, 2, 3),
                        m -> m.node("Concat", List.of(TARGET, m.node("Tanh")), integer("axis", -1))),
                row("Cast", "float to float", 13, dims(2, 3), m -> m.node("Cast", integer("to", FLOAT))),
                row("Cast", "to int64 and back: no gradient through the integer part", 13, dims(2, 3),
                        m -> m.node("Mul", List.of(TARGET, m.node("Cast", List.of(m.node("Cast", integer("to", INT64))),
                                integer("to", FLOAT)))))
                        .scaled(3).avoiding(-2, -1, 0, 1, 2),
                row("Dropout", "ratio attribute", 7, dims(2, 3), m -> m.node("Dropout", real("ratio", 0.3f))),
                row("Dropout", "ratio input", 13, dims(2, 3), with("Dropout", m -> m.floats(new float[] {0.3f}))),
                row("Identity", "", 13, dims(2, 3), m -> m.node("Identity")));
    }

    /**
     * Small networks as torch 1.13 exports torchvision's families (the same ops in the same patterns, a few channels),
     * with the gradient taken with respect to the graph input; batches of 2 and 3 in some, the seed giving each element
     * its own class (or, for filter patterns, its own channel).
     */
    static Stream<Row> networks() {
        return Stream.of(
                network("ResNet", "Conv, BatchNormalization, Relu, MaxPool 3x3 strides 2 pads 1, a basic block with"
                        + " a residual Add, GlobalAveragePool, Flatten, Gemm; batch 2", 13, dims(2, 3, 10, 10),
                        GradientRulesTest::resNet),
                network("ResNet", "as above", 17, dims(2, 3, 10, 10), GradientRulesTest::resNet),
                network("VGG", "Conv, Relu, MaxPool 2x2, AveragePool 1x1 (adaptive pooling to the same size), Flatten,"
                        + " Gemm, Relu, Dropout, Gemm", 13, dims(1, 3, 8, 8), GradientRulesTest::vgg),
                network("DenseNet", "BatchNormalization, Relu, Conv, Concat, a transition (Conv 1x1, Pad of zeros,"
                        + " AveragePool 2x2), GlobalAveragePool, Flatten, Gemm", 13, dims(1, 3, 8, 8),
                        GradientRulesTest::denseNet),
                network("GoogLeNet", "MaxPool 3x3 strides 2 ceil_mode, an inception module (MaxPool 3x3 strides 1"
                        + " pads 1 ceil_mode), Concat, MaxPool 2x2 ceil_mode, GlobalAveragePool, Dropout, Gemm", 13,
                        dims(1, 3, 12, 12), GradientRulesTest::googLeNet),
                network("GoogLeNet", "as above", 16, dims(1, 3, 12, 12), GradientRulesTest::googLeNet),
                network("SqueezeNet", "Conv, Relu, MaxPool 3x3 strides 2 ceil_mode, a fire module (Conv 1x1 and"
                        + " 3x3, Concat), a Conv classifier, GlobalAveragePool, Flatten", 13, dims(1, 3, 9, 9),
                        GradientRulesTest::squeezeNet),
                network("MobileNetV2", "Conv, BatchNormalization, ReLU6 as Clip, depthwise Conv, residual Add,"
                        + " GlobalAveragePool, Flatten, Gemm", 13, dims(1, 3, 8, 8), GradientRulesTest::mobileNetV2),
                network("MobileNetV3", "hard-swish as HardSigmoid and Mul, squeeze-and-excite (GlobalAveragePool,"
                        + " Conv, Relu, Conv, HardSigmoid, Mul), Flatten, Gemm", 13, dims(1, 3, 8, 8),
                        m -> mobileNetV3(m, false)),
                network("MobileNetV3", "as above, HardSwish", 17, dims(1, 3, 8, 8), m -> mobileNetV3(m, true)),
                network("EfficientNet", "Conv, BatchNormalization, SiLU as Sigmoid and Mul, depthwise Conv,"
                        + " squeeze-and-excite, residual Add, Flatten, Gemm", 13, dims(1, 3, 8, 8),
                        GradientRulesTest::efficientNet),
                network("ShuffleNetV2", "MaxPool, a channel split by Slices whose ends Shape, Gather, Add, Div and Mul"
                        + " compute, a branch, Concat, the channel shuffle (Reshape, Transpose, Reshape), ReduceMean,"
                        + " Gemm", 13, dims(1, 3, 8, 8), GradientRulesTest::shuffleNetV2),
                network("ConvNeXt", "Conv 2x2 strides 2, Transpose, LayerNormalization, depthwise Conv, MatMul, GELU"
                        + " (Div, Erf, Add, Mul, Mul), MatMul, Mul by the layer scale, Transpose, residual Add,"
                        + " GlobalAveragePool, Flatten, Gemm", 17, dims(1, 3, 8, 8), m -> convNeXt(m, true)),
                network("ConvNeXt", "as above, the layer norm as ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div,"
                        + " Mul, Add", 13, dims(1, 3, 8, 8), m -> convNeXt(m, false)),
                network("filter patterns", "Conv, Relu, Conv, ReduceMean over 2, 3; batch 3, the seed choosing a"
                        + " channel per batch element", 13, dims(3, 3, 6, 6), GradientRulesTest::filterPatterns));
    }

    // ---- the networks: torch 1.13's export patterns ----

    /** {@code Conv(in)}, {@code c} channels to {@code out}, random weights and bias, a square kernel. */
    private static String conv(TinyModel m, String in, long c, long out, long kernel, long strides, long pads,
                               long group) {
        return m.node("Conv", List.of(in, m.weights(out, c / group, kernel, kernel), m.weights(out)),
                ints("kernel_shape", kernel, kernel), ints("strides", strides, strides),
                ints("pads", pads, pads, pads, pads), integer("group", group));
    }

    /** A 1x1 Conv. */
    private static String pointwise(TinyModel m, String in, long c, long out) {
        return conv(m, in, c, out, 1, 1, 0, 1);
    }

    private static String relu(TinyModel m, String in) {
        return m.node("Relu", List.of(in));
    }

    private static String batchNorm(TinyModel m, String in, long c) {
        return m.node("BatchNormalization", List.of(in, m.weights(c), m.weights(c), m.weights(c), m.positive(c)));
    }

    /** GlobalAveragePool, Flatten, then a Gemm from {@code c} to 3 classes, as torch writes a Linear (transB). */
    private static String head(TinyModel m, String in, long c) {
        return linear(m, m.node("Flatten", List.of(m.node("GlobalAveragePool", List.of(in)))), c, 3);
    }

    private static String linear(TinyModel m, String in, long c, long out) {
        return m.node("Gemm", List.of(in, m.weights(out, c), m.weights(out)), integer("transB", 1));
    }

    private static String scaledBy(TinyModel m, String in, float factor) {
        return m.node("Mul", List.of(in, m.floats(new float[] {factor})));
    }

    private static String gelu(TinyModel m, String in) {
        String erf = m.node("Erf", List.of(m.node("Div", List.of(in, m.constantNode((float) Math.sqrt(2))))));
        String inner = m.node("Mul", List.of(in, m.node("Add", List.of(erf, m.constantNode(1f)))));
        return m.node("Mul", List.of(inner, m.constantNode(0.5f)));
    }

    /** Half of an NCHW tensor's channels, computed as torch's chunk(2, dim=1) exports it: (C + 1) / 2. */
    private static String half(TinyModel m, String in) {
        String channels = m.node("Gather", List.of(m.node("Shape", List.of(in)), m.int64s(1)), integer("axis", 0));
        return m.node("Div", List.of(m.node("Add", List.of(channels, m.int64s(1))), m.int64s(2)));
    }

    private static String maxPool(TinyModel m, String in, long kernel, long strides, long pads, long ceilMode) {
        return m.node("MaxPool", List.of(in), ints("kernel_shape", kernel, kernel), ints("strides", strides, strides),
                ints("pads", pads, pads, pads, pads), integer("ceil_mode", ceilMode));
    }

    private static String filterPatterns(TinyModel m) {
        String features = conv(m, relu(m, conv(m, INPUT, 3, 4, 3, 1, 1, 1)), 4, 5, 3, 1, 1, 1);
        return m.node("ReduceMean", List.of(features), ints("axes", 2, 3), integer("keepdims", 0));
    }

    private static String resNet(TinyModel m) {
        String stem = maxPool(m, relu(m, batchNorm(m, conv(m, INPUT, 3, 4, 3, 2, 1, 1), 4)), 3, 2, 1, 0);
        String inner = relu(m, batchNorm(m, conv(m, stem, 4, 4, 3, 1, 1, 1), 4));
        String branch = batchNorm(m, conv(m, inner, 4, 4, 3, 1, 1, 1), 4);
        return head(m, relu(m, m.node("Add", List.of(branch, stem))), 4);
    }

    private static String vgg(TinyModel m) {
        String features = maxPool(m, relu(m, conv(m, INPUT, 3, 4, 3, 1, 1, 1)), 2, 2, 0, 0);
        String pooled = m.node("Flatten", List.of(m.node("AveragePool", List.of(features), ints("kernel_shape", 1, 1),
                ints("strides", 1, 1))));
        return linear(m, m.node("Dropout", List.of(relu(m, linear(m, pooled, 64, 6)))), 6, 3);
    }

    private static String denseNet(TinyModel m) {
        String stem = conv(m, INPUT, 3, 4, 3, 1, 1, 1);
        String layer = conv(m, relu(m, batchNorm(m, stem, 4)), 4, 2, 3, 1, 1, 1);
        String block = m.node("Concat", List.of(stem, layer), integer("axis", 1));
        String narrowed = pointwise(m, relu(m, batchNorm(m, block, 6)), 6, 3);
        String padded = m.node("Pad", List.of(narrowed, m.int64s(0, 0, 0, 0, 0, 0, 0, 0)));
        return head(m, m.node("AveragePool", List.of(padded), ints("kernel_shape", 2, 2), ints("strides", 2, 2)), 3);
    }

    private static String googLeNet(TinyModel m) {
        String stem = maxPool(m, relu(m, conv(m, INPUT, 3, 4, 3, 1, 1, 1)), 3, 2, 0, 1);
        String b1 = relu(m, pointwise(m, stem, 4, 2));
        String b2 = relu(m, conv(m, relu(m, pointwise(m, stem, 4, 2)), 2, 3, 3, 1, 1, 1));
        String b3 = relu(m, pointwise(m, maxPool(m, stem, 3, 1, 1, 1), 4, 2));
        String inception = m.node("Concat", List.of(b1, b2, b3), integer("axis", 1));
        return head(m, m.node("Dropout", List.of(maxPool(m, inception, 2, 2, 0, 1))), 7);
    }

    private static String squeezeNet(TinyModel m) {
        String stem = maxPool(m, relu(m, conv(m, INPUT, 3, 4, 3, 1, 0, 1)), 3, 2, 0, 1);
        String squeeze = relu(m, pointwise(m, stem, 4, 3));
        String fire = m.node("Concat", List.of(relu(m, pointwise(m, squeeze, 3, 4)),
                relu(m, conv(m, squeeze, 3, 4, 3, 1, 1, 1))), integer("axis", 1));
        return m.node("Flatten", List.of(m.node("GlobalAveragePool", List.of(relu(m, pointwise(m, fire, 8, 3))))));
    }

    private static String mobileNetV2(TinyModel m) {
        String stem = relu6(m, batchNorm(m, conv(m, INPUT, 3, 4, 3, 2, 1, 1), 4));
        String expanded = relu6(m, pointwise(m, stem, 4, 6));
        String depthwise = relu6(m, conv(m, expanded, 6, 6, 3, 1, 1, 6));
        String projected = batchNorm(m, pointwise(m, depthwise, 6, 4), 4);
        return head(m, m.node("Add", List.of(stem, projected)), 4);
    }

    private static String relu6(TinyModel m, String in) {
        return m.node("Clip", List.of(in, m.constantNode(0f), m.constantNode(6f)));
    }

    private static String mobileNetV3(TinyModel m, boolean hardSwishOp) {
        String stem = hardSwish(m, conv(m, INPUT, 3, 4, 3, 2, 1, 1), hardSwishOp);
        String squeezed = relu(m, pointwise(m, m.node("GlobalAveragePool", List.of(stem)), 4, 2));
        String scale = m.node("HardSigmoid", List.of(pointwise(m, squeezed, 2, 4)), real("alpha", 1f / 6));
        String excited = m.node("Mul", List.of(scale, stem));
        return head(m, hardSwish(m, pointwise(m, excited, 4, 5), hardSwishOp), 5);
    }

    private static String hardSwish(TinyModel m, String in, boolean op) {
        return op ? m.node("HardSwish", List.of(in))
                : m.node("Mul", List.of(in, m.node("HardSigmoid", List.of(in), real("alpha", 1f / 6))));
    }

    private static String efficientNet(TinyModel m) {
        String stem = silu(m, batchNorm(m, conv(m, INPUT, 3, 4, 3, 2, 1, 1), 4));
        String depthwise = silu(m, batchNorm(m, conv(m, stem, 4, 4, 3, 1, 1, 4), 4));
        String squeezed = silu(m, pointwise(m, m.node("GlobalAveragePool", List.of(depthwise)), 4, 2));
        String scale = m.node("Sigmoid", List.of(pointwise(m, squeezed, 2, 4)));
        String projected = batchNorm(m, pointwise(m, m.node("Mul", List.of(depthwise, scale)), 4, 4), 4);
        return head(m, m.node("Add", List.of(projected, stem)), 4);
    }

    private static String silu(TinyModel m, String in) {
        return m.node("Mul", List.of(in, m.node("Sigmoid", List.of(in))));
    }

    private static String shuffleNetV2(TinyModel m) {
        String stem = maxPool(m, relu(m, conv(m, INPUT, 3, 4, 3, 1, 1, 1)), 3, 2, 1, 0);
        String half = half(m, stem);
        String first = m.node("Slice", List.of(stem, m.int64s(0), half, m.int64s(1)));
        String second = m.node("Slice", List.of(stem, half, m.node("Mul", List.of(half, m.int64s(2))), m.int64s(1)));
        String depthwise = conv(m, relu(m, pointwise(m, second, 2, 2)), 2, 2, 3, 1, 1, 2);
        String joined = m.node("Concat", List.of(first, relu(m, pointwise(m, depthwise, 2, 2))), integer("axis", 1));
        String grouped = m.node("Transpose", List.of(m.node("Reshape", List.of(joined, m.int64s(1, 2, 2, 4, 4)))),
                ints("perm", 0, 2, 1, 3, 4));
        String shuffled = m.node("Reshape", List.of(grouped, m.int64s(1, -1, 4, 4)));
        return linear(m, m.node("ReduceMean", List.of(shuffled), ints("axes", 2, 3), integer("keepdims", 0)), 4, 3);
    }

    private static String convNeXt(TinyModel m, boolean layerNormOp) {
        String stem = m.node("Conv", List.of(INPUT, m.weights(4, 3, 2, 2), m.weights(4)), ints("kernel_shape", 2, 2),
                ints("strides", 2, 2));
        String channelsLast = m.node("Transpose", List.of(conv(m, stem, 4, 4, 3, 1, 1, 4)), ints("perm", 0, 2, 3, 1));
        String normalized = layerNorm(m, channelsLast, 4, layerNormOp);
        String wide = m.node("Add", List.of(m.weights(8), m.node("MatMul", List.of(normalized, m.weights(4, 8)))));
        String narrow = m.node("Add", List.of(m.node("MatMul", List.of(gelu(m, wide), m.weights(8, 4))), m.weights(4)));
        String scaled = m.node("Mul", List.of(narrow, m.weights(4)));
        String back = m.node("Transpose", List.of(scaled), ints("perm", 0, 3, 1, 2));
        return head(m, m.node("Add", List.of(stem, back)), 4);
    }

    /** A layer norm over the last axis, of {@code c} elements: the opset 17 op, or the ops torch writes before it. */
    private static String layerNorm(TinyModel m, String in, long c, boolean op) {
        if (op) {
            return m.node("LayerNormalization", List.of(in, m.weights(c), m.weights(c)), integer("axis", -1),
                    real("epsilon", 1e-6f));
        }
        String centered = m.node("Sub", List.of(in, m.node("ReduceMean", List.of(in), ints("axes", -1))));
        String variance = m.node("ReduceMean", List.of(m.node("Pow", List.of(centered, m.constantNode(2f)))),
                ints("axes", -1));
        String std = m.node("Sqrt", List.of(m.node("Add", List.of(variance, m.constantNode(1e-6f)))));
        String normalized = m.node("Div", List.of(centered, std));
        return m.node("Add", List.of(m.node("Mul", List.of(normalized, m.weights(c))), m.weights(c)));
    }

    /** Gives the MaxPool that wrote {@code y} its Indices output too, and returns {@code y}. */
    private static String withIndices(TinyModel m, String y) {
        m.outputs(y, 2);
        return y;
    }

    private static Body maxPoolCeil(long kernel, long strides, long pads) {
        return m -> m.node("MaxPool", ints("kernel_shape", kernel, kernel), ints("strides", strides, strides),
                ints("pads", pads, pads, pads, pads), integer("ceil_mode", 1));
    }

    private static Body averagePool(long kernel, long strides, long pads, long ceilMode, long countIncludePad) {
        return m -> m.node("AveragePool", ints("kernel_shape", kernel, kernel), ints("strides", strides, strides),
                ints("pads", pads, pads, pads, pads), integer("ceil_mode", ceilMode),
                integer("count_include_pad", countIncludePad));
    }

    /** The inputs of a Resize of opset 11 or later after X: roi, scales, sizes (one of the last two). */
    @FunctionalInterface
    interface ResizeBy {
        List<String> inputs(TinyModel m);
    }

    private static ResizeBy scales(float... values) {
        return m -> List.of(unused(m), m.floats(values, values.length));
    }

    private static ResizeBy sizes(long... values) {
        return m -> List.of(unused(m), unused(m), m.int64s(values));
    }

    /** An input left out: opset 11 needs an empty tensor where later opsets take an empty name. */
    private static String unused(TinyModel m) {
        return m.opset() < 13 ? m.floats(new float[0], 0) : "";
    }

    /** A Resize by scales or sizes; an empty string leaves an attribute out (its default). */
    private static Body resize(ResizeBy by, String mode, String coordinates, String rounding) {
        return m -> {
            List<String> inputs = new ArrayList<>(List.of(TARGET));
            inputs.addAll(by.inputs(m));
            List<Onnx.AttributeProto> attributes = new ArrayList<>();
            String[][] given = {{"mode", mode}, {"coordinate_transformation_mode", coordinates},
                {"nearest_mode", rounding}};
            for (String[] a : given) {
                if (!a[1].isEmpty()) {
                    attributes.add(string(a[0], a[1]));
                }
            }
            return m.node("Resize", inputs, attributes.toArray(Onnx.AttributeProto[]::new));
        };
    }

    /** A Resize or Upsample of opset 10 or earlier, by scales. */
    private static Body resizeBefore11(String op, String mode, float... scales) {
        return m -> m.node(op, List.of(TARGET, m.floats(scales, scales.length)), string("mode", mode));
    }

    /** Weights that are constant but not an initializer: Cast writes them, as from float16 weights. */
    private static String castWeights(TinyModel m, long... dims) {
        return m.node("Cast", List.of(m.weights(dims)), integer("to", FLOAT));
    }

    /** A constant as torch writes weights it shares: an Identity of it. */
    private static String copied(TinyModel m, String constant) {
        return m.node("Identity", List.of(constant));
    }

    /** {@code in + t}: an op whose gradient is zero, made to count. */
    private static String plusTarget(TinyModel m, String in) {
        return m.node("Add", List.of(in, TARGET));
    }

    /** A constant whose shape a gradient rule cannot read: the sum of two weights. */
    private static String computed(TinyModel m, long... dims) {
        return m.node("Add", List.of(m.weights(dims), m.weights(dims)));
    }

    private static Body batchNormalization() {
        return m -> m.node("BatchNormalization", List.of(TARGET, m.weights(3), m.weights(3), m.weights(3),
                m.positive(3)), real("epsilon", 0.2f)); // large enough that leaving it out shows
    }

    /** Cases a rule refuses; {@code op} is the op the refusal must name, with a node of that op. */
    static Stream<Row> refusals() {
        return Stream.of(
                row("Conv", "weights computed from the target", 13, dims(3, 2, 3, 3),
                        before("Conv", m -> m.weights(1, 2, 5, 5))),
                row("Conv", "weights that are not constant", 13, dims(1, 2, 5, 5),
                        with("Conv", m -> m.input("w", 3, 2, 3, 3))),
                row("Conv", "weights whose shape is not known, no kernel_shape", 13, dims(1, 2, 5, 5),
                        m -> m.node("Conv", List.of(TARGET, computed(m, 3, 2, 3, 3)))),
                row("Relu", "opset 6", 6, dims(1, 2, 3, 3), m -> m.node("Relu")),
                row("Clip", "min and max attributes, opset 6", 6, dims(1, 2, 3, 3),
                        m -> m.node("Clip", real("min", -0.5f), real("max", 0.6f))),
                row("Clip", "a bound that is not constant", 13, dims(2, 3), with("Clip", m -> m.input("low"))),
                row("Pow", "an exponent that depends on the target", 13, dims(2, 3),
                        before("Pow", m -> m.positive(2, 3))),
                row("ReduceSum", "axes computed by nodes", 13, dims(2, 3), with("ReduceSum",
                        m -> m.node("Sub", List.of(m.node("Shape", List.of(m.node("Shape"))), m.int64s(1))))),
                row("Slice", "opset 8", 8, dims(3, 4),
                        m -> m.node("Slice", ints("starts", 1), ints("ends", 3), ints("axes", 0))),
                row("Split", "an output that does not lead to the score, opset 8", 8, dims(4, 3),
                        m -> m.outputs(m.node("Split"), 2).get(0)),
                row("Gather", "repeated indices, before opset 16", 13, dims(3, 4), with("Gather", m -> m.int64s(1, 1))),
                row("Pad", "wrap mode", 19, dims(1, 2, 3, 4),
                        m -> m.node("Pad", List.of(TARGET, m.int64s(0, 0, 1, 1, 0, 0, 1, 1)), string("mode", "wrap"))),
                row("Pad", "reflect along an axis of 4100", 13, dims(1, 4100),
                        m -> m.node("Pad", List.of(TARGET, m.int64s(0, 1, 0, 1)), string("mode", "reflect"))),
                row("Resize", "cubic", 13, dims(1, 1, 3, 4), resize(scales(1, 1, 2, 2), "cubic", "", "")),
                row("Resize", "tf_crop_and_resize", 13, dims(1, 1, 3, 4), m -> m.node("Resize",
                        List.of(TARGET, m.floats(new float[] {0, 0, 0, 0, 1, 1, 1, 1}, 8), "", m.int64s(1, 1, 5, 5)),
                        string("mode", "linear"), string("coordinate_transformation_mode", "tf_crop_and_resize"))),
                row("Resize", "antialias", 18, dims(1, 1, 6, 8),
                        m -> m.node("Resize", List.of(TARGET, "", "", m.int64s(1, 1, 3, 4)), string("mode", "linear"),
                                integer("antialias", 1))),
                row("Gemm", "weights that are not constant", 13, dims(2, 4), with("Gemm", m -> m.input("b", 4, 3))),
                row("MatMul", "weights whose shape is not known", 13, dims(2, 4),
                        with("MatMul", m -> computed(m, 4, 3))),
                row("Concat", "two constants whose shapes are not known", 13, dims(1, 2, 3, 3),
                        m -> m.node("Concat", List.of(computed(m, 1, 3, 3, 3), TARGET, computed(m, 1, 1, 3, 3)),
                                integer("axis", 1))),
                row("BatchNormalization", "a scale that is not constant", 13, dims(1, 3, 2, 2),
                        m -> m.node("BatchNormalization", List.of(TARGET, m.input("scale", 3), m.weights(3),
                                m.weights(3), m.positive(3)))),
                row("LayerNormalization", "its Mean output used", 17, dims(2, 3, 4),
                        m -> m.outputs(m.node("LayerNormalization", List.of(TARGET, m.weights(4))), 2).get(1)),
                row("Cast", "to double", 13, dims(2, 3), m -> m.node("Cast",
                        List.of(m.node("Cast", integer("to", DOUBLE))), integer("to", FLOAT))),
                row("Abs", "an op without a rule", 13, dims(2, 3), m -> m.node("Abs")));
    }

    @Test
    void everyRuleHasARow() {
        // QuantizeLinear and DequantizeLinear pass the gradient straight through their rounding, whose derivative is
        // zero almost everywhere, so no central difference can check them: Int8ModelsTest compares Grad-CAM through
        // them with the float model's
        Set<String> straightThrough = Set.of("QuantizeLinear", "DequantizeLinear");
        assertThat(rows().map(Row::op).collect(toSet())).isEqualTo(GradientBuilder.SUPPORTED.stream()
                .filter(op -> !straightThrough.contains(op)).collect(toSet()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"rows", "networks"})
    void gradientMatchesCentralDifferences(Row row) throws OrtException {
        Built b = Built.of(row);
        Tensor x = b.feeds().get(TinyModel.INPUT);
        Map<String, long[]> shapes;
        Tensor seed;
        double[] numeric = new double[x.values().length];
        double[] forward = new double[numeric.length];
        double[] backward = new double[numeric.length];
        try (OrtSession plain = session(b.exposingPath().proto().toByteArray())) {
            shapes = shapes(run(plain, b.feeds()));
            seed = new Tensor(gaussian(b.random(), TinyModel.size(shapes.get(b.output()))), shapes.get(b.output()));
            double score = score(run(plain, b.feeds()).get(b.output()), seed);
            for (int i = 0; i < numeric.length; i++) {
                float at = x.values()[i];
                float up = (float) (at + STEP);
                float down = (float) (at - STEP);
                x.values()[i] = up;
                double above = score(run(plain, b.feeds()).get(b.output()), seed);
                x.values()[i] = down;
                double below = score(run(plain, b.feeds()).get(b.output()), seed);
                x.values()[i] = at;
                numeric[i] = (above - below) / ((double) up - down);
                forward[i] = (above - score) / ((double) up - at);
                backward[i] = (score - below) / ((double) at - down);
            }
        }
        Map<String, Tensor> feeds = new HashMap<>(b.feeds());
        feeds.put(GradientBuilder.SEED, seed);
        Tensor gradient;
        try (OrtSession session = session(GradientBuilder.build(b.model(), row.target(), b.output(), shapes))) {
            gradient = run(session, feeds).get(GradientBuilder.gradientOf(row.target()));
        }
        assertThat(gradient.shape()).as("the gradient's shape").isEqualTo(x.shape());
        float[] analytic = gradient.values();

        double largest = Arrays.stream(numeric).map(Math::abs).max().orElseThrow();
        double error = 0;
        int excused = 0;
        for (int i = 0; i < numeric.length; i++) {
            double e = Math.abs(analytic[i] - numeric[i]);
            double low = Math.min(forward[i], backward[i]) - TOLERANCE * largest;
            double high = Math.max(forward[i], backward[i]) + TOLERANCE * largest;
            if (row.network() && e > TOLERANCE * largest && analytic[i] >= low && analytic[i] <= high) {
                excused++; // a kink within the step: the gradient is one of the slopes on either side
            } else {
                error = Math.max(error, e);
            }
        }
        System.out.printf("%-90s relative error %.1e%s%n", row, error / largest,
                excused > 0 ? ", " + excused + " of " + numeric.length + " elements by a kink" : "");
        assertThat(largest).as("the score depends on the target").isGreaterThan(1e-2);
        assertThat(error / largest).as("analytic %s%nnumeric %s", Arrays.toString(analytic),
                Arrays.toString(numeric)).isLessThan(row.network() ? NETWORK_TOLERANCE : TOLERANCE);
        assertThat(excused).as("elements excused by a kink").isLessThanOrEqualTo(numeric.length / EXCUSED);
    }

    /** The shape of a graph input whose batch the model leaves open must come with the others; the message says so. */
    @Test
    void anInputOfOpenShapeNeedsItsShape() {
        TinyModel m = new TinyModel(13, dims(2, 3), new Random(1));
        String output = m.node("Flatten", List.of(INPUT));
        Onnx.ModelProto.Builder proto = m.model(output, List.of()).proto().toBuilder();
        proto.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder()
                .getDimBuilder(0).setDimParam("batch");
        ModelFile model = ModelFile.of(proto.build().toByteArray());
        assertThatThrownBy(() -> GradientBuilder.build(model, INPUT, output, Map.of(output, dims(2, 3))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + INPUT + "'");
        assertThat(GradientBuilder.build(model, INPUT, output, Map.of(output, dims(2, 3), INPUT, dims(2, 3))))
                .matches(java.nio.ByteBuffer::hasRemaining);
    }

    /**
     * The seed of the predicted class, picked in the graph: one-hot at the first maximum of a softmax's values (a tie
     * goes to the first), and for a single sigmoid value, of rank 2, 1 or 0, +1 from 0.5 up and -1 below; a batch of
     * more than one input is refused by name.
     */
    @Test
    void thePredictedClassSeedIsPickedInTheGraph() throws OrtException {
        Object[][] cases = {
            {dims(1, 4), new float[] {0.1f, 0.7f, 0.7f, 0.2f}, new float[] {0, 1, 0, 0}},
            {dims(1, 1), new float[] {0.3f}, new float[] {-1}},
            {dims(1, 1), new float[] {0.5f}, new float[] {1}},
            {dims(1), new float[] {0.9f}, new float[] {1}},
            {dims(), new float[] {0.2f}, new float[] {-1}},
        };
        for (Object[] c : cases) {
            long[] shape = (long[]) c[0];
            TinyModel m = new TinyModel(13, shape, new Random(3));
            String y = m.node("Identity");
            ModelFile model = m.model(y, List.of());
            try (OrtSession session = session(GradientBuilder.buildForPrediction(model, TARGET, y,
                    Map.of(TARGET, shape, y, shape)))) {
                float[] g = run(session, Map.of(INPUT, new Tensor((float[]) c[1], shape)))
                        .get(GradientBuilder.gradientOf(TARGET)).values();
                assertThat(g).as("%s of shape %s", Arrays.toString((float[]) c[1]), Arrays.toString(shape))
                        .containsExactly((float[]) c[2]);
            }
        }
        TinyModel batch = new TinyModel(13, dims(2, 3), new Random(3));
        String y = batch.node("Identity");
        assertThatThrownBy(() -> GradientBuilder.buildForPrediction(batch.model(y, List.of()), TARGET, y,
                Map.of(TARGET, dims(2, 3), y, dims(2, 3)))).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("[2, 3]").hasMessageContaining("Target.output");
    }

    /** Guided backpropagation: a Relu passes back the positive part of its gradient, where its input is positive. */
    @Test
    void guidedReluPassesBackOnlyPositiveGradientsWhereItsInputWasPositive() throws OrtException {
        TinyModel m = new TinyModel(13, dims(1, 8), new Random(2));
        String y = m.node("Relu");
        ModelFile model = m.model(y, List.of());
        float[] x = {-2, -1, -0.5f, 0.5f, 1, 2, 3, -3};
        float[] seed = {1, -1, 2, -2, 3, -3, 0.5f, 4};
        Map<String, long[]> shapes = Map.of(TARGET, dims(1, 8), y, dims(1, 8));
        for (boolean guided : new boolean[] {false, true}) {
            try (OrtSession session = session(GradientBuilder.build(model, TARGET, y, shapes, guided))) {
                float[] g = run(session, Map.of(INPUT, new Tensor(x, dims(1, 8)),
                        GradientBuilder.SEED, new Tensor(seed, dims(1, 8)))).get(GradientBuilder.gradientOf(TARGET))
                        .values();
                for (int i = 0; i < x.length; i++) {
                    float expected = x[i] > 0 ? guided ? Math.max(0, seed[i]) : seed[i] : 0;
                    assertThat(g[i]).as("guided %s, element %d", guided, i).isEqualTo(expected);
                }
            }
        }
    }

    /**
     * Where a window's maximum is there more than once, which central differences cannot judge, MaxPool's gradient by
     * comparison goes where the one by Indices goes: to the first of them.
     */
    @Test
    void maxPoolByComparisonBreaksTiesAsIndices() throws OrtException {
        long[] shape = dims(1, 2, 6, 6);
        Random random = new Random(5);
        float[] x = new float[TinyModel.size(shape)];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextInt(3);
        }
        long[] pooled = dims(1, 2, 3, 3);
        Tensor seed = new Tensor(gaussian(random, TinyModel.size(pooled)), pooled);
        List<float[]> gradients = new ArrayList<>();
        for (boolean byComparison : List.of(false, true)) {
            TinyModel m = new TinyModel(13, shape, random);
            String y = m.node("MaxPool", ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1));
            if (byComparison) {
                withIndices(m, y);
            }
            java.nio.ByteBuffer built = GradientBuilder.build(m.model(y, List.of()), TARGET, y,
                    Map.of(TARGET, shape, y, pooled));
            try (OrtSession session = session(built)) {
                gradients.add(run(session, Map.of(INPUT, new Tensor(x, shape), GradientBuilder.SEED, seed))
                        .get(GradientBuilder.gradientOf(TARGET)).values());
            }
        }
        assertThat(gradients.get(1)).containsExactly(gradients.get(0), org.assertj.core.data.Offset.offset(1e-6f));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusalNamesTheOp(Row row) throws OrtException {
        Built b = Built.of(row);
        Map<String, long[]> shapes;
        try (OrtSession plain = session(b.exposingPath().proto().toByteArray())) {
            shapes = shapes(run(plain, b.feeds()));
        }
        List<String> nodes = b.model().proto().getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals(row.op())).map(Onnx.NodeProto::getName).toList();
        assertThatThrownBy(() -> GradientBuilder.build(b.model(), TARGET, b.output(), shapes))
                .isInstanceOf(UnsupportedModelException.class)
                .satisfies(e -> {
                    String message = e.getMessage();
                    assertThat(nodes).as(message).anyMatch(node -> message.contains(" (node '" + node + "'"));
                    assertThat(message.substring(0, message.indexOf(" (node '"))).as(message).contains(row.op());
                });
    }

    /**
     * A row's model, as it is and with the tensors of its gradient path as outputs too (for their shapes), and its
     * inputs: {@link TinyModel#INPUT} drawn for the row's op, other graph inputs (non-constant weights) at random.
     */
    private record Built(Random random, String output, ModelFile model, ModelFile exposingPath,
                         Map<String, Tensor> feeds) {
        static Built of(Row row) {
            Random random = new Random(row.toString().hashCode());
            TinyModel m = new TinyModel(row.opset(), row.shape(), random);
            String output = row.body().after(m);
            ModelFile model = m.model(output, List.of());
            Map<String, Tensor> feeds = new LinkedHashMap<>();
            for (Onnx.ValueInfoProto v : m.inputs()) {
                long[] shape = v.getType().getTensorType().getShape().getDimList().stream()
                        .mapToLong(Onnx.TensorShapeProto.Dimension::getDimValue).toArray();
                float[] values = v.getName().equals(TinyModel.INPUT) ? inputs(row, random)
                        : gaussian(random, TinyModel.size(shape));
                feeds.put(v.getName(), new Tensor(values, shape));
            }
            return new Built(random, output, model, m.model(output, GradientBuilder.path(model, row.target(), output)),
                    feeds);
        }
    }

    /** Inputs for the row's op: away from its kinks or from each other, see {@link Row}. */
    private static float[] inputs(Row row, Random random) {
        int n = TinyModel.size(row.shape());
        float[] values = new float[n];
        if (row.distinctValues()) {
            List<Float> spread = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                spread.add((float) (row.center() + row.scale() * (-1 + (2 * i + 1.0) / n)));
            }
            Collections.shuffle(spread, random);
            for (int i = 0; i < n; i++) {
                values[i] = spread.get(i);
            }
            return values;
        }
        for (int i = 0; i < n; i++) {
            double v;
            do {
                v = row.center() + row.scale() * (2 * random.nextDouble() - 1);
            } while (nearKink(v, row.kinks()));
            values[i] = (float) v;
        }
        return values;
    }

    private static boolean nearKink(double v, double[] kinks) {
        return Arrays.stream(kinks).anyMatch(k -> Math.abs(v - k) < MARGIN);
    }

    private static float[] gaussian(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    private static double score(Tensor output, Tensor seed) {
        double sum = 0;
        for (int i = 0; i < seed.values().length; i++) {
            sum += (double) seed.values()[i] * output.values()[i];
        }
        return sum;
    }

    record Tensor(float[] values, long[] shape) {
    }

    private static OrtSession session(java.nio.ByteBuffer model) throws OrtException {
        return session(TinyModel.array(model));
    }

    private static OrtSession session(byte[] model) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            // the opset 6 rows make ONNX Runtime warn that its optimizers skip them: expected, and not a failure
            options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            return ORT.createSession(model, options);
        }
    }

    private static Map<String, long[]> shapes(Map<String, Tensor> tensors) {
        Map<String, long[]> shapes = new HashMap<>();
        tensors.forEach((name, t) -> shapes.put(name, t.shape()));
        return shapes;
    }

    /** Every output of one run, by name. */
    private static Map<String, Tensor> run(OrtSession session, Map<String, Tensor> feeds) throws OrtException {
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            for (Map.Entry<String, Tensor> f : feeds.entrySet()) {
                in.put(f.getKey(), OnnxTensor.createTensor(ORT, FloatBuffer.wrap(f.getValue().values()),
                        f.getValue().shape()));
            }
            Map<String, Tensor> out = new HashMap<>();
            try (OrtSession.Result result = session.run(in)) {
                for (Map.Entry<String, OnnxValue> r : result) {
                    OnnxTensor t = (OnnxTensor) r.getValue();
                    FloatBuffer values = t.getFloatBuffer(); // null for another type: only its shape is wanted
                    float[] array = new float[values == null ? 0 : values.remaining()];
                    if (values != null) {
                        values.get(array);
                    }
                    out.put(r.getKey(), new Tensor(array, t.getInfo().getShape()));
                }
            }
            return out;
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }
}
