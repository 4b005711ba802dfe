package dev.convlens.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code convlens} as a shell does, in a child JVM of its own with the test class path, and keeps what it wrote
 * to stdout and stderr and its exit code: so that output a writer left unflushed at exit is missed here too. Finds
 * the repository's and ../shared's files.
 */
record Cli(int code, String out, String err) {
    static final Path REPOSITORY = Path.of(System.getProperty("convlens.repository", "..")).toAbsolutePath()
            .normalize();
    static final Path MODEL = REPOSITORY.resolve("models/cats_vs_dogs_small.onnx");
    static final Path CHELSEA = REPOSITORY.resolve("examples/images/chelsea.png");

    static Cli run(Object... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                ConvLens.class.getName()));
        for (Object arg : args) {
            command.add(String.valueOf(arg));
        }
        try {
            Path out = Files.createTempFile("convlens-out", ".txt");
            Path err = Files.createTempFile("convlens-err", ".txt");
            try {
                Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                if (!process.waitFor(10, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("convlens " + String.join(" ", command.subList(5,
                            command.size())) + " still ran after 10 minutes");
                }
                return new Cli(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.delete(out);
                Files.delete(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A folder of ../shared, or the test skips, saying why. */
    static Path shared(String relative) {
        Path root = Path.of(System.getProperty("convlens.shared", "../../shared"));
        Path path = root.resolve(relative);
        if (!Files.exists(path)) {
            System.out.println("skipped: " + path + " is absent (the test material beside the repository)");
        }
        assumeTrue(Files.exists(path), path + " is absent");
        return path;
    }
}
