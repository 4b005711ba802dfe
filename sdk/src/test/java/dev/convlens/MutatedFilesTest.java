package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every real model and image of ../shared, whole and damaged in 48 seeded ways (cut at 16 places, 32 runs of
 * random byte changes), through the fuzz targets: nothing but the documented exceptions may come out. The
 * coverage-guided fuzzing runs after the tests (ModelFuzzTest, ImageFuzzTest).
 */
class MutatedFilesTest {
    static Stream<Path> models() throws IOException {
        Shared.require("models/wild"); // an empty source would fail the test instead of skipping it
        return FuzzTargets.shared("models/wild", Long.MAX_VALUE).stream();
    }

    static Stream<Path> images() throws IOException {
        Shared.require("images");
        return FuzzTargets.shared("images", 1 << 20).stream(); // the 24 MP PNG is refused by size anyway
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void damagedModels(Path file) throws IOException {
        assertThat(mutate(Files.readAllBytes(file), FuzzTargets::model)).isEqualTo(49);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void damagedImages(Path file) throws IOException {
        assertThat(mutate(Files.readAllBytes(file), FuzzTargets::image)).isEqualTo(49);
    }

    /** Runs the target on the bytes and 48 damaged copies; returns how many ran without an undocumented failure. */
    private static int mutate(byte[] original, Consumer<byte[]> target) {
        Random random = new Random(Arrays.hashCode(original));
        int runs = 0;
        target.accept(original);
        runs++;
        for (int i = 1; i <= 16; i++) {
            target.accept(Arrays.copyOf(original, (int) ((long) original.length * i / 17)));
            runs++;
        }
        for (int i = 0; i < 32; i++) {
            byte[] copy = original.clone();
            int changes = 1 + random.nextInt(16);
            // aim half the changes at the first KB, where headers and sizes live
            for (int k = 0; k < changes; k++) {
                int at = k % 2 == 0 ? random.nextInt(Math.min(1024, copy.length)) : random.nextInt(copy.length);
                copy[at] = (byte) random.nextInt(256);
            }
            target.accept(copy);
            runs++;
        }
        return runs;
    }
}
