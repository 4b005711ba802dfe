package dev.convlens.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convlens.PixelComparison;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.zip.Adler32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
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
     * are too many for a palette, so it is written as RGB, magenta included. A tall picture is turned into bytes in
     * bands on several cores, and the last band's magenta is found as the first's.
     */
    @ParameterizedTest(name = "non-finite pixel: {0}, height {2}")
    @CsvSource({"false, 3, 200", "true, 2, 200", "false, 3, 1000", "true, 2, 1000"})
    void levelsDecodeToTheirColormapColors(boolean nonFinite, int colorType, int height) throws IOException {
        Palette magma = Palette.of(dev.convlens.Colormap.MAGMA);
        Random random = new Random(7);
        int[] levels = IntStream.range(0, W * height).map(i -> random.nextInt(256)).toArray();
        if (nonFinite) {
            levels[W * height - W / 2] = GridRenderer.NON_FINITE; // in the last row
        }
        byte[] png = PngEncoder.encode(new Raster(W, height, levels), magma, true);
        assertThat(png[COLOR_TYPE_OFFSET]).as("color type: 3 palette, 2 RGB").isEqualTo((byte) colorType);
        int[] expected = IntStream.of(levels).map(l -> l == GridRenderer.NON_FINITE ? l : magma.color(l)).toArray();
        PixelComparison.assertPixels("levels", ImageIO.read(new ByteArrayInputStream(png)), W, height, expected);
    }

    /** The Adler-32 of two runs joined from each run's equals the one summed over both, at every split tried. */
    @Test
    void adlerSumsOfPiecesJoinToTheWholes() {
        byte[] data = new byte[300_000]; // longer than 65521, the modulus, so that lengths wrap
        new Random(3).nextBytes(data);
        for (int split : new int[] {0, 1, 65_520, 65_521, 65_522, 131_043, 299_999, 300_000}) {
            Adler32 whole = new Adler32();
            whole.update(data);
            Adler32 first = new Adler32();
            first.update(data, 0, split);
            Adler32 second = new Adler32();
            second.update(data, split, data.length - split);
            assertThat(PngEncoder.adler32Combine(first.getValue(), second.getValue(), data.length - split))
                    .as("split at %d", split).isEqualTo(whole.getValue());
        }
    }

    /**
     * A zlib stream deflated in pieces on several cores inflates to the data, and zlib's own inflater accepts its
     * checksum (a wrong one is "incorrect data check").
     */
    @Test
    void dataDeflatedInPiecesInflatesWithItsChecksum() throws DataFormatException {
        byte[] data = new byte[1_500_000]; // eleven pieces of at least 128 KiB
        Random random = new Random(5);
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (random.nextInt(8) + (i / 1000 % 3) * 50); // compressible, and not uniform
        }
        byte[] zlib = PngEncoder.zlib(data, true);
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(zlib);
            byte[] back = new byte[data.length + 1];
            int n = inflater.inflate(back);
            assertThat(inflater.finished()).as("the stream ends, its checksum checked").isTrue();
            assertThat(n).isEqualTo(data.length);
            assertThat(Arrays.equals(back, 0, n, data, 0, data.length)).isTrue();
        } finally {
            inflater.end();
        }
    }
}
