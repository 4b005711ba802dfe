package dev.convlens.cli;

import dev.convlens.HeatmapMethod;
import dev.convlens.HeatmapOptions;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code convlens heatmap MODEL IMAGE... --method grad-cam}: where the model looks, over each image. */
@Command(name = "heatmap", mixinStandardHelpOptions = true,
        description = "Draws a class activation heatmap over each image (Grad-CAM and friends).")
final class HeatmapCommand implements Callable<Integer> {
    @Mixin
    Explanations explanations;

    @Option(names = "--method", paramLabel = "METHOD", converter = Converters.Heatmap.class,
            completionCandidates = Converters.HeatmapNames.class,
            description = "${COMPLETION-CANDIDATES} (default: grad-cam)")
    HeatmapMethod method = HeatmapMethod.GRAD_CAM;

    @Option(names = "--layer", split = ",", paramLabel = "LAYER", description = "the layer: a name or an index, -1"
            + " the last (a spatial one: a dense layer has no positions; default: the layer the classifier's global"
            + " pooling reads, else the last spatial convolution the score depends on; occlusion takes none);"
            + " several, comma-separated, are averaged as pytorch-grad-cam's target_layers")
    List<String> layers;

    @Option(names = "--eigen-smooth", description = "project the weighted maps on their first principal component"
            + " instead of summing them (pytorch-grad-cam's eigen_smooth)")
    boolean eigenSmooth;

    @Option(names = "--aug-smooth", description = "average the maps of the image mirrored and not, its values times"
            + " 0.9, 1 and 1.1, each scaled to 0..1 (pytorch-grad-cam's aug_smooth; six times the work)")
    boolean augSmooth;

    @Option(names = "--ablate-below-minimum", description = "ablation-cam: set a channel to the layer's minimum minus"
            + " 1e7 where the layer has negative values, as pytorch-grad-cam does (default: 0, as the paper)")
    boolean belowMinimum;

    @Override
    public Integer call() {
        HeatmapOptions options = HeatmapOptions.defaults();
        options = eigenSmooth ? options.eigenSmooth() : options;
        options = augSmooth ? options.augSmooth() : options;
        options = layers != null && layers.size() > 1 ? options.averageLayers() : options;
        HeatmapOptions chosen = belowMinimum ? options.ablateBelowMinimum() : options;
        return explanations.run(Converters.name(method), layers, r -> r.heatmap(method, chosen));
    }
}
