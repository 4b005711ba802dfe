package dev.convlens.cli;

import dev.convlens.Colormap;
import dev.convlens.Heatmap;
import dev.convlens.Request;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * What {@code heatmap} and {@code attribution} share besides {@link Explaining}: where the overlays go and how they
 * are drawn ({@code chelsea_grad-cam.png}).
 */
final class Explanations extends Explaining {
    @Option(names = "--out", paramLabel = "DIR", description = "where the overlays go (default: ${DEFAULT-VALUE})")
    Path out = Path.of("out");

    @Option(names = "--alpha", paramLabel = "A", description = "draw the overlay as a blend, (1 - A) * image + A *"
            + " jet(heat), A from 0 to 1 (default: the book's, jet at 0.4 added to the image and rescaled)")
    Float alpha;

    @Option(names = "--colormap", paramLabel = "NAME", description = "the heat's colors: ${COMPLETION-CANDIDATES}"
            + " (default: jet, as the book)")
    Colormap colormap = Colormap.JET;

    @Option(names = "--values", description = "also write the map's values, float32 [h, w], as NAME_METHOD.npy"
            + " beside the overlay (numpy.load reads it)")
    boolean values;

    @Option(names = "--json", description = "print one JSON line per image: class, score, layer, file")
    boolean json;

    /**
     * Explains each image with one method and writes its overlay on the image.
     *
     * @param layers the {@code --layer} given, or null for the method's default (or a method that takes none)
     */
    int run(String method, List<String> layers, Function<Request, Heatmap> explain) {
        Outputs.createFolder(out);
        if (alpha != null && !(alpha >= 0 && alpha <= 1)) {
            throw new ConvLens.UsageException("--alpha must be 0 to 1, was " + alpha);
        }
        Outputs names = new Outputs(out, files());
        return each("explaining", "--layer", layers, (request, image) -> {
            Heatmap heatmap = explain.apply(request);
            Path file = out.resolve(names.name(image) + "_" + method + ".png");
            Outputs.png(alpha == null ? heatmap.overlay(colormap) : heatmap.overlay(colormap, alpha), file);
            if (values) {
                Npy.write(out.resolve(names.name(image) + "_" + method + ".npy"),
                        new long[] {heatmap.height(), heatmap.width()}, heatmap.values());
            }
            if (json) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("image", image.toString());
                line.put("method", method);
                if (TargetOption.usesLayer(heatmap.method())) {
                    line.put("layer", layers(heatmap));
                }
                line.put("target", heatmap.target().toString());
                line.put("class", heatmap.targetClass());
                if (heatmap.targetClass() >= 0 && heatmap.targetClass() < labels.labels.size()) {
                    line.put("label", labels.labels.get(heatmap.targetClass()));
                }
                line.put("score", heatmap.score());
                line.put("file", file.toString());
                return Json.write(line);
            }
            return image + ": " + describe(method, heatmap) + " -> " + file;
        });
    }
}
