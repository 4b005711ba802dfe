package dev.convlens.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs {@code convlens} in this JVM and keeps what it printed; finds the repository's and ../shared's files. */
record Cli(int code, String out, String err) {
    static final Path REPOSITORY = Path.of(System.getProperty("convlens.repository", "..")).toAbsolutePath()
            .normalize();
    static final Path MODEL = REPOSITORY.resolve("models/cats_vs_dogs_small.onnx");
    static final Path CHELSEA = REPOSITORY.resolve("examples/images/chelsea.png");

    static Cli run(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] strings = java.util.Arrays.stream(args).map(String::valueOf).toArray(String[]::new);
        int code = ConvLens.run(strings, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Cli(code, out.toString(), err.toString());
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
