package dev.convlens.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convlens.Colormap;
import dev.convlens.Contrast;
import org.junit.jupiter.api.Test;

class GridRendererTest {
    private static final Palette GRAY = Palette.of(Colormap.GRAY);

    @Test
    void flatTilesAreLevelZeroWhenZeroAndMidGrayOtherwise() {
        float[] chw = {0, 0, 0, 0, /* */ 5, 5, 5, 5};
        Raster r = grid(planes(chw, 2), 2, 2, 2, Contrast.STANDARDIZED);
        assertThat(r.width()).isEqualTo(5);
        assertThat(r.height()).isEqualTo(2);
        assertThat(r.rgb()).containsExactly(
                0x000000, 0x000000, 0x000000, 0x808080, 0x808080,
                0x000000, 0x000000, 0x000000, 0x808080, 0x808080);
    }

    @Test
    void nonFiniteValuesAreMagentaAndLeftOutOfTheStatistics() {
        // finite values 0 and 2: mean 1, std 1, so 0 -> 64 and 2 -> 192, whatever the NaN and Inf
        float[] chw = {0, 2, Float.NaN, Float.POSITIVE_INFINITY};
        Raster r = grid(planes(chw, 1), 2, 2, 1, Contrast.STANDARDIZED);
        assertThat(r.rgb()).containsExactly(0x404040, 0xc0c0c0, GridRenderer.NON_FINITE, GridRenderer.NON_FINITE);
    }

    @Test
    void lastRowIsPaddedSoNoChannelIsDropped() {
        float[] chw = new float[5]; // five 1x1 channels, 2 per row: 3 rows
        for (int i = 0; i < 5; i++) {
            chw[i] = i + 1;
        }
        Raster r = grid(planes(chw, 5), 1, 1, 2, Contrast.LAYER_MIN_MAX);
        assertThat(r.width()).isEqualTo(3);
        assertThat(r.height()).isEqualTo(5);
        // layer min-max over 1..5: level = min(255, floor((v - 1) / 4 * 256))
        assertThat(r.rgb()[0]).isEqualTo(0x000000);
        assertThat(r.rgb()[2]).isEqualTo(0x404040);   // 2 -> 64
        assertThat(r.rgb()[2 * 3]).isEqualTo(0x808080); // 3 -> 128
        assertThat(r.rgb()[4 * 3]).isEqualTo(0xffffff); // 5 -> 256, clipped to 255
        assertThat(r.rgb()[4 * 3 + 2]).isEqualTo(0x000000); // padding
    }

    @Test
    void channelMinMaxScalesEachChannelOnItsOwn() {
        float[] chw = {0, 1, /* */ 100, 300};
        Raster r = grid(planes(chw, 2), 1, 2, 2, Contrast.CHANNEL_MIN_MAX);
        assertThat(r.rgb()).containsExactly(0x000000, 0xffffff, 0x000000, 0x000000, 0xffffff);
    }

    /** A dense layer's units, one value a channel, share one scale whatever the contrast: alone each would be flat. */
    @Test
    void channelsOfOneValueShareTheLayersScale() {
        float[] units = {0, 2, 4, 6}; // mean 3, population std sqrt(5)
        double std = Math.sqrt(5);
        int[] standardized = new int[4];
        int[] minMax = new int[4];
        for (int i = 0; i < 4; i++) {
            standardized[i] = gray((int) Math.max(0, Math.min(255, (units[i] - 3) / std * 64 + 128)));
            minMax[i] = gray(Math.min(255, (int) Math.floor(units[i] / 6 * 256)));
        }
        int gap = 0x000000;
        for (Contrast contrast : Contrast.values()) {
            int[] want = contrast == Contrast.STANDARDIZED ? standardized : minMax;
            Raster r = grid(planes(units, 4), 1, 1, 4, contrast);
            assertThat(r.rgb()).as(contrast.name())
                    .containsExactly(want[0], gap, want[1], gap, want[2], gap, want[3]);
            for (int c = 0; c < 4; c++) {
                assertThat(GridRenderer.channel(planes(units, 4), 1, 1, c, 1, contrast, GRAY).rgb())
                        .as(contrast + " unit " + c).containsExactly(want[c]);
            }
        }
        assertThat(standardized).containsExactly(0x2a2a2a, 0x636363, 0x9c9c9c, 0xd5d5d5); // Python, same formula
    }

    private static int gray(int level) {
        return level << 16 | level << 8 | level;
    }

    /** One layer's grid in gray, at scale 1, on one core. */
    private static Raster grid(float[][] planes, int height, int width, int perRow, Contrast contrast) {
        return GridRenderer.grids(java.util.List.of(new GridRenderer.Channels(planes, height, width)), perRow, 1,
                contrast, GRAY, false).get(0);
    }

    /** Splits CHW values into one array per channel. */
    private static float[][] planes(float[] chw, int channels) {
        int plane = chw.length / channels;
        float[][] planes = new float[channels][];
        for (int c = 0; c < channels; c++) {
            planes[c] = java.util.Arrays.copyOfRange(chw, c * plane, (c + 1) * plane);
        }
        return planes;
    }
}
