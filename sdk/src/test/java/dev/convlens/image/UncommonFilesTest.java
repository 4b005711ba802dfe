package dev.convlens.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convlens.ImageTooLargeException;
import dev.convlens.PixelComparison;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Valid files that used to be refused: a top-down BMP (negative height, which the format allows) and Windows icons
 * (ICO), whose largest image is the picture, as Pillow takes it. Each is made from a known picture, written
 * losslessly, and must decode to exactly that picture.
 */
class UncommonFilesTest {
    @Test
    void topDownBmp() throws IOException {
        BufferedImage picture = picture(10, 12, 1);
        byte[] bmp = encode(picture, "bmp"); // bottom-up, 24 bits, rows padded to 4 bytes
        ByteBuffer b = ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN);
        int offset = b.getInt(10);
        int row = (10 * 3 + 3) / 4 * 4;
        byte[] topDown = bmp.clone();
        ByteBuffer.wrap(topDown).order(ByteOrder.LITTLE_ENDIAN).putInt(22, -12);
        for (int y = 0; y < 12; y++) {
            System.arraycopy(bmp, offset + y * row, topDown, offset + (11 - y) * row, row);
        }
        assertDecodesTo(picture, Decoder.decode(topDown, "top-down.bmp", 1 << 20));
        assertDecodesTo(picture, Decoder.decode(bmp, "bottom-up.bmp", 1 << 20));
    }

    @Test
    void iconsGiveTheirLargestImage() throws IOException {
        BufferedImage small = picture(16, 16, 2);
        BufferedImage large = picture(32, 24, 3);
        byte[] smallPng = encode(small, "png");
        byte[] largePng = encode(large, "png");
        assertDecodesTo(large, Decoder.decode(icon(List.of(smallPng, largePng)), "icon.ico", 1 << 20));
        assertDecodesTo(large, Decoder.decode(icon(List.of(largePng, smallPng)), "icon.ico", 1 << 20));
    }

    /** An icon entry whose PNG declares 50000x50000, while the directory says 0 (256): refused from the header. */
    @Test
    void anIconOfAHugeImageIsRefusedFromItsHeader() throws IOException {
        byte[] png = encode(picture(4, 4, 4), "png");
        ByteBuffer.wrap(png).putInt(16, 50_000).putInt(20, 50_000); // IHDR's width and height, big-endian
        assertThatThrownBy(() -> Decoder.decode(icon(List.of(png)), "bomb.ico", 50_000_000))
                .isExactlyInstanceOf(ImageTooLargeException.class)
                .hasMessageContaining("declares 50000x50000 = 2500000000 pixels");
    }

    private static void assertDecodesTo(BufferedImage expected, Pixels pixels) {
        assertThat(pixels.width()).isEqualTo(expected.getWidth());
        assertThat(pixels.height()).isEqualTo(expected.getHeight());
        PixelComparison.assertPixels("decoded", PixelComparison.pack(pixels.rgb()), expected.getWidth(),
                PixelComparison.rgb(expected));
    }

    private static BufferedImage picture(int w, int h, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return image;
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

    /** An ICO of PNG images: the header, a 16-byte directory entry each (sizes 0: 256 or more), then the PNGs. */
    private static byte[] icon(List<byte[]> pngs) {
        int size = 6 + 16 * pngs.size() + pngs.stream().mapToInt(p -> p.length).sum();
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0).putShort((short) 1).putShort((short) pngs.size());
        int offset = 6 + 16 * pngs.size();
        for (byte[] png : pngs) {
            ByteBuffer ihdr = ByteBuffer.wrap(png);
            b.put((byte) ihdr.getInt(16)).put((byte) ihdr.getInt(20)).put((byte) 0).put((byte) 0)
                    .putShort((short) 1).putShort((short) 32).putInt(png.length).putInt(offset);
            offset += png.length;
        }
        pngs.forEach(b::put);
        return b.array();
    }
}
