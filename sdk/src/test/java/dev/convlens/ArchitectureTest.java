package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The package rules of the README's architecture section, checked on the sources' imports. */
class ArchitectureTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/convlens");
    private static final Pattern IMPORT = Pattern.compile("^import (static )?([\\w.]+)(\\.\\*)?;", Pattern.MULTILINE);
    /**
     * What implementation packages may use of the API package: its exceptions, plain option values, and the progress
     * callback the API hands down.
     */
    private static final Set<String> API_LEAVES = Set.of("ConvLensException", "ModelException",
            "UnsupportedModelException", "ImageException", "ImageTooLargeException", "InferenceException",
            "LayerNotFoundException", "CancelledException", "Colormap", "Contrast", "Interpolation", "Layout",
            "Preprocessing", "HeatmapMethod", "HeatmapOptions", "AttributionMethod", "ExplanationMethod", "Target",
            "ProgressListener");
    /** The only files that touch AWT or ImageIO: decoding, and wrapping pixels into BufferedImage at the API. */
    private static final Set<String> AWT_ALLOWED = Set.of("image/Decoder.java", "image/Icon.java", "Inspector.java",
            "Request.java", "Heatmap.java", "Inspection.java", "Source.java", "Pictures.java", "Patterns.java",
            "FilterPattern.java");

    record Import(String file, String name) {
    }

    private static List<Import> imports() throws IOException {
        List<Import> all = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = IMPORT.matcher(Files.readString(f));
                while (m.find()) {
                    all.add(new Import(SOURCES.relativize(f).toString().replace('\\', '/'), m.group(2)));
                }
            }
        }
        assertThat(all).isNotEmpty();
        return all;
    }

    @Test
    void awtAndImageIoStayAtTheEdges() throws IOException {
        assertThat(imports()).filteredOn(i -> i.name().startsWith("java.awt") || i.name().startsWith("javax.imageio"))
                .allSatisfy(i -> assertThat(AWT_ALLOWED).as(i.file() + " imports " + i.name()).contains(i.file()));
    }

    @Test
    void onlyTheRuntimePackageTouchesOnnxRuntime() throws IOException {
        assertThat(imports()).filteredOn(i -> i.name().startsWith("ai.onnxruntime"))
                .allSatisfy(i -> assertThat(i.file()).startsWith("runtime/"));
    }

    @Test
    void implementationPackagesUseOnlyTheApisExceptionsAndOptionValues() throws IOException {
        assertThat(imports()).filteredOn(i -> i.file().contains("/"))
                .filteredOn(i -> i.name().matches("dev\\.convlens\\.[A-Z]\\w*"))
                .allSatisfy(i -> assertThat(API_LEAVES).as(i.file() + " imports " + i.name())
                        .contains(i.name().substring("dev.convlens.".length())));
    }

    @Test
    void everyPackageSaysWhatItHolds() throws IOException {
        try (Stream<Path> dirs = Files.walk(SOURCES)) {
            assertThat(dirs.filter(Files::isDirectory).toList())
                    .allSatisfy(d -> assertThat(d.resolve("package-info.java")).exists());
        }
    }
}
