package dev.convlens.cli;

import dev.convlens.Prediction;
import dev.convlens.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --labels}: the class names of the commands that print a class. */
final class Labels {
    @Option(names = "--labels", split = ",", paramLabel = "NAME",
            description = "class names, in the order of the model's scores (cat,dog for the shipped model)")
    List<String> labels = List.of();

    /** {@code cat (class 0)}, or {@code class 3} without a name for it. */
    String name(int classIndex) {
        return classIndex >= 0 && classIndex < labels.size() ? labels.get(classIndex) + " (class " + classIndex + ")"
                : "class " + classIndex;
    }

    /**
     * Whether an output looks like a classifier's scores: numbers along at most one axis longer than 1 ({@code [1,
     * 1000]}, {@code [1, 1]} for one sigmoid); a picture, boxes or a map have more.
     */
    static boolean classScores(Tensor output) {
        return output.numeric() && output.size() > 0 && Arrays.stream(output.shape()).filter(d -> d > 1).count() <= 1;
    }

    /**
     * {@code cat, 0.97}: the first output read as a classifier's, named by {@code --labels} where given; for an
     * output that is not class scores, its name and shape, and no class.
     */
    String prediction(Tensor output) {
        if (!output.numeric() || output.size() == 0) {
            return "output '" + output.name() + "' holds " + output.type() + " values";
        }
        if (!classScores(output)) {
            return "output '" + output.name() + "' " + Arrays.toString(output.shape()) + ", not class scores";
        }
        Prediction p = output.prediction();
        return String.format(Locale.ROOT, "%s, %.2f", p.classIndex() < labels.size() ? labels.get(p.classIndex())
                : "class " + p.classIndex(), p.probability());
    }

    /** The prediction as JSON: class (and its label), probability, and the scores where there are at most 10. */
    Map<String, Object> predictionJson(Tensor output) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("output", output.name());
        m.put("shape", Arrays.stream(output.shape()).boxed().toList());
        m.put("classScores", classScores(output));
        if (classScores(output)) {
            Prediction p = output.prediction();
            m.put("class", p.classIndex());
            if (p.classIndex() < labels.size()) {
                m.put("label", labels.get(p.classIndex()));
            }
            m.put("probability", p.probability());
            if (output.size() <= 10) {
                List<Float> scores = new ArrayList<>();
                for (float v : output.values()) {
                    scores.add(v);
                }
                m.put("scores", scores);
            }
        }
        return m;
    }
}
