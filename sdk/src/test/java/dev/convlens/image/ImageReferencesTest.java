package dev.convlens.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.convlens.Interpolation;
import dev.convlens.Layout;
import dev.convlens.PixelComparison;
import dev.convlens.Shared;
import dev.convlens.Preprocessing;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decoding and resizing against Pillow's answers, written once by sdk/tools/image_references.py and (EXIF orientations)
 * sdk/tools/exif_references.py.
 */
class ImageReferencesTest {
    static Stream<Arguments> photos() throws IOException {
        return rows("decode_reference.tsv");
    }

    /** The rows of a tab-separated reference file, its comments left out. */
    private static Stream<Arguments> rows(String name) throws IOException {
        List<Arguments> rows = new ArrayList<>();
        for (String line : resource(name).split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                rows.add(Arguments.of((Object[]) line.split("\t")));
            }
        }
        return rows.stream();
    }

    /**
     * Every photo decodes to exactly Pillow's RGB bytes: EXIF orientation applied, alpha over white, CMYK converted
     * as Pillow does, gray read from the raster rather than through getRGB.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("photos")
    void decodesExactlyAsPillow(String file, String width, String height, String sha256, String meanR,
                                String meanG, String meanB) throws IOException {
        Path path = Shared.require("images/" + file);
        Pixels p = Decoder.read(path, 50_000_000L);
        assertThat(p.width() + "x" + p.height()).isEqualTo(width + "x" + height);
        double[] mean = new double[3];
        for (int i = 0; i < p.rgb().length; i++) {
            mean[i % 3] += p.rgb()[i] & 0xFF;
        }
        int n = p.width() * p.height();
        assertThat(mean[0] / n).as("mean red").isCloseTo(Double.parseDouble(meanR), offset(1e-3));
        assertThat(mean[1] / n).as("mean green").isCloseTo(Double.parseDouble(meanG), offset(1e-3));
        assertThat(mean[2] / n).as("mean blue").isCloseTo(Double.parseDouble(meanB), offset(1e-3));
        assertThat(sha256(p.rgb())).as("SHA-256 of the RGB bytes").isEqualTo(sha256);
    }

    /**
     * Every EXIF orientation turns a JPEG upright to exactly Pillow's pixels: the photos are stored turned each way a
     * camera may, so a wrong flip or turn changes the picture.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.convlens.image.ExifReference#all")
    void turnsEveryExifOrientationUprightAsPillow(ExifReference reference) {
        Pixels p = Decoder.decode(reference.jpeg(), reference.file(), 1_000_000);
        assertThat(p.width() + "x" + p.height()).isEqualTo(reference.width() + "x" + reference.height());
        PixelComparison.assertPixels(reference.file(), PixelComparison.pack(p.rgb()), p.width(), PixelComparison.pack(reference.rgb()));
    }

    static Stream<Arguments> resizes() {
        List<Arguments> cases = new ArrayList<>();
        for (Interpolation filter : Interpolation.values()) {
            for (int channels : new int[] {3, 1}) {
                for (int[] size : new int[][] {{16, 10}, {80, 50}, {37, 11}, {9, 23}, {180, 180}}) {
                    cases.add(Arguments.of(filter, channels, size[0], size[1]));
                }
            }
        }
        return cases.stream();
    }

    static Stream<Arguments> nearest() throws IOException {
        return rows("nearest_reference.tsv");
    }

    /**
     * A JPEG about to be resized by nearest neighbours to a size that divides its own is decoded straight to that
     * size, every k-th pixel from k / 2 on, and those are exactly Pillow's resize of the whole photo: steps 2 to 6,
     * odd and even, equal and mixed, RGB, gray and CMYK. A photo its EXIF turns comes back whole (the steps would
     * start from the other side), and the resize of it is Pillow's too.
     */
    @ParameterizedTest(name = "{0} to {1}x{2}")
    @MethodSource("nearest")
    void aJpegDecodedAtItsNearestSizeIsPillowsResize(String file, String width, String height, String sha256)
            throws IOException {
        Path path = Shared.require("images/" + file);
        int w = Integer.parseInt(width);
        int h = Integer.parseInt(height);
        Pixels p = Decoder.read(path, 50_000_000L, new NearestResize(w, h));
        boolean whole = file.startsWith("exif");
        Pixels full = whole ? Decoder.read(path, 50_000_000L) : null;
        assertThat(p.width() + "x" + p.height()).as("the size it was decoded at")
                .isEqualTo(whole ? full.width() + "x" + full.height() : w + "x" + h);
        byte[] resized = TensorBuilder.resize(p, 3, w, h, Interpolation.NEAREST);
        assertThat(sha256(resized)).as("SHA-256 of the resized RGB bytes").isEqualTo(sha256);
    }

    /** Resizing gives exactly Pillow's bytes, for RGB and for L (Pillow's luma), both filters, down and up. */
    @ParameterizedTest(name = "{0} {1} channel(s) to {2}x{3}")
    @MethodSource("resizes")
    void resizesExactlyAsPillow(Interpolation filter, int channels, int w, int h) throws IOException {
        Pixels source = Decoder.decode(bytes("resize_source.png"), "resize_source.png", 1_000_000);
        InputSpec spec = new InputSpec("x", Layout.NHWC, channels, h, w, false);
        float[] actual = TensorBuilder.build(source, spec, w, h, Preprocessing.RAW.withInterpolation(filter));
        String name = "resize_" + filter.name().toLowerCase() + "_" + (channels == 3 ? "RGB" : "L") + "_" + w + "x" + h
                + ".png";
        int[] samples = pillowSamples(name, w, h);
        assertThat(samples).hasSize(actual.length);
        for (int i = 0; i < samples.length; i++) {
            assertThat(actual[i]).as("%s sample %d", name, i).isEqualTo((float) samples[i]);
        }
    }

    /**
     * Lossless WebP decodes to exactly Pillow's pixels, sample by sample: every alpha level composited over white,
     * and turned upright from the EXIF orientation of the second file.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"webp_lossless", "webp_lossless_exif6"})
    void decodesLosslessWebpExactlyAsPillow(String name) throws IOException {
        assertDecodesExactlyAsPillow(name + ".webp", name + ".png");
    }

    /**
     * The layouts and formats that take other paths through the decoder give exactly Pillow's pixels: palette
     * entries with their own transparency, the high byte of 16-bit samples (alpha included), TIFF's RGB byte order
     * and its CMYK, a TIFF's EXIF orientation, PPM (which only Commons Imaging reads), and a JPEG whose invalid ICC
     * profile brings a warning from the reader, not a refusal.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"png_palette_trns.png", "png_rgb16.png", "png_rgba16.png", "png_gray_alpha16.png",
        "tiff_rgb.tiff", "tiff_cmyk.tiff", "tiff_orientation6.tiff", "ppm_rgb.ppm", "jpeg_invalid_icc.jpg"})
    void decodesEveryLayoutExactlyAsPillow(String file) throws IOException {
        assertDecodesExactlyAsPillow("decode_" + file, "decode_" + file.substring(0, file.indexOf('.')) + ".pillow.png");
    }

    /**
     * 16-bit CMYK keeps the high byte of each sample, then converts as Pillow does: the CMYK TIFF's samples, widened
     * to 16 bits with noise in the low byte, give Pillow's RGB of the 8-bit file. (Pillow writes no 16-bit CMYK.)
     */
    @Test
    void sixteenBitCmykKeepsTheHighByte() throws IOException {
        BufferedImage cmyk = ImageIO.read(new ByteArrayInputStream(bytes("decode_tiff_cmyk.tiff")));
        ColorSpace space = cmyk.getColorModel().getColorSpace();
        assertThat(space.getType()).as("the TIFF reader's color space").isEqualTo(ColorSpace.TYPE_CMYK);
        ComponentColorModel model = new ComponentColorModel(space, false, false, Transparency.OPAQUE,
                DataBuffer.TYPE_USHORT);
        WritableRaster wide = model.createCompatibleWritableRaster(cmyk.getWidth(), cmyk.getHeight());
        Random noise = new Random(16);
        for (int y = 0; y < cmyk.getHeight(); y++) {
            for (int x = 0; x < cmyk.getWidth(); x++) {
                for (int b = 0; b < 4; b++) {
                    wide.setSample(x, y, b, cmyk.getRaster().getSample(x, y, b) << 8 | noise.nextInt(256));
                }
            }
        }
        Pixels actual = Decoder.fromImage(new BufferedImage(model, wide, false, null));
        int[] expected = pillowSamples("decode_tiff_cmyk.pillow.png", actual.width(), actual.height());
        PixelComparison.assertPixels("16-bit CMYK", PixelComparison.pack(actual.rgb()), actual.width(),
                PixelComparison.pack(expected, 3));
    }

    /**
     * Lossy WebP decodes close to Pillow's pixels, not exactly: Pillow (libwebp) upsamples the half-resolution
     * chroma bilinearly ("fancy upsampling"), TwelveMonkeys' reader repeats each chroma sample over 2x2 pixels,
     * converts YUV to RGB with other rounding, and copies each macroblock out before the loop filter of its
     * right and lower neighbours has adjusted its edge. On this noisy image, over white, that is up to 69 levels on
     * a sample and 3.66 on average (87 and 6.42 before compositing); the bounds are those measured, so any other
     * change in decoding shows.
     */
    @Test
    void decodesLossyWebpCloseToPillow() throws IOException {
        int[] difference = differenceFromPillow("webp_lossy");
        IntSummaryStatistics stats = IntStream.of(difference).summaryStatistics();
        assertThat(stats.getMax()).as("largest difference").isLessThanOrEqualTo(69);
        assertThat(stats.getAverage()).as("mean difference").isLessThanOrEqualTo(3.67);
    }

    /** Asserts ConvLens decodes a file to exactly the pixels of a reference PNG that Pillow wrote. */
    private static void assertDecodesExactlyAsPillow(String file, String reference) throws IOException {
        Pixels actual = Decoder.decode(bytes(file), file, 1_000_000);
        int[] expected = pillowSamples(reference, actual.width(), actual.height());
        PixelComparison.assertPixels(file, PixelComparison.pack(actual.rgb()), actual.width(),
                PixelComparison.pack(expected, 3));
    }

    /** The absolute difference of each RGB sample between ConvLens's decoding of NAME.webp and Pillow's NAME.png. */
    private static int[] differenceFromPillow(String name) throws IOException {
        Pixels actual = Decoder.decode(bytes(name + ".webp"), name + ".webp", 1_000_000);
        int[] expected = pillowSamples(name + ".png", actual.width(), actual.height());
        assertThat(expected).as("%s: Pillow's size is %dx%d", name, actual.width(), actual.height())
                .hasSize(actual.rgb().length);
        int[] difference = new int[expected.length];
        for (int i = 0; i < expected.length; i++) {
            difference[i] = Math.abs((actual.rgb()[i] & 0xFF) - expected[i]);
        }
        return difference;
    }

    /** The samples of a reference PNG written by Pillow, row by row, of its top left W x H pixels. */
    private static int[] pillowSamples(String name, int w, int h) throws IOException {
        try (InputStream in = ImageReferencesTest.class.getResourceAsStream(name)) {
            BufferedImage image = ImageIO.read(in);
            assertThat(image.getWidth() + "x" + image.getHeight()).as(name).isEqualTo(w + "x" + h);
            return image.getRaster().getPixels(0, 0, w, h, (int[]) null);
        }
    }

    static String resource(String name) throws IOException {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    static byte[] bytes(String name) throws IOException {
        try (InputStream in = ImageReferencesTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
