package dev.convlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figures of the README and docs/ are what the code draws today: each drawn again with the commands of
 * {@code docs/figures.sh} and compared with the committed file sample by sample (within 2 levels, for ONNX Runtime's
 * float sums on another CPU). A figure that no longer matches the code fails here: run docs/figures.sh and look.
 */
class FiguresTest {
    private static final Path DOCS = Cli.REPOSITORY.resolve("docs");

    @TempDir
    Path dir;

    @Test
    void theGridsAreTheCommandsOwn() throws IOException {
        Cli run = Cli.run("grids", Cli.MODEL, Cli.CHELSEA, "--labels", "cat,dog", "--out", dir);
        assertThat(run.code()).as(run.err()).isZero();
        List<String> layers = List.of("00_conv2d", "02_conv2d_1", "04_conv2d_2", "06_conv2d_3", "08_conv2d_4");
        for (String file : layers) {
            same(dir.resolve(file + ".png"), DOCS.resolve(file.substring(3) + ".png"));
        }
    }

    @Test
    void theHeatmapAndTheAttributionAreTheCommandsOwn() throws IOException {
        assertThat(Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--method", "grad-cam", "--out", dir).code()).isZero();
        same(dir.resolve("chelsea_grad-cam.png"), DOCS.resolve("heatmap.png"));
        assertThat(Cli.run("attribution", Cli.MODEL, Cli.CHELSEA, "--method", "integrated-gradients", "--out", dir)
                .code()).isZero();
        same(dir.resolve("chelsea_integrated-gradients.png"), DOCS.resolve("integrated_gradients.png"));
    }

    @Test
    void thePatternsAreTheCommandsOwn() throws IOException {
        Path file = dir.resolve("patterns.png");
        Cli run = Cli.run("patterns", Cli.MODEL, "--layer", "conv2d_3", "--channels", "0,5,17,18,19,21,26,31",
                "--per-row", 8, "--out", file);
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("8 patterns (0 dead"); // the caption says every channel responds
        same(file, DOCS.resolve("patterns_conv2d_3.png"));
    }

    private static void same(Path drawn, Path committed) throws IOException {
        BufferedImage a = ImageIO.read(drawn.toFile());
        BufferedImage b = ImageIO.read(committed.toFile());
        assertThat(a.getWidth()).as(committed.toString()).isEqualTo(b.getWidth());
        assertThat(a.getHeight()).as(committed.toString()).isEqualTo(b.getHeight());
        int largest = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    largest = Math.max(largest, Math.abs((p >> shift & 0xFF) - (q >> shift & 0xFF)));
                }
            }
        }
        assertThat(largest).as(committed + " against the command's picture (docs/figures.sh redraws it)")
                .isLessThanOrEqualTo(2);
    }
}
