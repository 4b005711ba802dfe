package dev.convlens.render;

import dev.convlens.Colormap;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/** A colormap's 256 RGB colors, read from {@code colormaps.txt} (written by {@code sdk/tools/colormaps.py}). */
public final class Palette {
    private static final Map<Colormap, Palette> TABLES = load();
    private static final Palette LEVELS = new Palette(IntStream.range(0, 256).toArray());

    private final int[] colors;

    private Palette(int[] colors) {
        this.colors = colors;
    }

    /** The table of a colormap. */
    public static Palette of(Colormap colormap) {
        return TABLES.get(colormap);
    }

    /**
     * The identity table: a picture drawn with it holds each pixel's level, 0 to 255, for a writer that keeps the
     * colormap as its palette ({@link PngEncoder#encode(Raster, Palette)}).
     */
    public static Palette levels() {
        return LEVELS;
    }

    /** The 256 colors, shared: for the renderer's inner loop, which must not change them. */
    int[] table() {
        return colors;
    }

    /** The 0xRRGGBB color of a level 0..255. */
    public int color(int level) {
        return colors[level];
    }

    private static Map<Colormap, Palette> load() {
        Map<Colormap, Palette> tables = new EnumMap<>(Colormap.class);
        try (InputStream in = Palette.class.getResourceAsStream("colormaps.txt")) {
            if (in == null) {
                throw new IllegalStateException("colormaps.txt is missing from the ConvLens jar");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] parts = line.trim().split(" ");
                int[] colors = new int[256];
                for (int i = 0; i < 256; i++) {
                    colors[i] = Integer.parseInt(parts[i + 1], 16);
                }
                tables.put(Colormap.valueOf(parts[0].toUpperCase(Locale.ROOT)), new Palette(colors));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read colormaps.txt from the ConvLens jar", e);
        }
        if (tables.size() != Colormap.values().length) {
            throw new IllegalStateException("colormaps.txt lacks some colormaps: has " + tables.keySet());
        }
        return tables;
    }
}
