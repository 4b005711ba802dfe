package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every preset and each {@code with...} change against the input tensor computed here from the image's pixels,
 * {@code (v * scale - mean[c]) / std[c]} in the model's channel order, with the constants the README and Javadoc
 * give written out again. The models' one layer is a 1x1 Conv with identity weights, so its activations are the
 * input tensor itself. The pixels are Pillow's (sdk/tools/image_references.py): a 16x10 RGB image that needs no
 * resizing, whose luma is Pillow's L image of the same resize, and a 37x23 one with Pillow's resizes to 16x10.
 */
class PreprocessingTest {
    private static final int W = 16;
    private static final int H = 10;
    private static final float[] ZEROS = {0, 0, 0};
    private static final float[] ONES = {1, 1, 1};
    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    private static final float[] CAFFE_MEAN = {103.939f, 116.779f, 123.68f}; // B, G, R: Keras's "caffe" mode

    /** A preprocessing and, written out, what it is documented to do. */
    record Case(String name, Preprocessing preprocessing, float scale, float[] mean, float[] std, boolean bgr,
                Interpolation interpolation) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The input models: both layouts, three channels and one. */
    enum Model {
        NCHW_RGB(Layout.NCHW, 3), NHWC_RGB(Layout.NHWC, 3), NCHW_GRAY(Layout.NCHW, 1), NHWC_GRAY(Layout.NHWC, 1);

        final Layout layout;
        final int channels;

        Model(Layout layout, int channels) {
            this.layout = layout;
            this.channels = channels;
        }
    }

    private static final Map<Model, Inspector> INSPECTORS = new EnumMap<>(Model.class);
    private static final Map<String, Png> PNGS = new ConcurrentHashMap<>();

    @BeforeAll
    static void open() {
        for (Model m : Model.values()) {
            TestModels.Spec spec = TestModels.Spec.rgb(H, W).withLayout(m.layout).withChannels(m.channels);
            INSPECTORS.put(m, Inspector.of(new TestModels(spec).identity(), Options.defaults().threads(1)));
        }
    }

    @AfterAll
    static void close() {
        INSPECTORS.values().forEach(Inspector::close);
    }

    static List<Case> presetsAndChanges() {
        Interpolation nearest = Interpolation.NEAREST;
        Interpolation bilinear = Interpolation.BILINEAR;
        float[] mean = {0.1f, 0.5f, 0.9f};
        float[] std = {0.3f, 0.6f, 0.9f};
        return List.of(
                new Case("RAW", Preprocessing.RAW, 1, ZEROS, ONES, false, nearest),
                new Case("SCALED", Preprocessing.SCALED, 1 / 255f, ZEROS, ONES, false, nearest),
                new Case("SIGNED", Preprocessing.SIGNED, 1 / 127.5f, ONES, ONES, false, nearest),
                new Case("IMAGENET", Preprocessing.IMAGENET, 1 / 255f, IMAGENET_MEAN, IMAGENET_STD, false, bilinear),
                new Case("CAFFE", Preprocessing.CAFFE, 1, CAFFE_MEAN, ONES, true, nearest),
                new Case("RAW.withBgr(true)", Preprocessing.RAW.withBgr(true), 1, ZEROS, ONES, true, nearest),
                new Case("CAFFE.withBgr(false)", Preprocessing.CAFFE.withBgr(false), 1, CAFFE_MEAN, ONES, false,
                        nearest),
                new Case("IMAGENET.withBgr(true)", Preprocessing.IMAGENET.withBgr(true), 1 / 255f, IMAGENET_MEAN,
                        IMAGENET_STD, true, bilinear),
                new Case("SCALED.withMean(0.1, 0.5, 0.9)", Preprocessing.SCALED.withMean(0.1f, 0.5f, 0.9f), 1 / 255f,
                        mean, ONES, false, nearest),
                new Case("SCALED.withStd(0.3, 0.6, 0.9)", Preprocessing.SCALED.withStd(0.3f, 0.6f, 0.9f), 1 / 255f,
                        ZEROS, std, false, nearest),
                new Case("IMAGENET.withScale(0.01)", Preprocessing.IMAGENET.withScale(0.01f), 0.01f, IMAGENET_MEAN,
                        IMAGENET_STD, false, bilinear),
                new Case("RAW.withInterpolation(BILINEAR)", Preprocessing.RAW.withInterpolation(bilinear), 1, ZEROS,
                        ONES, false, bilinear),
                new Case("IMAGENET.withInterpolation(NEAREST)", Preprocessing.IMAGENET.withInterpolation(nearest),
                        1 / 255f, IMAGENET_MEAN, IMAGENET_STD, false, nearest));
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Case c : presetsAndChanges()) {
            for (Model m : Model.values()) {
                all.add(Arguments.of(c, m));
            }
        }
        return all.stream();
    }

    /**
     * An image at the model's size, whose samples go in unresized whatever the filter, and one that needs resizing,
     * which must be Pillow's resize with the documented filter; then the same formula for both.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("cases")
    void inputTensorIsTheDocumentedFormulaOfThePixels(Case c, Model m) {
        String mode = m.channels == 3 ? "RGB" : "L";
        Request atSize = INSPECTORS.get(m).image(png("resize_nearest_RGB_16x10.png").bytes())
                .preprocessing(c.preprocessing());
        assertThat(atSize.activations().get(0).values()).as("at the model's size")
                .containsExactly(tensor(c, m, png("resize_nearest_" + mode + "_16x10.png").samples()));

        Request resized = INSPECTORS.get(m).image(png("resize_source.png").bytes())
                .preprocessing(c.preprocessing());
        int[] samples = png("resize_" + c.interpolation().name().toLowerCase(Locale.ROOT) + "_" + mode
                + "_16x10.png").samples();
        assertThat(resized.activations().get(0).values()).as("resized from 37x23")
                .containsExactly(tensor(c, m, samples));
        PixelComparison.assertPixels("resized()", resized.resized(), W, H, PixelComparison.pack(samples, m.channels));
    }

    /** The input tensor in CHW order: each model channel's source sample, scaled and normalized. */
    private static float[] tensor(Case c, Model m, int[] samples) {
        int channels = m.channels;
        float[] chw = new float[channels * W * H];
        for (int channel = 0; channel < channels; channel++) {
            int source = c.bgr() && channels == 3 ? 2 - channel : channel;
            for (int i = 0; i < W * H; i++) {
                chw[channel * W * H + i] = (samples[i * channels + source] * c.scale() - c.mean()[channel])
                        / c.std()[channel];
            }
        }
        return chw;
    }

    private static Png png(String name) {
        return PNGS.computeIfAbsent(name, Png::read);
    }

    /** A PNG of sdk/tools/image_references.py: its bytes and its samples, interleaved, read from its raster. */
    record Png(byte[] bytes, int[] samples) {
        static Png read(String name) {
            try (InputStream in = PreprocessingTest.class.getResourceAsStream("image/" + name)) {
                byte[] bytes = in.readAllBytes();
                Raster raster = ImageIO.read(new ByteArrayInputStream(bytes)).getRaster(); // not getRGB's conversion
                return new Png(bytes, raster.getPixels(0, 0, raster.getWidth(), raster.getHeight(), (int[]) null));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
