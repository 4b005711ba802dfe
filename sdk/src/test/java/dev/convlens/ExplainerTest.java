package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Explainers run by ONNX Runtime as any app would run them, on a picture's RGB bytes, and compared with what the SDK
 * computes in Java for the same picture: the model's outputs, the heatmap's values, the overlay's pixels, the class
 * and its score.
 */
class ExplainerTest {
    private static final Path SEED = HeatmapTest.SEED;
    private static final Path PHOTO = HeatmapTest.PHOTO;

    @TempDir
    Path dir;

    /** What an explainer returned for one picture. */
    record Run(Map<String, float[]> floats, Map<String, long[]> shapes, byte[] overlay, long targetClass,
               float score) {
    }

    /** Runs an explainer in ONNX Runtime on a picture's RGB bytes, for a class (-1: the predicted one). */
    static Run run(byte[] explainer, BufferedImage picture, long target) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] rgb = rgb(picture);
        try (OrtSession session = env.createSession(explainer, new OrtSession.SessionOptions());
             OnnxTensor image = OnnxTensor.createTensor(env, ByteBuffer.wrap(rgb),
                     new long[] {picture.getHeight(), picture.getWidth(), 3}, OnnxJavaType.UINT8);
             OnnxTensor cls = OnnxTensor.createTensor(env, target)) {
            Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
            feeds.put("image", image);
            feeds.put("target", cls);
            try (OrtSession.Result result = session.run(feeds)) {
                Map<String, float[]> floats = new LinkedHashMap<>();
                Map<String, long[]> shapes = new LinkedHashMap<>();
                byte[] overlay = null;
                long targetClass = 0;
                float score = 0;
                for (Map.Entry<String, OnnxValue> e : result) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    shapes.put(e.getKey(), t.getInfo().getShape());
                    switch (e.getKey()) {
                        case "overlay" -> {
                            ByteBuffer b = t.getByteBuffer();
                            overlay = new byte[b.remaining()];
                            b.get(overlay);
                        }
                        case "class" -> targetClass = t.getLongBuffer().get(0);
                        case "score" -> score = t.getFloatBuffer().get(0);
                        default -> {
                            FloatBuffer f = t.getFloatBuffer();
                            float[] values = new float[f.remaining()];
                            f.get(values);
                            floats.put(e.getKey(), values);
                        }
                    }
                }
                return new Run(floats, shapes, overlay, targetClass, score);
            }
        }
    }

    static byte[] rgb(BufferedImage picture) {
        byte[] rgb = new byte[picture.getWidth() * picture.getHeight() * 3];
        for (int y = 0, i = 0; y < picture.getHeight(); y++) {
            for (int x = 0; x < picture.getWidth(); x++) {
                int p = picture.getRGB(x, y);
                rgb[i++] = (byte) (p >> 16);
                rgb[i++] = (byte) (p >> 8);
                rgb[i++] = (byte) p;
            }
        }
        return rgb;
    }

    /** The largest difference of one color channel between the explainer's overlay and a picture. */
    static int largestDifference(byte[] overlay, BufferedImage expected) {
        int largest = 0;
        byte[] want = rgb(expected);
        assertThat(overlay).hasSameSizeAs(want);
        for (int i = 0; i < want.length; i++) {
            largest = Math.max(largest, Math.abs((overlay[i] & 0xFF) - (want[i] & 0xFF)));
        }
        return largest;
    }

    /**
     * The overlay Java draws for other values of a heatmap: what an explainer's overlay must be for its own heatmap.
     * (Against the SDK's own heatmap, a value an ulp away from a jet level's boundary may fall in the next level and
     * move a channel by 2 after the rescaling.)
     */
    static BufferedImage drawn(Heatmap like, float[] values, BufferedImage picture) {
        return new Heatmap(like.method(), like.layers(), like.target(), like.targetClass(), like.score(), like.width(),
                like.height(), values, new dev.convlens.image.Pixels(picture.getWidth(), picture.getHeight(),
                rgb(picture)), like.options()).overlay();
    }

    /** The share of channel values that differ by more than one level. */
    static double beyondOneLevel(byte[] overlay, BufferedImage expected) {
        byte[] want = rgb(expected);
        int beyond = 0;
        for (int i = 0; i < want.length; i++) {
            beyond += Math.abs((overlay[i] & 0xFF) - (want[i] & 0xFF)) > 1 ? 1 : 0;
        }
        return (double) beyond / want.length;
    }

    static double largestRelative(float[] actual, float[] expected) {
        double top = 0;
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            top = Math.max(top, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
        }
        return top == 0 ? diff : diff / top;
    }

    @Test
    void theShippedConvnetsGradCamRunsInItsOwnGraph() throws Exception {
        BufferedImage photo = ImageIO.read(PHOTO.toFile());
        try (Inspector inspector = Inspector.of(SEED)) {
            for (HeatmapMethod method : List.of(HeatmapMethod.GRAD_CAM, HeatmapMethod.GRAD_CAM_PLUS_PLUS,
                    HeatmapMethod.XGRAD_CAM, HeatmapMethod.HIRES_CAM, HeatmapMethod.LAYER_CAM,
                    HeatmapMethod.EIGEN_GRAD_CAM)) {
                byte[] explainer = inspector.explainer(method).bytes();
                Run run = run(explainer, photo, -1);
                Heatmap expected = inspector.image(PHOTO).heatmap(method);
                float[] heatmap = run.floats().get("heatmap");
                System.out.printf("%s: %d bytes (model %d), heatmap r=%.7f, largest relative %.2e, overlay %d%n",
                        method, explainer.length, Files.size(SEED), Correlation.pearson(Correlation.widen(heatmap),
                                Correlation.widen(expected.values())), largestRelative(heatmap, expected.values()),
                        largestDifference(run.overlay(), expected.overlay()));
                assertThat(run.shapes().get("heatmap")).containsExactly(expected.height(), expected.width());
                assertThat(Correlation.pearson(Correlation.widen(heatmap), Correlation.widen(expected.values())))
                        .isGreaterThanOrEqualTo(0.9999);
                assertThat(largestRelative(heatmap, expected.values())).isLessThan(1e-4);
                assertThat(largestDifference(run.overlay(), expected.overlay())).isLessThanOrEqualTo(1);
                assertThat(run.targetClass()).isEqualTo(expected.targetClass());
                assertThat(run.score()).isCloseTo(expected.score(), org.assertj.core.data.Offset.offset(1e-5f));
                float[] dense = inspector.image(PHOTO).outputs().get(0).values();
                assertThat(run.floats().get("dense")).containsExactly(dense);
                assertThat((long) explainer.length).isLessThan(Files.size(SEED) + 64 * 1024);
            }
        }
    }

    @Test
    void eigenCamAndReciproCamRunInTheGraphAndCamWhereTheHeadAllowsIt() throws Exception {
        BufferedImage photo = ImageIO.read(PHOTO.toFile());
        try (Inspector inspector = Inspector.of(SEED)) {
            for (String layer : List.of("conv2d_4", "conv2d_3")) {
                for (HeatmapMethod method : List.of(HeatmapMethod.EIGEN_CAM, HeatmapMethod.RECIPRO_CAM)) {
                    Run run = run(inspector.explainer(method).layer(layer).bytes(), photo, -1);
                    Heatmap expected = inspector.image(PHOTO).layers(layer).heatmap(method);
                    double r = Correlation.pearson(Correlation.widen(run.floats().get("heatmap")),
                            Correlation.widen(expected.values()));
                    double largest = largestRelative(run.floats().get("heatmap"), expected.values());
                    System.out.printf("%s on %s: r=%.9f, largest relative %.2e%n", method, layer, r, largest);
                    assertThat(r).isGreaterThanOrEqualTo(0.9999);
                    assertThat(largest).isLessThan(1e-4);
                    assertThat(run.targetClass()).isEqualTo(expected.targetClass());
                }
            }
            // the seed's head is Flatten and two dense layers: no CAM, and the message says what applies
            assertThatThrownBy(() -> inspector.explainer(HeatmapMethod.CAM).bytes())
                    .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("global average pooling")
                    .hasMessageContaining("GRAD_CAM");
        }
    }

    @Test
    void guidedGradCamRunsBothItsPassesInOneGraph() throws Exception {
        BufferedImage photo = ImageIO.read(PHOTO.toFile());
        try (Inspector inspector = Inspector.of(SEED)) {
            for (String layer : List.of("conv2d_4", "conv2d_2")) {
                Run run = run(inspector.explainer(AttributionMethod.GUIDED_GRAD_CAM).layer(layer).bytes(), photo, -1);
                Heatmap expected = inspector.image(PHOTO).layers(layer).attribution(AttributionMethod.GUIDED_GRAD_CAM);
                double largest = largestRelative(run.floats().get("heatmap"), expected.values());
                System.out.printf("GUIDED_GRAD_CAM on %s: largest relative %.2e%n", layer, largest);
                assertThat(largest).isLessThan(1e-5);
                assertThat(largestDifference(run.overlay(), drawn(expected, run.floats().get("heatmap"), photo)))
                        .isLessThanOrEqualTo(1);
            }
        }
    }

    @Test
    void integratedGradientsRunTheirPathAsOneBatch() throws Exception {
        BufferedImage photo = ImageIO.read(PHOTO.toFile());
        try (Inspector inspector = Inspector.of(SEED)) {
            for (int steps : new int[] {50, 7}) {
                byte[] explainer = inspector.explainer(AttributionMethod.INTEGRATED_GRADIENTS).steps(steps)
                        .activations("conv2d").bytes();
                for (int target : new int[] {-1, 1}) {
                    Run run = run(explainer, photo, target);
                    Request request = inspector.image(PHOTO).layers("conv2d");
                    Heatmap expected = (target < 0 ? request : request.target(target)).attribution(
                            AttributionMethod.INTEGRATED_GRADIENTS,
                            HeatmapOptions.defaults().integratedGradients(steps));
                    double largest = largestRelative(run.floats().get("heatmap"), expected.values());
                    System.out.printf("INTEGRATED_GRADIENTS, %d steps, class %d: largest relative %.2e, overlay %d%n",
                            steps, run.targetClass(), largest, largestDifference(run.overlay(), expected.overlay()));
                    assertThat(largest).isLessThan(1e-4);
                    assertThat(run.targetClass()).isEqualTo(expected.targetClass());
                    assertThat(run.score()).isCloseTo(expected.score(), org.assertj.core.data.Offset.offset(1e-5f));
                    assertThat(largestDifference(run.overlay(), ExplainerTest.drawn(expected,
                            run.floats().get("heatmap"), photo))).isLessThanOrEqualTo(1);
                    // the model's own outputs and the layer's are the picture's, not the path's
                    assertThat(run.floats().get("dense")).containsExactly(request.outputs().get(0).values());
                    assertThat(run.shapes().get("sequential/conv2d/Relu:0")).containsExactly(1, 32, 178, 178);
                }
            }
            assertThatThrownBy(() -> inspector.explainer(HeatmapMethod.GRAD_CAM).steps(10))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void everyClassComesOutInOneRunForReciproCamAndCam() throws Exception {
        BufferedImage photo = ImageIO.read(PHOTO.toFile());
        try (Inspector inspector = Inspector.of(SEED)) { // one sigmoid value: class 0, its complement, and class 1
            Run run = run(inspector.explainer(HeatmapMethod.RECIPRO_CAM).allClasses().bytes(), photo, -1);
            assertThat(run.shapes().get("heatmaps")).containsExactly(2, 7, 7);
            for (int c = 0; c < 2; c++) {
                float[] expected = inspector.image(PHOTO).target(c).heatmap(HeatmapMethod.RECIPRO_CAM).values();
                assertThat(largestRelative(java.util.Arrays.copyOfRange(run.floats().get("heatmaps"), c * 49,
                        (c + 1) * 49), expected)).as("class " + c).isLessThan(1e-5);
            }
            assertThatThrownBy(() -> inspector.explainer(HeatmapMethod.GRAD_CAM).allClasses())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("[CAM, RECIPRO_CAM]");
        }
        dev.convlens.onnx.TorchvisionGradientsTest.references(); // exports torchvision's ResNet-18, or skips
        Path resnet = dev.convlens.onnx.TorchvisionGradientsTest.export("resnet18", 13);
        try (Inspector inspector = Inspector.of(resnet)) {
            for (HeatmapMethod method : List.of(HeatmapMethod.RECIPRO_CAM, HeatmapMethod.CAM)) {
                Run run = run(inspector.explainer(method).preprocessing(Preprocessing.IMAGENET).allClasses().bytes(),
                        photo, -1);
                assertThat(run.shapes().get("heatmaps")).containsExactly(1000, 7, 7);
                for (int c : new int[] {0, 281, 999, (int) run.targetClass()}) {
                    float[] expected = inspector.image(PHOTO).preprocessing(Preprocessing.IMAGENET).target(c)
                            .heatmap(method).values();
                    float[] actual = java.util.Arrays.copyOfRange(run.floats().get("heatmaps"), c * 49, (c + 1) * 49);
                    assertThat(largestRelative(actual, expected)).as(method + " class " + c).isLessThan(1e-5);
                }
            }
        }
    }

    @Test
    void theOtherClassIsExplainedWhenTheTargetInputSaysSo() throws Exception {
        BufferedImage photo = ImageIO.read(PHOTO.toFile());
        try (Inspector inspector = Inspector.of(SEED)) {
            byte[] explainer = inspector.explainer(HeatmapMethod.GRAD_CAM).bytes();
            Heatmap predicted = inspector.image(PHOTO).heatmap(HeatmapMethod.GRAD_CAM);
            int other = 1 - predicted.targetClass();
            Run run = run(explainer, photo, other);
            Heatmap expected = inspector.image(PHOTO).target(other).heatmap(HeatmapMethod.GRAD_CAM);
            assertThat(run.targetClass()).isEqualTo(other);
            assertThat(run.score()).isCloseTo(expected.score(), org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(largestRelative(run.floats().get("heatmap"), expected.values())).isLessThan(1e-4);
            assertThat(largestDifference(run.overlay(), expected.overlay())).isLessThanOrEqualTo(1);
        }
    }

    /** A picture of noise, so that every resize filter and rounding shows. */
    static BufferedImage noise(int width, int height, long seed) {
        java.util.Random random = new java.util.Random(seed);
        BufferedImage picture = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                picture.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return picture;
    }

    @Test
    void thePictureBecomesTheModelsInputValueForValue() throws Exception {
        TestModels.Spec rgb = TestModels.Spec.rgb(16, 24);
        Map<TestModels.Spec, Preprocessing> cases = new LinkedHashMap<>();
        cases.put(rgb, Preprocessing.RAW);
        cases.put(rgb.withLayout(Layout.NHWC), Preprocessing.IMAGENET);
        cases.put(rgb.withChannels(1), Preprocessing.SCALED.withInterpolation(Interpolation.BILINEAR));
        cases.put(rgb.withChannels(1).withLayout(Layout.NHWC), Preprocessing.SIGNED);
        cases.put(rgb.withLayout(Layout.NHWC), Preprocessing.CAFFE);
        cases.put(rgb.withDynamicSize(), Preprocessing.CAFFE.withInterpolation(Interpolation.BILINEAR));
        for (Map.Entry<TestModels.Spec, Preprocessing> c : cases.entrySet()) {
            try (Inspector inspector = Inspector.of(new TestModels(c.getKey()).identity())) {
                byte[] explainer = inspector.explainer(AttributionMethod.GRADIENT).preprocessing(c.getValue())
                        .size(24, 16).bytes();
                // down and up in each direction, by whole and odd factors, and the model's own size
                for (int[] size : new int[][] {{97, 61}, {7, 5}, {24, 16}, {48, 8}, {13, 160}, {1, 1}}) {
                    BufferedImage picture = noise(size[0], size[1], size[0] * 31L + size[1]);
                    float[] expected = inspector.image(picture).preprocessing(c.getValue()).size(24, 16).outputs()
                            .get(0).values();
                    float[] actual = run(explainer, picture, -1).floats().get("identity");
                    assertThat(actual).as(c.getKey() + ", " + c.getValue() + ", " + size[0] + "x" + size[1])
                            .containsExactly(expected);
                }
            }
        }
    }

    @Test
    void attributionsRunInTheGraphAsInJava() throws Exception {
        BufferedImage picture = noise(53, 37, 5);
        for (TestModels.Spec spec : List.of(TestModels.Spec.rgb(16, 24),
                TestModels.Spec.rgb(16, 24).withLayout(Layout.NHWC).withChannels(1))) {
            try (Inspector inspector = Inspector.of(new TestModels(spec).bytes())) {
                for (AttributionMethod method : List.of(AttributionMethod.GRADIENT,
                        AttributionMethod.INPUT_X_GRADIENT, AttributionMethod.GUIDED_BACKPROP)) {
                    for (int target : new int[] {-1, 0, 1}) {
                        Request request = inspector.image(picture).preprocessing(Preprocessing.SCALED);
                        Heatmap expected = target < 0 ? request.attribution(method)
                                : request.target(target).attribution(method);
                        Run run = run(inspector.explainer(method).preprocessing(Preprocessing.SCALED).bytes(),
                                picture, target);
                        String what = spec + " " + method + " class " + target;
                        assertThat(run.targetClass()).as(what).isEqualTo(expected.targetClass());
                        assertThat(largestRelative(run.floats().get("heatmap"), expected.values())).as(what)
                                .isLessThan(1e-5);
                        assertThat(largestDifference(run.overlay(), expected.overlay())).as(what)
                                .isLessThanOrEqualTo(1);
                    }
                }
            }
        }
    }

    @Test
    void aFloat16ModelsExplainerComputesInFloat32AsJavaDoes() throws Exception {
        BufferedImage picture = noise(53, 37, 9);
        TestModels.Spec spec = TestModels.Spec.rgb(16, 24).withFloat16();
        byte[] model = new TestModels(spec).bytes();
        try (Inspector inspector = Inspector.of(model)) {
            for (ExplanationMethod method : List.of(HeatmapMethod.GRAD_CAM, AttributionMethod.GRADIENT)) {
                byte[] explainer = inspector.explainer(method).preprocessing(Preprocessing.SCALED).bytes();
                Run run = run(explainer, picture, -1);
                Request request = inspector.image(picture).preprocessing(Preprocessing.SCALED);
                Heatmap expected = method instanceof HeatmapMethod h ? request.heatmap(h)
                        : request.attribution((AttributionMethod) method);
                System.out.printf("float16 %s: %d bytes (the model %d), largest relative %.2e%n", method,
                        explainer.length, model.length, largestRelative(run.floats().get("heatmap"),
                                expected.values()));
                assertThat(largestRelative(run.floats().get("heatmap"), expected.values())).isLessThan(1e-5);
                assertThat(run.targetClass()).isEqualTo(expected.targetClass());
                // its weights stay float16: the float32 copy's would add 2 bytes a weight
                assertThat(dev.convlens.onnx.ModelFile.of(explainer).proto().getGraph().getInitializerList())
                        .filteredOn(t -> t.getName().startsWith("convlens/explain/float16/")).isNotEmpty()
                        .allSatisfy(t -> assertThat(t.getDataType()).isEqualTo(10));
            }
        }
    }

    @Test
    void aFixedSizeExplainerDeclaresItsPictureAndOtherLayersComeOutToo() throws Exception {
        BufferedImage photo = ImageIO.read(PHOTO.toFile());
        try (Inspector inspector = Inspector.of(SEED)) {
            byte[] explainer = inspector.explainer(HeatmapMethod.GRAD_CAM).layer("conv2d_3")
                    .activations("conv2d", "conv2d_2").inputSize(photo.getWidth(), photo.getHeight())
                    .labels("cat", "dog \"puppy\"").bytes();
            dev.convlens.onnx.ModelFile file = dev.convlens.onnx.ModelFile.of(explainer);
            assertThat(file.inputs().get(0).dims()).containsExactly(photo.getHeight(), photo.getWidth(), 3);
            assertThat(file.metadata("convlens.explainer.method")).contains("GRAD_CAM");
            assertThat(file.metadata("convlens.labels")).contains("[\"cat\",\"dog \\\"puppy\\\"\"]");
            assertThat(Preprocessing.parse(file.metadata("convlens.preprocessing").orElseThrow()))
                    .isEqualTo(Preprocessing.RAW);
            Run run = run(explainer, photo, -1);
            Heatmap expected = inspector.image(PHOTO).layers("conv2d_3").heatmap(HeatmapMethod.GRAD_CAM);
            assertThat(largestRelative(run.floats().get("heatmap"), expected.values())).isLessThan(1e-4);
            List<FeatureMap> maps = inspector.image(PHOTO).layers("conv2d", "conv2d_2").activations();
            for (FeatureMap map : maps) {
                float[] values = run.floats().get(map.layer().output());
                assertThat(values).as(map.layer().name()).hasSize(map.channels() * map.height() * map.width());
                for (int c = 0; c < map.channels(); c++) {
                    float[] channel = map.channel(c);
                    assertThat(java.util.Arrays.copyOfRange(values, c * channel.length, (c + 1) * channel.length))
                            .as(map.layer().name() + " channel " + c).containsExactly(channel);
                }
            }
            assertThatThrownBy(() -> run(explainer, noise(20, 30, 1), -1)).isInstanceOf(OrtException.class);
        }
    }

    @Test
    void theOnnxCheckerAcceptsEveryMethodsExplainerAtTheModelsOpset() throws Exception {
        List<String> files = new java.util.ArrayList<>();
        try (Inspector inspector = Inspector.of(SEED)) {
            for (ExplanationMethod method : dev.convlens.onnx.ExplainerBuilder.METHODS) {
                if (method == HeatmapMethod.CAM) {
                    continue; // the seed's head is no global pooling; CAM is checked on the test model below
                }
                Path file = dir.resolve(method + ".onnx");
                Explainer explainer = inspector.explainer(method).activations("conv2d");
                explainer = method == HeatmapMethod.RECIPRO_CAM ? explainer.allClasses() : explainer;
                explainer.save(file);
                files.add(file.toString());
            }
            String operators = inspector.explainer(HeatmapMethod.GRAD_CAM_PLUS_PLUS).activations("conv2d")
                    .operators();
            assertThat(operators).startsWith("ai.onnx;13;").contains(",Conv,").contains(",Gather,").endsWith("\n");
            assertThat(operators.lines()).hasSize(1);
        }
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(16, 24)).bytes())) {
            Path file = dir.resolve("CAM.onnx");
            inspector.explainer(HeatmapMethod.CAM).allClasses().save(file);
            files.add(file.toString());
        }
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(16, 24).withFloat16()).bytes())) {
            Path file = dir.resolve("float16.onnx"); // its weights float16, Cast in the graph
            inspector.explainer(HeatmapMethod.GRAD_CAM).save(file);
            files.add(file.toString());
        }
        String checked = Python.run("import sys, onnx\n"
                + "for f in sys.argv[1:]:\n"
                + "    m = onnx.load(f); onnx.checker.check_model(m, full_check=True)\n"
                + "    print(f.split('/')[-1], [o.version for o in m.opset_import], [i.name for i in m.graph.input],"
                + " [o.name for o in m.graph.output])", files.toArray(String[]::new));
        System.out.print(checked);
        assertThat(checked.lines()).hasSize(files.size());
        assertThat(checked).contains("GRAD_CAM.onnx [13] ['image', 'target'] ['dense', 'heatmap', 'overlay',"
                + " 'class', 'score', 'sequential/conv2d/Relu:0']")
                .contains("RECIPRO_CAM.onnx [13] ['image', 'target'] ['dense', 'heatmap', 'overlay', 'class',"
                        + " 'score', 'heatmaps', 'sequential/conv2d/Relu:0']")
                .contains("CAM.onnx [13] ['image', 'target'] ['scores', 'heatmap', 'overlay', 'class', 'score',"
                        + " 'heatmaps']")
                .contains("float16.onnx [13] ['image', 'target'] ['scores', 'heatmap', 'overlay', 'class', 'score']");
    }

    @Test
    void aModelOlderThanOpset11IsRefusedWithTheWayOut() {
        Path old = Shared.require("models/wild/mnist_tf2onnx_nhwc_op9.onnx");
        try (Inspector inspector = Inspector.of(old)) {
            assertThatThrownBy(() -> inspector.explainer(HeatmapMethod.GRAD_CAM).bytes())
                    .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("opset 9")
                    .hasMessageContaining("version_converter");
        }
    }

    @Test
    void aPathWithoutAGradientRuleNamesTheExplainersThatNeedNone() throws Exception {
        Int8ModelsTest.models(); // writes the int8 copies with sdk/tools/int8_models.py, or skips
        try (Inspector inspector = Inspector.of(Path.of("target/int8/cats_vs_dogs_qoperator.onnx"))) {
            assertThatThrownBy(() -> inspector.explainer(AttributionMethod.GRADIENT).bytes())
                    .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("QLinearConv")
                    .hasMessageContaining("An explainer without a backward pass: EIGEN_CAM, RECIPRO_CAM");
            assertThatThrownBy(() -> inspector.explainer(HeatmapMethod.RECIPRO_CAM).bytes())
                    .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("holds integers")
                    .hasMessageContaining("EIGEN_CAM");
        }
    }

    @Test
    void methodsThatCannotExportAreRefusedByName() {
        try (Inspector inspector = Inspector.of(SEED)) {
            assertThatThrownBy(() -> inspector.explainer(HeatmapMethod.SCORE_CAM))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("SCORE_CAM").hasMessageContaining("GRAD_CAM");
            assertThatThrownBy(() -> inspector.explainer(AttributionMethod.SMOOTH_GRAD))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SMOOTH_GRAD");
        }
    }

    @Test
    void anExplainerIsNotExplainedAgain() throws IOException {
        Path file = dir.resolve("explainer.onnx");
        try (Inspector inspector = Inspector.of(SEED)) {
            inspector.explainer(HeatmapMethod.GRAD_CAM).save(file);
        }
        assertThatThrownBy(() -> Inspector.of(file)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("explainer").hasMessageContaining("open the model it was made from");
    }
}
