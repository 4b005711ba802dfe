package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A model of dynamic height and width, given many image sizes: the sessions derived per input shape (gradient models
 * for Grad-CAM) and the buffers pooled per shape stay bounded, so native memory does not grow with the number of
 * shapes seen.
 */
class SessionMemoryTest {
    /** 64, 96, ..., 320: nine widths times nine heights. */
    static final int[] SIDES = {64, 96, 128, 160, 192, 224, 256, 288, 320};

    @Test
    void eightyOneInputShapesKeepResidentMemoryBounded() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms384m", "-Xmx384m", "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"),
                Probe.class.getName()).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes());
        assertThat(child.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(child.exitValue()).as(out).isZero();
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
                        System.out.println("rss " + ++shape + " " + residentKb());
                    }
                }
            }
        }

        static long residentKb() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            throw new AssertionError("no VmRSS in /proc/self/status");
        }
    }
}
