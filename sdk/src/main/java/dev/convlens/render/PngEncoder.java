package dev.convlens.render;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes a raster as PNG, built for speed: a grid has at most 257 colors (the colormap's 256 and magenta), so it
 * is written as an 8-bit palette image whenever it has 256 or fewer (one byte per pixel instead of three),
 * compressed with deflate's fastest level and no row filters, large images in pieces on several cores. ImageIO's
 * writer instead tries five filters on every row of 3-byte pixels at the default level, on one core.
 */
public final class PngEncoder {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte COLOR_RGB = 2;
    private static final byte COLOR_PALETTE = 3;
    /** Images of more bytes than this are deflated in pieces of at least this size, each on a core. */
    private static final int PIECE = 1 << 17;

    private PngEncoder() {
    }

    /** The PNG file of a raster: an 8-bit palette image if it has 256 colors or fewer, else 8-bit RGB. */
    public static byte[] encode(Raster raster) {
        return encode(raster, true);
    }

    private static byte[] encode(Raster raster, boolean parallel) {
        int w = raster.width();
        int h = raster.height();
        int[] rgb = raster.rgb();
        Indexed indexed = Indexed.of(rgb);
        if (indexed != null) {
            return png(w, h, rows(indexed.indices, w, h), Arrays.copyOf(indexed.colors, indexed.size), parallel);
        }
        byte[] rows = new byte[Math.multiplyExact(h, w * 3 + 1)]; // a row: filter 0, then pixels
        for (int y = 0, o = 0; y < h; y++) {
            o++;
            for (int x = 0, i = y * w; x < w; x++, i++) {
                rows[o++] = (byte) (rgb[i] >> 16);
                rows[o++] = (byte) (rgb[i] >> 8);
                rows[o++] = (byte) rgb[i];
            }
        }
        return png(w, h, rows, null, parallel);
    }

    /**
     * The PNG file of a picture of levels, drawn with {@link Palette#levels()}, in a colormap: an 8-bit palette image
     * whose palette is the colormap and whose pixels are the levels as they are, with nothing to look up. A picture
     * with pixels that have no level ({@link GridRenderer#NON_FINITE}) is written in the colormap's colors by
     * {@link #encode(Raster)}.
     *
     * @param parallel whether a large picture may be deflated on several cores
     */
    public static byte[] encode(Raster levels, Palette colormap, boolean parallel) {
        int w = levels.width();
        int h = levels.height();
        int[] values = levels.rgb();
        byte[] rows = new byte[Math.multiplyExact(h, w + 1)];
        int bands = pieces(rows.length, parallel);
        IntStream band = IntStream.range(0, bands);
        int above = (bands > 1 ? band.parallel() : band) // any value that is no level sets bits above the low 8
                .map(b -> narrow(values, w, (int) ((long) h * b / bands), (int) ((long) h * (b + 1) / bands), rows))
                .reduce(0, (a, b) -> a | b);
        if (above == 0) {
            return png(w, h, rows, colormap.table(), parallel);
        }
        int[] rgb = new int[values.length];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (values[i] & ~0xFF) == 0 ? colormap.color(values[i]) : values[i];
        }
        return encode(new Raster(w, h, rgb), parallel);
    }

    /**
     * Rows {@code [from, to)} of levels as bytes, each row after its filter byte 0; returns the levels' bits above
     * the low 8, all zero when every value is a level.
     */
    private static int narrow(int[] values, int w, int from, int to, byte[] rows) {
        int above = 0;
        for (int y = from, o = from * (w + 1); y < to; y++) {
            o++;
            for (int x = 0, i = y * w; x < w; x++, i++) {
                above |= values[i] & ~0xFF;
                rows[o++] = (byte) values[i];
            }
        }
        return above;
    }

    /** One byte per pixel, each row after its filter byte 0. */
    private static byte[] rows(byte[] pixels, int w, int h) {
        byte[] rows = new byte[Math.multiplyExact(h, w + 1)];
        for (int y = 0; y < h; y++) {
            System.arraycopy(pixels, y * w, rows, y * (w + 1) + 1, w);
        }
        return rows;
    }

    /** The file: an RGB image without a palette, else a palette image of its colors. */
    private static byte[] png(int w, int h, byte[] rows, int[] palette, boolean parallel) {
        byte[] idat = zlib(rows, parallel);
        ByteArrayOutputStream out = new ByteArrayOutputStream(idat.length + 1024);
        out.writeBytes(SIGNATURE);
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8)
                .put(palette == null ? COLOR_RGB : COLOR_PALETTE).put((byte) 0).put((byte) 0).put((byte) 0).array());
        if (palette != null) {
            byte[] plte = new byte[palette.length * 3];
            for (int i = 0; i < palette.length; i++) {
                plte[3 * i] = (byte) (palette[i] >> 16);
                plte[3 * i + 1] = (byte) (palette[i] >> 8);
                plte[3 * i + 2] = (byte) palette[i];
            }
            chunk(out, "PLTE", plte);
        }
        chunk(out, "IDAT", idat);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** Pixels as indices into a palette of at most 256 colors. */
    private static final class Indexed {
        private static final int SLOTS = 1024; // open addressing, never more than a quarter full
        final byte[] indices;
        final int[] colors = new int[256];
        int size;

        private Indexed(int pixels) {
            indices = new byte[pixels];
        }

        /** The pixels as palette indices, or null if they have more than 256 colors. */
        static Indexed of(int[] rgb) {
            Indexed result = new Indexed(rgb.length);
            int[] keys = new int[SLOTS];
            int[] values = new int[SLOTS];
            Arrays.fill(keys, -1);
            int last = -1;
            int lastIndex = 0;
            for (int i = 0; i < rgb.length; i++) {
                int color = rgb[i] & 0xFFFFFF;
                if (color != last) {
                    int slot = (color * 0x9E3779B1 >>> 22) & (SLOTS - 1);
                    while (keys[slot] != -1 && keys[slot] != color) {
                        slot = (slot + 1) & (SLOTS - 1);
                    }
                    if (keys[slot] == -1) {
                        if (result.size == 256) {
                            return null;
                        }
                        keys[slot] = color;
                        values[slot] = result.size;
                        result.colors[result.size++] = color;
                    }
                    last = color;
                    lastIndex = values[slot];
                }
                result.indices[i] = (byte) lastIndex;
            }
            return result;
        }
    }

    /**
     * A zlib stream of the data at deflate's fastest level. Large data is deflated in pieces at once, as pigz does:
     * each piece but the last ends on a byte boundary with a sync flush and no final block, so that the pieces laid
     * end to end are one deflate stream (a piece's matches do not reach into the one before, which costs little).
     * Each piece's Adler-32 is summed beside its deflate, and the sums joined after.
     */
    static byte[] zlib(byte[] data, boolean parallel) {
        int pieces = pieces(data.length, parallel);
        IntStream indexes = IntStream.range(0, pieces);
        Piece[] deflated = (pieces > 1 ? indexes.parallel() : indexes).mapToObj(k -> Piece.of(data,
                (int) ((long) data.length * k / pieces), (int) ((long) data.length * (k + 1) / pieces), k == pieces - 1))
                .toArray(Piece[]::new);
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
        out.write(0x78); // deflate with a 32 KiB window
        out.write(0x01); // fastest level; the header's check bits
        long adler = 1; // of no data
        for (Piece piece : deflated) {
            out.writeBytes(piece.deflated());
            adler = adler32Combine(adler, piece.adler(), piece.length());
        }
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) adler).array());
        return out.toByteArray();
    }

    /** Into how many pieces work on this many bytes is split: a few per core, each of at least {@link #PIECE}. */
    private static int pieces(int bytes, boolean parallel) {
        return !parallel ? 1 : Math.max(1, Math.min(4 * Runtime.getRuntime().availableProcessors(), bytes / PIECE));
    }

    /** A piece of the data, deflated, with its Adler-32 and its length. */
    private record Piece(byte[] deflated, long adler, int length) {
        static Piece of(byte[] data, int from, int to, boolean last) {
            Adler32 adler = new Adler32();
            adler.update(data, from, to - from);
            return new Piece(deflate(data, from, to, last), adler.getValue(), to - from);
        }
    }

    /**
     * zlib's {@code adler32_combine}: the Adler-32 of two runs of bytes one after the other, from the Adler-32 of each
     * and the second's length.
     */
    static long adler32Combine(long first, long second, long secondLength) {
        final long base = 65521; // the largest prime below 2^16
        long remainder = secondLength % base;
        long sum1 = first & 0xFFFF;
        long sum2 = remainder * sum1 % base;
        sum1 += (second & 0xFFFF) + base - 1;
        sum2 += (first >>> 16 & 0xFFFF) + (second >>> 16 & 0xFFFF) + base - remainder;
        sum1 = sum1 % base;
        sum2 = sum2 % base;
        return sum2 << 16 | sum1;
    }

    /** Raw deflate of {@code data[from, to)}: the stream's last piece, or one that ends on a sync flush. */
    private static byte[] deflate(byte[] data, int from, int to, boolean last) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
        try {
            deflater.setInput(data, from, to - from);
            if (last) {
                deflater.finish();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream((to - from) / 4 + 64);
            byte[] buffer = new byte[64 * 1024];
            while (true) {
                int n = deflater.deflate(buffer, 0, buffer.length, last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH);
                out.write(buffer, 0, n);
                if (last ? deflater.finished() : n < buffer.length && deflater.needsInput()) {
                    return out.toByteArray();
                }
            }
        } finally {
            deflater.end();
        }
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(name);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
