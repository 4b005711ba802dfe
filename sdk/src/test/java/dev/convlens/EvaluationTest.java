package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Faithfulness against references computed another way ({@code sdk/tools/faithfulness_references.py}): deletion and
 * insertion as RISE's CausalMetric computes them, ROAD and the confidence change by pytorch-grad-cam's own imputer and
 * metrics (noise 0), on the Grad-CAM maps of the shipped convnet and the small ResNet; and the directions: Grad-CAM
 * against its inverted map and the random baseline.
 */
class EvaluationTest {
    private static final Path PHOTO = Path.of("../examples/images/chelsea.png");

    static Map<String, double[]> references() throws IOException {
        Map<String, double[]> rows = new HashMap<>();
        try (InputStream in = EvaluationTest.class.getResourceAsStream("cam/faithfulness_reference.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    String[] f = line.split("\t");
                    rows.put(f[0], Stream.of(f[1].split(" ")).mapToDouble(Double::parseDouble).toArray());
                }
            }
        }
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"seed", "resnet"})
    void deletionInsertionAndRoadAreRisesAndPytorchGradCamsNumbers(String model) throws IOException {
        Map<String, double[]> reference = references();
        try (Inspector inspector = HeatmapTest.open(model)) {
            Request request = inspector.image(PHOTO)
                    .preprocessing(model.equals("seed") ? Preprocessing.RAW : Preprocessing.IMAGENET);
            Heatmap gradCam = request.heatmap(HeatmapMethod.GRAD_CAM);
            Evaluation e = request.evaluate(gradCam, Faithfulness.defaults().noise(0, 1));
            System.out.println(model + ": " + e);
            double[] deletion = reference.get(model + " DELETION");
            double[] insertion = reference.get(model + " INSERTION");
            double range = Arrays.stream(deletion).max().orElseThrow() - Arrays.stream(deletion).min().orElseThrow();
            assertThat(e.deletion()).hasSize(21);
            for (int i = 0; i < deletion.length; i++) {
                assertThat(e.deletion()[i]).as("deletion after %d steps", i).isCloseTo(deletion[i], within(1e-5));
                assertThat(e.insertion()[i]).as("insertion after %d steps", i).isCloseTo(insertion[i], within(1e-5));
            }
            double confidence = reference.get(model + " CONFIDENCE_CHANGE")[0];
            System.out.printf("%s: confidence change %.6f (pytorch-grad-cam %.6f)%n", model, e.confidenceChange(),
                    confidence);
            assertThat(e.confidenceChange()).isCloseTo(confidence, within(1e-5));
            // its cost: 21 runs for each curve, the image, 18 imputed inputs for ROAD and the image times the map
            assertThat(e.runs()).isEqualTo(21 + 21 + 20);
            assertThat(e.imputations()).isEqualTo(18);
            assertThat(e.time()).isPositive();
            assertThat(e.toString()).contains("; cost: 62 runs, 18 imputations, "
                    + e.randomization().orElseThrow().layers().size() + " randomized models, ");
            assertThat(e.deletion()[0]).isCloseTo(gradCam.score(), within(1e-6));
            assertThat(e.insertion()[20]).isCloseTo(gradCam.score(), within(1e-6));
            double morf = Arrays.stream(reference.get(model + " ROAD_MORF")).average().orElseThrow();
            double lerf = Arrays.stream(reference.get(model + " ROAD_LERF")).average().orElseThrow();
            System.out.printf("%s: ROAD most relevant first %.6f (pytorch-grad-cam %.6f), least %.6f (%.6f);"
                    + " deletion's range %.4f%n", model, e.roadMostRelevantFirst(), morf, e.roadLeastRelevantFirst(),
                    lerf, range);
            assertThat(e.roadMostRelevantFirst()).isCloseTo(morf, within(1e-5));
            assertThat(e.roadLeastRelevantFirst()).isCloseTo(lerf, within(1e-5));
            assertThat(e.roadCombined()).isCloseTo((lerf - morf) / 2, within(1e-5));
            double area = (Arrays.stream(deletion).sum() - deletion[0] / 2 - deletion[20] / 2) / 20;
            assertThat(e.deletionArea()).isCloseTo(area, within(1e-5));
        }
    }

    /**
     * The pointing game and the energy inside three boxes on Chelsea equal Quantus's own {@code PointingGame} and
     * {@code AttributionLocalisation} on the same Grad-CAM map resized to the photo; a mask of the box gives the same,
     * and bad regions are refused.
     */
    @org.junit.jupiter.api.Test
    void localisationIsQuantusPointingGameAndAttributionLocalisation() throws IOException {
        Map<String, double[]> reference = references();
        try (Inspector inspector = HeatmapTest.open("seed")) {
            Heatmap gradCam = inspector.image(PHOTO).heatmap(HeatmapMethod.GRAD_CAM);
            int checked = 0;
            for (Map.Entry<String, double[]> row : reference.entrySet()) {
                if (!row.getKey().startsWith("seed LOCALISATION ")) {
                    continue;
                }
                int[] box = Stream.of(row.getKey().substring(18).split(" ")).mapToInt(Integer::parseInt).toArray();
                Localisation l = gradCam.localisation(Region.box(box[0], box[1], box[2], box[3]));
                System.out.println(row.getKey() + ": " + l + "; Quantus " + Arrays.toString(row.getValue()));
                assertThat(l.hit()).as("pointing game in %s", l.region()).isEqualTo(row.getValue()[0] == 1);
                assertThat(l.energy()).as("energy in %s", l.region()).isCloseTo(row.getValue()[1], within(1e-5));
                assertThat(l.area()).isCloseTo((double) box[2] * box[3] / (451 * 300), within(1e-12));
                checked++;
            }
            assertThat(checked).isEqualTo(3);
            boolean[] mask = new boolean[451 * 300];
            for (int y = 150; y < 300; y++) {
                for (int x = 0; x < 200; x++) {
                    mask[y * 451 + x] = true;
                }
            }
            assertThat(gradCam.localisation(Region.mask(mask, 451, 300)))
                    .isEqualTo(new Localisation(Region.mask(mask, 451, 300), true,
                            gradCam.localisation(Region.box(0, 150, 200, 150)).energy(), 200 * 150 / (451.0 * 300)));
            assertThatThrownBy(() -> gradCam.localisation(Region.mask(mask, 300, 451)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("of the image's size");
            assertThatThrownBy(() -> gradCam.localisation(Region.box(451, 0, 10, 10)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lies outside");
            assertThatThrownBy(() -> Region.box(0, 0, 0, 10)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /**
     * On the shipped convnet and Chelsea, Grad-CAM's map beats its own inverse (1 - map, scaled) in every metric's
     * direction, and the random baseline in deletion, insertion and ROAD combined; the noise moves ROAD little.
     */
    @org.junit.jupiter.api.Test
    void gradCamBeatsItsInverseAndTheRandomBaseline() throws IOException {
        try (Inspector inspector = HeatmapTest.open("seed")) {
            Request request = inspector.image(PHOTO);
            Heatmap gradCam = request.heatmap(HeatmapMethod.GRAD_CAM);
            float[] values = gradCam.values();
            float max = 0;
            for (float v : values) {
                max = Math.max(max, v);
            }
            float[] inverse = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                inverse[i] = max - values[i];
            }
            Heatmap inverted = new Heatmap(gradCam.method(), gradCam.layers(), gradCam.target(), gradCam.targetClass(),
                    gradCam.score(), gradCam.width(), gradCam.height(), inverse, null, gradCam.options());
            Heatmap random = request.heatmap(HeatmapMethod.RANDOM_CAM);
            Evaluation good = request.evaluate(gradCam);
            Evaluation bad = request.evaluate(inverted);
            Evaluation baseline = request.evaluate(random);
            Evaluation quiet = request.evaluate(gradCam, Faithfulness.defaults().noise(0, 1));
            System.out.println("Grad-CAM " + good + "\ninverted " + bad + "\nrandom " + baseline);
            assertThat(good.deletionArea()).isLessThan(bad.deletionArea()).isLessThan(baseline.deletionArea());
            assertThat(good.insertionArea()).isGreaterThan(bad.insertionArea());
            assertThat(good.roadMostRelevantFirst()).isLessThan(bad.roadMostRelevantFirst());
            assertThat(good.roadLeastRelevantFirst()).isGreaterThan(bad.roadLeastRelevantFirst());
            assertThat(good.roadCombined()).isGreaterThan(bad.roadCombined()).isGreaterThan(baseline.roadCombined());
            assertThat(good.roadCombined()).isCloseTo(quiet.roadCombined(), within(0.01));
            assertThat(good.confidenceChange()).isGreaterThan(bad.confidenceChange())
                    .isGreaterThan(baseline.confidenceChange());
            assertThat(random.targetClass()).isEqualTo(gradCam.targetClass());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {0, -1})
    void aBadProtocolIsRefused(int value) {
        assertThatThrownBy(() -> Faithfulness.defaults().steps(value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("steps must be at least 1, was " + value);
        assertThatThrownBy(() -> Faithfulness.defaults().percentiles(value, 50))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one or more of 1 to 99");
        assertThatThrownBy(() -> Faithfulness.defaults().noise(value - 0.5f, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("noise must be 0 or more");
    }
}
