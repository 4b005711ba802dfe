package dev.convlens.cli;

import dev.convlens.Faithfulness;
import dev.convlens.HeatmapMethod;
import dev.convlens.Recommendation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code convlens recommend MODEL FOLDER [--json]}: which layer and which method to believe, the candidate pairs
 * ranked by their faithfulness over the images, and whether the metrics agree.
 */
@Command(name = "recommend", mixinStandardHelpOptions = true,
        description = "Ranks (layer, method) pairs by how faithful their heatmaps are over the images (deletion,"
                + " insertion, ROAD in both orders) and says whether the metrics agree on the best.")
final class RecommendCommand implements Callable<Integer> {
    @Mixin
    Explaining explaining;

    @Option(names = "--methods", split = ",", paramLabel = "METHOD", converter = Converters.Heatmap.class,
            completionCandidates = Converters.HeatmapNames.class,
            description = "heatmap methods to weigh: ${COMPLETION-CANDIDATES} (default: the fast ones, grad-cam,"
                    + " grad-cam-plus-plus, xgrad-cam, hires-cam, layer-cam, eigen-cam)")
    List<HeatmapMethod> methods;

    @Option(names = "--layers", split = ",", paramLabel = "LAYER", description = "candidate layers: names, segments,"
            + " op types or globs (default: the last three spatial convolution and merge layers)")
    List<String> layers;

    @Option(names = "--steps", paramLabel = "N", description = "deletion and insertion steps (default: 20)")
    int steps = Faithfulness.defaults().steps();

    @Option(names = "--json", description = "print one JSON line per image, then one for all of them: its ranking,"
            + " a list of entries with layer, method, deletion_auc, insertion_auc, road_morf, road_lerf,"
            + " road_combined, heatmap_ms, evaluation_ms and agree; agree and best for the ranking")
    boolean json;

    @Override
    public Integer call() {
        Faithfulness protocol = Faithfulness.defaults().steps(steps).modelRandomization(false);
        List<Recommendation> each = Collections.synchronizedList(new ArrayList<>());
        int code = explaining.each("recommending", "--layers", layers, (request, image) -> {
            Recommendation r = methods == null ? request.recommend(protocol) : request.recommend(protocol, methods);
            each.add(r);
            Recommendation.Candidate first = r.ranking().get(0);
            return json ? Json.write(line(image, r)) : String.format(Locale.ROOT, "%s: %d candidate%s, first by mean"
                    + " rank %s on %s; the metrics %s", image, r.ranking().size(), r.ranking().size() == 1 ? "" : "s",
                    Converters.name(first.method()), first.layer(), r.agree() ? "agree" : "disagree");
        });
        if (!each.isEmpty()) {
            Recommendation all = Recommendation.combine(each);
            explaining.out().println(json ? Json.write(line(null, all)) : all);
            explaining.out().flush();
        }
        return code;
    }

    /** The JSON of one image's recommendation, or of all images' where image is null. */
    private static Map<String, Object> line(Path image, Recommendation r) {
        Map<String, Object> line = new LinkedHashMap<>();
        if (image != null) {
            line.put("image", image.toString());
        } else {
            line.put("images", r.images());
        }
        line.put("agree", r.agree());
        line.put("best", r.best().map(c -> {
            Map<String, Object> best = new LinkedHashMap<>();
            best.put("layer", c.layer());
            best.put("method", Converters.name(c.method()));
            return best;
        }).orElse(null));
        List<Map<String, Object>> ranking = new ArrayList<>();
        for (Recommendation.Candidate c : r.ranking()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("layer", c.layer());
            entry.put("method", Converters.name(c.method()));
            entry.put("deletion_auc", c.deletionArea());
            entry.put("insertion_auc", c.insertionArea());
            entry.put("road_morf", c.roadMostRelevantFirst());
            entry.put("road_lerf", c.roadLeastRelevantFirst());
            entry.put("road_combined", c.roadCombined());
            entry.put("heatmap_ms", c.heatmapTime().toNanos() / 1e6);
            entry.put("evaluation_ms", c.evaluationTime().toNanos() / 1e6);
            entry.put("agree", c.agrees());
            ranking.add(entry);
        }
        line.put("ranking", ranking);
        line.put("protocol", r.protocol().toString());
        return line;
    }
}
