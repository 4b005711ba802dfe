package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Int8 copies of the shipped convnet, written by {@code sdk/tools/int8_models.py} (QOperator: QLinearConv layers with
 * uint8 outputs; QDQ: float convolutions between QuantizeLinear and DequantizeLinear, int8 kernels), against the
 * float model they were quantized from ({@code models/cats_vs_dogs_small_nchw.onnx}): the same layers and parameter
 * counts, activations read as the real values they stand for, the same accuracy within a point, heatmaps that agree.
 */
@org.junit.jupiter.api.Tag("slow") // left out by -Pquick
class Int8ModelsTest {
    private static final Path FOLDER = Path.of("target", "int8");
    private static final Path FLOAT = Path.of("../models/cats_vs_dogs_small_nchw.onnx");
    private static final Path PHOTO = Path.of("../examples/images/chelsea.png");

    @BeforeAll
    static void models() throws IOException, InterruptedException {
        Path train = Shared.require("data/cats_vs_dogs/train");
        if (Files.exists(FOLDER.resolve("cats_vs_dogs_qdq.onnx"))) {
            return;
        }
        Process p = new ProcessBuilder("/usr/bin/python3", "tools/int8_models.py", FOLDER.toString(),
                train.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        boolean done = p.waitFor(5, TimeUnit.MINUTES) && p.exitValue() == 0;
        if (!done) {
            System.out.println("skipped: sdk/tools/int8_models.py did not run (python3-torch, python3-onnx?): " + log);
        }
        assumeTrue(done, "int8 models");
        System.out.print(log);
    }

    private static Inspector open(String name) {
        return Inspector.of(FOLDER.resolve("cats_vs_dogs_" + name + ".onnx"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qoperator", "qdq"})
    void theLayersAreTheFloatModelsWithTheirWeightsCounted(String name) {
        try (Inspector int8 = open(name); Inspector full = Inspector.of(FLOAT)) {
            List<Layer> a = int8.layers();
            List<Layer> b = full.layers();
            assertThat(a).extracting(Layer::name).containsExactlyElementsOf(b.stream().map(Layer::name).toList());
            assertThat(a).extracting(Layer::parameters)
                    .containsExactlyElementsOf(b.stream().map(Layer::parameters).toList());
            assertThat(a).extracting(Layer::shape).containsExactlyElementsOf(b.stream().map(Layer::shape).toList());
            List<String> ops = name.equals("qoperator") ? List.of("QLinearConv") : List.of("Conv", "Relu");
            assertThat(a.get(0).opTypes()).containsExactlyElementsOf(ops);
        }
    }

    /** Activations dequantized: within a few percent of the float model's, pointing the same way. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qoperator", "qdq"})
    void activationsAreTheRealValuesTheIntegersStandFor(String name) {
        try (Inspector int8 = open(name); Inspector full = Inspector.of(FLOAT)) {
            Comparison drift = full.image(PHOTO).compare(int8.image(PHOTO));
            System.out.println(name + ": " + drift);
            assertThat(drift.layers()).hasSize(10); // nine spatial layers and the dense one
            assertThat(drift.layers().subList(0, 9)).allSatisfy(d -> {
                assertThat(d.relativeError()).as(d.layer()).isBetween(1e-3, 0.1); // rounded, not misread
                assertThat(d.cosine()).as(d.layer()).isGreaterThan(0.995);
            });
            assertThat(drift.layer("dense").relativeError()).as("dense, one value").isLessThan(0.1);
            assertThat(drift.second().classIndex()).isEqualTo(drift.first().classIndex());
        }
    }

    /** The validation photos through ConvLens: the int8 model's accuracy within a point of the float model's. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qoperator", "qdq"})
    void accuracyStaysWithinAPoint(String name) throws IOException {
        Path validation = Shared.require("data/cats_vs_dogs/validation");
        List<Path> photos;
        try (Stream<Path> files = Files.walk(validation)) {
            photos = files.filter(Files::isRegularFile).sorted().toList();
        }
        int rightFloat = 0;
        int rightInt8 = 0;
        int agree = 0;
        try (Inspector int8 = open(name); Inspector full = Inspector.of(FLOAT)) {
            for (Path photo : photos) {
                int truth = photo.getParent().getFileName().toString().equals("dogs") ? 1 : 0;
                int a = full.image(photo).outputs().get(0).prediction().classIndex();
                int b = int8.image(photo).outputs().get(0).prediction().classIndex();
                rightFloat += a == truth ? 1 : 0;
                rightInt8 += b == truth ? 1 : 0;
                agree += a == b ? 1 : 0;
            }
        }
        System.out.printf("%s on %d validation photos: float %.1f%%, int8 %.1f%%, the same class on %d%n", name,
                photos.size(), 100.0 * rightFloat / photos.size(), 100.0 * rightInt8 / photos.size(), agree);
        assertThat(photos).hasSize(1000);
        assertThat(Math.abs(rightInt8 - rightFloat)).isLessThanOrEqualTo(10);
    }

    /** Grad-CAM through the (de)quantizations agrees with the float model's; Ablation-CAM says where it cannot go. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qoperator", "qdq"})
    void heatmapsAgreeWithTheFloatModels(String name) {
        try (Inspector int8 = open(name); Inspector full = Inspector.of(FLOAT)) {
            for (HeatmapMethod method : new HeatmapMethod[] {HeatmapMethod.GRAD_CAM, HeatmapMethod.EIGEN_CAM,
                    HeatmapMethod.SCORE_CAM}) {
                Heatmap a = full.image(PHOTO).heatmap(method);
                Heatmap b = int8.image(PHOTO).heatmap(method);
                double r = Correlation.pearson(Correlation.widen(a.values()), Correlation.widen(b.values()));
                System.out.printf("%s %s: Pearson with the float model's %.4f%n", name, method, r);
                assertThat(r).as(method.name()).isGreaterThan(0.95);
            }
            if (name.equals("qoperator")) {
                assertThatThrownBy(() -> int8.image(PHOTO).heatmap(HeatmapMethod.ABLATION_CAM))
                        .isExactlyInstanceOf(UnsupportedModelException.class)
                        .hasMessageContaining("holds integers; use EIGEN_CAM, SCORE_CAM, OCCLUSION");
            }
        }
    }

    /**
     * The QDQ copy's gradients through its MaxPools, which run on its integers: Grad-CAM on an earlier layer and the
     * input gradients agree with the float model's. (ONNX Runtime's 8-bit MaxPool leaves the Indices output a
     * gradient reads unwritten; the rule compares the window's positions with the maximum instead.)
     */
    @org.junit.jupiter.api.Test
    void gradientsPassTheQdqCopysIntegerMaxPools() {
        try (Inspector int8 = open("qdq"); Inspector full = Inspector.of(FLOAT)) {
            double cam = Correlation.pearson(
                    Correlation.widen(full.image(PHOTO).layers("conv2d_2").heatmap(HeatmapMethod.GRAD_CAM).values()),
                    Correlation.widen(int8.image(PHOTO).layers("conv2d_2").heatmap(HeatmapMethod.GRAD_CAM).values()));
            System.out.printf("qdq GRAD_CAM on conv2d_2: Pearson with the float model's %.4f%n", cam);
            assertThat(cam).isGreaterThan(0.95);
            for (AttributionMethod method : new AttributionMethod[] {AttributionMethod.INPUT_X_GRADIENT,
                    AttributionMethod.GRADIENT}) {
                double r = Correlation.pearson(Correlation.widen(full.image(PHOTO).attribution(method).values()),
                        Correlation.widen(int8.image(PHOTO).attribution(method).values()));
                System.out.printf("qdq %s: Pearson with the float model's %.4f%n", method, r);
                assertThat(r).as(method.name()).isGreaterThan(0.95);
            }
        }
    }
}
