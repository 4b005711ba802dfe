package dev.convlens.image;

import static java.awt.image.BufferedImage.TYPE_3BYTE_BGR;
import static java.awt.image.BufferedImage.TYPE_4BYTE_ABGR_PRE;
import static java.awt.image.BufferedImage.TYPE_BYTE_BINARY;
import static java.awt.image.BufferedImage.TYPE_BYTE_INDEXED;
import static java.awt.image.BufferedImage.TYPE_INT_ARGB_PRE;
import static java.awt.image.BufferedImage.TYPE_INT_RGB;

import dev.convlens.PixelComparison;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Decoder#fromImage} on BufferedImage layouts a caller may hand over, against Java2D's own reading of them:
 * the image drawn onto white with {@code Graphics2D.drawImage} where it has alpha, {@code BufferedImage.getRGB} where
 * it is opaque RGB. Palette and alpha layouts from files are compared with Pillow in {@link ImageReferencesTest}.
 */
class BufferedImageLayoutsTest {
    private static final int W = 37;
    private static final int H = 23;

    /**
     * Each palette entry has its own alpha, composited over white; a pixel value past the palette's end is
     * transparent, as Java2D draws it. The 8-bit palette has 200 entries, at every alpha from transparent to opaque,
     * and its pixels take all 256 values; the 2-bit one has 3 entries, and its pixels all 4 values.
     */
    @Test
    void paletteEntriesAreCompositedOverWhite() {
        Random random = new Random(8);
        byte[][] entries = new byte[4][200];
        for (byte[] component : entries) {
            random.nextBytes(component);
        }
        for (int i = 0; i < 200; i++) {
            entries[3][i] = (byte) (i * 255 / 199);
        }
        BufferedImage eightBit = new BufferedImage(256, 4, TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 200, entries[0], entries[1], entries[2], entries[3]));
        BufferedImage twoBit = new BufferedImage(8, 2, TYPE_BYTE_BINARY, new IndexColorModel(2, 3,
                new byte[] {10, 20, 30}, new byte[] {40, 50, 60}, new byte[] {70, 80, 90}, new byte[] {0, -128, -1}));
        for (BufferedImage image : new BufferedImage[] {eightBit, twoBit}) {
            int values = 1 << image.getColorModel().getPixelSize();
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    image.getRaster().setSample(x, y, 0, (x + 3 * y) % values);
                }
            }
            assertReadAsJava2dDrawsItOverWhite(values + " pixel values", image);
        }
    }

    /** Premultiplied samples get white's share added, without being multiplied by alpha a second time. */
    @ParameterizedTest(name = "type {0}")
    @ValueSource(ints = {TYPE_INT_ARGB_PRE, TYPE_4BYTE_ABGR_PRE})
    void premultipliedAlphaIsCompositedOverWhite(int type) {
        // every alpha level, along x, under random colors
        BufferedImage image = new BufferedImage(256, 8, type);
        Random random = new Random(type);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.setRGB(x, y, x << 24 | random.nextInt(1 << 24));
            }
        }
        assertReadAsJava2dDrawsItOverWhite("premultiplied", image);
    }

    static Stream<Arguments> subimages() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (int type : new int[] {TYPE_3BYTE_BGR, TYPE_INT_RGB}) {
            // rows further in, narrower rows, both, columns further in, and the whole image
            for (Rectangle area : new Rectangle[] {new Rectangle(0, 1, W, H - 1), new Rectangle(0, 0, W - 3, H - 2),
                    new Rectangle(1, 2, W - 3, H - 4), new Rectangle(3, 0, W - 3, H), new Rectangle(0, 0, W, H)}) {
                cases.add(Arguments.of(type, area));
            }
        }
        return cases.build();
    }

    /**
     * A sub-image shares its parent's array, starting inside it and striding over the parent's rows: its pixels
     * are read from its own origin, row by row, in the two layouts that are copied straight from their arrays.
     */
    @ParameterizedTest(name = "type {0}, {1}")
    @MethodSource("subimages")
    void subimagesAreReadFromTheirOwnOriginAndRows(int type, Rectangle area) {
        BufferedImage whole = new BufferedImage(W, H, type);
        Random random = new Random(area.hashCode());
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                whole.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        BufferedImage sub = whole.getSubimage(area.x, area.y, area.width, area.height);
        Pixels pixels = Decoder.fromImage(sub);
        PixelComparison.assertPixels(area.toString(), PixelComparison.pack(pixels.rgb()), sub.getWidth(),
                PixelComparison.rgb(sub));
    }

    /**
     * Layouts whose samples are not 8 or 16 bits: the 5- and 6-bit fields of 565 and 555 pixels used to be read as
     * 0..31 (dark, wrong colors), float samples as 0 or 1. Each now reads as Java2D's {@code getRGB} does.
     */
    @Test
    void packedAndFloatLayoutsReadAsGetRgbDoes() {
        Random random = new Random(5);
        ComponentColorModel floats = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_FLOAT);
        ComponentColorModel doubles = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false,
                false, Transparency.OPAQUE, DataBuffer.TYPE_DOUBLE);
        BufferedImage[] images = {new BufferedImage(W, H, BufferedImage.TYPE_USHORT_565_RGB),
                new BufferedImage(W, H, BufferedImage.TYPE_USHORT_555_RGB),
                new BufferedImage(floats, floats.createCompatibleWritableRaster(W, H), false, null),
                new BufferedImage(doubles, doubles.createCompatibleWritableRaster(W, H), false, null)};
        for (BufferedImage image : images) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    image.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
            Pixels pixels = Decoder.fromImage(image);
            PixelComparison.assertPixels(image.getColorModel().toString(), PixelComparison.pack(pixels.rgb()), W,
                    PixelComparison.rgb(image));
        }
    }

    private static void assertReadAsJava2dDrawsItOverWhite(String what, BufferedImage image) {
        BufferedImage canvas = new BufferedImage(image.getWidth(), image.getHeight(), TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, canvas.getWidth(), canvas.getHeight());
        g.drawImage(image, 0, 0, null);
        g.dispose();
        Pixels pixels = Decoder.fromImage(image);
        PixelComparison.assertPixels(what, PixelComparison.pack(pixels.rgb()), image.getWidth(),
                PixelComparison.rgb(canvas));
    }
}
