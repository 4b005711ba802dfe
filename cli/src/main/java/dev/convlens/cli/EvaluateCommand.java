package dev.convlens.cli;

import dev.convlens.Evaluation;
import dev.convlens.Faithfulness;
import dev.convlens.Heatmap;
import dev.convlens.HeatmapMethod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code convlens evaluate MODEL IMAGE... --methods grad-cam,random-cam}: how faithful each method's heatmap is on
 * each image, by deletion, insertion and ROAD.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Measures how faithful heatmaps are to the model: deletion and insertion areas, ROAD in both"
                + " orders and combined.")
final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    Explaining explaining;

    @Option(names = "--methods", split = ",", paramLabel = "METHOD", converter = Converters.Heatmap.class,
            completionCandidates = Converters.HeatmapNames.class,
            description = "heatmap methods: ${COMPLETION-CANDIDATES} (default: grad-cam,random-cam, the random"
                    + " baseline to compare with)")
    List<HeatmapMethod> methods = List.of(HeatmapMethod.GRAD_CAM, HeatmapMethod.RANDOM_CAM);

    @Option(names = "--layer", paramLabel = "LAYER", description = "the layer: a name or an index, -1 the last"
            + " (default: each method's)")
    String layer;

    @Option(names = "--steps", paramLabel = "N", description = "deletion and insertion steps (default: 20)")
    int steps = Faithfulness.defaults().steps();

    @Option(names = "--noise", paramLabel = "X", description = "ROAD's noise on imputed values, in the model"
            + " input's units (default: 0.01, seed 42)")
    float noise = Faithfulness.defaults().noise();

    @Option(names = "--json", description = "print one JSON line per image and method: deletion_auc, insertion_auc,"
            + " road_morf, road_lerf, road_combined, the curves and the protocol")
    boolean json;

    @Override
    public Integer call() {
        Faithfulness protocol = Faithfulness.defaults().steps(steps).noise(noise, Faithfulness.defaults().seed());
        return explaining.each("evaluating", layer, (request, image) -> {
            List<String> lines = new ArrayList<>();
            for (HeatmapMethod method : methods) {
                Heatmap heatmap = request.heatmap(method);
                Evaluation e = request.evaluate(heatmap, protocol);
                String name = Converters.name(method);
                if (json) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("image", image.toString());
                    line.put("method", name);
                    if (TargetOption.usesLayer(method)) {
                        line.put("layer", heatmap.layer().name());
                    }
                    line.put("target", heatmap.target().toString());
                    line.put("score", e.score());
                    line.put("deletion_auc", e.deletionArea());
                    line.put("insertion_auc", e.insertionArea());
                    line.put("road_morf", e.roadMostRelevantFirst());
                    line.put("road_lerf", e.roadLeastRelevantFirst());
                    line.put("road_combined", e.roadCombined());
                    line.put("deletion", Arrays.stream(e.deletion()).boxed().toList());
                    line.put("insertion", Arrays.stream(e.insertion()).boxed().toList());
                    line.put("protocol", protocol.toString());
                    lines.add(Json.write(line));
                } else {
                    lines.add(String.format(Locale.ROOT, "%s: %s: deletion %.4f (lower is better), insertion %.4f"
                            + " (higher), ROAD most relevant first %.4f (lower), least relevant first %.4f (higher),"
                            + " combined %.4f (higher)", image, explaining.describe(name, heatmap), e.deletionArea(),
                            e.insertionArea(), e.roadMostRelevantFirst(), e.roadLeastRelevantFirst(),
                            e.roadCombined()));
                }
            }
            return String.join(System.lineSeparator(), lines);
        });
    }
}
