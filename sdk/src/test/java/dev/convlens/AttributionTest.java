package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every attribution method against PyTorch on the same weights and input (sdk/tools/attribution_references.py): the
 * shipped convnet on Chelsea and the small ResNet of the heatmap tests.
 */
class AttributionTest {
    /** What PyTorch computed for a model: the class, its score, the baseline's score, the map's size. */
    record Expected(int target, float score, float baselineScore, int height, int width) {
        static Expected of(String model) throws IOException {
            try (InputStream in = AttributionTest.class.getResourceAsStream("attribution/" + model + ".tsv")) {
                String row = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                        .filter(l -> !l.startsWith("#")).findFirst().orElseThrow();
                String[] f = row.split("\t");
                return new Expected(Integer.parseInt(f[0]), Float.parseFloat(f[1]), Float.parseFloat(f[2]),
                        Integer.parseInt(f[3]), Integer.parseInt(f[4]));
            }
        }
    }

    static float[] torchMap(String model, AttributionMethod method) throws IOException {
        try (InputStream in = AttributionTest.class.getResourceAsStream("attribution/" + model + "_" + method
                + ".bin")) {
            FloatBuffer floats = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] values = new float[floats.remaining()];
            floats.get(values);
            return values;
        }
    }

    private static Request request(Inspector inspector, String model) {
        return inspector.image(HeatmapTest.PHOTO)
                .preprocessing(model.equals("seed") ? Preprocessing.RAW : Preprocessing.IMAGENET);
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (String model : List.of("seed", "resnet")) {
            for (AttributionMethod m : AttributionMethod.values()) {
                if (m != AttributionMethod.SMOOTH_GRAD) {
                    all.add(Arguments.of(model, m));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesPytorch(String model, AttributionMethod method) throws IOException {
        Expected expected = Expected.of(model);
        try (Inspector inspector = HeatmapTest.open(model)) {
            Heatmap map = request(inspector, model).attribution(method);
            double[] theirs = Correlation.widen(torchMap(model, method));
            assertThat(map.method()).isEqualTo(method);
            assertThat(map.targetClass()).isEqualTo(expected.target());
            assertThat(map.height()).isEqualTo(expected.height());
            assertThat(map.width()).isEqualTo(expected.width());
            double r = Correlation.pearson(Correlation.widen(map.values()), theirs);
            double worst = 0;
            double largest = 0;
            float[] ours = map.values();
            for (int i = 0; i < ours.length; i++) {
                worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
                largest = Math.max(largest, Math.abs(theirs[i]));
            }
            System.out.printf("attribution %-6s %-22s %3dx%-3d class %d: correlation with PyTorch %.6f (1 - r = %.1e),"
                    + " largest difference %.2e of %.2e%n", model, method, map.width(), map.height(),
                    map.targetClass(), r, 1 - r, worst, largest);
            assertThat(r).as("Pearson correlation with PyTorch").isGreaterThanOrEqualTo(0.999);
        }
    }

    @Test
    void integratedGradientsAddUpToTheScoreOverTheBaselines() throws IOException {
        for (String model : List.of("seed", "resnet")) {
            Expected expected = Expected.of(model);
            try (Inspector inspector = HeatmapTest.open(model)) {
                Heatmap map = request(inspector, model).attribution(AttributionMethod.INTEGRATED_GRADIENTS);
                double sum = 0;
                for (float v : map.values()) {
                    sum += v;
                }
                double difference = expected.score() - expected.baselineScore();
                System.out.printf("integrated gradients, %s: sum %.6f, score - baseline's score %.6f (%.2f%%)%n", model,
                        sum, difference, 100 * Math.abs(sum - difference) / Math.abs(difference));
                assertThat(map.score()).isCloseTo(expected.score(), org.assertj.core.api.Assertions.within(1e-4f));
                assertThat(Math.abs(sum - difference)).as("completeness at 50 steps")
                        .isLessThanOrEqualTo(0.01 * Math.abs(difference));
            }
        }
    }

    @Test
    void smoothGradWithoutNoiseIsTheGradientAndWithItFollowsPytorchs() throws IOException {
        try (Inspector inspector = HeatmapTest.open("resnet")) {
            Request request = request(inspector, "resnet");
            float[] plain = request.attribution(AttributionMethod.GRADIENT).values();
            float[] quiet = request.attribution(AttributionMethod.SMOOTH_GRAD,
                    HeatmapOptions.defaults().smoothGrad(3, 0)).values();
            for (int i = 0; i < plain.length; i++) {
                assertThat(quiet[i]).isCloseTo(plain[i], org.assertj.core.api.Assertions.within(1e-6f * (1 + plain[i])));
            }
            // 500 samples of other noise than PyTorch's: the same average up to what 500 samples of noise leave
            double r = Correlation.pearson(Correlation.widen(request.attribution(AttributionMethod.SMOOTH_GRAD,
                    HeatmapOptions.defaults().smoothGrad(500, 0.15f)).values()),
                    Correlation.widen(torchMap("resnet", AttributionMethod.SMOOTH_GRAD)));
            System.out.printf("SmoothGrad, resnet, 500 samples, noise 0.15: correlation with PyTorch's (its own"
                    + " noise) %.4f%n", r);
            assertThat(r).isGreaterThanOrEqualTo(0.98);
        }
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> HeatmapOptions.defaults().smoothGrad(0, 0.1f))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("samples must be at least 1, was 0");
        assertThatThrownBy(() -> HeatmapOptions.defaults().smoothGrad(5, -1))
                .isExactlyInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeatmapOptions.defaults().integratedGradients(0))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("steps must be at least 1, was 0");
    }
}
