package dev.convlens.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convlens recommend}: one JSON line per image and one for all, whose ranking's metrics are the means of the
 * images', and a verdict that names the best only where the metrics agree.
 */
class RecommendCommandTest {
    private static final Pattern ENTRY = Pattern.compile("\\{\"layer\":\"([^\"]+)\",\"method\":\"([^\"]+)\","
            + "\"deletion_auc\":([-0-9.E]+),\"insertion_auc\":([-0-9.E]+),\"road_morf\":([-0-9.E]+),"
            + "\"road_lerf\":([-0-9.E]+),\"road_combined\":([-0-9.E]+),\"heatmap_ms\":([0-9.E]+),"
            + "\"evaluation_ms\":([0-9.E]+),\"agree\":(true|false)}");

    @TempDir
    Path dir;

    /** Each candidate's four metrics in one line's ranking, by layer and method. */
    private static Map<String, double[]> ranking(String line) {
        Map<String, double[]> entries = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(line);
        while (m.find()) {
            double[] v = new double[4];
            for (int i = 0; i < 4; i++) {
                v[i] = Double.parseDouble(m.group(3 + i));
            }
            entries.put(m.group(2) + " on " + m.group(1), v);
        }
        return entries;
    }

    @Test
    void rankingOverTheImagesIsTheMeanOfTheirs() throws IOException {
        BufferedImage photo = ImageIO.read(Cli.CHELSEA.toFile());
        BufferedImage mirrored = new BufferedImage(photo.getWidth(), photo.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < photo.getHeight(); y++) {
            for (int x = 0; x < photo.getWidth(); x++) {
                mirrored.setRGB(photo.getWidth() - 1 - x, y, photo.getRGB(x, y));
            }
        }
        Path other = dir.resolve("mirrored.png");
        ImageIO.write(mirrored, "png", other.toFile());
        Cli json = Cli.run("recommend", Cli.MODEL, Cli.CHELSEA, other, "--methods", "grad-cam,eigen-cam",
                "--layers", "conv2d_3,conv2d_4", "--steps", "5", "--json");
        assertThat(json.code()).as(json.err()).isZero();
        String[] lines = json.out().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).startsWith("{\"image\":\"" + Cli.CHELSEA + "\",\"agree\":");
        assertThat(lines[1]).startsWith("{\"image\":\"" + other + "\",\"agree\":");
        assertThat(lines[2]).startsWith("{\"images\":2,\"agree\":").contains("\"protocol\":\"deletion to zeros");
        List<Map<String, double[]>> each = new ArrayList<>();
        for (String line : lines) {
            Map<String, double[]> r = ranking(line);
            assertThat(r.keySet()).containsExactlyInAnyOrder("grad-cam on conv2d_3", "grad-cam on conv2d_4",
                    "eigen-cam on conv2d_3", "eigen-cam on conv2d_4");
            each.add(r);
        }
        each.get(2).forEach((candidate, mean) -> {
            for (int i = 0; i < 4; i++) {
                double expected = (each.get(0).get(candidate)[i] + each.get(1).get(candidate)[i]) / 2;
                assertThat(mean[i]).as("%s, metric %d", candidate, i).isCloseTo(expected, within(1e-6));
            }
        });
        Matcher first = ENTRY.matcher(lines[2]);
        assertThat(first.find()).isTrue();
        if (lines[2].contains("\"agree\":true,")) {
            assertThat(lines[2]).contains("\"best\":{\"layer\":\"" + first.group(1) + "\",\"method\":\""
                    + first.group(2) + "\"}");
        } else {
            assertThat(lines[2]).contains("\"agree\":false,\"best\":null,");
        }
        Cli text = Cli.run("recommend", Cli.MODEL, Cli.CHELSEA, "--methods", "grad-cam", "--layers", "conv2d_4",
                "--steps", "2");
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out()).startsWith(Cli.CHELSEA + ": 1 candidate, first by mean rank grad-cam on conv2d_4;"
                + " the metrics agree\nthe metrics agree on one image: GRAD_CAM on conv2d_4 is the most faithful (the"
                + " only candidate)\nrank method");
    }
}
