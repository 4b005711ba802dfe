package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Targets beyond a class: one value of any output, a region of a dense output. Checked three ways: a class's value
 * named as an output value gives the class's map exactly; a region's input-times-gradient is the sum of its pixels'
 * (the gradient is linear in the score's weights); and on ../shared's detectors the map lands where the detection is.
 */
class TargetTest {
    private static final Path ULTRAFACE = Path.of("models/wild/ultraface_rfb320_pytorch_op9.onnx");
    private static final Path OCR = Path.of("models/wild/ppocr_en_v3_det_paddle_op11.onnx");
    /** UltraFace's preprocessing, (x - 127) / 128. */
    private static final Preprocessing FACES = Preprocessing.parse("scale=1/128; mean=0.9921875,0.9921875,0.9921875");

    /** The small ResNet's logits [1, 5]: the value of class k is the class k. */
    @Test
    void aClassValueNamedAsAnOutputValueIsTheClass() throws IOException {
        try (Inspector inspector = HeatmapTest.open("resnet")) {
            Request request = inspector.image(HeatmapTest.PHOTO).preprocessing(Preprocessing.IMAGENET);
            for (HeatmapMethod method : new HeatmapMethod[] {HeatmapMethod.GRAD_CAM, HeatmapMethod.SCORE_CAM,
                    HeatmapMethod.ABLATION_CAM}) {
                Heatmap byClass = request.target(2).heatmap(method);
                Heatmap byValue = request.target(Target.output("logits", 0, 2)).heatmap(method);
                assertThat(byValue.values()).as(method.name()).containsExactly(byClass.values());
                assertThat(byValue.score()).isEqualTo(byClass.score());
                assertThat(byValue.targetClass()).isEqualTo(-1);
                assertThat(byValue.target()).isEqualTo(Target.output("logits", 0, 2));
                assertThat(byClass.target()).isEqualTo(Target.classIndex(2));
                assertThat(byValue.layer().name()).isEqualTo("layer3"); // the last block, which the score reads
            }
            Heatmap predicted = request.heatmap(HeatmapMethod.GRAD_CAM);
            assertThat(predicted.target()).isEqualTo(Target.classIndex(predicted.targetClass()));
        }
    }

    /**
     * PaddleOCR's text map [1, 1, 544, 800]: the input-times-gradient of two pixels together is the sum of each
     * one's, and a region over the pixels the model finds text in is explained on those pixels.
     */
    @Test
    void aRegionIsTheSumOfItsPixels() {
        Path model = Shared.require(OCR.toString());
        try (Inspector inspector = Inspector.of(model)) {
            Request request = inspector.image(Shared.require("images/text_ocr_sample_800x533.jpg"))
                    .preprocessing(Preprocessing.IMAGENET);
            Tensor map = request.outputs().get(0);
            int h = (int) map.shape()[2];
            int w = (int) map.shape()[3];
            // two pixels where the sigmoid is not saturated (elsewhere its gradient rounds to zero), far apart
            float[] probability = map.values();
            int a = -1;
            int b = -1;
            for (int i = 0; i < probability.length && b < 0; i++) {
                if (probability[i] > 0.2f && probability[i] < 0.8f) {
                    if (a < 0) {
                        a = i;
                    } else if (Math.abs(i / w - a / w) > 50) {
                        b = i;
                    }
                }
            }
            float[] both = attribution(request, map.name(), w, h, a, b);
            float[] first = attribution(request, map.name(), w, h, a);
            float[] second = attribution(request, map.name(), w, h, b);
            double largest = 0;
            double error = 0;
            for (int i = 0; i < both.length; i++) {
                largest = Math.max(largest, Math.abs(both[i]));
                error = Math.max(error, Math.abs(both[i] - first[i] - second[i]));
            }
            assertThat(largest).isGreaterThan(0);
            assertThat(error / largest).as("largest error, relative").isLessThan(1e-4);

            boolean[] text = new boolean[w * h];
            int count = 0;
            for (int i = 0; i < text.length; i++) {
                text[i] = probability[i] > 0.5f;
                count += text[i] ? 1 : 0;
            }
            Heatmap heatmap = request.target(Target.region(map.name(), 0, text)).heatmap(HeatmapMethod.GRAD_CAM);
            double inside = 0;
            double all = 0;
            assertThat(heatmap.width()).isEqualTo(w); // the last layer it depends on is at the map's resolution
            float[] v = heatmap.values();
            for (int i = 0; i < v.length; i++) {
                all += v[i];
                inside += text[i] ? v[i] : 0;
            }
            System.out.printf("PaddleOCR region of %d text pixels (%.1f%% of the map): Grad-CAM on %s puts %.1f%% of"
                    + " its mass on them%n", count, 100.0 * count / text.length, heatmap.layer().name(),
                    100 * inside / all);
            assertThat(inside / all).isGreaterThan(3.0 * count / text.length);
        }
    }

    private static float[] attribution(Request request, String output, int w, int h, int... pixels) {
        boolean[] mask = new boolean[w * h];
        for (int p : pixels) {
            mask[p] = true;
        }
        return request.target(Target.region(output, 0, mask)).attribution(AttributionMethod.INPUT_X_GRADIENT)
                .values();
    }

    /** UltraFace on a portrait: Grad-CAM for the most confident face's score peaks inside that face's box. */
    @Test
    void aDetectorsScoreForOneBoxIsExplainedInsideTheBox() {
        try (Inspector inspector = Inspector.of(Shared.require(ULTRAFACE.toString()))) {
            Request request = inspector.image(Shared.require("images/face_grace_hopper_517x606.jpg"))
                    .preprocessing(FACES);
            Inspection run = request.inspect();
            float[] scores = run.output("scores").values();
            float[] boxes = run.output("boxes").values();
            int best = 0;
            for (int k = 0; k < scores.length / 2; k++) {
                best = scores[2 * k + 1] > scores[2 * best + 1] ? k : best;
            }
            Heatmap heatmap = request.target(Target.output("scores", 0, best, 1)).heatmap(HeatmapMethod.GRAD_CAM);
            float[] v = heatmap.values();
            int peak = 0;
            for (int i = 0; i < v.length; i++) {
                peak = v[i] > v[peak] ? i : peak;
            }
            double x = (peak % heatmap.width() + 0.5) / heatmap.width();
            double y = (peak / heatmap.width() + 0.5) / heatmap.height();
            System.out.printf("UltraFace: box %d (face score %.4f) at x %.3f..%.3f, y %.3f..%.3f; Grad-CAM on %s"
                    + " (%dx%d) peaks at (%.3f, %.3f)%n", best, scores[2 * best + 1], boxes[4 * best],
                    boxes[4 * best + 2], boxes[4 * best + 1], boxes[4 * best + 3], heatmap.layer().name(),
                    heatmap.width(), heatmap.height(), x, y);
            assertThat(heatmap.score()).isCloseTo(scores[2 * best + 1], within(1e-6f));
            assertThat(heatmap.layer().name()).startsWith("classification_headers");
            assertThat(x).isBetween((double) boxes[4 * best], (double) boxes[4 * best + 2]);
            assertThat(y).isBetween((double) boxes[4 * best + 1], (double) boxes[4 * best + 3]);
        }
    }

    /**
     * YOLOX-nano's raw head [1, 3549, 21] (anchors of the 52x52, 26x26 and 13x13 grids; x, y, w, h, objectness,
     * classes): Grad-CAM of the most confident anchor's objectness peaks within a cell of that anchor's cell.
     */
    @Test
    void aYoloxAnchorsObjectnessIsExplainedAtItsCell() {
        try (Inspector inspector = Inspector.of(Shared.require("models/wild/yolox_nano_handsign_pytorch_op11.onnx"))) {
            Request request = inspector.image(Shared.require("images/face_grace_hopper_517x606.jpg"))
                    .preprocessing(Preprocessing.parse("raw; order=bgr")); // YOLOX: BGR 0..255
            float[] v = request.outputs().get(0).values();
            int best = 0;
            for (int k = 0; k < v.length / 21; k++) {
                best = v[k * 21 + 4] > v[best * 21 + 4] ? k : best;
            }
            int grid = best < 52 * 52 ? 52 : best < 52 * 52 + 26 * 26 ? 26 : 13;
            int cell = best - (grid == 52 ? 0 : grid == 26 ? 52 * 52 : 52 * 52 + 26 * 26);
            Heatmap heatmap = request.target(Target.output("output", 0, best, 4)).heatmap(HeatmapMethod.GRAD_CAM);
            float[] m = heatmap.values();
            int peak = 0;
            for (int i = 0; i < m.length; i++) {
                peak = m[i] > m[peak] ? i : peak;
            }
            // the anchor's cell and the peak, both in units of the anchor's grid
            double ax = cell % grid + 0.5;
            double ay = cell / grid + 0.5;
            double px = (peak % heatmap.width() + 0.5) * grid / heatmap.width();
            double py = (peak / heatmap.width() + 0.5) * grid / heatmap.height();
            System.out.printf("YOLOX-nano: anchor %d (objectness %.3f) in cell (%.1f, %.1f) of the %dx%d grid;"
                    + " Grad-CAM on %s (%dx%d) peaks at (%.1f, %.1f)%n", best, v[best * 21 + 4], ax, ay, grid, grid,
                    heatmap.layer().name(), heatmap.width(), heatmap.height(), px, py);
            assertThat(Math.abs(px - ax)).isLessThanOrEqualTo(1.0);
            assertThat(Math.abs(py - ay)).isLessThanOrEqualTo(1.0);
        }
    }

    @Test
    void aTargetThatDoesNotFitSaysWhatWould() throws IOException {
        try (Inspector inspector = HeatmapTest.open("resnet")) {
            Request request = inspector.image(HeatmapTest.PHOTO);
            assertThatThrownBy(() -> request.target(Target.output("scores", 0, 1)).heatmap(HeatmapMethod.GRAD_CAM))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the target names the output 'scores', but the model's outputs are [logits]");
            assertThatThrownBy(() -> request.target(Target.output("logits", 0, 5)).heatmap(HeatmapMethod.GRAD_CAM))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the target's index [0, 5] is out of range for the output 'logits' of shape [1, 5]");
            assertThatThrownBy(() -> request.target(Target.output("logits", 3)).heatmap(HeatmapMethod.GRAD_CAM))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("has shape [1, 5]: one index per dimension, the batch's (0) first");
            assertThatThrownBy(() -> request.target(Target.region("logits", 0, new boolean[4]))
                    .heatmap(HeatmapMethod.GRAD_CAM)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("a region target needs a dense output [1, C, H, W]; 'logits' has shape [1, 5]");
            assertThatThrownBy(() -> request.target(Target.output("logits", 0, 1)).heatmap(HeatmapMethod.CAM))
                    .isExactlyInstanceOf(UnsupportedModelException.class)
                    .hasMessageContaining("CAM weighs the dense weights of a class, and logits[0, 1] is not one");
        }
        assertThatThrownBy(() -> Target.output("x", 0, -1)).isExactlyInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Target.classIndex(-1)).isExactlyInstanceOf(IllegalArgumentException.class);
        Path ocr = Shared.require(OCR.toString());
        try (Inspector inspector = Inspector.of(ocr)) {
            Request request = inspector.image(Shared.require("images/text_ocr_sample_800x533.jpg"));
            assertThatThrownBy(() -> request.target(Target.region("sigmoid_0.tmp_0", 0, new boolean[100]))
                    .heatmap(HeatmapMethod.GRAD_CAM)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the region's mask has 100 values, but 'sigmoid_0.tmp_0' has 800x544 = 435200"
                            + " positions a channel");
            assertThatThrownBy(() -> request.target(Target.region("sigmoid_0.tmp_0", 1, new boolean[435200]))
                    .heatmap(HeatmapMethod.GRAD_CAM)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("the region's channel 1 is out of range: 'sigmoid_0.tmp_0' has 1 channels");
        }
    }
}
