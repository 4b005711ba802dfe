package dev.convlens.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convlens.ImageException;
import dev.convlens.ImageTooLargeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * WebP files that must not decode: too large for the limit, cut short, or broken. Their pixels, where they decode,
 * are compared with Pillow's in {@link ImageReferencesTest}.
 */
class WebpFilesTest {
    static Stream<Arguments> headersOnly() {
        return Stream.of(
                // lossy: key frame tag, start code, 14-bit width and height (16383 each, no scaling), then the
                // first bytes of the bitstream
                Arguments.of("VP8 ", new byte[] {0x10, 0, 0, (byte) 0x9d, 0x01, 0x2a, -1, 0x3f, -1, 0x3f,
                        0, 0, 0, 0, 0, 0, 0, 0}, "16383x16383"),
                // lossless: signature, width - 1 and height - 1 in 14 bits each (16384 each), then the first bytes
                // of the bitstream (Commons Imaging reads this height as 4864)
                Arguments.of("VP8L", new byte[] {0x2f, -1, -1, -1, 0x0f, 0, 0, 0, 0, 0, 0, 0, 0}, "16384x16384"),
                // extended: flags, 3 reserved bytes, canvas width - 1 and height - 1 in 24 bits each (100000 each)
                Arguments.of("VP8X", new byte[] {0, 0, 0, 0, (byte) 0x9f, (byte) 0x86, 0x01, (byte) 0x9f,
                        (byte) 0x86, 0x01}, "100000x100000"));
    }

    /** The size is read from the header and refused there: these files hold no pixel data that could decode. */
    @ParameterizedTest(name = "{0} declaring {2}")
    @MethodSource("headersOnly")
    void sizeDeclaredInTheHeaderIsRefusedBeforeDecoding(String chunk, byte[] header, String size) {
        byte[] file = riff(chunk, header);
        assertThatThrownBy(() -> Decoder.decode(file, "bomb.webp", 50_000_000))
                .isExactlyInstanceOf(ImageTooLargeException.class)
                .hasMessageContaining("declares " + size + " = ");
    }

    /** A file cut short is refused, lossless ones included, which the WebP reader would fill in silently. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"webp_lossless.webp", "webp_lossy.webp"})
    void truncatedFileIsRefused(String name) throws IOException {
        byte[] whole = ImageReferencesTest.bytes(name);
        assertThat(Decoder.decode(whole, name, 1_000_000).width()).isEqualTo(37);
        for (int length : new int[] {whole.length - 1, whole.length * 3 / 4, whole.length / 2, 40}) {
            byte[] cut = Arrays.copyOf(whole, length);
            assertThatThrownBy(() -> Decoder.decode(cut, name, 1_000_000)).as("%d bytes", length)
                    .isExactlyInstanceOf(ImageException.class)
                    .hasMessageContaining("is truncated (" + length + " of the " + whole.length + " bytes");
        }
    }

    /**
     * The RIFF header's size is read as the unsigned 32-bit little-endian number it is: a complete file whose header
     * declares from 64 KiB to 4 GiB more is refused as truncated, with the size it declares.
     */
    @ParameterizedTest(name = "RIFF size {0}")
    @ValueSource(longs = {0x1_0000L, 0x12_3456L, 0x789A_BCDEL, 0xFFFF_FFFFL})
    void fileShorterThanItsRiffHeaderDeclaresIsRefused(long riffSize) throws IOException {
        byte[] file = ImageReferencesTest.bytes("webp_lossless.webp");
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(4, (int) riffSize);
        assertThatThrownBy(() -> Decoder.decode(file, "short.webp", 1_000_000))
                .isExactlyInstanceOf(ImageException.class)
                .hasMessageContaining("is truncated (" + file.length + " of the " + (8 + riffSize) + " bytes");
    }

    /** Image data that ends early inside a consistent container is a corrupt file, not an unsupported format. */
    @Test
    void corruptFileIsNamedAsSuch() throws IOException {
        byte[] lossy = ImageReferencesTest.bytes("webp_lossy.webp");
        byte[] cut = Arrays.copyOf(lossy, lossy.length / 2);
        ByteBuffer.wrap(cut).order(ByteOrder.LITTLE_ENDIAN).putInt(4, cut.length - 8); // the RIFF size agrees
        assertThatThrownBy(() -> Decoder.decode(cut, "cut.webp", 1_000_000))
                .isExactlyInstanceOf(ImageException.class)
                .hasMessageContaining("is WEBP but cannot be decoded")
                .hasMessageEndingWith("The file may be corrupt or truncated.");
    }

    /**
     * A lossless bitstream that stops early inside a consistent container is refused as corrupt, as libwebp refuses
     * it. This 54-byte file, found by the fuzzer, declares 16x3084 pixels; the WebP reader alone fills them with
     * garbage, catching an end-of-file for each.
     */
    @Test
    void losslessBitstreamEndingEarlyIsRefused() throws IOException {
        byte[] file = ImageReferencesTest.bytes(
                "/dev/convlens/ImageFuzzTestInputs/image/lossless_bitstream_ends_early.webp");
        assertThatThrownBy(() -> Decoder.decode(file, "short.webp", 1_000_000))
                .isExactlyInstanceOf(ImageException.class)
                .hasMessageContaining("is WEBP but cannot be decoded (the image data ends early")
                .hasMessageEndingWith("The file may be corrupt or truncated.");
    }

    /** A RIFF WebP file of one chunk. */
    private static byte[] riff(String chunk, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer sizes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(4 + 8 + payload.length + payload.length % 2).putInt(payload.length);
        out.writeBytes("RIFF".getBytes(StandardCharsets.US_ASCII));
        out.write(sizes.array(), 0, 4);
        out.writeBytes(("WEBP" + chunk).getBytes(StandardCharsets.US_ASCII));
        out.write(sizes.array(), 4, 4);
        out.writeBytes(payload);
        if (payload.length % 2 == 1) {
            out.write(0); // chunks are padded to an even length
        }
        return out.toByteArray();
    }
}
