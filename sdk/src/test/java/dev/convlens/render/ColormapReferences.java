package dev.convlens.render;

import dev.convlens.Colormap;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * matplotlib's own colormap lookup tables, as floats (written by sdk/tools/colormap_references.py), and their 8-bit
 * colors as matplotlib computes them: the tests' reference for every color ConvLens draws. Independent of
 * {@code colormaps.txt}, the file the library reads.
 */
public final class ColormapReferences {
    private static final Map<Colormap, double[][]> RGBA = load();

    private ColormapReferences() {
    }

    /** The 256 RGBA entries of a colormap, matplotlib's {@code cmap(np.arange(256))}. */
    public static double[][] rgba(Colormap colormap) {
        return RGBA.get(colormap);
    }

    /**
     * The 256 colors of a colormap as 0xRRGGBB, converted as {@code cmap(..., bytes=True)} does in matplotlib's
     * {@code Colormap.__call__}: {@code (lut * 255).astype(np.uint8)}, a product of doubles truncated toward zero.
     */
    public static int[] table(Colormap colormap) {
        double[][] rgba = rgba(colormap);
        int[] colors = new int[rgba.length];
        for (int i = 0; i < rgba.length; i++) {
            colors[i] = (int) (rgba[i][0] * 255) << 16 | (int) (rgba[i][1] * 255) << 8 | (int) (rgba[i][2] * 255);
        }
        return colors;
    }

    private static Map<Colormap, double[][]> load() {
        Map<Colormap, double[][]> tables = new EnumMap<>(Colormap.class);
        try (InputStream in = ColormapReferences.class.getResourceAsStream("colormap_references.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] nameAndEntries = line.split("\t");
                String[] entries = nameAndEntries[1].split(" ");
                double[][] rgba = new double[entries.length][4];
                for (int i = 0; i < entries.length; i++) {
                    String[] channels = entries[i].split(",");
                    for (int c = 0; c < 4; c++) {
                        rgba[i][c] = Double.parseDouble(channels[c]);
                    }
                }
                tables.put(Colormap.valueOf(nameAndEntries[0].toUpperCase(Locale.ROOT)), rgba);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tables;
    }
}
