package dev.convlens.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A JPEG photo with an EXIF orientation and Pillow's decoding of it turned upright (ImageOps.exif_transpose), both
 * written by sdk/tools/exif_references.py.
 *
 * @param file the photo's resource name, {@code exif_orientation_<n>.jpg}
 * @param width the upright width
 * @param height the upright height
 * @param rgb Pillow's upright RGB bytes, row by row
 */
public record ExifReference(String file, int width, int height, byte[] rgb) {
    /** The eight photos, orientations 1 to 8. */
    public static List<ExifReference> all() {
        List<ExifReference> references = new ArrayList<>();
        for (String line : new String(resource("exif_reference.tsv"), StandardCharsets.US_ASCII).split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                String[] f = line.split("\t");
                references.add(new ExifReference(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                        HexFormat.of().parseHex(f[3])));
            }
        }
        return references;
    }

    /** The photo's bytes. */
    public byte[] jpeg() {
        return resource(file);
    }

    private static byte[] resource(String name) {
        try (InputStream in = ExifReference.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return file;
    }
}
