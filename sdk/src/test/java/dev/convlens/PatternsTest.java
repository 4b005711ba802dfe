package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.convlens.onnx.Onnx;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Filter patterns on the shipped convnet: what the ascent reaches, checked by running the model itself. */
class PatternsTest {
    private static final Path SEED = Path.of("../models/cats_vs_dogs_small.onnx");
    private static final String LAYER = "conv2d_2";
    private static List<FilterPattern> patterns;

    @BeforeAll
    static void ascend() {
        try (Inspector inspector = Inspector.of(SEED)) {
            patterns = inspector.patterns(LAYER).channels(1, 3, 9).steps(12, 10).list();
        }
    }

    /** The layer's output for one input tensor, by ONNX Runtime on the model with that layer as an extra output. */
    private static float[] layerOutput(float[] input, String tensor) throws Exception {
        Onnx.ModelProto model = Onnx.ModelProto.parseFrom(Files.readAllBytes(SEED));
        Onnx.GraphProto graph = model.getGraph().toBuilder()
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName(tensor)).build();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model.toBuilder().setGraph(graph).build().toByteArray(),
                new OrtSession.SessionOptions());
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {1, 180, 180, 3});
             OrtSession.Result r = session.run(Map.of("input_1", x))) {
            return ((OnnxTensor) r.get(tensor).orElseThrow()).getFloatBuffer().array();
        }
    }

    @Test
    void eachPatternsScoreIsItsChannelsMeanActivationWhenTheModelRunsItsInput() throws Exception {
        assertThat(patterns).extracting(FilterPattern::channel).containsExactly(1, 3, 9);
        for (FilterPattern p : patterns) {
            assertThat(p.input()).hasSize(180 * 180 * 3);
            float[] out = layerOutput(p.input(), p.layer().output()); // [1, 128, 41, 41]
            double sum = 0;
            for (int i = p.channel() * 41 * 41; i < (p.channel() + 1) * 41 * 41; i++) {
                sum += out[i];
            }
            double mean = sum / (41 * 41);
            System.out.printf("pattern %s: score %.4f, the model on its input %.4f%n", p, p.score(), mean);
            assertThat((double) p.score()).isCloseTo(mean, within(1e-4 * Math.max(1, mean)));
            assertThat(p.dead()).isFalse();
            assertThat(p.score()).as("ascent from a gray start excites the channel").isGreaterThan(0.3f);
        }
    }

    /** A dense layer's unit is a channel of one value: its pattern's score is the model's output on the pattern. */
    @Test
    void aDenseUnitsPatternScoresTheUnitItself() throws Exception {
        try (Inspector inspector = Inspector.of(SEED)) {
            FilterPattern one = inspector.patterns("dense").steps(1, 1).list().get(0);
            FilterPattern p = inspector.patterns("dense").steps(2, 1).list().get(0); // before the sigmoid saturates
            float[] out = layerOutput(p.input(), p.layer().output()); // [1, 1]: the sigmoid, "dog"
            System.out.printf("pattern of the dense unit: score %.4f (%.4f after one step), the model on its input"
                    + " %.4f%n", p.score(), one.score(), out[0]);
            assertThat(out).hasSize(1);
            assertThat(p.score()).isCloseTo(out[0], within(1e-5f));
            assertThat(p.score()).isGreaterThan(one.score()).isLessThan(0.99f);
        }
    }

    @Test
    void theSameSeedGivesTheSamePatternsAndTheBooksSettingsLeaveDeadChannelsAtTheirStart() {
        try (Inspector inspector = Inspector.of(SEED)) {
            Patterns some = inspector.patterns(LAYER).channels(1).steps(2, 10);
            assertThat(some.list().get(0).input()).containsExactly(some.list().get(0).input());
            assertThat(some.seed(7).list().get(0).input()).isNotEqualTo(some.list().get(0).input());
            // the book's ascent follows the activation after the Relu, which a gray start leaves off: no gradient
            FilterPattern book = inspector.patterns(LAYER).channels(1).book().steps(3, 1).list().get(0);
            assertThat(book.dead()).isTrue();
            assertThat(book.score()).isZero();
        }
    }

    @Test
    void theFigureHasTheBooksMarginsAndCrossesOutDeadChannels() {
        try (Inspector inspector = Inspector.of(SEED)) {
            BufferedImage figure = inspector.patterns(LAYER).channels(1, 1, 1).book().steps(1, 1).grid(2);
            assertThat(figure.getWidth()).isEqualTo(2 * 180 + 5);
            assertThat(figure.getHeight()).isEqualTo(2 * 180 + 5);
            assertThat(figure.getRGB(182, 10) & 0xFFFFFF).as("margin").isZero();
            assertThat(figure.getRGB(50, 100) & 0xFFFFFF).as("a dead tile").isEqualTo(0x202020);
            assertThat(figure.getRGB(90, 90) & 0xFFFFFF).as("its cross").isEqualTo(0xC00000);
            assertThat(figure.getRGB(200, 200) & 0xFFFFFF).as("the empty slot").isZero();
        }
    }

    @Test
    void badSettingsSayWhatIsWrong() {
        try (Inspector inspector = Inspector.of(SEED)) {
            Patterns p = inspector.patterns(LAYER);
            assertThatThrownBy(() -> p.channels(128)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("layer conv2d_2 has 128 channels, 0 to 127; there is no channel 128");
            assertThatThrownBy(() -> p.channels(-1)).isExactlyInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(p::channels).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("channels(...) needs at least one channel");
            assertThatThrownBy(() -> p.steps(0, 1)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("steps must be at least 1, was 0");
            assertThatThrownBy(() -> p.steps(5, 0)).isExactlyInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> p.grid(0)).isExactlyInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> inspector.patterns("nope")).isExactlyInstanceOf(LayerNotFoundException.class);
            assertThatThrownBy(() -> inspector.patterns("Conv")).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("matches 5 layers");
        }
    }

    /** A pattern PyTorch computed with autograd from the same start (sdk/tools/pattern_references.py), NHWC. */
    private static float[] torchPattern(String name) throws Exception {
        try (java.io.InputStream in = PatternsTest.class.getResourceAsStream("patterns/" + name + ".bin")) {
            java.nio.FloatBuffer floats = java.nio.ByteBuffer.wrap(in.readAllBytes())
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] values = new float[floats.remaining()];
            floats.get(values);
            return values;
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"book", "default"})
    void theAscentIsPytorchsFromTheSameStart(String settings) throws Exception {
        Path photo = Path.of("../examples/images/chelsea.png");
        try (Inspector inspector = Inspector.of(SEED)) {
            Patterns p = inspector.patterns(LAYER).channels(44).start(photo);
            BufferedImage resized = inspector.image(photo).resized(); // the start, as the model takes it
            float[] start = new float[180 * 180 * 3];
            for (int i = 0; i < 180 * 180; i++) {
                int rgb = resized.getRGB(i % 180, i / 180);
                start[3 * i] = rgb >> 16 & 0xFF;
                start[3 * i + 1] = rgb >> 8 & 0xFF;
                start[3 * i + 2] = rgb & 0xFF;
            }
            FilterPattern ours = (settings.equals("book") ? p.book() : p.steps(40, 10)).list().get(0);
            float[] theirs = torchPattern(settings + "_conv2d_2_44");
            float[] input = ours.input(); // RAW preprocessing, NHWC: the input is the pixels
            double[] a = new double[input.length];
            double[] b = new double[input.length];
            double worst = 0;
            double largest = 0;
            for (int i = 0; i < input.length; i++) {
                a[i] = input[i] - start[i];
                b[i] = theirs[i] - start[i];
                worst = Math.max(worst, Math.abs(input[i] - theirs[i]));
                largest = Math.max(largest, Math.abs(b[i]));
            }
            double r = Correlation.pearson(a, b);
            System.out.printf("pattern %s settings, conv2d_2 #44 from Chelsea: correlation of the change with"
                    + " PyTorch's %.6f, largest difference %.4f levels of a largest change of %.2f; score %.4f%n",
                    settings, r, worst, largest, ours.score());
            assertThat(r).isGreaterThanOrEqualTo(0.99);
        }
    }
    /** A model, a layer and the preprocessing its photos take, for the comparison with photos. */
    record Case(String model, String layer, Preprocessing preprocessing) {
        @Override
        public String toString() {
            return model + " " + layer;
        }
    }

    static Stream<Case> photoCases() {
        return Stream.of(new Case("seed", LAYER, Preprocessing.RAW),
                new Case("models/wild/cat_vs_dog_pytorch_op13.onnx", "Conv_5", Preprocessing.SCALED));
    }

    /**
     * With the defaults, the patterns of the first 16 channels of a layer excite their channel more than the best of
     * 20 validation photos for most channels that photos excite at all; on the shipped convnet, the book's settings
     * leave them at their start.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("photoCases")
    void patternsExciteTheirChannelsMoreThanPhotosDo(Case c) throws Exception {
        Path validation = Shared.require("data/cats_vs_dogs/validation");
        Path model = c.model().equals("seed") ? SEED : Shared.require(c.model());
        List<Path> photos;
        try (Stream<Path> files = Files.walk(validation)) {
            photos = new java.util.ArrayList<>(files.filter(f -> f.toString().endsWith(".jpg")).sorted().toList());
        }
        java.util.Collections.shuffle(photos, new java.util.Random(1));
        int[] channels = java.util.stream.IntStream.range(0, 16).toArray();
        try (Inspector inspector = Inspector.of(model)) {
            float[] best = new float[channels.length];
            for (Path photo : photos.subList(0, 20)) {
                FeatureMap map = inspector.image(photo).preprocessing(c.preprocessing()).layers(c.layer())
                        .activations().get(0);
                for (int ch : channels) {
                    double sum = 0;
                    for (float v : map.channel(ch)) {
                        sum += v;
                    }
                    best[ch] = Math.max(best[ch], (float) (sum / (map.height() * map.width())));
                }
            }
            Patterns patterns = inspector.patterns(c.layer()).channels(channels).preprocessing(c.preprocessing());
            List<FilterPattern> ours = patterns.list();
            long atStart = patterns.book().list().stream().filter(FilterPattern::dead).count();
            int excited = 0;
            int beaten = 0;
            for (int ch : channels) {
                if (best[ch] > 0) {
                    excited++;
                    beaten += ours.get(ch).score() > best[ch] ? 1 : 0;
                }
            }
            System.out.printf("patterns of %s #0-15: %d of the %d channels 20 photos excite are excited more by"
                    + " their pattern; with the book's settings %d of 16 stay dead%n", c, beaten, excited, atStart);
            assertThat(beaten).isGreaterThan(excited / 2);
        }
    }

    @Test
    void theRegularizedModeStillExcitesItsChannelAndIsTheSameForASeed() throws Exception {
        try (Inspector inspector = Inspector.of(SEED)) {
            Patterns regularized = inspector.patterns(LAYER).channels(1).steps(12, 10).regularized();
            FilterPattern p = regularized.list().get(0);
            assertThat(regularized.list().get(0).input()).containsExactly(p.input());
            assertThat(p.input()).isNotEqualTo(patterns.get(0).input());
            float[] out = layerOutput(p.input(), p.layer().output()); // scored on the picture itself, not a change
            double sum = 0;
            for (int i = 41 * 41; i < 2 * 41 * 41; i++) {
                sum += out[i];
            }
            System.out.printf("regularized pattern %s: the model on its input %.4f%n", p, sum / (41 * 41));
            assertThat((double) p.score()).isCloseTo(sum / (41 * 41), within(1e-4 * Math.max(1, sum)));
            assertThat(p.score()).isGreaterThan(0.3f);
        }
    }
}
