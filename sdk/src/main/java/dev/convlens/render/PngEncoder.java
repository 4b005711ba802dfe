package dev.convlens.render;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes a raster as PNG, built for speed: a grid has at most 257 colors (the colormap's 256 and magenta), so it
 * is written as an 8-bit palette image whenever it has 256 or fewer (one byte per pixel instead of three),
 * compressed with deflate's fastest level and no row filters. ImageIO's writer instead tries five filters on
 * every row of 3-byte pixels at the default level.
 */
public final class PngEncoder {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte COLOR_RGB = 2;
    private static final byte COLOR_PALETTE = 3;

    private PngEncoder() {
    }

    /** The PNG file of a raster: an 8-bit palette image if it has 256 colors or fewer, else 8-bit RGB. */
    public static byte[] encode(Raster raster) {
        int w = raster.width();
        int h = raster.height();
        int[] rgb = raster.rgb();
        Indexed indexed = Indexed.of(rgb);
        int bytesPerPixel = indexed == null ? 3 : 1;
        byte[] rows = new byte[Math.multiplyExact(h, w * bytesPerPixel + 1)]; // a row: filter 0, then pixels
        for (int y = 0, o = 0; y < h; y++) {
            o++;
            if (indexed != null) {
                System.arraycopy(indexed.indices, y * w, rows, o, w);
                o += w;
            } else {
                for (int x = 0, i = y * w; x < w; x++, i++) {
                    rows[o++] = (byte) (rgb[i] >> 16);
                    rows[o++] = (byte) (rgb[i] >> 8);
                    rows[o++] = (byte) rgb[i];
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(rows.length / 4 + 1024);
        out.writeBytes(SIGNATURE);
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8)
                .put(indexed == null ? COLOR_RGB : COLOR_PALETTE).put((byte) 0).put((byte) 0).put((byte) 0).array());
        if (indexed != null) {
            byte[] plte = new byte[indexed.size * 3];
            for (int i = 0; i < indexed.size; i++) {
                plte[3 * i] = (byte) (indexed.colors[i] >> 16);
                plte[3 * i + 1] = (byte) (indexed.colors[i] >> 8);
                plte[3 * i + 2] = (byte) indexed.colors[i];
            }
            chunk(out, "PLTE", plte);
        }
        chunk(out, "IDAT", deflate(rows));
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

    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
            byte[] buffer = new byte[64 * 1024];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
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
