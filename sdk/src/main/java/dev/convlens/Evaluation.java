package dev.convlens;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How faithful a heatmap is to the model on one image, as {@link Request#evaluate(Heatmap)} measures it: each
 * number with the direction that is better, under the {@link Faithfulness} protocol it holds. One number on one image
 * is weak evidence (Tomsett et al. 2020 find saliency metrics unreliable alone): compare methods over many images,
 * and trust a ranking where the metrics agree. Immutable.
 *
 * <pre>{@code
 * Heatmap gradCam = request.heatmap(HeatmapMethod.GRAD_CAM);
 * Evaluation e = request.evaluate(gradCam);
 * System.out.println(e); // deletion area 0.12 (lower is better), insertion area 0.61 (higher is better), ...
 * }</pre>
 */
public final class Evaluation {
    private final ExplanationMethod method;
    private final float score;
    private final double[] deletion;
    private final double[] insertion;
    private final double roadMostRelevantFirst;
    private final double roadLeastRelevantFirst;
    private final double confidenceChange;
    private final Randomization randomization;
    private final Faithfulness protocol;
    private final int runs;
    private final int imputations;
    private final Duration time;

    Evaluation(ExplanationMethod method, float score, double[] deletion, double[] insertion,
               double roadMostRelevantFirst, double roadLeastRelevantFirst, double confidenceChange,
               Randomization randomization,
               Faithfulness protocol, int runs, int imputations, Duration time) {
        this.method = Objects.requireNonNull(method, "method");
        this.score = score;
        this.deletion = deletion.clone();
        this.insertion = insertion.clone();
        this.roadMostRelevantFirst = roadMostRelevantFirst;
        this.roadLeastRelevantFirst = roadLeastRelevantFirst;
        this.confidenceChange = confidenceChange;
        this.randomization = randomization;
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.runs = runs;
        this.imputations = imputations;
        this.time = Objects.requireNonNull(time, "time");
    }

    /**
     * Returns the method of the heatmap evaluated.
     *
     * @return the method
     */
    public ExplanationMethod method() {
        return method;
    }

    /**
     * Returns the explained score on the image itself, where the deletion curve starts.
     *
     * @return the score, as {@link Heatmap#score()}
     */
    public float score() {
        return score;
    }

    /**
     * Returns the deletion curve: the score after each share of the most relevant pixels is set to 0, from none
     * to all.
     *
     * @return a copy of the {@code steps + 1} scores
     */
    public double[] deletion() {
        return deletion.clone();
    }

    /**
     * Returns the area under the deletion curve: lower is better (the score falls as soon as the pixels the map
     * points at are gone).
     *
     * @return {@code (sum - first / 2 - last / 2) / steps}
     */
    public double deletionArea() {
        return area(deletion);
    }

    /**
     * Returns the insertion curve: the score after each share of the most relevant pixels is copied into the
     * blurred input, from none to all.
     *
     * @return a copy of the {@code steps + 1} scores
     */
    public double[] insertion() {
        return insertion.clone();
    }

    /**
     * Returns the area under the insertion curve: higher is better (the score rises as soon as the pixels the map
     * points at are back).
     *
     * @return {@code (sum - first / 2 - last / 2) / steps}
     */
    public double insertionArea() {
        return area(insertion);
    }

    /**
     * Returns ROAD's most-relevant-first score: the score's change when the most relevant pixels are imputed,
     * averaged over the percentiles. Lower (more negative) is better.
     *
     * @return the mean change of the score
     */
    public double roadMostRelevantFirst() {
        return roadMostRelevantFirst;
    }

    /**
     * Returns ROAD's least-relevant-first score: the score's change when the least relevant pixels are imputed,
     * averaged over the percentiles. Higher (closer to 0, or above) is better.
     *
     * @return the mean change of the score
     */
    public double roadLeastRelevantFirst() {
        return roadLeastRelevantFirst;
    }

    /**
     * Returns ROAD's combined score, pytorch-grad-cam's {@code ROADCombined}: half the least-relevant-first score
     * minus the most-relevant-first one. Higher is better.
     *
     * @return {@code (roadLeastRelevantFirst - roadMostRelevantFirst) / 2}
     */
    public double roadCombined() {
        return (roadLeastRelevantFirst - roadMostRelevantFirst) / 2;
    }

    /**
     * Returns pytorch-grad-cam's confidence change ({@code CamMultImageConfidenceChange}): the score of the input
     * multiplied by the map (scaled to 0..1, resized to the input) minus the score of the input. Higher is better: a
     * map that keeps what the class needs loses little of the score, or gains.
     *
     * @return the change of the score
     */
    public double confidenceChange() {
        return confidenceChange;
    }

    /**
     * Returns the model-randomisation check: whether the method's map changes when the model's weights are random.
     *
     * @return the check, or empty where the protocol turned it off ({@link Faithfulness#modelRandomization(boolean)})
     */
    public Optional<Randomization> randomization() {
        return Optional.ofNullable(randomization);
    }

    /**
     * Returns the protocol the numbers were measured under.
     *
     * @return the protocol
     */
    public Faithfulness protocol() {
        return protocol;
    }

    /**
     * Returns how many inputs the model was run on for deletion, insertion, and ROAD with the confidence change (the
     * image itself once for each of the three), in batches where its batch size is dynamic; the model-randomisation check costs one randomized model and one
     * heatmap per layer of {@link Randomization#layers()} besides.
     *
     * @return the forward runs
     */
    public int runs() {
        return runs;
    }

    /**
     * Returns how many noisy linear imputations ROAD solved: one sparse system each, of as many unknowns as pixels
     * removed.
     *
     * @return twice the percentiles
     */
    public int imputations() {
        return imputations;
    }

    /**
     * Returns how long the evaluation took, the model-randomisation check included.
     *
     * @return the wall-clock time
     */
    public Duration time() {
        return time;
    }

    private static double area(double[] curve) {
        double sum = 0;
        for (double v : curve) {
            sum += v;
        }
        return (sum - curve[0] / 2 - curve[curve.length - 1] / 2) / (curve.length - 1);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s, score %.4f: deletion area %.4f (lower is better), insertion area %.4f"
                + " (higher is better), ROAD most relevant first %.4f (lower is better), least relevant first %.4f"
                + " (higher is better), combined %.4f (higher is better), confidence change %.4f (higher is better)%s;"
                + " %s; cost: %d runs, %d imputations%s, %.1f s", method, score, deletionArea(), insertionArea(),
                roadMostRelevantFirst, roadLeastRelevantFirst, roadCombined(), confidenceChange, randomization == null ? "" : "; " + randomization, protocol,
                runs, imputations, randomization == null ? "" : ", " + randomization.layers().size()
                        + " randomized models", time.toNanos() / 1e9);
    }
}
