package dev.convlens.onnx;

import static dev.convlens.onnx.TinyModel.TARGET;
import static dev.convlens.onnx.TinyModel.integer;
import static dev.convlens.onnx.TinyModel.ints;
import static dev.convlens.onnx.TinyModel.real;
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
 * {@code t} copies exactly) one element at a time.
 *
 * <p>Errors are measured as {@code max |analytic - numeric| / max |numeric|} over the tensor. The step is {@link #STEP}
 * and the tolerance {@link #TOLERANCE}; see there why.
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
     * 25x the largest error measured (4e-5, Softmax; the per-row lines this test prints say each), and well under what
     * a wrong rule gives: a wrong factor, a missing or swapped term, a misplaced window err by 1e-2 or more. (The
     * BatchNormalization rows take epsilon 0.2, so that leaving epsilon out errs by percents, not by 1e-4.)
     */
    private static final double TOLERANCE = 1e-3;
    private static final OrtEnvironment ORT = OrtEnvironment.getEnvironment();

    /** Adds the nodes after {@link TinyModel#TARGET} and returns the output the score is taken from. */
    @FunctionalInterface
    interface Body {
        String after(TinyModel m);
    }

    /**
     * One op in one variant. Inputs are drawn uniformly from {@code [-scale, scale]} at least {@link #MARGIN} from
     * each kink, or, when {@code distinctValues}, spread evenly over that range and shuffled, so that no two are
     * closer.
     */
    record Row(String op, String variant, long opset, long[] shape, Body body, double scale, double[] kinks,
               boolean distinctValues) {
        Row avoiding(double... points) {
            return new Row(op, variant, opset, shape, body, scale, points, distinctValues);
        }

        Row scaled(double s) {
            return new Row(op, variant, opset, shape, body, s, kinks, distinctValues);
        }

        Row distinct() {
            return new Row(op, variant, opset, shape, body, scale, kinks, true);
        }

        @Override
        public String toString() {
            return op + ": " + variant + " (opset " + opset + ", input " + Arrays.toString(shape) + ")";
        }
    }

    private static Row row(String op, String variant, long opset, long[] shape, Body body) {
        return new Row(op, variant, opset, shape, body, 1, new double[0], false);
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
                row("Conv", "1-D, strides 2, pads 1", 13, dims(1, 2, 9),
                        conv(dims(3, 2, 3), ints("strides", 2), ints("pads", 1, 1))),

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

                row("MaxPool", "2x2, strides 2: Scatter", 9, dims(1, 2, 4, 4),
                        m -> m.node("MaxPool", ints("kernel_shape", 2, 2), ints("strides", 2, 2))).distinct(),
                row("MaxPool", "2x2, strides 2, last row and column left out", 13, dims(1, 2, 5, 5),
                        m -> m.node("MaxPool", ints("kernel_shape", 2, 2), ints("strides", 2, 2))).distinct(),
                row("MaxPool", "3x3, strides 1: overlapping", 16, dims(1, 2, 5, 5),
                        m -> m.node("MaxPool", ints("kernel_shape", 3, 3), ints("strides", 1, 1))).distinct(),
                row("MaxPool", "3x3, strides 2, pads 1: overlapping", 16, dims(1, 2, 6, 6),
                        m -> m.node("MaxPool", ints("kernel_shape", 3, 3), ints("strides", 2, 2),
                                ints("pads", 1, 1, 1, 1)))
                        .distinct(),
                row("MaxPool", "2x2, default strides: overlapping", 16, dims(1, 1, 4, 4),
                        m -> m.node("MaxPool", ints("kernel_shape", 2, 2))).distinct(),
                row("MaxPool", "2x2, strides 2, dilations 2: overlapping", 16, dims(1, 2, 5, 5),
                        m -> m.node("MaxPool", ints("kernel_shape", 2, 2), ints("strides", 2, 2),
                                ints("dilations", 2, 2)))
                        .distinct(),
                row("AveragePool", "2x2, strides 2", 13, dims(1, 2, 4, 4),
                        m -> m.node("AveragePool", ints("kernel_shape", 2, 2), ints("strides", 2, 2))),
                row("AveragePool", "3x2, strides 3x2", 7, dims(1, 2, 6, 4),
                        m -> m.node("AveragePool", ints("kernel_shape", 3, 2), ints("strides", 3, 2))),
                row("GlobalAveragePool", "", 13, dims(1, 3, 4, 5), m -> m.node("GlobalAveragePool")),
                row("GlobalAveragePool", "", 7, dims(1, 3, 4, 5), m -> m.node("GlobalAveragePool")),

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

                row("Gemm", "bias", 13, dims(2, 4),
                        m -> m.node("Gemm", List.of(TARGET, m.weights(4, 3), m.weights(3)))),
                row("Gemm", "transB", 13, dims(2, 4), with("Gemm", m -> m.weights(3, 4), integer("transB", 1))),
                row("Gemm", "transA", 13, dims(4, 2), with("Gemm", m -> m.weights(4, 3), integer("transA", 1))),
                row("Gemm", "transA, transB, alpha 0.5, beta 2", 13, dims(4, 2),
                        m -> m.node("Gemm", List.of(TARGET, m.weights(3, 4), m.weights(1, 3)), integer("transA", 1),
                                integer("transB", 1), real("alpha", 0.5f), real("beta", 2f))),
                row("Gemm", "C required", 9, dims(2, 4),
                        m -> m.node("Gemm", List.of(TARGET, m.weights(4, 3), m.weights(3)), real("alpha", 2f))),
                row("MatMul", "", 13, dims(2, 4), with("MatMul", m -> m.weights(4, 3))),

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
                row("Mul", "constant broadcast", 13, dims(1, 2, 3, 3), with("Mul", m -> m.weights(2, 1, 1))),
                row("Mul", "target broadcast", 13, dims(1, 3, 1, 1), before("Mul", m -> m.weights(1, 3, 2, 2))),
                row("Mul", "t * t", 13, dims(2, 3), m -> m.node("Mul", List.of(TARGET, TARGET))),
                row("Div", "by a constant broadcast", 13, dims(1, 2, 3), with("Div", m -> m.positive(3))),
                row("Div", "target broadcast", 13, dims(3, 1), with("Div", m -> m.positive(3, 4))),

                row("BatchNormalization", "rank 4", 9, dims(1, 3, 2, 2), batchNormalization()),
                row("BatchNormalization", "rank 3", 15, dims(1, 3, 4), batchNormalization()),
                row("BatchNormalization", "rank 2", 15, dims(2, 3), batchNormalization()),
                row("Concat", "axis 1, both inputs active", 13, dims(1, 2, 3, 3),
                        m -> m.node("Concat", List.of(TARGET, m.node("Conv", List.of(TARGET, m.weights(3, 2, 1, 1)))),
                                integer("axis", 1))),
                row("Concat", "axis 1, a constant first", 7, dims(1, 2, 3, 3),
                        m -> m.node("Concat", List.of(m.weights(1, 3, 3, 3), TARGET), integer("axis", 1))),
                row("Concat", "axis 1, a constant computed by a node", 13, dims(1, 2, 3, 3),
                        m -> m.node("Concat", List.of(castWeights(m, 1, 3, 3, 3), TARGET), integer("axis", 1))),
                row("Concat", "axis -1, both inputs active", 11, dims(1, 2, 3),
                        m -> m.node("Concat", List.of(TARGET, m.node("Tanh")), integer("axis", -1))),
                row("Dropout", "ratio attribute", 7, dims(2, 3), m -> m.node("Dropout", real("ratio", 0.3f))),
                row("Dropout", "ratio input", 13, dims(2, 3), with("Dropout", m -> m.floats(new float[] {0.3f}))),
                row("Identity", "", 13, dims(2, 3), m -> m.node("Identity")));
    }

    /** Weights that are constant but not an initializer: Cast writes them, as from float16 weights. */
    private static String castWeights(TinyModel m, long... dims) {
        return m.node("Cast", List.of(m.weights(dims)), integer("to", Onnx.TensorProto.DataType.FLOAT_VALUE));
    }

    private static Body batchNormalization() {
        return m -> m.node("BatchNormalization", List.of(TARGET, m.weights(3), m.weights(3), m.weights(3),
                m.positive(3)), real("epsilon", 0.2f)); // large enough that leaving it out shows
    }

    /** Cases a rule refuses; {@code op} is the op the refusal must name. */
    static Stream<Row> refusals() {
        return Stream.of(
                row("Conv", "weights computed from the target", 13, dims(3, 2, 3, 3),
                        before("Conv", m -> m.weights(1, 2, 5, 5))),
                row("Conv", "weights that are not constant", 13, dims(1, 2, 5, 5),
                        with("Conv", m -> m.input("w", 3, 2, 3, 3))),
                row("Conv", "weights computed by a node, no kernel_shape", 13, dims(1, 2, 5, 5),
                        m -> m.node("Conv", List.of(TARGET, castWeights(m, 3, 2, 3, 3)))),
                row("Relu", "opset 6", 6, dims(1, 2, 3, 3), m -> m.node("Relu")),
                row("Clip", "min and max attributes, opset 6", 6, dims(1, 2, 3, 3),
                        m -> m.node("Clip", real("min", -0.5f), real("max", 0.6f))),
                row("Clip", "a bound that is not constant", 13, dims(2, 3), with("Clip", m -> m.input("low"))),
                row("Softmax", "axis 1 of rank 3", 11, dims(1, 3, 4), m -> m.node("Softmax", integer("axis", 1))),
                row("MaxPool", "overlapping windows", 13, dims(1, 2, 5, 5),
                        m -> m.node("MaxPool", ints("kernel_shape", 3, 3), ints("strides", 1, 1))),
                row("MaxPool", "dilations 2: overlapping windows", 13, dims(1, 2, 5, 5),
                        m -> m.node("MaxPool", ints("kernel_shape", 2, 2), ints("strides", 2, 2),
                                ints("dilations", 2, 2))),
                row("MaxPool", "opset 8", 8, dims(1, 2, 4, 4),
                        m -> m.node("MaxPool", ints("kernel_shape", 2, 2), ints("strides", 2, 2))),
                row("MaxPool", "with its own Indices output", 13, dims(1, 2, 4, 4), m -> {
                    String y = m.node("MaxPool", ints("kernel_shape", 2, 2), ints("strides", 2, 2));
                    m.secondOutput(y);
                    return y;
                }),
                row("AveragePool", "overlapping windows", 13, dims(1, 2, 5, 5),
                        m -> m.node("AveragePool", ints("kernel_shape", 3, 3), ints("strides", 1, 1))),
                row("AveragePool", "padded", 13, dims(1, 2, 4, 4),
                        m -> m.node("AveragePool", ints("kernel_shape", 2, 2), ints("strides", 2, 2),
                                ints("pads", 1, 1, 1, 1))),
                row("AveragePool", "dilations 2, ceil_mode: overlapping windows", 19, dims(1, 1, 4, 4),
                        m -> m.node("AveragePool", ints("kernel_shape", 2, 2), ints("strides", 2, 2),
                                ints("dilations", 2, 2), integer("ceil_mode", 1))),
                row("AveragePool", "windows that do not tile the input", 13, dims(1, 2, 5, 5),
                        m -> m.node("AveragePool", ints("kernel_shape", 2, 2), ints("strides", 2, 2))),
                row("Gemm", "weights that are not constant", 13, dims(2, 4), with("Gemm", m -> m.input("b", 4, 3))),
                row("MatMul", "rank 3", 13, dims(1, 2, 4), with("MatMul", m -> m.weights(4, 3))),
                row("MatMul", "rank-1 weights", 13, dims(2, 4), with("MatMul", m -> m.weights(4))),
                row("MatMul", "weights computed from the target", 13, dims(4, 3),
                        before("MatMul", m -> m.weights(2, 4))),
                row("Concat", "two constants computed by nodes", 13, dims(1, 2, 3, 3),
                        m -> m.node("Concat", List.of(castWeights(m, 1, 3, 3, 3), TARGET, castWeights(m, 1, 1, 3, 3)),
                                integer("axis", 1))),
                row("Div", "by the target", 13, dims(2, 3), before("Div", m -> m.positive(2, 3))),
                row("Div", "t / t", 13, dims(2, 3), m -> m.node("Div", List.of(TARGET, TARGET))),
                row("BatchNormalization", "a scale that is not constant", 13, dims(1, 3, 2, 2),
                        m -> m.node("BatchNormalization", List.of(TARGET, m.input("scale", 3), m.weights(3),
                                m.weights(3), m.positive(3)))),
                row("Abs", "an op without a rule", 13, dims(2, 3), m -> m.node("Abs")));
    }

    @Test
    void everyRuleHasARow() {
        assertThat(rows().map(Row::op).collect(toSet())).isEqualTo(Set.copyOf(GradientBuilder.SUPPORTED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void gradientMatchesCentralDifferences(Row row) throws OrtException {
        Built b = Built.of(row);
        Tensor x = b.feeds().get(TinyModel.INPUT);
        Map<String, long[]> shapes;
        Tensor seed;
        double[] numeric = new double[x.values().length];
        try (OrtSession plain = session(b.exposingPath().proto().toByteArray())) {
            shapes = shapes(run(plain, b.feeds()));
            seed = new Tensor(gaussian(b.random(), TinyModel.size(shapes.get(b.output()))), shapes.get(b.output()));
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
            }
        }
        Map<String, Tensor> feeds = new HashMap<>(b.feeds());
        feeds.put(GradientBuilder.SEED, seed);
        Tensor gradient;
        try (OrtSession session = session(GradientBuilder.build(b.model(), TARGET, b.output(), shapes))) {
            gradient = run(session, feeds).get(GradientBuilder.gradientOf(TARGET));
        }
        assertThat(gradient.shape()).as("the gradient's shape").isEqualTo(x.shape());
        float[] analytic = gradient.values();

        double largest = 0;
        double error = 0;
        for (int i = 0; i < numeric.length; i++) {
            largest = Math.max(largest, Math.abs(numeric[i]));
            error = Math.max(error, Math.abs(analytic[i] - numeric[i]));
        }
        System.out.printf("%-90s relative error %.1e%n", row, error / largest);
        assertThat(largest).as("the score depends on the target").isGreaterThan(1e-2);
        assertThat(error / largest).as("analytic %s%nnumeric %s", Arrays.toString(analytic),
                Arrays.toString(numeric)).isLessThan(TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusalNamesTheOp(Row row) throws OrtException {
        Built b = Built.of(row);
        Map<String, long[]> shapes;
        try (OrtSession plain = session(b.exposingPath().proto().toByteArray())) {
            shapes = shapes(run(plain, b.feeds()));
        }
        assertThatThrownBy(() -> GradientBuilder.build(b.model(), TARGET, b.output(), shapes))
                .isInstanceOf(UnsupportedModelException.class)
                .satisfies(e -> {
                    String message = e.getMessage();
                    assertThat(message).contains(" (node '" + b.output() + "'");
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
            return new Built(random, output, model, m.model(output, GradientBuilder.path(model, TARGET, output)),
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
                spread.add((float) (row.scale() * (-1 + (2 * i + 1.0) / n)));
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
                v = row.scale() * (2 * random.nextDouble() - 1);
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

    private static OrtSession session(byte[] model) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
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
                    FloatBuffer values = t.getFloatBuffer();
                    float[] array = new float[values.remaining()];
                    values.get(array);
                    out.put(r.getKey(), new Tensor(array, t.getInfo().getShape()));
                }
            }
            return out;
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }
}
