package dev.convlens.cli;

import dev.convlens.Colormap;
import dev.convlens.ExplanationMethod;
import dev.convlens.Heatmap;
import dev.convlens.Inspector;
import dev.convlens.Request;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code heatmap} and {@code attribution} share: the class to explain, where the overlays go,
 * and the batch that writes them ({@code chelsea_grad-cam.png}).
 */
final class Explanations extends ImageOptions {
    @Mixin
    Labels labels;

    @Mixin
    TargetOption target;

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
     * {@code grad-cam of cat (class 0), score 0.574, on conv2d_4 (7x7)}: what the map explains and where it was
     * taken; Eigen-CAM explains no class, and occlusion and the attributions take no layer. A map of zeros says so:
     * its overlay is the plain image.
     */
    String describe(String method, Heatmap heatmap) {
        ExplanationMethod m = heatmap.method();
        String what = !TargetOption.needsClass(m) ? " of no class (the layer's first principal component)"
                : String.format(Locale.ROOT, " of %s, score %.3f", target.explained(heatmap, labels),
                        heatmap.score());
        String where = TargetOption.usesLayer(m) ? ", on " + heatmap.layer().name() : ", on the input";
        boolean blank = true;
        for (float v : heatmap.values()) {
            blank &= !(v > 0);
        }
        return method + what + where + " (" + heatmap.width() + "x" + heatmap.height() + ")" + (blank ? "; the map is"
                + " 0 everywhere, the overlay plain: nothing there raises the score (try another --layer or method)"
                : "");
    }

    /**
     * Explains each image with one method and writes its overlay on the image.
     *
     * @param layer the {@code --layer} given, or null for the method's default (or a method that takes none)
     */
    int run(String method, String layer, Function<Request, Heatmap> explain) {
        List<Path> files = files();
        PrintWriter print = out();
        Outputs.createFolder(out);
        if (alpha != null && !(alpha >= 0 && alpha <= 1)) {
            throw new ConvLens.UsageException("--alpha must be 0 to 1, was " + alpha);
        }
        try (Inspector inspector = open(files.size())) {
            String name = layer == null ? null : ModelOptions.layers(inspector, "--layer", List.of(layer)).get(0);
            String noClass = target.choice == null ? firstOutputs(inspector, files).map(target::noClass).orElse(null)
                    : null;
            if (noClass != null) {
                throw new ConvLens.UsageException(noClass);
            }
            Outputs names = new Outputs(out, files);
            int failed = Batch.run("explaining", files, workers(files.size()), err(), image -> {
                Request request = request(inspector, image);
                request = name == null ? request : request.layers(name);
                Heatmap heatmap = explain.apply(target.aim(request));
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
                        line.put("layer", heatmap.layer().name());
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
            }, (index, image, text) -> print.println(text)).size();
            return failed == 0 ? 0 : 1;
        }
    }
}
