package dev.convlens.image;

import dev.convlens.ImageException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.imaging.bytesource.ByteSource;
import org.apache.commons.imaging.formats.ico.IcoImageParser;

/**
 * Windows icons (ICO): a directory of images of several sizes, BMP or PNG each, which Commons Imaging decodes but
 * does not recognize by itself. As Pillow does, the largest image is the picture.
 */
final class Icon {
    private static final int ENTRY = 16;

    private Icon() {
    }

    /** Whether the bytes start as an icon: reserved 0, type 1, at least one entry, and room for the directory. */
    static boolean is(byte[] bytes) {
        if (bytes.length < 6 + ENTRY) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int count = b.getShort(4) & 0xFFFF;
        return b.getShort(0) == 0 && b.getShort(2) == 1 && count > 0 && 6 + (long) count * ENTRY <= bytes.length;
    }

    /**
     * The sizes of the images, each read from its own header (a PNG's IHDR, a BMP's info header, whose height
     * counts the transparency mask too): the directory's bytes say at most 256 and can lie. Every image is decoded,
     * so all of them count.
     *
     * @return {width, height} of the image with the most pixels, and the pixels of all images together
     * @throws ImageException if an entry points outside the file
     */
    static long[] sizes(byte[] bytes, String source) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int count = b.getShort(4) & 0xFFFF;
        long[] largest = {0, 0};
        long total = 0;
        for (int i = 0; i < count; i++) {
            long offset = b.getInt(6 + i * ENTRY + 12) & 0xFFFFFFFFL;
            if (offset + 24 > bytes.length) {
                throw new ImageException("image " + source + " is an icon whose image " + i + " lies past the end of"
                        + " the file; the file is corrupt or truncated");
            }
            int at = (int) offset;
            boolean png = b.getInt(at) == 0x474E5089; // \x89PNG, little-endian
            long w = png ? Integer.toUnsignedLong(Integer.reverseBytes(b.getInt(at + 16))) : Math.abs(b.getInt(at + 4));
            long h = png ? Integer.toUnsignedLong(Integer.reverseBytes(b.getInt(at + 20)))
                    : Math.abs(b.getInt(at + 8)) / 2;
            if (w * h > largest[0] * largest[1]) {
                largest = new long[] {w, h};
            }
            total += w * h;
        }
        return new long[] {largest[0], largest[1], total};
    }

    /**
     * The image with the most pixels.
     *
     * @throws ImageException if Commons Imaging cannot decode the icon
     */
    static BufferedImage decode(byte[] bytes, String source) {
        try {
            List<BufferedImage> images = new IcoImageParser().getAllBufferedImages(ByteSource.array(bytes));
            return images.stream().max(Comparator.comparingLong(i -> (long) i.getWidth() * i.getHeight()))
                    .orElseThrow(() -> new ImageException("image " + source + " is an icon without images"));
        } catch (IOException | RuntimeException e) {
            if (e instanceof ImageException ie) {
                throw ie;
            }
            throw new ImageException("image " + source + " is an icon (ICO) but cannot be decoded: " + e.getMessage()
                    + ". The file may be corrupt or truncated.", e);
        }
    }
}
