package dev.convlens.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convlens.Colormap;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every entry of every built-in colormap against matplotlib's own table (sdk/tools/colormap_references.py). */
class PaletteTest {
    @ParameterizedTest
    @EnumSource(Colormap.class)
    void everyEntryIsMatplotlibsByteColor(Colormap colormap) {
        double[][] rgba = ColormapReferences.rgba(colormap);
        assertThat(rgba).as("matplotlib's entries").hasNumberOfRows(256);
        int[] expected = ColormapReferences.table(colormap);
        Palette palette = Palette.of(colormap);
        for (int level = 0; level < 256; level++) {
            assertThat(rgba[level][3]).as("%s alpha %d", colormap, level).isEqualTo(1.0);
            assertThat(String.format("%06x", palette.color(level))).as("%s level %d: matplotlib %s", colormap, level,
                    Arrays.toString(rgba[level])).isEqualTo(String.format("%06x", expected[level]));
        }
        assertThat(palette.table()).containsExactly(expected); // the renderer's own copy
    }
}
