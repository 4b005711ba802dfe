package dev.convlens.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The microscope on the 1000 validation photos against PyTorch ({@code cli/tools/microscope_reference.py}: Pillow's
 * decoding and resize, the network's layers in torch): every channel's top images, their scores and positions.
 */
@org.junit.jupiter.api.Tag("slow") // left out by -Pquick
class MicroscopeTest {
    private static final int TOP = 4;
    /** One top entry in either JSON: image, score, x, y. */
    private static final Pattern ENTRY = Pattern.compile(
            "\\{\"image\":\\s*\"([^\"]+)\",\\s*\"score\":\\s*([-0-9.E]+),\\s*\"x\":\\s*(\\d+),\\s*\"y\":\\s*(\\d+)"
                    + "(?:,\\s*\"unique\":\\s*(true|false))?");

    @TempDir
    Path dir;

    record Entry(String image, double score, int x, int y, boolean unique) {
    }

    @Test
    void topImagesScoresAndPositionsAreTorchs() throws Exception {
        Path validation = Cli.shared("data/cats_vs_dogs/validation");
        for (String layer : List.of("conv2d_2", "conv2d_4")) {
            Path out = dir.resolve(layer);
            Cli run = Cli.run("microscope", Cli.MODEL, validation, "--layers", layer, "--top", TOP, "--out", out);
            assertThat(run.code()).as(run.err()).isZero();
            List<List<Entry>> ours = channels(Files.readString(out.resolve("microscope.json")));
            List<List<Entry>> torch = channels(reference(layer, validation));
            assertThat(ours).hasSameSizeAs(torch).isNotEmpty();
            int same = 0;
            int all = 0;
            for (int c = 0; c < ours.size(); c++) {
                List<Entry> a = ours.get(c);
                List<Entry> b = torch.get(c);
                assertThat(a).as("channel %d", c).hasSize(TOP).hasSameSizeAs(b);
                for (int r = 0; r < TOP; r++) {
                    assertThat(a.get(r).score()).as("%s #%d rank %d", layer, c, r)
                            .isCloseTo(b.get(r).score(), within(1e-4 + 1e-4 * Math.abs(b.get(r).score())));
                    all++;
                    if (a.get(r).image().equals(b.get(r).image())) {
                        same++;
                        if (b.get(r).unique() && b.get(r).score() > 0) {
                            assertThat(new int[] {a.get(r).x(), a.get(r).y()}).as("%s #%d rank %d", layer, c, r)
                                    .containsExactly(b.get(r).x(), b.get(r).y());
                        }
                    }
                }
            }
            System.out.printf("microscope %s: %d of %d top entries name torch's image (the rest tie on score)%n",
                    layer, same, all);
            assertThat(same).isGreaterThan(all * 9 / 10);
            String page = Files.readString(out.resolve("index.html"));
            assertThat(page).contains("<img class=\"crop zoom\" src=\"crops/" + layer + "/");
            try (Stream<Path> crops = Files.list(out.resolve("crops").resolve(layer))) {
                assertThat(crops.count()).isGreaterThan(0);
            }
        }
    }

    private List<List<Entry>> channels(String json) {
        List<List<Entry>> channels = new ArrayList<>();
        for (String channel : json.split("\"channel\":\\s*")) {
            Matcher m = ENTRY.matcher(channel);
            List<Entry> entries = new ArrayList<>();
            while (m.find()) {
                entries.add(new Entry(Path.of(m.group(1)).getFileName().toString(), Double.parseDouble(m.group(2)),
                        Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), !"false".equals(m.group(5))));
            }
            if (!entries.isEmpty()) {
                channels.add(entries);
            }
        }
        return channels;
    }

    /** Runs the torch reference on the same photos, in the order the microscope reads them. */
    private String reference(String layer, Path validation) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3",
                Cli.REPOSITORY.resolve("cli/tools/microscope_reference.py").toString(), layer, String.valueOf(TOP)));
        try (Stream<Path> files = Files.walk(validation)) {
            files.filter(Files::isRegularFile).sorted().forEach(p -> command.add(p.toString()));
        }
        Path output = dir.resolve(layer + ".reference.json");
        Process p = new ProcessBuilder(command).redirectOutput(output.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int code = p.waitFor();
        if (code != 0) {
            System.out.println("skipped: the torch reference did not run (python3-torch missing?), exit " + code);
        }
        assumeTrue(code == 0, "torch reference");
        return Files.readString(output);
    }
}
