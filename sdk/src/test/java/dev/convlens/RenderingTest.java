package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convlens.render.ColormapReferences;
import dev.convlens.render.Raster;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every grid pixel against a reference computed here from activations() (README "Pictures") and matplotlib's own
 * colormap tables (sdk/tools/colormap_references.py).
 */
class RenderingTest {
    private static final int H = 12;
    private static final int W = 10;
    private static final Path SEED = Path.of("../models/cats_vs_dogs_small.onnx");
    private static final Path PHOTO = Path.of("../examples/images/chelsea.png");

    /** The seed's per-channel level: clip((x - mean) / std * 64 + 128, 0, 255), truncated; flat if std is 0. */
    static int[] standardizedLevels(FeatureMap map, int channel) {
        float[] v = map.channel(channel);
        double sum = 0;
        for (float x : v) {
            sum += x;
        }
        double mean = sum / v.length;
        double var = 0;
        for (float x : v) {
            var += (x - mean) * (x - mean);
        }
        double std = Math.sqrt(var / v.length);
        int[] levels = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (std == 0) {
                levels[i] = flatLevel(v);
            } else {
                double s = (v[i] - mean) / std * 64 + 128;
                levels[i] = (int) Math.max(0, Math.min(255, s));
            }
        }
        return levels;
    }

    /** README: a channel whose values are all equal is drawn at level 0 if they are zero, 128 otherwise. */
    private static int flatLevel(float[] equalValues) {
        return equalValues[0] == 0 ? 0 : 128;
    }

    /**
     * matplotlib's {@code Normalize(min, max)} and colormap index: {@code f = (x - min) / (max - min)}, then
     * {@code int(f * 256)} with {@code f == 1} put in the last entry; flat (README) if min equals max.
     */
    static int[] minMaxLevels(float[] v, double min, double max) {
        int[] levels = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            levels[i] = min == max ? flatLevel(v) : (int) Math.min(255, (v[i] - min) / (max - min) * 256);
        }
        return levels;
    }

    /** Every channel's levels under a contrast, computed from the values alone. */
    static int[][] levels(FeatureMap map, Contrast contrast) {
        assertThat(map.nonFiniteCount()).as("these references assume finite values").isZero();
        double[] layer = range(map.values());
        int[][] levels = new int[map.channels()][];
        for (int c = 0; c < levels.length; c++) {
            float[] v = map.channel(c);
            double[] channel = range(v);
            levels[c] = switch (contrast) {
                case STANDARDIZED -> standardizedLevels(map, c);
                case LAYER_MIN_MAX -> minMaxLevels(v, layer[0], layer[1]);
                case CHANNEL_MIN_MAX -> minMaxLevels(v, channel[0], channel[1]);
            };
        }
        return levels;
    }

    private static double[] range(float[] v) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return new double[] {min, max};
    }

    /**
     * The grid of README "Pictures": {@code perRow} tiles to a row, each value a {@code scale x scale} block, 1-pixel
     * separators, no outer border, the last row padded; separators and padding in the colormap's level 0.
     */
    static Raster expectedGrid(FeatureMap map, int[][] levels, int perRow, int scale, int[] colors) {
        int tileW = map.width() * scale;
        int tileH = map.height() * scale;
        int columns = Math.min(perRow, map.channels());
        int rows = (map.channels() + perRow - 1) / perRow;
        int width = columns * (tileW + 1) - 1;
        int[] grid = new int[width * (rows * (tileH + 1) - 1)];
        for (int i = 0; i < grid.length; i++) {
            int x = i % width;
            int y = i / width;
            int tx = x % (tileW + 1);
            int ty = y % (tileH + 1);
            int channel = y / (tileH + 1) * perRow + x / (tileW + 1);
            grid[i] = tx == tileW || ty == tileH || channel >= map.channels() ? colors[0]
                    : colors[levels[channel][ty / scale * map.width() + tx / scale]];
        }
        return new Raster(width, grid.length / width, grid);
    }

    static void assertGrid(BufferedImage grid, FeatureMap map, int perRow, int scale, Contrast contrast,
                           Colormap colormap) {
        assertThat(grid.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        Raster expected = expectedGrid(map, levels(map, contrast), perRow, scale, ColormapReferences.table(colormap));
        PixelComparison.assertPixels(map.layer().name() + " " + contrast + " upscale " + scale, grid, expected.width(),
                expected.height(), expected.rgb());
    }

    @ParameterizedTest
    @EnumSource(Colormap.class)
    void gridPixelsAreTheSeedsStandardizationInEveryColormap(Colormap colormap) {
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(H, W)).bytes())) {
            Inspection result = inspector.image(InspectorTest.rgbImage(W, H, 11)).layers("conv1").colormap(colormap)
                    .inspect();
            BufferedImage grid = result.grid(3).get(0); // 4 channels: a full row and a padded one
            assertThat(grid.getWidth() * grid.getHeight()).isEqualTo(32 * 25);
            assertGrid(grid, result.activations().get(0), 3, 1, Contrast.STANDARDIZED, colormap);
        }
    }

    /**
     * A real-sized layer (the seed's conv2d on Chelsea: 32 x 178 x 178, over a million values) is measured and drawn
     * on several cores by default; every pixel of its grid must still be the reference's, in every contrast.
     */
    @ParameterizedTest(name = "{0}, upscale {1}")
    @CsvSource({"STANDARDIZED, 1", "CHANNEL_MIN_MAX, 1", "LAYER_MIN_MAX, 1", "STANDARDIZED, 2"})
    void largeLayerGridsAreTheReferenceInEveryContrast(Contrast contrast, int scale) {
        try (Inspector inspector = Inspector.of(SEED)) {
            Inspection result = inspector.image(PHOTO).layers("conv2d").contrast(contrast).upscale(scale).inspect();
            FeatureMap map = result.activations().get(0);
            assertThat(map.channels() + "x" + map.height() + "x" + map.width()).isEqualTo("32x178x178");
            assertThat(IntStream.range(0, map.channels()).mapToObj(c -> range(map.channel(c))))
                    .as("a dead channel, drawn flat").anyMatch(range -> range[0] == range[1]);
            assertGrid(result.grid(6).get(0), map, 6, scale, contrast, Colormap.VIRIDIS);
        }
    }

    @Test
    void oneChannelIsDrawnLikeMatshowAndUpscaled() {
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(H, W)).bytes())) {
            Request request = inspector.image(InspectorTest.rgbImage(W, H, 12)).colormap(Colormap.MAGMA).upscale(3);
            FeatureMap map = request.layers("conv1").activations().get(0);
            FeatureMap channel = new FeatureMap(map.layer(), map.height(), map.width(), new float[][] {map.channel(2)});
            assertGrid(request.channel("conv1", 2), channel, 1, 3, Contrast.CHANNEL_MIN_MAX, Colormap.MAGMA);
        }
    }

    /**
     * writeGrids' own PNG writer: each file, decoded by ImageIO, is grid(...)'s picture pixel for pixel, under the
     * README's name (layer index, two digits, and name). Files already there, other grids and a longer file of
     * junk, are replaced whole: each file ends with the PNG's end chunk.
     */
    @Test
    void writtenGridsDecodeToTheGridsPixels(@TempDir Path folder) throws IOException {
        try (Inspector inspector = Inspector.of(SEED)) {
            inspector.image(PHOTO).colormap(Colormap.VIRIDIS).inspect().writeGrids(folder.resolve("out"), 8);
            Files.write(folder.resolve("out/00_conv2d.png"), new byte[4 << 20]);
            Inspection result = inspector.image(PHOTO).colormap(Colormap.PLASMA).inspect();
            List<Path> files = result.writeGrids(folder.resolve("out"), 16);
            assertThat(files.stream().map(f -> f.getFileName().toString())).containsExactly(
                    "00_conv2d.png", "02_conv2d_1.png", "04_conv2d_2.png", "06_conv2d_3.png", "08_conv2d_4.png");
            List<BufferedImage> grids = result.grid(16);
            for (int i = 0; i < files.size(); i++) {
                assertThat(files.get(i).getParent()).isEqualTo(folder.resolve("out"));
                BufferedImage grid = grids.get(i);
                PixelComparison.assertPixels(files.get(i).toString(), ImageIO.read(files.get(i).toFile()), grid.getWidth(),
                        grid.getHeight(), PixelComparison.rgb(grid));
                byte[] bytes = Files.readAllBytes(files.get(i));
                assertThat(Arrays.copyOfRange(bytes, bytes.length - 12, bytes.length)).as("the IEND chunk ends the file")
                        .containsExactly(0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82);
            }
        }
    }
}
