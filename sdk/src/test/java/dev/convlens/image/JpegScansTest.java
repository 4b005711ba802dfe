package dev.convlens.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convlens.ImageException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;

/** Scan counting, against libjpeg's own scripts: one scan for a baseline JPEG, ten for its progressive YCbCr one. */
class JpegScansTest {
    @Test
    void countsLibjpegsScripts() throws IOException {
        assertThat(JpegScans.count(jpeg(false), 100)).isEqualTo(1);
        assertThat(JpegScans.count(jpeg(true), 100)).isEqualTo(10); // jpeg_simple_progression for YCbCr
    }

    /** A progressive JPEG whose last scan is repeated: counted to the limit, refused past it, decoded below it. */
    @Test
    void repeatedScansAreRefusedPastTheLimit() throws IOException {
        byte[] progressive = jpeg(true);
        assertThat(JpegScans.count(withRepeatedLastScan(progressive, 2000), 5000)).isEqualTo(2010);
        assertThat(JpegScans.count(withRepeatedLastScan(progressive, 2000), JpegScans.MAX_SCANS + 1))
                .isEqualTo(JpegScans.MAX_SCANS + 1);
        assertThatThrownBy(() -> Decoder.decode(withRepeatedLastScan(progressive, 2000), "bomb.jpg", 1 << 20))
                .isExactlyInstanceOf(ImageException.class)
                .hasMessageContaining("image bomb.jpg has more than 1000 scans");
        byte[] many = withRepeatedLastScan(progressive, JpegScans.MAX_SCANS - 10);
        assertThat(JpegScans.count(many, 5000)).isEqualTo(JpegScans.MAX_SCANS);
        assertThat(Decoder.decode(many, "many.jpg", 1 << 20).width()).isEqualTo(64);
    }

    /** A 64x48 picture written by ImageIO's libjpeg, baseline or progressive. */
    private static byte[] jpeg(boolean progressive) throws IOException {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                image.setRGB(x, y, (x * 4) << 16 | (y * 5) << 8 | (x + y) * 2); // smooth, as photos are
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        if (progressive) {
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** The file with its last scan (from the last SOS marker to EOI) repeated {@code times} more times. */
    private static byte[] withRepeatedLastScan(byte[] jpeg, int times) {
        int sos = -1;
        for (int i = 0; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xDA) {
                sos = i; // entropy-coded data has no 0xFF 0xDA: a data 0xFF is followed by 0
            }
        }
        int eoi = jpeg.length - 2;
        byte[] scan = Arrays.copyOfRange(jpeg, sos, eoi);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, eoi);
        for (int t = 0; t < times; t++) {
            out.write(scan, 0, scan.length);
        }
        out.write(jpeg, eoi, 2);
        return out.toByteArray();
    }
}
