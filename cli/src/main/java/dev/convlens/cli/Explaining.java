package dev.convlens.cli;

import dev.convlens.ExplanationMethod;
import dev.convlens.Heatmap;
import dev.convlens.HeatmapMethod;
import dev.convlens.Inspector;
import dev.convlens.Layer;
import dev.convlens.Request;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import picocli.CommandLine.Mixin;

/**
 * What {@code heatmap}, {@code attribution} and {@code evaluate} share: the images, the class to explain, and the
 * batch that explains each image.
 */
class Explaining extends ImageOptions {
    @Mixin
    Labels labels;

    @Mixin
    TargetOption target;

    /**
     * {@code grad-cam of cat (class 0), score 0.574, on conv2d_4 (7x7)}: what the map explains and where it was
     * taken; Eigen-CAM explains no class, and occlusion and the attributions take no layer. A map of zeros says so:
     * its overlay is the plain image.
     */
    String describe(String method, Heatmap heatmap) {
        ExplanationMethod m = heatmap.method();
        String noClass = m == HeatmapMethod.RANDOM_CAM ? " of no class (random channel weights, a baseline)"
                : " of no class (the layer's first principal component)";
        String what = !TargetOption.needsClass(m) ? noClass
                : String.format(Locale.ROOT, " of %s, score %.3f", target.explained(heatmap, labels),
                        heatmap.score());
        String where = TargetOption.usesLayer(m) ? ", on " + layers(heatmap) : ", on the input";
        boolean blank = true;
        for (float v : heatmap.values()) {
            blank &= !(v > 0);
        }
        return method + what + where + " (" + heatmap.width() + "x" + heatmap.height() + ")" + (blank ? "; the map is"
                + " 0 everywhere, the overlay plain: nothing there raises the score (try another --layer or method)"
                : "");
    }

    /** The heatmap's layers by name: {@code conv2d_4}, or {@code conv2d_2+conv2d_4} for layers averaged. */
    static String layers(Heatmap heatmap) {
        return heatmap.layers().stream().map(Layer::name).collect(Collectors.joining("+"));
    }

    /**
     * Explains each image: the request of each, on the layers given, aimed at the target, to a line to print.
     *
     * @param option the option that named the layers, for its messages
     * @param layers the layers given, or null for the method's default (or a method that takes none)
     * @return the exit code: 1 if an image failed
     */
    int each(String doing, String option, List<String> layers, BiFunction<Request, Path, String> line) {
        List<Path> files = files();
        PrintWriter print = out();
        try (Inspector inspector = open(files.size())) {
            String[] names = layers == null ? null
                    : ModelOptions.layers(inspector, option, layers).toArray(String[]::new);
            String noClass = target.choice == null ? firstOutputs(inspector, files).map(target::noClass).orElse(null)
                    : null;
            if (noClass != null) {
                throw new ConvLens.UsageException(noClass);
            }
            // one image: its own long work shows its progress; several: the images do
            boolean one = files.size() == 1;
            int failed = Batch.run(doing, files, workers(files.size()), err(), image -> {
                Request request = request(inspector, image);
                request = names == null ? request : request.layers(names);
                request = one ? request.progress(new WorkProgress(err())) : request;
                return line.apply(target.aim(request), image);
            }, (index, image, text) -> print.println(text)).size();
            return failed == 0 ? 0 : 1;
        }
    }
}
