package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import dev.convlens.image.Decoder;
import dev.convlens.image.ExifReference;
import dev.convlens.image.Pixels;
import dev.convlens.onnx.Onnx;
import dev.convlens.onnx.TinyModel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The API end to end on models the tests build, checked against the layers computed directly. */
class InspectorTest {
    private static final int H = 12;
    private static final int W = 10;

    /** A color image of random pixels. */
    static BufferedImage rgbImage(int w, int h, long seed) {
        Random r = new Random(seed);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return image;
    }

    /** A gray image of random pixels. */
    static BufferedImage grayImage(int w, int h, long seed) {
        Random r = new Random(seed);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.getRaster().setSample(x, y, 0, r.nextInt(256));
            }
        }
        return image;
    }

    /** The image as the model should see it with RAW preprocessing: channels of 0..255 values. */
    static float[][][] planes(BufferedImage image, int channels) {
        float[][][] p = new float[channels][image.getHeight()][image.getWidth()];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (channels == 1) {
                    p[0][y][x] = image.getRaster().getSample(x, y, 0);
                } else {
                    int rgb = image.getRGB(x, y);
                    p[0][y][x] = rgb >> 16 & 0xFF;
                    p[1][y][x] = rgb >> 8 & 0xFF;
                    p[2][y][x] = rgb & 0xFF;
                }
            }
        }
        return p;
    }

    enum Variant {
        NCHW_RGB(TestModels.Spec.rgb(H, W)),
        NHWC_RGB(TestModels.Spec.rgb(H, W).withLayout(Layout.NHWC)),
        NCHW_GRAY(TestModels.Spec.rgb(H, W).withChannels(1)),
        NHWC_GRAY(TestModels.Spec.rgb(H, W).withChannels(1).withLayout(Layout.NHWC)),
        NCHW_DYNAMIC(TestModels.Spec.rgb(H, W).withDynamicSize()),
        NHWC_DYNAMIC_GRAY(TestModels.Spec.rgb(H, W).withLayout(Layout.NHWC).withChannels(1).withDynamicSize()),
        FLOAT16(TestModels.Spec.rgb(H, W).withFloat16()),
        NHWC_FLOAT16(TestModels.Spec.rgb(H, W).withLayout(Layout.NHWC).withFloat16());

        final TestModels.Spec spec;

        Variant(TestModels.Spec spec) {
            this.spec = spec;
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void firstLayerEqualsTheConvolutionComputedDirectly(Variant variant) {
        TestModels model = new TestModels(variant.spec);
        int c = variant.spec.channels();
        BufferedImage image = c == 1 ? grayImage(W, H, 3) : rgbImage(W, H, 3);
        float[] expected = model.conv1(planes(image, c));
        try (Inspector inspector = Inspector.of(model.bytes())) {
            Request request = inspector.image(image).layers("conv1");
            if (variant.spec.dynamicSize()) {
                request = request.size(W, H);
            }
            FeatureMap map = request.activations().get(0);
            assertThat(map.layer().name()).isEqualTo("conv1");
            assertThat(new int[] {map.channels(), map.height(), map.width()}).containsExactly(4, H, W);
            float[] actual = map.values();
            double max = 0;
            for (float v : expected) {
                max = Math.max(max, Math.abs(v));
            }
            // float16 keeps 11 significant bits: allow 1% of the largest activation
            double tolerance = variant.spec.float16() ? 0.01 * max : 1e-4 * Math.max(1, max);
            for (int i = 0; i < expected.length; i++) {
                assertThat((double) actual[i]).as("value %d of %s", i, variant).isCloseTo(expected[i],
                        within(tolerance));
            }
        }
    }

    @Test
    void layersHaveNamesOpsShapesAndParameters() {
        TestModels model = new TestModels(TestModels.Spec.rgb(H, W));
        try (Inspector inspector = Inspector.of(model.bytes())) {
            List<Layer> layers = inspector.layers();
            assertThat(layers).extracting(Layer::name).containsExactly("conv1", "pool1", "conv2", "gap", "fc");
            assertThat(layers).extracting(Layer::kind).containsExactly(Layer.Kind.CONVOLUTION, Layer.Kind.POOLING,
                    Layer.Kind.CONVOLUTION, Layer.Kind.POOLING, Layer.Kind.DENSE);
            assertThat(layers.get(0).opTypes()).containsExactly("Conv", "Relu");
            assertThat(layers.get(2).opTypes()).containsExactly("Conv", "BatchNormalization", "Relu");
            assertThat(layers).extracting(Layer::shape)
                    .containsExactly("(4, 12, 10)", "(4, 6, 5)", "(6, 4, 3)", "(6, 1, 1)", "(2,)");
            assertThat(layers).extracting(Layer::parameters)
                    .containsExactly(4L * 3 * 9 + 4, 0L, 6L * 4 * 9 + 4 * 6, 0L, 2L * 6 + 2);
            assertThat(layers.get(2).output()).isEqualTo("/relu2/Relu_output_0");
            assertThat(inspector.summary())
                    .contains("conv1", "Conv+Relu", "(4, 12, 10)", "112")
                    .contains("conv2", "Conv+BatchNormalization+Relu", "(6, 4, 3)", "240")
                    .contains("Input: input float32 NCHW [N, 3, 12, 10]")
                    .contains("Preprocessing: raw 0..255 RGB, nearest (assumed: the model names none in its"
                            + " metadata; an ImageNet model usually wants imagenet or caffe)")
                    .contains("Outputs: [scores]");
        }
    }

    @Test
    void exposingLayersLeavesTheModelsOutputsUnchanged() {
        TestModels model = new TestModels(TestModels.Spec.rgb(H, W));
        try (Inspector inspector = Inspector.of(model.bytes())) {
            Request request = inspector.image(rgbImage(W, H, 5));
            float[] plain = request.outputs().get(0).values();
            Inspection inspected = request.layers("conv1", "pool1", "conv2").inspect();
            assertThat(inspected.activations()).hasSize(3);
            float[] withLayers = inspected.output().values();
            assertThat(withLayers).hasSize(2);
            for (int i = 0; i < plain.length; i++) {
                assertThat(withLayers[i]).isCloseTo(plain[i], within(1e-5f * Math.max(1, Math.abs(plain[i]))));
            }
        }
    }

    @Test
    void defaultSelectionIsEveryConvolutionInModelOrder() {
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(H, W)).bytes())) {
            Inspection result = inspector.image(rgbImage(W, H, 1)).inspect();
            assertThat(result.activations()).extracting(m -> m.layer().name()).containsExactly("conv1", "conv2");
            assertThat(result.grid(16)).hasSize(2);
        }
    }

    /** A JPEG file with each EXIF orientation reaches the model upright, exactly as Pillow turns and decodes it. */
    @Test
    void photosReachTheModelUprightForEveryExifOrientation(@TempDir Path dir) throws IOException {
        List<ExifReference> references = ExifReference.all();
        int w = references.get(0).width();
        int h = references.get(0).height();
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(h, w)).bytes())) {
            for (ExifReference reference : references) {
                Path photo = Files.write(dir.resolve(reference.file()), reference.jpeg());
                PixelComparison.assertPixels(reference.file(), inspector.image(photo).resized(), w, h,
                        PixelComparison.pack(reference.rgb()));
            }
        }
    }

    @Test
    void externalDataLoadsFromTheModelsFolderAndGivesTheSameValues(@TempDir Path dir) throws IOException {
        TestModels model = new TestModels(TestModels.Spec.rgb(H, W));
        Path file = model.writeWithExternalData(dir);
        BufferedImage image = rgbImage(W, H, 9);
        float[] embedded;
        try (Inspector inspector = Inspector.of(model.bytes())) {
            embedded = inspector.image(image).layers("conv2").activations().get(0).values();
        }
        try (Inspector inspector = Inspector.of(file)) {
            assertThat(inspector.image(image).layers("conv2").activations().get(0).values()).containsExactly(embedded);
        }
        byte[] bytes = Files.readAllBytes(file);
        assertThatThrownBy(() -> Inspector.of(bytes)).isInstanceOf(ModelException.class)
                .hasMessageContaining("external files").hasMessageContaining("Inspector.of(Path)");
        Files.delete(dir.resolve("weights.bin"));
        assertThatThrownBy(() -> Inspector.of(file)).isInstanceOf(ModelException.class)
                .hasMessageContaining("external data file missing").hasMessageContaining("weights.bin");
    }

    @Test
    void dynamicSizeFollowsTheImageOrTheRequestedSize() {
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(H, W).withDynamicSize()).bytes())) {
            assertThat(inspector.layers().get(0).shape()).isEqualTo("(4, ?, ?)");
            FeatureMap own = inspector.image(rgbImage(70, 40, 2)).layers("conv1").activations().get(0);
            assertThat(new int[] {own.height(), own.width()}).containsExactly(32, 64); // rounded to multiples of 32
            FeatureMap sized = inspector.image(rgbImage(70, 40, 2)).size(30, 20).layers("conv1").activations().get(0);
            assertThat(new int[] {sized.height(), sized.width()}).containsExactly(20, 30);
        }
    }

    /**
     * An image larger than 1024 on a side is shrunk to 1024 on its longer side, then each side is rounded to the
     * nearest multiple of 32: 3000x1000 becomes 1024x341.3, 352 high; 1000x1500 becomes 682.7x1024, 672 wide.
     */
    @Test
    void dynamicSizeCapsTheLongerSideAt1024() {
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(H, W).withDynamicSize()).bytes())) {
            BufferedImage wide = inspector.image(rgbImage(3000, 1000, 6)).resized();
            assertThat(wide.getWidth() + "x" + wide.getHeight()).isEqualTo("1024x352");
            BufferedImage tall = inspector.image(rgbImage(1000, 1500, 7)).resized();
            assertThat(tall.getWidth() + "x" + tall.getHeight()).isEqualTo("672x1024");
        }
    }

    /** The layout read from the input's shape is the one the summary names. */
    @Test
    void summaryNamesTheLayoutReadFromTheShape() {
        TestModels channelsLast = new TestModels(TestModels.Spec.rgb(H, W).withLayout(Layout.NHWC));
        try (Inspector inspector = Inspector.of(channelsLast.bytes())) {
            assertThat(inspector.summary()).contains("Input: input float32 NHWC [N, 12, 10, 3]");
        }
    }

    @Test
    void layersAreSelectedByNameSegmentOpTypeGlobAndIndex() {
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(H, W)).bytes())) {
            Request r = inspector.image(rgbImage(W, H, 1));
            assertThat(names(r.layers("conv2"))).containsExactly("conv2");
            assertThat(names(r.layers("/bn2/BatchNormalization"))).containsExactly("conv2");
            assertThat(names(r.layers("relu1"))).containsExactly("conv1");            // a segment of /relu1/Relu
            assertThat(names(r.layers("MaxPool", "GlobalAveragePool"))).containsExactly("pool1", "gap");
            assertThat(names(r.layers("conv*"))).containsExactly("conv1", "conv2");
            assertThat(names(r.layers(-2, 0))).containsExactly("conv1", "gap");
            assertThat(names(r.layers(-1))).containsExactly("fc");
            assertThat(names(r.layers("conv2", "conv1"))).containsExactly("conv1", "conv2"); // model order
            assertThatThrownBy(() -> r.layers("cnov2")).isInstanceOf(LayerNotFoundException.class)
                    .hasMessageContaining("no layer matches 'cnov2'").hasMessageContaining("closest: conv2")
                    .satisfies(e -> assertThat(((LayerNotFoundException) e).candidates()).startsWith("conv2"));
            assertThatThrownBy(() -> r.layers(5)).isInstanceOf(LayerNotFoundException.class)
                    .hasMessageContaining("5 layers");
        }
    }

    private static List<String> names(Request r) {
        return r.inspect().activations().stream().map(m -> m.layer().name()).toList();
    }

    @Test
    void misuseIsReportedWithJdkExceptions() {
        Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(H, W)).bytes());
        Request r = inspector.image(rgbImage(W, H, 1));
        assertThatThrownBy(() -> r.grid(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("perRow");
        assertThatThrownBy(() -> r.grid(-3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.layers((String) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> inspector.image((Path) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> r.size(20, 20)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fixed at 10x12");
        assertThatThrownBy(() -> r.upscale(0)).isInstanceOf(IllegalArgumentException.class);
        inspector.close();
        inspector.close();
        assertThatThrownBy(r::inspect).isInstanceOf(IllegalStateException.class).hasMessage("Inspector is closed");
        assertThatThrownBy(() -> inspector.image(rgbImage(W, H, 1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void requestsAreImmutable() {
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(H, W)).bytes())) {
            Request base = inspector.image(rgbImage(W, H, 1));
            Request one = base.layers("conv1");
            base.layers("conv2").colormap(Colormap.GRAY).upscale(2);
            assertThat(base.inspect().activations()).hasSize(2);
            assertThat(one.inspect().activations()).hasSize(1);
        }
    }

    @Test
    void imagePathIsCheckedWhenTheRequestIsMade(@TempDir Path dir) {
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(H, W)).bytes())) {
            assertThatThrownBy(() -> inspector.image(dir.resolve("missing.jpg"))).isInstanceOf(ImageException.class)
                    .hasMessageContaining("image file not found").hasMessageContaining("missing.jpg");
        }
    }

    @Test
    void layersWithNoArgumentSelectsTheDefaultAgain() {
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(H, W)).bytes())) {
            Request narrowed = inspector.image(rgbImage(W, H, 1)).layers("conv2");
            assertThat(names(narrowed)).containsExactly("conv2");
            assertThat(names(narrowed.layers())).containsExactly("conv1", "conv2");
            assertThat(inspector.image(rgbImage(W, H, 1)).layers().grid(16)).hasSize(2);
        }
    }

    @Test
    void everyFactoryTakesOptions(@TempDir Path dir) throws IOException {
        byte[] model = new TestModels(TestModels.Spec.rgb(H, W)).bytes();
        Path file = Files.write(dir.resolve("model.onnx"), model);
        Options strict = Options.defaults().maxPixels(W * H); // the model's input, but not a photo twice its size
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(rgbImage(2 * W, 2 * H, 1), "png", png);
        List<Inspector> inspectors = List.of(Inspector.of(file, strict), Inspector.of(file.toString(), strict),
                Inspector.of(model, strict), Inspector.of(new ByteArrayInputStream(model), strict));
        for (Inspector inspector : inspectors) {
            try (inspector) {
                assertThatThrownBy(() -> inspector.image(png.toByteArray()).inspect())
                        .as(inspector.toString()).isExactlyInstanceOf(ImageTooLargeException.class);
            }
        }
    }

    @Test
    void aChannelOutOfRangeNamesTheLayerAndItsChannels() {
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(H, W)).bytes())) {
            assertThatThrownBy(() -> inspector.image(rgbImage(W, H, 1)).channel("conv1", 99))
                    .isExactlyInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessage("layer conv1 has 4 channels, 0 to 3; there is no channel 99");
            assertThatThrownBy(() -> inspector.image(rgbImage(W, H, 1)).channel("Conv", 0))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'Conv' matches 2 layers ([conv1, conv2])");
        }
    }

    @Test
    void squeezeAndExciteConvolutionsAreShownOnlyWhenNamed() throws IOException {
        Onnx.ModelProto model = Onnx.ModelProto.parseFrom(new TestModels(TestModels.Spec.rgb(H, W)).bytes());
        ByteBuffer weights = ByteBuffer.allocate(2 * TestModels.CONV2 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 2 * TestModels.CONV2; i++) {
            weights.putFloat(0.1f * i);
        }
        Onnx.GraphProto graph = model.getGraph().toBuilder()
                .addInitializer(Onnx.TensorProto.newBuilder().setName("se.weight").setDataType(1)
                        .addAllDims(List.of(2L, (long) TestModels.CONV2, 1L, 1L))
                        .setRawData(ByteString.copyFrom(weights.array())))
                .addNode(TestModels.node("/se/Conv", "Conv", List.of("gap", "se.weight"), "se",
                        TinyModel.ints("kernel_shape", 1, 1)))
                .build();
        try (Inspector inspector = Inspector.of(model.toBuilder().setGraph(graph).build().toByteArray())) {
            assertThat(inspector.layers()).extracting(Layer::name).containsExactly("conv1", "pool1", "conv2", "gap",
                    "fc", "se");
            assertThat(inspector.layers().get(5).shape()).isEqualTo("(2, 1, 1)");
            Request request = inspector.image(rgbImage(W, H, 1));
            assertThat(names(request)).containsExactly("conv1", "conv2");
            FeatureMap se = request.layers("se").activations().get(0);
            assertThat(new int[] {se.channels(), se.height(), se.width()}).containsExactly(2, 1, 1);
        }
    }

    /** The model with one more metadata_props entry. */
    static byte[] withMetadata(byte[] model, String key, String value) throws IOException {
        return Onnx.ModelProto.parseFrom(model).toBuilder().addMetadataProps(Onnx.StringStringEntryProto.newBuilder()
                .setKey(key).setValue(value)).build().toByteArray();
    }

    @Test
    void aModelNamesItsOwnPreprocessingInItsMetadata() throws IOException {
        byte[] plain = new TestModels(TestModels.Spec.rgb(H, W)).bytes();
        BufferedImage image = rgbImage(W, H, 4);
        byte[] tagged = withMetadata(plain, "convlens.preprocessing", "imagenet; resize=nearest");
        try (Inspector untagged = Inspector.of(plain); Inspector inspector = Inspector.of(tagged)) {
            float[] byDefault = inspector.image(image).layers("conv1").activations().get(0).values();
            float[] explicit = untagged.image(image).layers("conv1")
                    .preprocessing(Preprocessing.IMAGENET.withInterpolation(Interpolation.NEAREST))
                    .activations().get(0).values();
            float[] raw = untagged.image(image).layers("conv1").activations().get(0).values();
            assertThat(byDefault).containsExactly(explicit).isNotEqualTo(raw);
            float[] overridden = inspector.image(image).layers("conv1").preprocessing(Preprocessing.RAW)
                    .activations().get(0).values();
            assertThat(overridden).containsExactly(raw); // a request's own preprocessing wins
        }
        byte[] broken = withMetadata(plain, "convlens.preprocessing", "imagenette");
        assertThatThrownBy(() -> Inspector.of(broken)).isExactlyInstanceOf(ModelException.class)
                .hasMessageContaining("metadata_props 'convlens.preprocessing' as 'imagenette'")
                .hasMessageContaining("caffe, imagenet, raw, scaled, signed");
    }

    @Test
    void preprocessingIsReadFromText() {
        assertThat(Preprocessing.parse("IMAGENET")).isEqualTo(Preprocessing.IMAGENET);
        assertThat(Preprocessing.parse(" scaled ; resize = bilinear"))
                .isEqualTo(Preprocessing.SCALED.withInterpolation(Interpolation.BILINEAR));
        assertThat(Preprocessing.parse("scale=1/127.5; mean=1,1,1")).isEqualTo(Preprocessing.SIGNED);
        assertThat(Preprocessing.parse("order=bgr; mean=103.939,116.779,123.68")).isEqualTo(Preprocessing.CAFFE);
        assertThat(Preprocessing.parse("raw; std=2,4,8").std()).containsExactly(2, 4, 8);
        assertThatThrownBy(() -> Preprocessing.parse("scale=1/255; imagenet"))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("'imagenet' is not a preset");
        assertThatThrownBy(() -> Preprocessing.parse("mean=1,2")).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mean needs three values");
        assertThatThrownBy(() -> Preprocessing.parse("order=grb")).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("order is rgb or bgr, was 'grb'");
        assertThatThrownBy(() -> Preprocessing.parse("scale=x")).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x' is not a number");
        assertThatThrownBy(() -> Preprocessing.parse("gamma=2")).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown change 'gamma'");
    }

    @Test
    void anApplicationsOwnOnnxRuntimeEnvironmentIsUsedWithoutWarnings() {
        Logger ort = Logger.getLogger("ai.onnxruntime.OrtEnvironment");
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        ort.setUseParentHandlers(false); // captured here, not printed on the build's console
        ort.addHandler(capture);
        try {
            ai.onnxruntime.OrtEnvironment.getEnvironment(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
                    "an-application"); // what an application that uses ONNX Runtime itself has done first
            records.clear(); // its own warning, where an earlier test of this JVM made the environment first
            for (int i = 0; i < 3; i++) {
                try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(H, W)).bytes())) {
                    inspector.image(rgbImage(W, H, i)).grid(4);
                }
            }
        } finally {
            ort.removeHandler(capture);
            ort.setUseParentHandlers(true);
        }
        assertThat(records).extracting(LogRecord::getMessage).isEmpty();
    }

    /**
     * A JPEG the seed convnet takes at 180x180 by nearest neighbours is decoded at 180x180 (every 6th pixel of the
     * 1080x1080 dog): its activations equal those of the same photo decoded whole and resized, value for value, and
     * a heatmap, which draws over the photo itself, still gets the whole photo.
     */
    @Test
    void aJpegTakenByNearestNeighboursIsDecodedAtTheInputSizeWithTheSameValues() throws IOException {
        Path dog = Shared.require("images/dog_1080x1080.jpg");
        try (Inspector inspector = Inspector.of(Path.of("../models/cats_vs_dogs_small.onnx"))) {
            List<FeatureMap> fromFile = inspector.image(dog).activations();
            Pixels whole = Decoder.read(dog, 50_000_000L);
            assertThat(whole.width()).isEqualTo(1080);
            BufferedImage decoded = Pictures.of(dev.convlens.render.Raster.ofSamples(whole.rgb(), 3, 1080, 1080));
            List<FeatureMap> fromWhole = inspector.image(decoded).activations();
            for (int i = 0; i < fromFile.size(); i++) {
                assertThat(java.util.Arrays.equals(fromFile.get(i).values(), fromWhole.get(i).values()))
                        .as("layer %s equal", fromFile.get(i).layer().name()).isTrue();
            }
            BufferedImage overlay = inspector.image(dog).heatmap(HeatmapMethod.GRAD_CAM).overlay();
            assertThat(overlay.getWidth() + "x" + overlay.getHeight()).isEqualTo("1080x1080");
        }
    }
}
