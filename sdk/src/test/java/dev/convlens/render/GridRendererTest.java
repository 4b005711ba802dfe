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
