package dev.convlens.cli;

import dev.convlens.AttributionMethod;
import dev.convlens.Evaluation;
import dev.convlens.ExplanationMethod;
import dev.convlens.Faithfulness;
import dev.convlens.Heatmap;
import dev.convlens.HeatmapMethod;
import dev.convlens.Localisation;
import dev.convlens.Region;
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
 * each image, by deletion, insertion and ROAD, and whether it passes the model-randomisation check.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Measures how faithful heatmaps are to the model: deletion and insertion areas, ROAD in both"
                + " orders and combined, and the model-randomisation check (whether the map changes when the model's"
                + " weights are random).")
final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    Explaining explaining;

    @Option(names = "--methods", split = ",", paramLabel = "METHOD", converter = Converters.Explanation.class,
            completionCandidates = Converters.ExplanationNames.class,
            description = "heatmap or attribution methods: ${COMPLETION-CANDIDATES} (default: grad-cam,random-cam,"
                    + " the random baseline to compare with)")
    List<ExplanationMethod> methods = List.of(HeatmapMethod.GRAD_CAM, HeatmapMethod.RANDOM_CAM);

    @Option(names = "--layer", paramLabel = "LAYER", description = "the layer: a name or an index, -1 the last"
            + " (default: each method's)")
    String layer;

    @Option(names = "--steps", paramLabel = "N", description = "deletion and insertion steps (default: 20)")
    int steps = Faithfulness.defaults().steps();

    @Option(names = "--noise", paramLabel = "X", description = "ROAD's noise on imputed values, in the model"
            + " input's units (default: 0.01, seed 42)")
    float noise = Faithfulness.defaults().noise();

    @Option(names = "--no-mprt", description = "skip the model-randomisation check, which computes the heatmap again"
            + " once per weighted layer")
    boolean noRandomization;

    @Option(names = "--box", split = ",", paramLabel = "X,Y,W,H", description = "where the object is, in the"
            + " image's pixels (left, top, width, height), for the pointing game and the energy inside it")
    List<Integer> box;

    @Option(names = "--json", description = "print one JSON line per image and method: deletion_auc, insertion_auc,"
            + " road_morf, road_lerf, road_combined, confidence_change, mprt, mprt_flagged, mprt_layers, with --box pointing_game,"
            + " energy and energy_uniform, the curves, the protocol, and the cost: runs, imputations, seconds")
    boolean json;

    @Override
    public Integer call() {
        Faithfulness protocol = Faithfulness.defaults().steps(steps).noise(noise, Faithfulness.defaults().seed())
                .modelRandomization(!noRandomization);
        if (box != null && box.size() != 4) {
            throw new ConvLens.UsageException("--box takes four numbers, X,Y,WIDTH,HEIGHT in the image's pixels; was "
                    + box.size());
        }
        Region region;
        try {
            region = box == null ? null : Region.box(box.get(0), box.get(1), box.get(2), box.get(3));
        } catch (IllegalArgumentException e) {
            throw new ConvLens.UsageException("--box: " + e.getMessage());
        }
        List<String> given = layer == null ? null : List.of(layer);
        return explaining.each("evaluating", "--layer", given, (request, image) -> {
            List<String> lines = new ArrayList<>();
            for (ExplanationMethod method : methods) {
                Heatmap heatmap = method instanceof HeatmapMethod m ? request.heatmap(m)
                        : request.attribution((AttributionMethod) method);
                Localisation where = region == null ? null : heatmap.localisation(region); // a bad box fails first
                Evaluation e = request.evaluate(heatmap, protocol);
                String name = Converters.name((Enum<?>) method);
                if (json) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("image", image.toString());
                    line.put("method", name);
                    if (TargetOption.usesLayer(method)) {
                        line.put("layer", Explaining.layers(heatmap));
                    }
                    line.put("target", heatmap.target().toString());
                    line.put("score", e.score());
                    line.put("deletion_auc", e.deletionArea());
                    line.put("insertion_auc", e.insertionArea());
                    line.put("road_morf", e.roadMostRelevantFirst());
                    line.put("road_lerf", e.roadLeastRelevantFirst());
                    line.put("road_combined", e.roadCombined());
                    line.put("confidence_change", e.confidenceChange());
                    e.randomization().ifPresent(r -> {
                        line.put("mprt", r.similarity());
                        line.put("mprt_flagged", !r.passes());
                        List<Map<String, Object>> layers = new ArrayList<>();
                        for (int k = 0; k < r.layers().size(); k++) {
                            Map<String, Object> step = new LinkedHashMap<>();
                            step.put("layer", r.layers().get(k));
                            step.put("similarity", r.similarities()[k]);
                            layers.add(step);
                        }
                        line.put("mprt_layers", layers);
                    });
                    if (where != null) {
                        line.put("pointing_game", where.hit());
                        line.put("energy", where.energy());
                        line.put("energy_uniform", where.area());
                    }
                    line.put("deletion", Arrays.stream(e.deletion()).boxed().toList());
                    line.put("insertion", Arrays.stream(e.insertion()).boxed().toList());
                    line.put("protocol", protocol.toString());
                    line.put("runs", e.runs());
                    line.put("imputations", e.imputations());
                    line.put("seconds", e.time().toNanos() / 1e9);
                    lines.add(Json.write(line));
                } else {
                    lines.add(String.format(Locale.ROOT, "%s: %s: deletion %.4f (lower is better), insertion %.4f"
                            + " (higher), ROAD most relevant first %.4f (lower), least relevant first %.4f (higher),"
                            + " combined %.4f (higher), confidence change %.4f (higher)%s%s", image,
                            explaining.describe(name, heatmap), e.deletionArea(), e.insertionArea(),
                            e.roadMostRelevantFirst(), e.roadLeastRelevantFirst(), e.roadCombined(),
                            e.confidenceChange(), e.randomization().map(r -> String.format(Locale.ROOT, "; model"
                                    + " randomisation %.3f (lower)%s", r.similarity(), r.passes() ? ""
                                    : ", FLAGGED: the map hardly changes when the model's weights are random"))
                                    .orElse(""), where == null ? "" : String.format(Locale.ROOT, "; pointing game %s,"
                                    + " energy %.4f inside the box (higher; %.4f spread evenly)",
                                    where.hit() ? "hit" : "miss", where.energy(), where.area())));
                }
            }
            return String.join(System.lineSeparator(), lines);
        });
    }
}
