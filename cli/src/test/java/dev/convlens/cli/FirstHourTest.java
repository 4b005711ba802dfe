package dev.convlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user hit at the command line's edges (issue 28), each as a shell runs it: exit codes, messages in the
 * command line's words, options that do what they say, and output that reaches the terminal.
 */
class FirstHourTest {
    @TempDir
    Path dir;

    /** summary print()ed its table without a line's end and exited before the writer was flushed. */
    @Test
    void summaryPrintsItsTableWithoutJson() {
        Cli summary = Cli.run("summary", Cli.MODEL);
        assertThat(summary.code()).isZero();
        assertThat(summary.out()).contains("conv2d_4", "Input: input_1 float32 NHWC", "Preprocessing: raw (the model's"
                + " own, from its metadata)");
    }

    /** A folder with fewer images than --top ended in a NullPointerException. */
    @Test
    void theMicroscopeTakesFewerImagesThanItsTop() throws IOException {
        Cli run = Cli.run("microscope", Cli.MODEL, Cli.CHELSEA.getParent(), "--layers", "conv2d_4", "--out", dir);
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("1 image, 1 layer: read in ");
        assertThat(Files.readString(dir.resolve("microscope.json"))).contains("\"top\":[{\"image\":");
    }

    /** A broken image in the microscope's folder: exit 1, and it is named in the JSON and on the page. */
    @Test
    void theMicroscopeListsTheImagesThatFailed() throws IOException {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        Files.write(photos.resolve("a_broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1, 2});
        Files.copy(Cli.CHELSEA, photos.resolve("b.png"));
        Cli run = Cli.run("microscope", Cli.MODEL, photos, "--layers", "-2", "--top", "1", "--out", dir.resolve("m"));
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("1 image, 1 layer", "1 error (listed in the page)");
        assertThat(Files.readString(dir.resolve("m/microscope.json"))).contains("\"errors\":[{", "a_broken.jpg");
        assertThat(Files.readString(dir.resolve("m/index.html"))).contains("<h2>Errors</h2>", "a_broken.jpg");
    }

    /** Arguments that every image would fail alike are bad arguments: exit 2, before or at the first image. */
    @Test
    void badArgumentsExitWithTwo() {
        Cli upscale = Cli.run("grids", Cli.MODEL, Cli.CHELSEA, "--upscale", 100, "--out", dir);
        assertThat(upscale.code()).isEqualTo(2);
        assertThat(upscale.err()).isEqualTo("convlens grids: --upscale must be 1 to 64, was 100\n");
        Cli target = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--target", 5, "--out", dir);
        assertThat(target.code()).isEqualTo(2);
        assertThat(target.err()).startsWith("convlens heatmap: target class 5, but the model has one sigmoid output");
    }

    /** --out that cannot be a folder says why in words, not with an exception's name. */
    @Test
    void anOutThatCannotBeAFolderSaysWhy() throws IOException {
        Path file = Files.writeString(dir.resolve("README.md"), "a file");
        Cli taken = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--out", file);
        assertThat(taken.code()).isEqualTo(2);
        assertThat(taken.err()).isEqualTo("convlens heatmap: cannot create the folder " + file + ": " + file
                + " is a file, where a folder was wanted; give --out a folder that can be made\n");
        Cli nowhere = Cli.run("grids", Cli.MODEL, Cli.CHELSEA, "--out", file.resolve("inside"));
        assertThat(nowhere.code()).isEqualTo(2);
        assertThat(nowhere.err()).contains("cannot create the folder").doesNotContain("Exception");
    }

    /** The SDK's Java names become the command line's: summary for the layers, --size, method names. */
    @Test
    void messagesSpeakTheCommandLine() {
        Cli layer = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--layer", "conv9");
        assertThat(layer.err()).contains("(convlens summary MODEL lists all 10)").doesNotContain("Inspector");
        assertThat(Messages.words("ask for a smaller size(w, h) or fewer layers; use GRAD_CAM or EIGEN_CAM, in RGB"))
                .isEqualTo("ask for a smaller --size WxH or fewer layers; use grad-cam or eigen-cam, in RGB");
    }

    /** heatmap names the class by --labels, says when no class or layer is used, and takes a negative --layer. */
    @Test
    void heatmapLinesSayWhatWasExplained() {
        Cli gradCam = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--labels", "cat,dog", "--layer", "-2", "--out",
                dir);
        assertThat(gradCam.code()).as(gradCam.err()).isZero();
        assertThat(gradCam.out()).isEqualTo(Cli.CHELSEA + ": grad-cam of cat (class 0), score 0.574, on conv2d_4"
                + " (7x7) -> " + dir.resolve("chelsea_grad-cam.png") + "\n");
        Cli layerCam = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--method", "layer-cam", "--layer", "conv2d_2",
                "--out", dir);
        assertThat(layerCam.out()).contains("layer-cam of class 0, score 0.574, on conv2d_2 (41x41) -> ");
        Cli eigen = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--method", "eigen-cam", "--out", dir);
        assertThat(eigen.out()).contains("eigen-cam of no class (the layer's first principal component), on conv2d_4")
                .doesNotContain("class 0");
        Cli occlusion = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--method", "occlusion", "--out", dir, "--json",
                "--labels", "cat,dog");
        assertThat(occlusion.out()).contains("\"class\":0,\"label\":\"cat\"").doesNotContain("\"layer\"");
        Cli attribution = Cli.run("attribution", Cli.MODEL, Cli.CHELSEA, "--method", "gradient", "--out", dir,
                "--labels", "cat,dog");
        assertThat(attribution.out()).contains("gradient of cat (class 0), score 0.574, on the input (180x180)");
    }

    /**
     * A dense layer (Keras's {@code dense}, the seed's last layer) is listed, drawn and written as values; a heatmap on
     * it is a bad argument that names the layer to take.
     */
    @Test
    void denseLayersAreListedDrawnAndRefusedForAHeatmap() throws IOException {
        assertThat(Cli.run("summary", Cli.MODEL).out()).contains("  9  dense            Gemm+Sigmoid  (1,)  ")
                .contains("12,545");
        Cli grids = Cli.run("grids", Cli.MODEL, Cli.CHELSEA, "--layers", "dense", "--out", dir, "--json");
        assertThat(grids.code()).as(grids.err()).isZero();
        assertThat(dir.resolve("09_dense.png")).exists();
        assertThat(grids.out()).contains("\"scores\":[0.42602473]") // the unit is the output itself
                .contains("{\"layer\":\"dense\",\"mean\":0.42602473,");
        Cli heatmap = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--layer", "-1", "--out", dir);
        assertThat(heatmap.code()).isEqualTo(2);
        assertThat(heatmap.err()).isEqualTo("convlens heatmap: dense is a dense layer: its values have no positions"
                + " in the image, so no heatmap is drawn on it; take a spatial layer, such as conv2d_4 (8)\n");
    }

    /**
     * evaluate gives each method's faithfulness on each image, in words with the better direction and as JSON whose
     * numbers are the SDK's; the random baseline explains no class; guided backpropagation is flagged by the
     * model-randomisation check, which --no-mprt skips.
     */
    @Test
    void evaluateSaysHowFaithfulEachMethodIs() {
        Cli text = Cli.run("evaluate", Cli.MODEL, Cli.CHELSEA, "--labels", "cat,dog", "--steps", "5");
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out().split("\n")).hasSize(2);
        assertThat(text.out()).contains(": grad-cam of cat (class 0), score 0.574, on conv2d_4 (7x7): deletion ")
                .contains("(lower is better)").contains("random-cam of no class (random channel weights, a baseline)");
        Cli json = Cli.run("evaluate", Cli.MODEL, Cli.CHELSEA, "--methods", "hires-cam", "--steps", "5", "--noise",
                "0", "--json");
        assertThat(json.code()).as(json.err()).isZero();
        try (dev.convlens.Inspector inspector = dev.convlens.Inspector.of(Cli.MODEL)) {
            dev.convlens.Request request = inspector.image(Cli.CHELSEA);
            dev.convlens.Evaluation e = request.evaluate(request.heatmap(dev.convlens.HeatmapMethod.HIRES_CAM),
                    dev.convlens.Faithfulness.defaults().steps(5).noise(0, 42));
            assertThat(json.out()).startsWith("{\"image\":\"" + Cli.CHELSEA + "\",\"method\":\"hires-cam\","
                    + "\"layer\":\"conv2d_4\",\"target\":\"class 0\",\"score\":0.57397527,")
                    .contains("\"deletion_auc\":" + (float) e.deletionArea() + ",")
                    .contains("\"road_morf\":" + (float) e.roadMostRelevantFirst() + ",")
                    .contains("\"road_lerf\":" + (float) e.roadLeastRelevantFirst() + ",")
                    .contains("\"mprt\":" + (float) e.randomization().orElseThrow().similarity() + ",")
                    .contains("\"mprt_flagged\":false,\"mprt_layers\":[{\"layer\":\"dense\",\"similarity\":")
                    .contains("\"protocol\":\"deletion to zeros and insertion into RISE's blur");
        }
        Cli guided = Cli.run("evaluate", Cli.MODEL, Cli.CHELSEA, "--methods", "guided-backprop", "--steps", "1");
        assertThat(guided.code()).as(guided.err()).isZero();
        assertThat(guided.out()).contains("guided-backprop of class 0").contains("; model randomisation 0.7")
                .endsWith(", FLAGGED: the map hardly changes when the model's weights are random\n");
        Cli skipped = Cli.run("evaluate", Cli.MODEL, Cli.CHELSEA, "--steps", "1", "--no-mprt", "--json");
        assertThat(skipped.out()).contains("\"road_combined\":").doesNotContain("mprt");
        Cli box = Cli.run("evaluate", Cli.MODEL, Cli.CHELSEA, "--methods", "grad-cam", "--steps", "1", "--no-mprt",
                "--box", "0,150,200,150", "--json");
        assertThat(box.code()).as(box.err()).isZero();
        try (dev.convlens.Inspector inspector = dev.convlens.Inspector.of(Cli.MODEL)) {
            dev.convlens.Localisation l = inspector.image(Cli.CHELSEA).heatmap(dev.convlens.HeatmapMethod.GRAD_CAM)
                    .localisation(dev.convlens.Region.box(0, 150, 200, 150));
            assertThat(box.out()).contains("\"pointing_game\":true,\"energy\":" + (float) l.energy()
                    + ",\"energy_uniform\":" + (float) l.area() + ",");
        }
        Cli outside = Cli.run("evaluate", Cli.MODEL, Cli.CHELSEA, "--box", "900,0,10,10");
        assertThat(outside.code()).isEqualTo(2);
        assertThat(outside.err()).contains("lies outside the 451x300 image").hasLineCount(1);
        Cli steps = Cli.run("evaluate", Cli.MODEL, Cli.CHELSEA, "--steps", "0");
        assertThat(steps.code()).isEqualTo(2);
        assertThat(steps.err()).isEqualTo("convlens evaluate: steps must be at least 1, was 0\n");
    }

    /** Each command offers the options it uses, and only those. */
    @Test
    void commandsOfferOnlyTheOptionsTheyUse() {
        assertThat(Cli.run("channel", "--help").out()).doesNotContain("--layers", "--per-row", "--labels")
                .contains("--colormap", "--upscale");
        assertThat(Cli.run("summary", "--help").out()).doesNotContain("--labels", "--threads", "--size");
        assertThat(Cli.run("patterns", "--help").out()).doesNotContain("--labels");
        assertThat(Cli.run("attribution", "--help").out()).doesNotContain("--layer ").contains("--labels");
        assertThat(Cli.run("heatmap", "--help").out()).contains("--layer", "-1 the last", "--labels");
    }

    /** channel draws one image: a folder is refused, not a silent pick of one of its images. */
    @Test
    void channelRefusesAFolder() {
        Cli run = Cli.run("channel", Cli.MODEL, Cli.CHELSEA.getParent(), "--layer", "-2", "--channel", 3);
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("is a folder; channel draws one image");
    }

    /** One of a thing is not "1 grids". */
    @Test
    void countsTakeTheirNumber() {
        Cli run = Cli.run("grids", Cli.MODEL, Cli.CHELSEA, "--layers", "-2", "--out", dir);
        assertThat(run.out()).contains("; 1 grid in ");
        assertThat(Messages.count(2, "layer")).isEqualTo("2 layers");
    }

    /** The patterns' long phase shows progress with what it does; the book's dead channels are explained. */
    @Test
    void patternsShowProgressAndSayWhyTheBookKillsChannels() {
        Cli run = Cli.run("patterns", Cli.MODEL, "--layer", "conv2d", "--channels", "0-17", "--book", "--out",
                dir.resolve("p.png"));
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err()).contains("patterns of conv2d: 16/18 channels, ETA ", "patterns of conv2d: 18/18"
                + " channels, in ");
        assertThat(run.out()).contains("conv2d: 18 patterns (");
        assertThat(run.err()).contains("The book's settings leave a channel dead where its Relu starts at zero");
    }

    /** A heatmap method that fails is shown as a failure on the page; the rest of the image's section stays. */
    @Test
    void theReportShowsWhatFailedAndKeepsTheRest() throws IOException {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        Files.copy(Cli.CHELSEA, photos.resolve("a.png"));
        Files.write(photos.resolve("b.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1, 2});
        Cli run = Cli.run("report", Cli.MODEL, photos, "--methods", "grad-cam,cam", "--layers", "-2", "--out",
                dir.resolve("r"));
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).startsWith("1 of 2 images, 1 heatmap failed (shown on the page) -> ");
        String page = Files.readString(dir.resolve("r/index.html"));
        assertThat(page).contains("1 image (1 of the 2 given failed: listed at the end)", "<b>cam failed:</b> cam"
                + " needs a head of global average pooling", "grad-cam, class 0 on conv2d_4", "a/08_conv2d_4.png",
                "<h2>Images that failed</h2>", "b.jpg");
    }

    /** A model that is not a classifier: no class printed for it, and heatmap says what to give instead. */
    @Test
    void modelsThatAreNotClassifiersSayWhatCanBeExplained() {
        Path styles = Cli.shared("models/wild/candy_style_transfer_op7.onnx");
        Cli grids = Cli.run("grids", styles, Cli.CHELSEA, "--layers", "-1", "--out", dir);
        assertThat(grids.code()).as(grids.err()).isZero();
        assertThat(grids.out()).contains("chelsea.png: output 'outputImage' [1, 3, 720, 720], not class scores; 1 grid")
                .doesNotContain("class 1");
        Cli json = Cli.run("grids", styles, Cli.CHELSEA, "--layers", "-1", "--out", dir, "--json");
        assertThat(json.out()).contains("\"prediction\":{\"output\":\"outputImage\",\"shape\":[1,3,720,720],"
                + "\"classScores\":false}");
        Path faces = Cli.shared("models/wild/ultraface_rfb320_pytorch_op9.onnx");
        Cli heatmap = Cli.run("heatmap", faces, Cli.CHELSEA, "--out", dir);
        assertThat(heatmap.code()).isEqualTo(2);
        assertThat(heatmap.err()).isEqualTo("convlens heatmap: the model's first output 'scores' [1, 4420, 2] is not"
                + " class scores, so there is no predicted class to explain: give --target with a value of an output,"
                + " by its index or the largest along some axes, e.g. --target 'scores[0,*,1]'; its outputs: scores"
                + " [1,4420,2], boxes [1,4420,4]\n");
    }

    /** {@code scores[0,*,1]} explains the most confident box for class 1, the argmax over boxes computed here. */
    @Test
    void aStarInTheTargetPicksTheLargestValue() {
        Path faces = Cli.shared("models/wild/ultraface_rfb320_pytorch_op9.onnx");
        Path face = Cli.shared("images/face_grace_hopper_517x606.jpg");
        int best = 0;
        float top = Float.NEGATIVE_INFINITY;
        try (dev.convlens.Inspector inspector = dev.convlens.Inspector.of(faces)) {
            float[] scores = inspector.image(face).outputs().get(0).values(); // [1, 4420, 2], row-major
            for (int box = 0; box < scores.length / 2; box++) {
                if (scores[2 * box + 1] > top) {
                    top = scores[2 * box + 1];
                    best = box;
                }
            }
        }
        Cli run = Cli.run("heatmap", faces, face, "--target", "scores[0,*,1]", "--layer", "313", "--out", dir);
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains(String.format(java.util.Locale.ROOT, "grad-cam of scores[0, %d, 1] (the"
                + " largest of scores[0,*,1]), score %.3f, on 313 (40x30)", best, top)); // 313: a name, not an index
        Cli plain = Cli.run("heatmap", faces, face, "--target", "scores[0,*,1]", "--out", dir.resolve("plain"));
        assertThat(plain.out()).contains("on classification_headers.0.2 (40x30); the map is 0 everywhere, the"
                + " overlay plain");
        Cli tensor = Cli.run("grids", faces, face, "--layers", "312", "--out", dir.resolve("g")); // a tensor's name
        assertThat(tensor.code()).as(tensor.err()).isZero();
        assertThat(tensor.out()).contains("; 1 grid in ");
        Cli wrong = Cli.run("heatmap", faces, face, "--target", "scores[0,*]", "--out", dir);
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.err()).contains("--target scores[0,*] gives 2 indexes, and the output 'scores' has 3 axes");
    }

    /** report takes --target; for a model without class scores it draws the methods that need no class. */
    @Test
    void theReportTakesATarget() throws IOException {
        Cli dog = Cli.run("report", Cli.MODEL, Cli.CHELSEA, "--target", 1, "--labels", "cat,dog", "--layers", "-2",
                "--methods", "grad-cam", "--out", dir.resolve("dog"));
        assertThat(dog.code()).as(dog.err()).isZero();
        assertThat(Files.readString(dir.resolve("dog/index.html"))).contains("grad-cam, dog (class 1) on conv2d_4");
        Path faces = Cli.shared("models/wild/ultraface_rfb320_pytorch_op9.onnx");
        Cli report = Cli.run("report", faces, Cli.CHELSEA, "--layers", "-1", "--out", dir.resolve("faces"));
        assertThat(report.code()).as(report.err()).isZero();
        assertThat(Files.readString(dir.resolve("faces/index.html"))).contains("grad-cam not drawn: the model's"
                + " first output 'scores' [1, 4420, 2] is not class scores").contains("<figcaption>eigen-cam on");
    }

    /** --steps and --step set the ascent: one step of 10 levels moves a channel less than forty do. */
    @Test
    void patternsTakeTheirStepsFromTheCommandLine() {
        Cli one = Cli.run("patterns", Cli.MODEL, "--layer", "conv2d", "--channels", "0", "--steps", 1, "--json",
                "--out", dir.resolve("one.png"));
        Cli forty = Cli.run("patterns", Cli.MODEL, "--layer", "conv2d", "--channels", "0", "--json", "--out",
                dir.resolve("forty.png"));
        assertThat(score(one)).isPositive().isLessThan(score(forty));
        Cli bad = Cli.run("patterns", Cli.MODEL, "--layer", "conv2d", "--step", 0);
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("step size must be positive and finite, was 0.0");
    }

    private static double score(Cli run) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"score\":([0-9.E-]+)").matcher(run.out());
        assertThat(m.find()).as(run.out() + run.err()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** --alpha blends: at 0 the overlay is the photo itself, pixel for pixel; out of range is a bad argument. */
    @Test
    void heatmapTakesAnAlpha() throws IOException {
        Cli run = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--alpha", 0, "--out", dir);
        assertThat(run.code()).as(run.err()).isZero();
        java.awt.image.BufferedImage overlay = javax.imageio.ImageIO.read(dir.resolve("chelsea_grad-cam.png").toFile());
        java.awt.image.BufferedImage photo = javax.imageio.ImageIO.read(Cli.CHELSEA.toFile());
        for (int y = 0; y < photo.getHeight(); y++) {
            for (int x = 0; x < photo.getWidth(); x++) {
                assertThat(overlay.getRGB(x, y)).as("(%d, %d)", x, y).isEqualTo(photo.getRGB(x, y));
            }
        }
        Cli bad = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--alpha", 2, "--out", dir);
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("convlens heatmap: --alpha must be 0 to 1, was 2.0\n");
    }

    /** --colormap colors the overlay: gray at alpha 1 is the SDK's map alone in gray, pixel for pixel. */
    @Test
    void heatmapTakesAColormap() throws IOException {
        Cli run = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--colormap", "gray", "--alpha", 1, "--out", dir);
        assertThat(run.code()).as(run.err()).isZero();
        java.awt.image.BufferedImage drawn = javax.imageio.ImageIO.read(dir.resolve("chelsea_grad-cam.png").toFile());
        try (dev.convlens.Inspector inspector = dev.convlens.Inspector.of(Cli.MODEL)) {
            java.awt.image.BufferedImage gray = inspector.image(Cli.CHELSEA)
                    .heatmap(dev.convlens.HeatmapMethod.GRAD_CAM).image(dev.convlens.Colormap.GRAY);
            for (int y = 0; y < gray.getHeight(); y++) {
                for (int x = 0; x < gray.getWidth(); x++) {
                    assertThat(drawn.getRGB(x, y)).as("(%d, %d)", x, y).isEqualTo(gray.getRGB(x, y));
                }
            }
        }
    }

    /** --values writes the raw numbers as .npy files that numpy.load reads back to the SDK's values, exactly. */
    @Test
    void valuesAreWrittenForNumpy() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("/usr/bin/python3", "-c", "import numpy")
                .start().waitFor() == 0, "/usr/bin/python3 with numpy is absent");
        Cli grids = Cli.run("grids", Cli.MODEL, Cli.CHELSEA, "--layers", "conv2d,-2", "--values", "--out", dir);
        assertThat(grids.code()).as(grids.err()).isZero();
        Cli heatmap = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--values", "--out", dir);
        assertThat(heatmap.code()).as(heatmap.err()).isZero();
        try (dev.convlens.Inspector inspector = dev.convlens.Inspector.of(Cli.MODEL)) {
            dev.convlens.Request request = inspector.image(Cli.CHELSEA);
            java.util.List<dev.convlens.FeatureMap> maps = request.layers("conv2d", "conv2d_4").activations();
            assertThat(numpy(dir.resolve("00_conv2d.npy"))).isEqualTo(maps.get(0).values());
            assertThat(numpy(dir.resolve("08_conv2d_4.npy"))).isEqualTo(maps.get(1).values());
            assertThat(shape(dir.resolve("08_conv2d_4.npy"))).isEqualTo("(256, 7, 7)");
            assertThat(numpy(dir.resolve("chelsea_grad-cam.npy")))
                    .isEqualTo(request.heatmap(dev.convlens.HeatmapMethod.GRAD_CAM).values());
            assertThat(shape(dir.resolve("chelsea_grad-cam.npy"))).isEqualTo("(7, 7)");
            Cli smooth = Cli.run("heatmap", Cli.MODEL, Cli.CHELSEA, "--method", "hires-cam", "--eigen-smooth",
                    "--values", "--out", dir.resolve("smooth"));
            assertThat(smooth.code()).as(smooth.err()).isZero();
            float[] smoothed = request.heatmap(dev.convlens.HeatmapMethod.HIRES_CAM,
                    dev.convlens.HeatmapOptions.defaults().eigenSmooth()).values();
            assertThat(numpy(dir.resolve("smooth/chelsea_hires-cam.npy"))).isEqualTo(smoothed)
                    .isNotEqualTo(request.heatmap(dev.convlens.HeatmapMethod.HIRES_CAM).values());
        }
    }

    /** The array numpy.load reads from a file, as float32 values in C order. */
    private float[] numpy(Path file) throws Exception {
        Path raw = dir.resolve(file.getFileName() + ".raw");
        python("import numpy; numpy.load('" + file + "').astype('<f4').tofile('" + raw + "')");
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(Files.readAllBytes(raw))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[bytes.remaining() / 4];
        bytes.asFloatBuffer().get(values);
        return values;
    }

    private String shape(Path file) throws Exception {
        return python("import numpy; print(numpy.load('" + file + "').shape, end='')");
    }

    private static String python(String code) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", code).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
