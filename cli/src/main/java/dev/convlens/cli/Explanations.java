package dev.convlens.cli;

import dev.convlens.Heatmap;
import dev.convlens.Inspector;
import dev.convlens.Request;
import dev.convlens.Target;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * What {@code heatmap} and {@code attribution} share: the class to explain, the layer, where the overlays go,
 * and the batch that writes them ({@code chelsea_grad-cam.png}).
 */
final class Explanations extends ImageOptions {
    @Option(names = "--target", paramLabel = "TARGET", converter = Converters.TargetText.class,
            description = "what to explain: a class (3), or one value of any output by its index, batch first"
                    + " ('scores[0,4271,1]'); default: the predicted class")
    Target target;

    @Option(names = "--layer", paramLabel = "LAYER",
            description = "the layer (default: the last spatial convolution)")
    String layer;

    @Option(names = "--out", paramLabel = "DIR", description = "where the overlays go (default: ${DEFAULT-VALUE})")
    Path out = Path.of("out");

    @Option(names = "--json", description = "print one JSON line per image: class, score, layer, file")
    boolean json;

    /** Explains each image with one method and writes its overlay on the image. */
    int run(String method, Function<Request, Heatmap> explain) {
        List<Path> files = files();
        PrintWriter print = out();
        Outputs.createFolder(out);
        try (Inspector inspector = open(files.size())) {
            if (layer != null) {
                ModelOptions.layers(inspector, List.of(layer));
            }
            Outputs names = new Outputs(out, files);
            int failed = Batch.run(files, workers(files.size()), err(), image -> {
                Request request = request(inspector, image);
                request = layer == null ? request : request.layers(layer);
                Heatmap heatmap = explain.apply(target == null ? request : request.target(target));
                Path file = out.resolve(names.name(image) + "_" + method + ".png");
                Outputs.png(heatmap.overlay(), file);
                if (json) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("image", image.toString());
                    line.put("method", method);
                    line.put("layer", heatmap.layer().name());
                    line.put("target", heatmap.target().toString());
                    line.put("class", heatmap.targetClass());
                    line.put("score", heatmap.score());
                    line.put("file", file.toString());
                    return Json.write(line);
                }
                return String.format(Locale.ROOT, "%s: %s of %s (score %.3f) on %s, %dx%d -> %s", image,
                        method, heatmap.target(), heatmap.score(), heatmap.layer().name(), heatmap.width(),
                        heatmap.height(), file);
            }, (index, image, text) -> print.println(text));
            return failed == 0 ? 0 : 1;
        }
    }
}
