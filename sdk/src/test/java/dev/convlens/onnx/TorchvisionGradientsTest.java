package dev.convlens.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.convlens.Correlation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gradient to the input of the smallest member of each classification family of torchvision, exported by torch
 * 1.13 at opsets 13 and 17, against {@code torch.autograd} on the same weights and input
 * ({@code sdk/tools/input_gradient_references.py}, run here when its outputs are missing from
 * {@code target/torchvision/} or were written by another version of it).
 *
 * <p>The gradient model is {@link GradientBuilder}'s from the graph input to the logits, seeded one-hot at the class
 * torch found most likely, and ONNX Runtime runs it. Pearson's correlation with torch's gradient must be at least
 * {@link #CORRELATION}; the largest relative error ({@code max |a - b| / max |b|}) is printed beside torch's own
 * float32 gradient's against float64, not bounded: where a ReLU's input or a MaxPool window lies within rounding of
 * its kink, ONNX Runtime and torch, which round differently, may send the gradient different ways, which leaves the
 * correlation near 1 but moves up to a few percent of the gradient when it happens deep in the network.
 */
@org.junit.jupiter.api.Tag("slow") // left out by -Pquick
public class TorchvisionGradientsTest {
    private static final Path FOLDER = Path.of("target", "torchvision");
    private static final Path SCRIPT = Path.of("tools", "input_gradient_references.py");
    private static final String PYTHON = "/usr/bin/python3";
    private static final List<String> MODELS = List.of("resnet18", "vgg11", "densenet121", "googlenet",
            "mobilenet_v2", "mobilenet_v3_small", "efficientnet_b0", "shufflenet_v2_x0_5", "regnet_y_400mf",
            "convnext_tiny", "squeezenet1_1");
    private static final List<Integer> OPSETS = List.of(13, 17);
    private static final long[] INPUT_SHAPE = {1, 3, 224, 224};
    private static final double CORRELATION = 0.999;
    /** How far ONNX Runtime's logit may be from torch's: float32 rounding over these depths stays far below it. */
    private static final double LOGIT_TOLERANCE = 1e-4;
    private static final OrtEnvironment ORT = OrtEnvironment.getEnvironment();
    /** The models with a Grad-CAM reference, and the layer ConvLens picks by default: the pooled block output. */
    private static final Map<String, String> BLOCK_OUTPUTS = Map.of("resnet18", "layer4.1",
            "densenet121", "features.denseblock4");

    static Stream<Arguments> exports() {
        return MODELS.stream().flatMap(m -> OPSETS.stream().map(opset -> Arguments.of(m, opset)));
    }

    /** Runs the reference script for the models whose references are missing or stale; skips if it cannot run. */
    @BeforeAll
    public static void references() throws IOException, InterruptedException {
        String header = header();
        List<String> missing = new ArrayList<>();
        for (String model : MODELS) {
            Path tsv = FOLDER.resolve(model + ".tsv");
            boolean current = Files.exists(tsv) && Files.readAllLines(tsv).get(0).startsWith(header)
                    && Files.exists(FOLDER.resolve(model + ".grad"))
                    && OPSETS.stream().allMatch(opset -> Files.exists(export(model, opset)));
            if (!current) {
                missing.add(model);
            }
        }
        if (missing.isEmpty() && Files.exists(FOLDER.resolve("input.f32")) && Files.exists(FOLDER.resolve("input.png"))
                && BLOCK_OUTPUTS.keySet().stream().allMatch(m -> Files.exists(FOLDER.resolve(m + ".cam")))) {
            return;
        }
        skipUnlessTorchIsThere();
        Files.createDirectories(FOLDER);
        List<String> command = new ArrayList<>(List.of(PYTHON, SCRIPT.toString(), FOLDER.toString()));
        command.addAll(missing);
        Path log = FOLDER.resolve("references.log");
        long start = System.nanoTime();
        Process script = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = script.waitFor(20, TimeUnit.MINUTES);
        if (!finished) {
            script.destroyForcibly();
        }
        assertThat(finished && script.exitValue() == 0).as("%s failed; its output:%n%s", SCRIPT,
                Files.readString(log)).isTrue();
        System.out.printf("wrote the torchvision references of %s in %.1f s (%s)%n", missing,
                (System.nanoTime() - start) / 1e9, log);
    }

    /** The first line the script writes into each TSV: it names the script's SHA-256, so a changed script reruns. */
    private static String header() throws IOException {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(SCRIPT));
            return "# written by sdk/tools/input_gradient_references.py (sha256 " + HexFormat.of().formatHex(digest)
                    + ") with torch ";
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static void skipUnlessTorchIsThere() throws InterruptedException {
        boolean there;
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch, torchvision").redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            there = p.waitFor(5, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException e) {
            there = false;
        }
        if (!there) {
            String reason = "skipped: " + PYTHON + " lacks torch or torchvision, which write this test's references"
                    + " into sdk/" + FOLDER + " (on Debian or Ubuntu: sudo apt-get install python3-torch"
                    + " python3-torchvision)";
            System.out.println(reason);
            assumeTrue(false, reason);
        }
    }

    public static Path export(String model, int opset) {
        return FOLDER.resolve(model + "_op" + opset + ".onnx");
    }

    @ParameterizedTest(name = "{0}, opset {1}")
    @MethodSource("exports")
    void gradientToTheInputEqualsAutograd(String name, int opset) throws IOException, OrtException {
        ModelFile model = ModelFile.read(export(name, opset));
        String input = model.inputs().get(0).name();
        String output = model.outputs().get(0);
        float[] image = floats(FOLDER.resolve("input.f32"));
        float[] expected = floats(FOLDER.resolve(name + ".grad"));
        String[] reference = Files.readAllLines(FOLDER.resolve(name + ".tsv")).get(1).split("\t");
        int target = Integer.parseInt(reference[0]);
        double torchLogit = Double.parseDouble(reference[1]);
        double torchRounding = Double.parseDouble(reference[2]);

        List<String> path = GradientBuilder.path(model, input, output);
        List<Rewriter.Output> exposed = path.stream().filter(t -> !t.equals(input) && !model.isOutput(t))
                .map(t -> new Rewriter.Output(t, GraphWriter.FLOAT, -1)).toList();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        float[] logits;
        try (OrtSession forward = ORT.createSession(TinyModel.array(Rewriter.expose(model.bytes(), exposed)));
             OnnxTensor x = tensor(image, INPUT_SHAPE);
             OrtSession.Result result = forward.run(Map.of(input, x))) {
            result.forEach(e -> shapes.put(e.getKey(), ((OnnxTensor) e.getValue()).getInfo().getShape()));
            logits = values((OnnxTensor) result.get(output).orElseThrow());
        }
        shapes.put(input, INPUT_SHAPE);
        assertThat((double) logits[target]).as("ONNX Runtime's logit of class %d", target)
                .isCloseTo(torchLogit, org.assertj.core.data.Offset.offset(LOGIT_TOLERANCE * Math.abs(torchLogit)));

        float[] seed = new float[logits.length];
        seed[target] = 1;
        long start = System.nanoTime();
        byte[] built = TinyModel.array(GradientBuilder.build(model, input, output, shapes));
        long buildMillis = (System.nanoTime() - start) / 1_000_000;
        float[] actual;
        try (OrtSession gradient = ORT.createSession(built);
             OnnxTensor x = tensor(image, INPUT_SHAPE);
             OnnxTensor s = tensor(seed, shapes.get(output));
             OrtSession.Result result = gradient.run(Map.of(input, x, GradientBuilder.SEED, s))) {
            OnnxTensor g = (OnnxTensor) result.get(GradientBuilder.gradientOf(input)).orElseThrow();
            assertThat(g.getInfo().getShape()).as("the gradient's shape").isEqualTo(INPUT_SHAPE);
            actual = values(g);
        }

        double correlation = Correlation.pearson(Correlation.widen(actual), Correlation.widen(expected));
        double largest = 0;
        double error = 0;
        for (int i = 0; i < expected.length; i++) {
            largest = Math.max(largest, Math.abs(expected[i]));
            error = Math.max(error, Math.abs(actual[i] - expected[i]));
        }
        System.out.printf("%-20s opset %d: Pearson %.7f, largest relative error %.1e (torch's float32 against its"
                + " float64: %.1e; built in %d ms, %d tensors)%n", name, opset, correlation, error / largest,
                torchRounding, buildMillis, path.size());
        assertThat(correlation).as("Pearson's correlation with torch.autograd").isGreaterThanOrEqualTo(CORRELATION);
    }

    /**
     * Grad-CAM with ConvLens's default layer, through the public API from the 8-bit photo, against torch's on the
     * tensor the global pooling reads (pytorch-grad-cam's {@code model.layer4[-1]} for ResNet): the default is that
     * block output, a merge layer after the last residual Add (or Concat) and ReLU.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resnet18", "densenet121"})
    void theDefaultHeatmapLayerIsThePooledBlockOutput(String name) throws IOException {
        float[] expected = floats(FOLDER.resolve(name + ".cam"));
        int target = Integer.parseInt(Files.readAllLines(FOLDER.resolve(name + ".tsv")).get(1).split("\t")[0]);
        try (dev.convlens.Inspector inspector = dev.convlens.Inspector.of(export(name, 17))) {
            dev.convlens.Heatmap heatmap = inspector.image(FOLDER.resolve("input.png"))
                    .preprocessing(dev.convlens.Preprocessing.IMAGENET).heatmap(dev.convlens.HeatmapMethod.GRAD_CAM);
            assertThat(heatmap.layer().name()).isEqualTo(BLOCK_OUTPUTS.get(name));
            assertThat(heatmap.layer().kind()).isEqualTo(dev.convlens.Layer.Kind.MERGE);
            assertThat(heatmap.targetClass()).isEqualTo(target);
            double correlation = Correlation.pearson(Correlation.widen(heatmap.values()), Correlation.widen(expected));
            System.out.printf("%-12s Grad-CAM on %s (%dx%d): Pearson with torch %.7f%n", name,
                    heatmap.layer().name(), heatmap.width(), heatmap.height(), correlation);
            assertThat(correlation).isGreaterThanOrEqualTo(CORRELATION);
        }
    }

    private static float[] floats(Path file) throws IOException {
        FloatBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    private static OnnxTensor tensor(float[] values, long[] shape) throws OrtException {
        return OnnxTensor.createTensor(ORT, FloatBuffer.wrap(values), shape);
    }

    private static float[] values(OnnxTensor tensor) {
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }
}
