package dev.convlens.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code java} block of the README and of docs/, run as it is written: in JShell, in a folder where the files it names exist
 * ({@code model.onnx} is the shipped model, {@code model_nchw.onnx} its NCHW export, {@code dog.jpg} and
 * {@code cat.jpg} the shipped photo; {@code ultraface.onnx} and {@code portrait.jpg} come from ../shared, and the
 * blocks that name them skip, saying so, without it), after a prelude of imports and an {@code inspector} on
 * {@code model.onnx} for the blocks that continue an earlier one. A block that does not compile, names something
 * undefined, or throws fails the build.
 */
class ReadmeSnippetsTest {
    private static final Path REPOSITORY = Path.of(System.getProperty("convlens.repository", "../.."));
    /** Files of ../shared that some blocks name, by the name they use. */
    private static final Map<String, String> SHARED = Map.of(
            "ultraface.onnx", "models/wild/ultraface_rfb320_pytorch_op9.onnx",
            "portrait.jpg", "images/face_grace_hopper_517x606.jpg");
    private static final Pattern JAVA_BLOCK = Pattern.compile("(?s)```java\\n(.*?)```");
    private static final List<String> PRELUDE = List.of("import dev.convlens.*;", "import java.awt.image.*;",
            "import java.io.*;", "import java.nio.file.*;", "import java.util.*;", "import javax.imageio.*;",
            "Inspector inspector = Inspector.of(Path.of(\"model.onnx\"));");
    private static JShell shell;

    @BeforeAll
    static void filesTheSnippetsName() throws IOException {
        Files.copy(REPOSITORY.resolve("models/cats_vs_dogs_small.onnx"), Path.of("model.onnx"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.copy(REPOSITORY.resolve("models/cats_vs_dogs_small_nchw.onnx"), Path.of("model_nchw.onnx"),
                StandardCopyOption.REPLACE_EXISTING);
        BufferedImage photo = ImageIO.read(REPOSITORY.resolve("examples/images/chelsea.png").toFile());
        for (String name : List.of("dog.jpg", "cat.jpg")) {
            ImageIO.write(photo, "jpg", new File(name));
        }
        Path shared = Path.of(System.getProperty("convlens.shared", REPOSITORY.resolve("../shared").toString()));
        for (Map.Entry<String, String> e : SHARED.entrySet()) {
            if (Files.exists(shared.resolve(e.getValue()))) {
                Files.copy(shared.resolve(e.getValue()), Path.of(e.getKey()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        shell = JShell.builder().executionEngine("local").build();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            shell.addToClasspath(entry);
        }
        for (String line : PRELUDE) {
            run(line);
        }
    }

    @AfterAll
    static void close() {
        run("inspector.close();");
        shell.close();
    }

    /** The pages whose java blocks run, in the order a reader meets them (later blocks use earlier ones). */
    static final List<String> PAGES = List.of("README.md", "docs/api.md", "docs/methods.md", "docs/explainers.md",
            "docs/command-line.md", "docs/errors.md", "docs/performance.md", "docs/architecture.md");

    @TestFactory
    Stream<DynamicTest> everyJavaBlockOfTheReadmeAndTheDocsRuns() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String page : PAGES) {
            Matcher blocks = JAVA_BLOCK.matcher(Files.readString(REPOSITORY.resolve(page)));
            while (blocks.find()) {
                String block = blocks.group(1);
                String name = page + ": " + block.lines().findFirst().orElse("").strip();
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    for (String file : SHARED.keySet()) {
                        if (block.contains("\"" + file + "\"") && !Files.exists(Path.of(file))) {
                            System.out.println("skipped a block of " + page + ": it names " + file
                                    + ", from ../shared, absent");
                            org.junit.jupiter.api.Assumptions.assumeTrue(false, file + " is absent");
                        }
                    }
                    run(block);
                }));
            }
        }
        assertThat(tests).as("java blocks in README.md and docs/").hasSizeGreaterThanOrEqualTo(8);
        return tests.stream();
    }

    /** Evaluates source snippet by snippet, failing on the first that is rejected, unresolved or throws. */
    private static void run(String source) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = source;
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            assertThat(info.completeness().isComplete()).as("a complete statement in:%n%s", remaining).isTrue();
            for (SnippetEvent event : shell.eval(info.source())) {
                String what = info.source().strip();
                assertThat(event.exception()).as("%s%nthrew", what).isNull();
                if (event.status() != Snippet.Status.VALID && event.status() != Snippet.Status.OVERWRITTEN) {
                    throw new AssertionError(what + "\n" + event.status() + ": " + diagnostics(event.snippet()));
                }
            }
            remaining = info.remaining();
        }
    }

    private static String diagnostics(Snippet snippet) {
        String unresolved = snippet instanceof DeclarationSnippet d
                ? shell.unresolvedDependencies(d).collect(Collectors.joining(", ")) : "";
        return shell.diagnostics(snippet).map(d -> d.getMessage(Locale.ROOT)).collect(Collectors.joining("; "))
                + (unresolved.isEmpty() ? "" : " unresolved: " + unresolved);
    }
}
