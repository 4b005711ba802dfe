package dev.convlens.image;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convlens.ImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * WebP files that must not decode: broken ones. Their pixels, where they decode,
 * are compared with Pillow's in {@link ImageReferencesTest}.
 */
class WebpFilesTest {
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
}
