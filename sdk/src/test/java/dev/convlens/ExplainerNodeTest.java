package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Explainers run in another runtime, as a server or a desktop app in JavaScript would run them: Node with
 * onnxruntime-node 1.30.0 (installed by {@code npm ci --ignore-scripts} in {@code examples/web}), through
 * {@code examples/web/run-explainer.mjs}. What it returns is compared with the Java SDK's own heatmap, overlay,
 * class, score and model outputs for the same photo.
 */
@org.junit.jupiter.api.Tag("slow") // left out by -Pquick
class ExplainerNodeTest {
    private static final Path WEB = Path.of("../examples/web");
    private static final Path PHOTO = HeatmapTest.PHOTO;

    @TempDir
    Path dir;

    @BeforeAll
    static void nodeIsThere() throws InterruptedException {
        boolean there = Files.isDirectory(WEB.resolve("node_modules/onnxruntime-node"));
        try {
            there &= new ProcessBuilder("node", "--version").start().waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            there = false;
        }
        if (!there) {
            String reason = "skipped: node or examples/web/node_modules/onnxruntime-node is missing (cd examples/web"
                    + " && npm ci --ignore-scripts)";
            System.out.println(reason);
            assumeTrue(false, reason);
        }
    }

    static List<Arguments> models() {
        return List.of(
                Arguments.of("the shipped convnet", "../models/cats_vs_dogs_small.onnx"),
                Arguments.of("the shipped convnet, NCHW", "../models/cats_vs_dogs_small_nchw.onnx"),
                Arguments.of("its int8 copy, QDQ", "target/int8/cats_vs_dogs_qdq.onnx"),
                Arguments.of("its int8 copy, QOperator", "target/int8/cats_vs_dogs_qoperator.onnx"),
                Arguments.of("torchvision's ResNet-18", "resnet18"),
                Arguments.of("torchvision's MobileNetV3-Small", "mobilenet_v3_small"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void nodeRunsTheExplainerAsJavaComputesIt(String name, String model) throws Exception {
        Path file;
        Preprocessing preprocessing = null;
        if (model.startsWith("target/int8/")) {
            Int8ModelsTest.models(); // writes them with sdk/tools/int8_models.py, or skips
            file = Path.of(model);
        } else if (!model.endsWith(".onnx")) {
            dev.convlens.onnx.TorchvisionGradientsTest.references(); // exports them, or skips
            file = dev.convlens.onnx.TorchvisionGradientsTest.export(model, 13);
            preprocessing = Preprocessing.IMAGENET;
        } else {
            file = Path.of(model);
        }
        compare(file, preprocessing, HeatmapMethod.GRAD_CAM);
        compare(file, preprocessing, HeatmapMethod.EIGEN_CAM);
        if (!model.contains("qoperator")) { // its layers hold integers, which no tail takes back
            compare(file, preprocessing, HeatmapMethod.RECIPRO_CAM);
        }
        if (model.equals("resnet18")) { // global average pooling and one dense layer: CAM's head
            compare(file, preprocessing, HeatmapMethod.CAM);
        }
        if (!model.contains("qoperator")) { // QLinearConv has no gradient rule: no path to the input
            compare(file, preprocessing, AttributionMethod.INPUT_X_GRADIENT);
        }
        if (!model.contains("int8")) {
            compare(file, preprocessing, AttributionMethod.INTEGRATED_GRADIENTS);
        }
    }

    /** Runs one explainer in Node and checks it against Java. */
    void compare(Path model, Preprocessing preprocessing, ExplanationMethod method) throws Exception {
        BufferedImage photo = ImageIO.read(PHOTO.toFile());
        try (Inspector inspector = Inspector.of(model)) {
            Explainer explainer = inspector.explainer(method);
            Request request = inspector.image(PHOTO);
            if (preprocessing != null) {
                explainer = explainer.preprocessing(preprocessing);
                request = request.preprocessing(preprocessing);
            }
            Path file = dir.resolve("explainer.onnx");
            explainer.save(file);
            Map<String, Output> outputs = node(file, photo);
            Heatmap expected = method instanceof HeatmapMethod h ? request.heatmap(h)
                    : request.attribution((AttributionMethod) method);
            float[] heatmap = outputs.get("heatmap").floats();
            double r = Correlation.pearson(Correlation.widen(heatmap), Correlation.widen(expected.values()));
            double largest = ExplainerTest.largestRelative(heatmap, expected.values());
            byte[] drawn = outputs.get("overlay").data();
            int redrawn = ExplainerTest.largestDifference(drawn, ExplainerTest.drawn(expected, heatmap, photo));
            int overlay = ExplainerTest.largestDifference(drawn, expected.overlay());
            double beyond = ExplainerTest.beyondOneLevel(drawn, expected.overlay());
            System.out.printf("node, %s %s: heatmap r = %.8f, largest difference %.2e of the largest value; overlay"
                    + " within %d of its heatmap's drawn in Java, within %d of the SDK's (%.4f%% of values beyond 1)%n",
                    model.getFileName(), method, r, largest, redrawn, overlay, 100 * beyond);
            assertThat(r).isGreaterThanOrEqualTo(0.9999);
            assertThat(largest).isLessThan(1e-5);
            assertThat(redrawn).isLessThanOrEqualTo(1);
            assertThat(overlay).isLessThanOrEqualTo(2);
            assertThat(beyond).isLessThan(1e-3);
            assertThat(outputs.get("class").longs()[0]).isEqualTo(expected.targetClass());
            Tensor own = request.outputs().get(0);
            float[] values = outputs.get(own.name()).floats();
            assertThat(ExplainerTest.largestRelative(values, own.values())).isLessThan(1e-5);
        }
    }

    @org.junit.jupiter.api.Test
    void theReadmesSnippetRunsInNode() throws Exception {
        String readme = Files.readString(Path.of("../docs/explainers.md"));
        int section = readme.indexOf("# Explain on a device");
        int start = readme.indexOf("```js\n", section) + "```js\n".length();
        String snippet = readme.substring(start, readme.indexOf("```", start));
        try (Inspector inspector = Inspector.of(HeatmapTest.SEED)) {
            inspector.explainer(HeatmapMethod.GRAD_CAM).save(dir.resolve("explainer.onnx"));
        }
        BufferedImage photo = ImageIO.read(PHOTO.toFile());
        Files.write(dir.resolve("picture.rgb"), ExplainerTest.rgb(photo));
        Path script = WEB.resolve(".readme-snippet.mjs"); // beside node_modules, where its import resolves
        Files.writeString(script, "import ort from 'onnxruntime-node';\n"
                + "import { readFileSync } from 'node:fs';\n"
                + "process.chdir(" + json(dir.toAbsolutePath().toString()) + ");\n"
                + "const rgb = new Uint8Array(readFileSync('picture.rgb'));\n"
                + "const width = " + photo.getWidth() + ", height = " + photo.getHeight() + ";\n"
                + snippet
                + "console.log(JSON.stringify({ predicted: Number(predicted.data[0]), score: score.data[0],"
                + " heatmap: heatmap.dims, overlay: overlay.dims }));\n");
        try {
            Process p = new ProcessBuilder("node", script.getFileName().toString()).directory(WEB.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0).as("node: %s", out).isTrue();
            Heatmap expected;
            try (Inspector inspector = Inspector.of(HeatmapTest.SEED)) {
                expected = inspector.image(PHOTO).heatmap(HeatmapMethod.GRAD_CAM);
            }
            assertThat(out.trim()).startsWith("{\"predicted\":" + expected.targetClass() + ",\"score\":0.57")
                    .endsWith("\"heatmap\":[7,7],\"overlay\":[300,451,3]}");
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private static String json(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** An output as Node printed it. */
    record Output(long[] dims, String type, byte[] data) {
        float[] floats() {
            float[] values = new float[data.length / 4];
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            return values;
        }

        long[] longs() {
            long[] values = new long[data.length / 8];
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(values);
            return values;
        }
    }

    private static final Pattern OUTPUT = Pattern.compile(
            "\"([^\"]+)\":\\{\"dims\":\\[([0-9,]*)\\],\"type\":\"(\\w+)\",\"data\":\"([A-Za-z0-9+/=]*)\"\\}");

    /** Runs {@code run-explainer.mjs} on a picture's RGB bytes for the predicted class. */
    Map<String, Output> node(Path explainer, BufferedImage picture) throws IOException, InterruptedException {
        Path rgb = dir.resolve("picture.rgb");
        Files.write(rgb, ExplainerTest.rgb(picture));
        Process p = new ProcessBuilder("node", "run-explainer.mjs", explainer.toAbsolutePath().toString(),
                rgb.toAbsolutePath().toString(), String.valueOf(picture.getWidth()),
                String.valueOf(picture.getHeight())).directory(WEB.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0).as("node: %s", out).isTrue();
        Map<String, Output> outputs = new java.util.LinkedHashMap<>();
        Matcher m = OUTPUT.matcher(out);
        while (m.find()) {
            long[] dims = m.group(2).isEmpty() ? new long[0]
                    : java.util.Arrays.stream(m.group(2).split(",")).mapToLong(Long::parseLong).toArray();
            outputs.put(m.group(1), new Output(dims, m.group(3), Base64.getDecoder().decode(m.group(4))));
        }
        assertThat(outputs).as("node's outputs: %s", out.length() > 500 ? out.substring(0, 500) : out)
                .containsKeys("heatmap", "overlay", "class", "score");
        return outputs;
    }
}
