package dev.convlens.cli;

import dev.convlens.FeatureMap;
import dev.convlens.Inspection;
import dev.convlens.Inspector;
import dev.convlens.Request;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code convlens grids MODEL IMAGE...}: every layer's channels as a grid, a PNG per layer and image. */
@Command(name = "grids", mixinStandardHelpOptions = true,
        description = "Draws each layer's channels as a grid of small pictures, a PNG per layer.")
final class GridsCommand implements Callable<Integer> {
    @Mixin
    ImageOptions input;

    @Mixin
    DrawingOptions drawing;

    @Mixin
    Labels labels;

    @Option(names = "--out", paramLabel = "DIR", description = "where the PNGs go, a folder per image when there"
            + " are several (default: ${DEFAULT-VALUE})")
    Path out = Path.of("out");

    @Option(names = "--values", description = "also write each layer's activations, float32 [C, H, W], as an .npy"
            + " file beside its grid (numpy.load reads it)")
    boolean values;

    @Option(names = "--json", description = "print one JSON line per image: prediction, files and per-layer"
            + " statistics (mean, max, fraction of zeros, non-finite count)")
    boolean json;

    @Override
    public Integer call() {
        List<Path> files = input.files();
        Outputs outputs = new Outputs(out, files);
        Outputs.createFolder(out);
        PrintWriter print = input.out();
        try (Inspector inspector = input.open(files.size())) {
            List<String> layers = drawing.layers(inspector);
            int failed = Batch.run("drawing", files, input.workers(files.size()), input.err(), image -> {
                Request request = drawing.apply(layers, input.request(inspector, image));
                Inspection result = request.inspect();
                List<Path> written = result.writeGrids(outputs.folder(image), drawing.perRow);
                for (int l = 0; values && l < written.size(); l++) {
                    FeatureMap map = result.activations().get(l);
                    String png = written.get(l).getFileName().toString();
                    Npy.write(written.get(l).resolveSibling(png.substring(0, png.length() - 4) + ".npy"),
                            new long[] {map.channels(), map.height(), map.width()}, map.values());
                }
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("image", image.toString());
                line.put("prediction", labels.predictionJson(result.output()));
                line.put("files", written.stream().map(Path::toString).toList());
                if (json) {
                    line.put("layers", result.activations().stream().map(m -> LayerStats.of(m).json()).toList());
                    return Json.write(line);
                }
                return image + ": " + labels.prediction(result.output()) + "; "
                        + Messages.count(written.size(), "grid") + " in "
                        + outputs.folder(image);
            }, (index, image, text) -> print.println(text)).size();
            return failed == 0 ? 0 : 1;
        }
    }

    /** How layers are drawn: which layers, how many channels a row, and their {@link Rendering}. */
    static final class DrawingOptions {
        @Option(names = "--layers", split = ",", paramLabel = "LAYER",
                description = "layer names, globs ('conv2d_*') or indexes (-1 the last); default: every spatial"
                        + " convolution")
        List<String> layers = new ArrayList<>();

        @Option(names = "--per-row", paramLabel = "N", description = "channels a row (default: ${DEFAULT-VALUE})")
        int perRow = 16;

        @Mixin
        Rendering rendering;

        /** The layer names, checked against the model; empty for the default set. */
        List<String> layers(Inspector inspector) {
            if (perRow < 1) {
                throw new ConvLens.UsageException("--per-row must be at least 1, was " + perRow);
            }
            rendering.check();
            return layers.isEmpty() ? List.of() : ModelOptions.layers(inspector, "--layers", layers);
        }

        Request apply(List<String> names, Request request) {
            Request drawn = rendering.apply(request);
            return names.isEmpty() ? drawn : drawn.layers(names.toArray(String[]::new));
        }
    }
}
