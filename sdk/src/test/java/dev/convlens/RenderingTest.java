package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Every grid pixel against a reference computed here from activations() and matplotlib's colormap tables. */
class RenderingTest {
    private static final int H = 12;
    private static final int W = 10;

    /** A colormap table from the resource, after checking entries against values published by matplotlib. */
    static int[] table(String name) throws IOException {
        try (InputStream in = RenderingTest.class.getResourceAsStream("/dev/convlens/render/colormaps.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                String[] parts = line.split(" ");
                if (parts[0].equals(name.toLowerCase(Locale.ROOT))) {
                    int[] colors = new int[256];
                    for (int i = 0; i < 256; i++) {
                        colors[i] = Integer.parseInt(parts[i + 1], 16);
                    }
                    return colors;
                }
            }
        }
        throw new AssertionError("no table " + name);
    }

    @Test
    void tablesMatchMatplotlib() throws IOException {
        // matplotlib's _viridis_data[0], [128], [255] (0.267004, 0.004874, 0.329415), ... times 255, truncated
        assertThat(table("viridis")).startsWith(0x440154).contains(0x20908c).endsWith(0xfde724);
        assertThat(table("viridis")[128]).isEqualTo(0x20908c);
        assertThat(table("gray")[200]).isEqualTo(0xc8c8c8);
        assertThat(table("jet")[0]).isEqualTo(0x00007f);
        assertThat(table("magma")[255]).isEqualTo(0xfbfcbf);
    }

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
                levels[i] = sum == 0 && v[i] == 0 ? 0 : 128;
            } else {
                double s = (v[i] - mean) / std * 64 + 128;
                levels[i] = (int) Math.max(0, Math.min(255, s));
            }
        }
        return levels;
    }

    @Test
    void gridPixelsAreTheSeedsStandardizationThroughViridis() throws IOException {
        int[] viridis = table("viridis");
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(H, W)).bytes())) {
            Inspection result = inspector.image(InspectorTest.rgbImage(W, H, 11)).layers("conv1").inspect();
            FeatureMap map = result.activations().get(0);
            int perRow = 3; // 4 channels: a full row and a padded one
            BufferedImage grid = result.grid(perRow).get(0);
            assertThat(grid.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
            assertThat(grid.getWidth()).isEqualTo(perRow * (W + 1) - 1);
            assertThat(grid.getHeight()).isEqualTo(2 * (H + 1) - 1);
            int[][] levels = new int[4][];
            for (int c = 0; c < 4; c++) {
                levels[c] = standardizedLevels(map, c);
            }
            int checked = 0;
            for (int y = 0; y < grid.getHeight(); y++) {
                for (int x = 0; x < grid.getWidth(); x++) {
                    int col = x / (W + 1);
                    int row = y / (H + 1);
                    int tx = x % (W + 1);
                    int ty = y % (H + 1);
                    int channel = row * perRow + col;
                    int expected = tx == W || ty == H || channel >= 4 ? viridis[0] // separators and padding
                            : viridis[levels[channel][ty * W + tx]];
                    assertThat(grid.getRGB(x, y) & 0xFFFFFF).as("pixel %d,%d", x, y).isEqualTo(expected);
                    checked++;
                }
            }
            assertThat(checked).isEqualTo(32 * 25);
        }
    }

    @Test
    void oneChannelIsDrawnLikeMatshowAndUpscaled() throws IOException {
        int[] magma = table("magma");
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(H, W)).bytes())) {
            Request request = inspector.image(InspectorTest.rgbImage(W, H, 12)).colormap(Colormap.MAGMA).upscale(3);
            float[] v = request.layers("conv1").activations().get(0).channel(2);
            BufferedImage image = request.channel("conv1", 2);
            assertThat(image.getWidth()).isEqualTo(3 * W);
            assertThat(image.getHeight()).isEqualTo(3 * H);
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float x : v) {
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            for (int y = 0; y < 3 * H; y++) {
                for (int x = 0; x < 3 * W; x++) {
                    float value = v[(y / 3) * W + x / 3];
                    // matplotlib: Normalize to 0..1, then index int(f * 256), clipped to 255
                    int level = (int) Math.min(255, Math.floor((value - min) / (double) (max - min) * 256));
                    assertThat(image.getRGB(x, y) & 0xFFFFFF).as("pixel %d,%d", x, y).isEqualTo(magma[level]);
                }
            }
        }
    }
}
