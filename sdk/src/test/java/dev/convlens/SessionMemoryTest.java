package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * A model of dynamic height and width, given many image sizes: the sessions derived per input shape (gradient models
 * for Grad-CAM) and the buffers pooled per shape stay bounded, so native memory does not grow with the number of
 * shapes seen. Measured in a {@link ChildJvm}.
 */
class SessionMemoryTest {
    /**
     * 320, 288, ..., 64: nine widths times nine heights, the largest first, so that by the 10th shape every buffer
     * has seen its largest size and what grows after it is what is kept per shape. (Smallest first, resident memory
     * also grows because larger inputs need larger buffers: 627 to 745 MB here, with the sessions bounded.)
     */
    static final int[] SIDES = {320, 288, 256, 224, 192, 160, 128, 96, 64};

    @Test
    void eightyOneInputShapesKeepResidentMemoryBounded() throws Exception {
        String out = ChildJvm.run(Probe.class, 384);
        long[] mb = out.lines().filter(l -> l.startsWith("rss ")).mapToLong(l -> Long.parseLong(l.split(" ")[2]) / 1024)
                .toArray();
        assertThat(mb).as(out).hasSize(SIDES.length * SIDES.length);
        System.out.printf("resident memory (MB) over %d input shapes of a dynamic SqueezeNet, Grad-CAM and grids each:"
                + " after 1: %d, 10: %d, 27: %d, 54: %d, 81: %d; 81st / 10th: %.2fx%n", mb.length, mb[0], mb[9], mb[26],
                mb[53], mb[80], mb[80] / (double) mb[9]);
        assertThat(mb[80] / (double) mb[9]).as("resident memory after the 81st shape over after the 10th")
                .isLessThanOrEqualTo(1.25);
    }

    /** The child process: one Grad-CAM and one set of grids per shape, "rss SHAPE KB" after each. */
    static final class Probe {
        public static void main(String[] args) throws IOException {
            try (Inspector inspector = Inspector.of(SqueezeNet.bytes())) {
                int shape = 0;
                for (int h : SIDES) {
                    for (int w : SIDES) {
                        Request request = inspector.image(InspectorTest.rgbImage(w, h, shape));
                        request.heatmap(HeatmapMethod.GRAD_CAM);
                        request.grid(16);
                        System.out.println("rss " + ++shape + " " + ChildJvm.residentKb());
                    }
                }
            }
        }
    }
}
