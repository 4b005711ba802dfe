package dev.convlens.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report opened from its file in headless Chromium (Debian's {@code chromium}, which {@code .ci/run}
 * installs), offline: every picture loads, and the screenshot is a page of pictures, not a blank one.
 */
@org.junit.jupiter.api.Tag("slow") // left out by -Pquick
class ReportBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    Path dir;

    @Test
    void theReportOpensFromItsFileWithEveryPicture() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            System.out.println("skipped: no " + CHROMIUM + " (apt-get install chromium)");
        }
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium");
        Path photos = Files.createDirectories(dir.resolve("photos with spaces"));
        Files.copy(Cli.CHELSEA, photos.resolve("chelsea & co.png"));
        Files.copy(Cli.CHELSEA, photos.resolve("second.png"));
        Path out = dir.resolve("report");
        Cli run = Cli.run("report", Cli.MODEL, photos, "--out", out, "--patterns", "conv2d", "--threads", 2);
        assertThat(run.code()).as(run.err()).isZero();
        String html = Files.readString(out.resolve("index.html"));
        assertThat(html).doesNotContain("http://", "https://").contains("chelsea &amp; co.png", "Prediction: class 0, 0.57");

        // 2 inputs, 2 x 2 heatmaps, 2 x 5 grids, 1 pattern sheet
        String dom = chromium("--dump-dom", out.resolve("index.html").toUri().toString());
        Matcher loaded = Pattern.compile("data-loaded=\"(\\d+)/(\\d+)\"").matcher(dom);
        assertThat(loaded.find()).as("the page's load handler ran").isTrue();
        assertThat(loaded.group(1)).isEqualTo(loaded.group(2)).isEqualTo("17");

        Path shot = dir.resolve("report.png");
        chromium("--screenshot=" + shot, "--window-size=1200,1600", out.resolve("index.html").toUri().toString());
        BufferedImage picture = ImageIO.read(shot.toFile());
        Set<Integer> colors = new HashSet<>();
        for (int y = 0; y < picture.getHeight(); y += 4) {
            for (int x = 0; x < picture.getWidth(); x += 4) {
                colors.add(picture.getRGB(x, y));
            }
        }
        System.out.println("report screenshot: " + picture.getWidth() + "x" + picture.getHeight() + ", "
                + colors.size() + " colors sampled");
        assertThat(colors.size()).as("colors in the screenshot").isGreaterThan(1000);
    }

    private String chromium(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--allow-file-access-from-files", "--user-data-dir=" + dir.resolve("profile")));
        command.addAll(List.of(args));
        Path log = dir.resolve("chromium.log");
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(p.exitValue()).as(Files.readString(log)).isZero();
        return out;
    }
}
