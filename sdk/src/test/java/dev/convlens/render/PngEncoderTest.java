package dev.convlens.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convlens.PixelComparison;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Random;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ConvLens's PNG writer, both of its paths, read back by ImageIO's decoder. */
class PngEncoderTest {
    private static final int W = 300;
    private static final int H = 200;
    private static final int COLOR_TYPE_OFFSET = 8 + 8 + 9; // signature, IHDR length and type, width, height, depth

    /**
     * 256 distinct colors, the most a palette holds, and 257 (a grid's 256 and magenta for NaN can be as many), in
     * random order over more pixels than deflate's 64 KiB buffer holds: every pixel decodes to what was given.
     */
    @ParameterizedTest(name = "{0} colors: color type {1}")
    @CsvSource({"256, 3", "257, 2"})
    void decodesToTheSamePixels(int colors, int colorType) throws IOException {
        // distinct 0xRRGGBB colors: multiplying by an odd number is one-to-one modulo 2^24
        int[] palette = IntStream.range(0, colors).map(i -> i * 0x9E3779 & 0xFFFFFF).toArray();
        Random random = new Random(colors);
        int[] rgb = IntStream.range(0, W * H).map(i -> palette[i < colors ? i : random.nextInt(colors)]).toArray();
        byte[] png = PngEncoder.encode(new Raster(W, H, rgb));
        assertThat(png[COLOR_TYPE_OFFSET - 1]).as("bit depth").isEqualTo((byte) 8);
        assertThat(png[COLOR_TYPE_OFFSET]).as("color type: 3 palette, 2 RGB").isEqualTo((byte) colorType);
        PixelComparison.assertPixels(colors + " colors", ImageIO.read(new ByteArrayInputStream(png)), W, H, rgb);
    }

    /**
     * A picture of levels is written with the colormap as its palette, so each pixel decodes to its level's color;
     * one pixel with no level (a NaN's magenta) sends it through the colors: magma's 256 distinct ones and magenta
     * are too many for a palette, so it is written as RGB, magenta included.
     */
    @ParameterizedTest(name = "non-finite pixel: {0}")
    @CsvSource({"false, 3", "true, 2"})
    void levelsDecodeToTheirColormapColors(boolean nonFinite, int colorType) throws IOException {
        Palette magma = Palette.of(dev.convlens.Colormap.MAGMA);
        Random random = new Random(7);
        int[] levels = IntStream.range(0, W * H).map(i -> random.nextInt(256)).toArray();
        if (nonFinite) {
            levels[W * H / 2] = GridRenderer.NON_FINITE;
        }
        byte[] png = PngEncoder.encode(new Raster(W, H, levels), magma, true);
        assertThat(png[COLOR_TYPE_OFFSET]).as("color type: 3 palette, 2 RGB").isEqualTo((byte) colorType);
        int[] expected = IntStream.of(levels).map(l -> l == GridRenderer.NON_FINITE ? l : magma.color(l)).toArray();
        PixelComparison.assertPixels("levels", ImageIO.read(new ByteArrayInputStream(png)), W, H, expected);
    }
}
