package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Float16 models get every heatmap method and filter patterns, through float32 copies of the models derived from them
 * (gradient models, tails, models that expose inner tensors). A float16 model built here against its float32 twin
 * ({@link TestModels}: the same weights before their rounding to float16), and the float16 SqueezeNet of
 * ../shared/models/wild.
 */
class Float16ModelsTest {
    private static final Path PHOTO = Path.of("../examples/images/chelsea.png");
    private static final TestModels.Spec SPEC = TestModels.Spec.rgb(32, 32);
    /**
     * How far the float16 model's maps, patterns and scores may be from its twin's, relative to their largest value:
     * float16 keeps 11 significant bits (a relative rounding of 2^-11, 4.9e-4, on every weight, and on every
     * activation of the runs that stay in float16: Score-CAM's masked runs); 1% leaves room for a few roundings to add
     * up, as InspectorTest allows, while float16 weights read wrongly, or left out of a derived model, err by far
     * more. Occlusion, whose map is differences of scores that stay in float16 and which derives no model, is left
     * out: rounding the scores to float16 moves those differences by percents.
     */
    private static final double TOLERANCE = 0.01;

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = HeatmapMethod.class, names = "OCCLUSION", mode = EnumSource.Mode.EXCLUDE)
    void heatmapsEqualTheFloat32Twins(HeatmapMethod method) {
        Heatmap half = heatmap(SPEC.withFloat16(), method);
        Heatmap full = heatmap(SPEC, method);
        assertThat(half.targetClass()).isEqualTo(full.targetClass());
        assertThat(half.width() + "x" + half.height()).isEqualTo(full.width() + "x" + full.height());
        double error = relativeError(half.values(), full.values());
        System.out.printf("float16 %-20s against float32: largest difference %.1e of the largest value%n", method,
                error);
        assertThat(error).isLessThanOrEqualTo(TOLERANCE);
        assertThat((double) half.score()).isCloseTo(full.score(), offset(TOLERANCE * Math.abs(full.score())));
    }

    private static Heatmap heatmap(TestModels.Spec spec, HeatmapMethod method) {
        try (Inspector inspector = Inspector.of(new TestModels(spec).bytes())) {
            return inspector.image(PHOTO).layers("conv2").heatmap(method);
        }
    }

    @Test
    void patternsEqualTheFloat32Twins() {
        List<FilterPattern> half = patterns(SPEC.withFloat16());
        List<FilterPattern> full = patterns(SPEC);
        for (int i = 0; i < full.size(); i++) {
            double error = relativeError(half.get(i).input(), full.get(i).input());
            System.out.printf("float16 pattern of conv2 #%d against float32: largest difference %.1e of the largest"
                    + " value, score %.4f against %.4f%n", full.get(i).channel(), error, half.get(i).score(),
                    full.get(i).score());
            assertThat(error).isLessThanOrEqualTo(TOLERANCE);
            assertThat((double) half.get(i).score()).isCloseTo(full.get(i).score(), offset(
                    TOLERANCE * Math.abs(full.get(i).score())));
        }
    }

    private static List<FilterPattern> patterns(TestModels.Spec spec) {
        try (Inspector inspector = Inspector.of(new TestModels(spec).bytes())) {
            // a few steps: over many, an input that crosses a ReLU's kink in one model and not in the other takes
            // another path there, which leaves the scores equal but moves a few pixels by percents
            return inspector.patterns("conv2").channels(0, 1, 2, 3, 4, 5).seed(3).steps(3, 10).list();
        }
    }

    @Test
    void theWildFloat16SqueezeNetGivesGradCamAndPatterns() {
        Path model = Shared.require("models/wild/squeezenet_fp16_caffe2_op7.onnx");
        try (Inspector inspector = Inspector.of(model)) {
            Heatmap heatmap = inspector.image(PHOTO).heatmap(HeatmapMethod.GRAD_CAM);
            assertThat(heatmap.values()).hasSize(heatmap.width() * heatmap.height());
            assertThat(finite(heatmap.values())).isTrue();
            // patterns take the gradient to the input, through three MaxPools of opset 7
            List<FilterPattern> patterns = inspector.patterns("fire9/expand3x3").channels(0, 1).steps(2, 10).list();
            assertThat(patterns).hasSize(2);
            assertThat(patterns).allMatch(p -> finite(p.input()) && Float.isFinite(p.score()));
            System.out.printf("float16 SqueezeNet: Grad-CAM %dx%d for class %d (%.3f); fire9/expand3x3 patterns"
                    + " score %.3f, %.3f%n", heatmap.width(), heatmap.height(), heatmap.targetClass(), heatmap.score(),
                    patterns.get(0).score(), patterns.get(1).score());
        }
    }

    private static boolean finite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** {@code max |a - b| / max |b|}. */
    private static double relativeError(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double largest = 0;
        double error = 0;
        for (int i = 0; i < b.length; i++) {
            largest = Math.max(largest, Math.abs(b[i]));
            error = Math.max(error, Math.abs(a[i] - b[i]));
        }
        return error / largest;
    }
}
