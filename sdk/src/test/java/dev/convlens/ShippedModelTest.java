package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped cats-vs-dogs convnet, measured through ConvLens (Java decoding and preprocessing, ONNX Runtime) on the
 * 1000 Dogs vs. Cats validation images: its accuracy, and its agreement with PyTorch's scores of the same weights
 * (written by {@code models/cats_vs_dogs.py reference}). Skipped where ../shared is absent.
 */
class ShippedModelTest {
    private static final Path MODEL = Path.of("../models/cats_vs_dogs_small.onnx");
    private static final Path NCHW = Path.of("../models/cats_vs_dogs_small_nchw.onnx");
    private static final Path PHOTO = Path.of("../examples/images/chelsea.png");

    record Expected(String file, double score) {
    }

    private static List<Expected> torchScores() throws IOException {
        List<Expected> rows = new ArrayList<>();
        try (InputStream in = ShippedModelTest.class.getResourceAsStream("cats_vs_dogs_validation_scores.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    String[] f = line.split("\t");
                    rows.add(new Expected(f[0], Double.parseDouble(f[1])));
                }
            }
        }
        return rows;
    }

    @Test
    void classifiesTheValidationImagesAsPytorchDoesAndAtLeast75PercentRight() throws IOException {
        Path validation = Shared.require("data/cats_vs_dogs/validation");
        List<Expected> expected = torchScores();
        assertThat(expected).hasSize(1000);
        int right = 0;
        int cats = 0;
        int dogs = 0;
        double worst = 0;
        String worstFile = "";
        try (Inspector inspector = Inspector.of(MODEL)) {
            for (Expected e : expected) {
                float score = inspector.image(validation.resolve(e.file())).outputs().get(0).value(0);
                double diff = Math.abs(score - e.score());
                if (diff > worst) {
                    worst = diff;
                    worstFile = e.file();
                }
                boolean dog = e.file().startsWith("dogs/");
                if (dog == score >= 0.5f) {
                    right++;
                    if (dog) {
                        dogs++;
                    } else {
                        cats++;
                    }
                }
            }
        }
        System.out.printf("shipped model on the 1000 validation images through ConvLens: %.1f%% right (cats %d/500,"
                + " dogs %d/500); largest difference from PyTorch %.2e (%s)%n", right / 10.0, cats, dogs, worst,
                worstFile);
        assertThat(worst).as("largest difference from PyTorch's score").isLessThanOrEqualTo(1e-4);
        assertThat(right).as("images right of 1000").isGreaterThanOrEqualTo(750);
    }

    /**
     * Both exports carry their preprocessing in their metadata (raw pixels for the Keras-layout one, 0..1 for the
     * PyTorch-layout one), so each predicts the same with no preprocessing named; told RAW, the NCHW export is wrong.
     */
    @Test
    void bothExportsPredictTheSameWithTheirOwnPreprocessing() {
        try (Inspector keras = Inspector.of(MODEL); Inspector pytorch = Inspector.of(NCHW)) {
            float expected = keras.image(PHOTO).preprocessing(Preprocessing.RAW).outputs().get(0).value(0);
            float nhwc = keras.image(PHOTO).outputs().get(0).value(0);
            float nchw = pytorch.image(PHOTO).outputs().get(0).value(0);
            float told = pytorch.image(PHOTO).preprocessing(Preprocessing.SCALED).outputs().get(0).value(0);
            float wrong = pytorch.image(PHOTO).preprocessing(Preprocessing.RAW).outputs().get(0).value(0);
            System.out.printf("Chelsea, dog score: Keras-layout export %.6f, PyTorch-layout export %.6f (told RAW:"
                    + " %.6f)%n", nhwc, nchw, wrong);
            assertThat(nhwc).isEqualTo(expected);
            assertThat(nchw).isCloseTo(expected, within(1e-5f)).isEqualTo(told);
            assertThat(wrong).isGreaterThan(0.99f); // 0..255 into a 0..1 model: "dog, 1.00" for a cat
        }
    }

    /**
     * The seed's last layer is listed as Keras's summary lists it ("dense (Dense) (None, 1) 12545" in "Deep Learning
     * with Python", 8.2), its one unit is the model's output, and a heatmap on it is refused with the spatial layer
     * to take instead.
     */
    @Test
    void theDenseLayerIsListedDrawnAndRefusedForAHeatmap() {
        try (Inspector inspector = Inspector.of(MODEL)) {
            Layer dense = inspector.layers().get(inspector.layers().size() - 1);
            assertThat(dense.name()).isEqualTo("dense");
            assertThat(dense.kind()).isEqualTo(Layer.Kind.DENSE);
            assertThat(dense.opTypes()).containsExactly("Gemm", "Sigmoid");
            assertThat(dense.shape()).isEqualTo("(1,)");
            assertThat(dense.parameters()).isEqualTo(12_545);
            Request request = inspector.image(PHOTO);
            Inspection result = request.layers(-1).inspect();
            assertThat(result.activation("dense").values()).containsExactly(result.output().values());
            assertThat(result.grid(16).get(0).getWidth()).isEqualTo(1);
            assertThatThrownBy(() -> request.layers("dense").heatmap(HeatmapMethod.GRAD_CAM))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("dense is a dense layer: its values have no positions in the image, so no heatmap is"
                            + " drawn on it; take a spatial layer, such as conv2d_4 (8)");
        }
    }
}
