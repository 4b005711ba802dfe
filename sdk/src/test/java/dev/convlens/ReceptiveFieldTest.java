package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Receptive fields checked by perturbation, not by their formula: on the shipped convnet (180x180 input, raw
 * pixels), one map position's value changes only when an input pixel inside its field changes. Each pixel along the
 * row and the column through the field is pushed, one at a time, and the positions where the value moved must span
 * exactly the field's columns and rows (noise keeps the ReLUs on the way mostly on, so no pixel of the field hides).
 */
class ReceptiveFieldTest {
    private static final Path MODEL = Path.of("../models/cats_vs_dogs_small.onnx");
    /** The model's input size, so that no resize spreads a pixel. */
    private static final int SIDE = 180;

    @Test
    void theFieldIsWhereAPixelChangeReachesThePosition() {
        try (Inspector inspector = Inspector.of(MODEL, Options.defaults().threads(1))) {
            BufferedImage noise = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
            Random random = new Random(3);
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    noise.setRGB(x, y, random.nextInt(0x1000000));
                }
            }
            // conv2d 3x3 (178x178), pool 2, conv2d_1 3x3 (87x87), pool 2, conv2d_2 3x3 (41x41)
            check(inspector, noise, "conv2d", 5, 9, 3, 1);
            check(inspector, noise, "conv2d_1", 7, 4, 8, 2);
            check(inspector, noise, "conv2d_2", 6, 5, 18, 4);
        }
    }

    /** Checks the field's size and stride, then that pushing pixels moves position (x, y) exactly inside it. */
    private static void check(Inspector inspector, BufferedImage image, String layer, int x, int y, int size,
                              int stride) {
        ReceptiveField field = inspector.receptiveField(layer).orElseThrow();
        assertThat(field.width()).as(layer + " width").isEqualTo(size);
        assertThat(field.height()).as(layer + " height").isEqualTo(size);
        assertThat(field.strideX()).isEqualTo(stride);
        float before = value(inspector, image, layer, x, y);
        int left = Integer.MAX_VALUE;
        int right = -1;
        int top = Integer.MAX_VALUE;
        int bottom = -1;
        int row = field.top(y) + size / 2;
        int column = field.left(x) + size / 2;
        for (int i = 0; i < SIDE; i++) {
            if (moves(inspector, image, layer, x, y, before, i, row)) {
                left = Math.min(left, i);
                right = Math.max(right, i);
            }
            if (moves(inspector, image, layer, x, y, before, column, i)) {
                top = Math.min(top, i);
                bottom = Math.max(bottom, i);
            }
        }
        assertThat(new int[] {left, right, top, bottom}).as(layer + " at (" + x + ", " + y + "): the pixels that"
                + " move it").containsExactly(field.left(x), field.left(x) + size - 1, field.top(y),
                field.top(y) + size - 1);
    }

    private static boolean moves(Inspector inspector, BufferedImage image, String layer, int x, int y, float before,
                                 int px, int py) {
        BufferedImage pushed = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        pushed.setData(image.getData());
        pushed.setRGB(px, py, pushed.getRGB(px, py) ^ 0x808080);
        return value(inspector, pushed, layer, x, y) != before;
    }

    private static float value(Inspector inspector, BufferedImage image, String layer, int x, int y) {
        FeatureMap map = inspector.image(image).layers(layer).activations().get(0);
        float sum = 0;
        for (int c = 0; c < map.channels(); c++) {
            sum += Math.abs(map.value(c, y, x));
        }
        return sum;
    }
}
