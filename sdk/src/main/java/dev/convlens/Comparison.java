package dev.convlens;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How far two models of one network see an image apart, layer by layer: a float model against its int8 or float16
 * copy, what someone shipping the copy to a phone wants to see first. Made by {@link Request#compare(Request)}.
 * Immutable.
 *
 * <pre>{@code
 * Comparison drift = float32.image(Path.of("dog.jpg")).compare(float16.image(Path.of("dog.jpg")));
 * drift.layers().forEach(System.out::println);   // conv2d: relative error 4.1e-04, cosine 0.999999 ...
 * }</pre>
 */
public final class Comparison {
    /**
     * One layer of both models.
     *
     * @param layer the layer's name in both
     * @param relativeError {@code |b - a| / |a|} over all its values (Euclidean norms; 0 when both are zero)
     * @param cosine the cosine similarity of the two activations, 1 when they point the same way (1 when both are
     *     zero, 0 when only one is)
     * @param largestDifference the largest {@code |b - a|} of one value
     */
    public record LayerDrift(String layer, double relativeError, double cosine, double largestDifference) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: relative error %.2e, cosine %.6f, largest difference %.3g", layer,
                    relativeError, cosine, largestDifference);
        }
    }

    private final List<LayerDrift> layers;
    private final Prediction first;
    private final Prediction second;

    private Comparison(List<LayerDrift> layers, Prediction first, Prediction second) {
        this.layers = List.copyOf(layers);
        this.first = first;
        this.second = second;
    }

    /** Compares two runs of the same layers, in the same order, and their first outputs. */
    static Comparison of(Inspection a, Inspection b) {
        List<LayerDrift> layers = new ArrayList<>();
        for (int i = 0; i < a.activations().size(); i++) {
            layers.add(drift(a.activations().get(i), b.activations().get(i)));
        }
        return new Comparison(layers, prediction(a.output()), prediction(b.output()));
    }

    private static Prediction prediction(Tensor output) {
        return output.numeric() && output.size() > 0 ? output.prediction() : null;
    }

    private static LayerDrift drift(FeatureMap a, FeatureMap b) {
        if (a.channels() != b.channels() || a.height() != b.height() || a.width() != b.width()) {
            throw new IllegalArgumentException("layer " + a.layer().name() + " is " + a.channels() + "x" + a.height()
                    + "x" + a.width() + " in one model and " + b.channels() + "x" + b.height() + "x" + b.width()
                    + " in the other; compare models of the same network");
        }
        double dot = 0;
        double aa = 0;
        double bb = 0;
        double difference = 0;
        double largest = 0;
        for (int c = 0; c < a.channels(); c++) {
            float[] x = a.channel(c);
            float[] y = b.channel(c);
            for (int i = 0; i < x.length; i++) {
                dot += (double) x[i] * y[i];
                aa += (double) x[i] * x[i];
                bb += (double) y[i] * y[i];
                double d = (double) y[i] - x[i];
                difference += d * d;
                largest = Math.max(largest, Math.abs(d));
            }
        }
        double relative = aa == 0 ? (difference == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(difference / aa);
        double cosine = aa == 0 && bb == 0 ? 1 : aa == 0 || bb == 0 ? 0 : dot / Math.sqrt(aa * bb);
        return new LayerDrift(a.layer().name(), relative, cosine, largest);
    }

    /**
     * Returns each layer both models have, in the first model's order.
     *
     * @return the layers' drift
     */
    public List<LayerDrift> layers() {
        return layers;
    }

    /**
     * Returns one layer's drift.
     *
     * @param name the layer's name
     * @return its drift
     * @throws IllegalArgumentException if the comparison has no layer of that name
     */
    public LayerDrift layer(String name) {
        Objects.requireNonNull(name, "name");
        return layers.stream().filter(l -> l.layer().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no layer '" + name + "' in this comparison; it has "
                        + layers.stream().map(LayerDrift::layer).toList()));
    }

    /**
     * Returns the first model's prediction from its first output.
     *
     * @return the prediction, or null if that output holds no numbers
     */
    public Prediction first() {
        return first;
    }

    /**
     * Returns the second model's prediction from its first output.
     *
     * @return the prediction, or null if that output holds no numbers
     */
    public Prediction second() {
        return second;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("Comparison[predictions " + first + " and " + second);
        layers.forEach(l -> out.append(", ").append(l));
        return out.append("]").toString();
    }
}
