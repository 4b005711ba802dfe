package dev.convlens;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes image loading: size check, decoding, orientation, pixel conversion and resizing. Seeds in
 * {@code src/test/resources/dev/convlens/ImageFuzzTestInputs/image}.
 */
class ImageFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void image(byte[] data) {
        FuzzTargets.image(data);
    }
}
