package dev.convlens;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The model-randomisation sanity check (Adebayo et al. 2018; Quantus's {@code MPRT}) of one heatmap: the same method
 * on the same image, for the same class, with the model's weighted layers replaced by random ones from the top, one
 * more layer at a time (Quantus's {@code top_down} cascade), and how much each map still resembles the heatmap
 * (Spearman's rank correlation). A method
 * that explains the model gives a different map once the model is different; one whose map stays the same (guided
 * backpropagation, say) draws the image's edges, whatever the model. Part of an {@link Evaluation}. Immutable.
 *
 * <pre>{@code
 * Randomization r = request.evaluate(heatmap).randomization().orElseThrow();
 * if (!r.passes()) System.out.println(heatmap.method() + " hardly depends on the model: " + r);
 * }</pre>
 */
public final class Randomization {
    private final List<String> layers;
    private final double[] similarities;
    private final double threshold;

    Randomization(List<String> layers, double[] similarities, double threshold) {
        this.layers = List.copyOf(layers);
        this.similarities = similarities.clone();
        this.threshold = threshold;
    }

    /**
     * Returns the layers randomized, from the top: the k-th map was computed with the first k of them random.
     *
     * @return the layer names, the last layer first
     */
    public List<String> layers() {
        return layers;
    }

    /**
     * Returns each map's similarity to the heatmap, in the order of {@link #layers()}.
     *
     * @return a copy of Spearman's rank correlations, -1 to 1 (a constant map counts 0)
     */
    public double[] similarities() {
        return similarities.clone();
    }

    /**
     * Returns the mean similarity over the cascade, Quantus's {@code return_average_correlation}: lower is better. It
     * counts how long the map resists the randomization, not only where it ends: a map that stays the same while
     * the top layers, which decide the class, are random, and changes only when the first layers are, draws the
     * image rather than the model's decision.
     *
     * @return the mean of {@link #similarities()}, -1 to 1
     */
    public double similarity() {
        double sum = 0;
        for (double s : similarities) {
            sum += s;
        }
        return sum / similarities.length;
    }

    /**
     * Returns the similarity of the map of the fully randomized model to the heatmap: lower is better (Quantus's
     * {@code return_last_correlation}).
     *
     * @return Spearman's rank correlation, -1 to 1
     */
    public double lastSimilarity() {
        return similarities[similarities.length - 1];
    }

    /**
     * Returns whether the map changed with the model: its mean similarity over the cascade is below the threshold
     * ({@link Faithfulness#randomizationThreshold()}).
     *
     * @return false where the method is flagged
     */
    public boolean passes() {
        return similarity() < threshold;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Randomization other && other.layers.equals(layers)
                && Arrays.equals(other.similarities, similarities) && other.threshold == threshold;
    }

    @Override
    public int hashCode() {
        return Objects.hash(layers, Arrays.hashCode(similarities), threshold);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "model randomisation: mean similarity %.3f to"
                + " the maps of the randomized models (lower is better; %s at threshold %.2f), %.3f to the fully"
                + " randomized one's; from the top:", similarity(),
                passes() ? "passes" : "FLAGGED: the map hardly depends on the model", threshold, lastSimilarity()));
        for (int k = 0; k < layers.size(); k++) {
            s.append(String.format(Locale.ROOT, " %s %.3f%s", layers.get(k), similarities[k],
                    k + 1 < layers.size() ? "," : ""));
        }
        return s.toString();
    }
}
