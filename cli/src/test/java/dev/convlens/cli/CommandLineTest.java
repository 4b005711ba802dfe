package dev.convlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convlens.FeatureMap;
import dev.convlens.Inspector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands run in this JVM on the shipped model and photo: what they write, print and exit with. */
class CommandLineTest {
    @TempDir
    Path dir;

    @Test
    void everyCommandHasHelp() {
        for (String command : List.of("summary", "grids", "channel", "heatmap", "attribution", "patterns", "report",
                "microscope", "export")) {
            Cli help = Cli.run(command, "--help");
            assertThat(help.code()).as(command).isZero();
            assertThat(help.out()).as(command).startsWith("Usage: convlens " + command);
        }
        Cli bare = Cli.run();
        assertThat(bare.code()).isEqualTo(2);
        assertThat(bare.err()).contains("name a command: summary, grids");
    }

    @Test
    void summaryPrintsTheLayers() {
        Cli text = Cli.run("summary", Cli.MODEL);
        assertThat(text.code()).isZero();
        assertThat(text.out()).contains("conv2d_4", "(256, 7, 7)", "590,080");
        Cli json = Cli.run("summary", Cli.MODEL, "--json");
        assertThat(json.out()).contains("{\"index\":8,\"name\":\"conv2d_4\",\"kind\":\"convolution\","
                + "\"ops\":[\"Conv\",\"Relu\"],\"channels\":256,\"height\":7,\"width\":7,\"parameters\":590080}");
    }

    /** The grids are the SDK's pictures, and --json's statistics are the activations' own, computed here again. */
    @Test
    void gridsWritesEveryLayerAndItsStatistics() throws IOException {
        Cli run = Cli.run("grids", Cli.MODEL, Cli.CHELSEA, "--out", dir, "--json", "--layers", "conv2d,-2");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(ImageIO.read(dir.resolve("00_conv2d.png").toFile()).getWidth()).isEqualTo(16 * 179 - 1);
        assertThat(dir.resolve("08_conv2d_4.png")).exists();
        try (Inspector inspector = Inspector.of(Cli.MODEL)) {
            FeatureMap map = inspector.image(Cli.CHELSEA).layers("conv2d_4").activations().get(0);
            float[] v = map.values();
            double sum = 0;
            int zeros = 0;
            float max = 0;
            for (float x : v) {
                sum += x;
                zeros += x == 0 ? 1 : 0;
                max = Math.max(max, x);
            }
            assertThat(run.out()).contains("\"layer\":\"conv2d_4\",\"mean\":" + Float.toString((float) (sum
                    / v.length)).toUpperCase() + ",\"max\":" + Float.toString(max).toUpperCase() + ",\"zeros\":"
                    + Float.toString((float) zeros / v.length).toUpperCase() + ",\"nonFinite\":0");
            float score = inspector.image(Cli.CHELSEA).inspect().output().value(0);
            assertThat(run.out()).contains("\"prediction\":{\"output\":\"dense\",\"shape\":[1,1],"
                    + "\"classScores\":true,\"class\":0,\"probability\":"
                    + Float.toString(1 - score));
        }
        Cli labelled = Cli.run("grids", Cli.MODEL, Cli.CHELSEA, "--out", dir, "--labels", "cat,dog", "--json");
        assertThat(labelled.out()).contains("\"class\":0,\"label\":\"cat\",");
        assertThat(Cli.run("grids", Cli.MODEL, Cli.CHELSEA, "--out", dir, "--labels", "cat,dog").out())
                .endsWith("chelsea.png: cat, 0.57; 5 grids in " + dir + "\n");
    }

    @Test
    void badArgumentsSayWhatIsValidInOneLineAndExitWith2() {
        Cli layer = Cli.run("grids", Cli.MODEL, Cli.CHELSEA, "--layers", "conv2x", "--out", dir);
        assertThat(layer.code()).isEqualTo(2);
        assertThat(layer.err()).isEqualTo("convlens grids: no layer matches 'conv2x'; closest: conv2d, conv2d_1,"
                + " conv2d_2, conv2d_3, conv2d_4 (convlens summary MODEL lists all 10)\n");
        Cli colormap = Cli.run("grids", Cli.MODEL, Cli.CHELSEA, "--colormap", "rainbow");
        assertThat(colormap.code()).isEqualTo(2);
        assertThat(colormap.err()).contains("'--colormap'", "VIRIDIS, MAGMA, INFERNO", "'rainbow'").hasLineCount(1);
        Cli number = Cli.run("grids", Cli.MODEL, Cli.CHELSEA, "--per-row", "many");
        assertThat(number.err()).isEqualTo("convlens grids: Invalid value for option '--per-row': 'many' is not an"
                + " int\n");
        assertThat(number.code()).isEqualTo(2);
        Cli method = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--method", "gradcam");
        assertThat(method.code()).isEqualTo(2);
        assertThat(method.err()).contains("'gradcam' is not one of [cam, grad-cam,").hasLineCount(1);
        Cli model = Cli.run("grids", dir.resolve("missing.onnx"), Cli.CHELSEA);
        assertThat(model.code()).isEqualTo(2);
        assertThat(model.err()).contains("no model file", "missing.onnx").hasLineCount(1);
        Cli image = Cli.run("grids", Cli.MODEL, dir.resolve("missing.jpg"));
        assertThat(image.code()).isEqualTo(2);
        assertThat(image.err()).contains("no image file").hasLineCount(1);
        Cli target = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--target", "dense[0");
        assertThat(target.code()).isEqualTo(2);
        assertThat(target.err()).contains("'dense[0' is not a target: give a class (3), an output's value");
        Cli wrongIndex = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--target", "dense[0,1]", "--out", dir);
        assertThat(wrongIndex.code()).isEqualTo(2); // a bad argument, which every image would fail alike
        assertThat(wrongIndex.err()).contains("the target's index [0, 1] is out of range for the output 'dense' of"
                + " shape [1, 1]");
        Cli size = Cli.run("grids", Cli.MODEL, Cli.CHELSEA, "--size", "big");
        assertThat(size.err()).contains("'big' is not a size: give WIDTHxHEIGHT");
        Cli fits = Cli.run("grids", Cli.MODEL, Cli.CHELSEA, "--size", "180x180", "--out", dir.resolve("sized"));
        assertThat(fits.code()).as(fits.err()).isZero();
        Cli fixed = Cli.run("grids", Cli.MODEL, Cli.CHELSEA, "--size", "90x90", "--out", dir.resolve("sized"));
        assertThat(fixed.code()).isEqualTo(2);
        assertThat(fixed.err()).contains("fixed at 180x180");
    }

    /** A broken image among good ones: named on stderr, the others done, exit code 1, no stack trace. */
    @Test
    void aFailingImageIsNamedAndTheBatchGoesOn() throws IOException {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        Files.copy(Cli.CHELSEA, photos.resolve("a.png"));
        Files.write(photos.resolve("b.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1, 2});
        Files.copy(Cli.CHELSEA, photos.resolve("c.png"));
        Cli run = Cli.run("grids", Cli.MODEL, photos, "--out", dir.resolve("out"), "--threads", 2);
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("a.png: class 0, 0.57", "c.png: class 0, 0.57").doesNotContain("b.jpg");
        assertThat(run.err()).contains("b.jpg: ").doesNotContain("\tat ", "Exception in");
        assertThat(dir.resolve("out/a/08_conv2d_4.png")).exists();
        assertThat(dir.resolve("out/c/08_conv2d_4.png")).exists();
        assertThat(run.err()).contains("drawing: 3/3 images, in "); // plain lines: stderr is not a terminal
        Cli verbose = Cli.run("grids", Cli.MODEL, dir.resolve("missing.onnx"), Cli.CHELSEA, "--verbose");
        assertThat(verbose.err()).contains("\tat dev.convlens.cli.");
    }

    @Test
    void heatmapAttributionChannelAndPatternsWriteTheirPictures() throws IOException {
        Cli heatmap = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--method", "eigen-cam", "--out", dir, "--json");
        assertThat(heatmap.code()).as(heatmap.err()).isZero();
        assertThat(heatmap.out()).contains("\"method\":\"eigen-cam\",\"layer\":\"conv2d_4\",\"target\":\"class 0\","
                + "\"class\":0");
        assertThat(ImageIO.read(dir.resolve("chelsea_eigen-cam.png").toFile()).getWidth())
                .isEqualTo(ImageIO.read(Cli.CHELSEA.toFile()).getWidth());
        Cli averaged = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--layer", "conv2d_2,conv2d_4", "--out", dir,
                "--json");
        assertThat(averaged.code()).as(averaged.err()).isZero();
        assertThat(averaged.out()).contains("\"method\":\"grad-cam\",\"layer\":\"conv2d_2+conv2d_4\",");
        Cli unknown = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--layer", "conv2d_2,conv9", "--out", dir);
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("conv9").hasLineCount(1);
        Cli attribution = Cli.run("attribution", Cli.MODEL, Cli.CHELSEA, "--method", "gradient", "--out", dir);
        assertThat(attribution.out()).contains("gradient of class 0");
        assertThat(dir.resolve("chelsea_gradient.png")).exists();
        Cli channel = Cli.run("channel", Cli.MODEL, Cli.CHELSEA, "--layer", "conv2d_1", "--channel", 3,
                "--upscale", 2, "--out", dir.resolve("c.png"));
        assertThat(channel.out()).contains("conv2d_1 channel 3: 174x174");
        Cli tooFar = Cli.run("channel", Cli.MODEL, Cli.CHELSEA, "--layer", "conv2d_1", "--channel", 64);
        assertThat(tooFar.code()).isEqualTo(2);
        assertThat(tooFar.err()).contains("conv2d_1 has 64 channels");
        Cli patterns = Cli.run("patterns", Cli.MODEL, "--layer", "conv2d_1", "--channels", "0-3,9", "--per-row", 5,
                "--out", dir.resolve("p.png"), "--json");
        assertThat(patterns.code()).as(patterns.err()).isZero();
        assertThat(patterns.out()).contains("\"channel\":9,\"score\":");
        assertThat(ImageIO.read(dir.resolve("p.png").toFile()).getHeight()).isGreaterThan(100);
    }

    @Test
    void exportWritesAnExplainerThatOpensInOnnxRuntime() throws Exception {
        Path file = dir.resolve("explainer.onnx");
        Path operators = dir.resolve("required_operators.config");
        Cli export = Cli.run("export", Cli.MODEL, "--method", "grad-cam-plus-plus", "--layer", "conv2d_3",
                "--input-size", "451x300", "--activations", "conv2d", "--labels", "cat,dog", "--out", file,
                "--operators", operators);
        assertThat(export.code()).as(export.err()).isZero();
        assertThat(export.out()).startsWith(file + ": grad-cam-plus-plus explainer of " + Cli.MODEL + ", ")
                .contains(" bytes (the model: 3968165)");
        assertThat(Files.readString(operators)).startsWith("ai.onnx;13;").contains(",Conv,");
        try (ai.onnxruntime.OrtSession session = ai.onnxruntime.OrtEnvironment.getEnvironment()
                .createSession(file.toString())) {
            assertThat(session.getInputNames()).containsExactly("image", "target");
            assertThat(session.getOutputNames()).containsExactly("dense", "heatmap", "overlay", "class", "score",
                    "sequential/conv2d/Relu:0");
            assertThat(((ai.onnxruntime.TensorInfo) session.getInputInfo().get("image").getInfo()).getShape())
                    .containsExactly(300, 451, 3);
            assertThat(session.getMetadata().getCustomMetadata()).containsEntry("convlens.labels", "[\"cat\",\"dog\"]")
                    .containsEntry("convlens.explainer.method", "GRAD_CAM_PLUS_PLUS");
        }
        Cli refused = Cli.run("export", Cli.MODEL, "--method", "score-cam", "--out", file);
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("score-cam cannot be written into an explainer's graph")
                .contains("grad-cam").doesNotContain("GRAD_CAM");
        Cli every = Cli.run("export", Cli.MODEL, "--method", "recipro-cam", "--all-classes", "--out", file);
        assertThat(every.code()).as(every.err()).isZero();
        try (ai.onnxruntime.OrtSession session = ai.onnxruntime.OrtEnvironment.getEnvironment()
                .createSession(file.toString())) {
            assertThat(session.getOutputNames()).contains("heatmaps");
        }
        Cli notEvery = Cli.run("export", Cli.MODEL, "--all-classes", "--out", file);
        assertThat(notEvery.code()).isEqualTo(2);
        assertThat(notEvery.err()).contains("grad-cam takes a backward pass per class");
        Cli unknown = Cli.run("export", Cli.MODEL, "--layer", "conv9", "--out", file);
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("conv9");
        Cli attributionLayer = Cli.run("export", Cli.MODEL, "--method", "gradient", "--layer", "conv2d",
                "--out", file);
        assertThat(attributionLayer.code()).isEqualTo(2);
        assertThat(attributionLayer.err()).contains("takes no layer");
    }
}
