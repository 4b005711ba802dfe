package dev.convlens;

import java.util.Arrays;
import java.util.Objects;

/**
 * How {@link Request#evaluate(Heatmap, Faithfulness)} measures whether a heatmap points at what the model uses: the
 * protocol of each number, printed with it, since papers and tools compute the same names differently. Immutable;
 * each setter returns a changed copy.
 *
 * <ul>
 *   <li>Deletion and insertion (Petsiuk et al. 2018, RISE's {@code CausalMetric}): the input's pixels, most relevant
 *       first (the map upsampled to the input with bilinear interpolation; ties in raster order), set to 0 in the
 *       model's input space ({@code torch.zeros_like}) {@code steps} equal shares at a time for deletion, and copied
 *       into RISE's blur of the input (an 11x11 Gaussian of sigma 5, {@code scipy.ndimage.gaussian_filter} of a
 *       centred impulse, zero padding) for insertion; the explained score after each share, and its area
 *       {@code (sum - first / 2 - last / 2) / steps}.
 *   <li>ROAD (Rong et al. 2022), as pytorch-grad-cam's {@code ROADMostRelevantFirstAverage},
 *       {@code ROADLeastRelevantFirstAverage} and {@code ROADCombined}: at each percentile p, the pixels at or above
 *       the map's p-th percentile (numpy's linear one) removed for the most relevant first (for the least relevant
 *       first, those of {@code 1 - map} after scaling the map to 0..1), replaced by noisy linear imputation (each
 *       removed pixel the weighted mean of its 8 neighbours, 1/6 direct, 1/12 diagonal, one sparse symmetric system
 *       solved by conjugate gradients, then Gaussian noise of {@code noise} in the input's units); the change of the
 *       score, averaged over the percentiles.
 *   <li>The model-randomisation check (Adebayo et al. 2018, as Quantus's {@code MPRT} with its {@code top_down}
 *       cascade and {@code correlation_spearman}): the method again on copies of the model whose weighted layers are
 *       random (PyTorch's {@code reset_parameters()} draws), from the last layer down to each layer in turn; each
 *       map's rank correlation with the heatmap, and the method flagged where their mean is the threshold or more.
 * </ul>
 *
 * <pre>{@code
 * Evaluation e = request.evaluate(heatmap, Faithfulness.defaults().steps(50).noise(0, 42));
 * }</pre>
 */
public final class Faithfulness {
    private static final Faithfulness DEFAULTS = new Faithfulness(20, new int[] {10, 20, 30, 40, 50, 60, 70, 80, 90},
            0.01f, 42, 16, true, 0.5);

    private final int steps;
    private final int[] percentiles;
    private final float noise;
    private final long seed;
    private final int batch;
    private final boolean randomization;
    private final double randomizationThreshold;

    private Faithfulness(int steps, int[] percentiles, float noise, long seed, int batch, boolean randomization,
                         double randomizationThreshold) {
        this.steps = steps;
        this.percentiles = percentiles;
        this.noise = noise;
        this.seed = seed;
        this.batch = batch;
        this.randomization = randomization;
        this.randomizationThreshold = randomizationThreshold;
    }

    /**
     * Returns the defaults: 20 steps of deletion and insertion; ROAD at pytorch-grad-cam's percentiles 10, 20, ...,
     * 90 with noise 0.01 from seed 42; batches of 16.
     *
     * @return the defaults
     */
    public static Faithfulness defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a copy with another number of deletion and insertion steps.
     *
     * @param steps the shares the input's pixels are removed or inserted in, at least 1 (at most one a pixel)
     * @return a changed copy
     * @throws IllegalArgumentException if steps is less than 1
     */
    public Faithfulness steps(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, was " + steps);
        }
        return new Faithfulness(steps, percentiles, noise, seed, batch, randomization, randomizationThreshold);
    }

    /**
     * Returns a copy with other ROAD percentiles.
     *
     * @param percentiles each from 1 to 99: at p, the most relevant 100 - p percent of the pixels are removed first
     *     (or the least relevant, for the least-relevant-first order)
     * @return a changed copy
     * @throws IllegalArgumentException if none is given or one is out of range
     */
    public Faithfulness percentiles(int... percentiles) {
        if (percentiles.length == 0 || Arrays.stream(percentiles).anyMatch(p -> p < 1 || p > 99)) {
            throw new IllegalArgumentException("percentiles must be one or more of 1 to 99, were "
                    + Arrays.toString(percentiles));
        }
        return new Faithfulness(steps, percentiles.clone(), noise, seed, batch, randomization, randomizationThreshold);
    }

    /**
     * Returns a copy with another ROAD noise and seed.
     *
     * @param noise the standard deviation of the Gaussian noise added to imputed values, in the model input's units,
     *     0 or more (0: the imputation alone)
     * @param seed the seed of the noise, for results that repeat (the k-th imputation draws from {@code seed + k})
     * @return a changed copy
     * @throws IllegalArgumentException if noise is negative or not finite
     */
    public Faithfulness noise(float noise, long seed) {
        if (!(noise >= 0) || !Float.isFinite(noise)) {
            throw new IllegalArgumentException("noise must be 0 or more and finite, was " + noise);
        }
        return new Faithfulness(steps, percentiles, noise, seed, batch, randomization, randomizationThreshold);
    }

    /**
     * Returns a copy with another batch size, used when the model's batch size is dynamic.
     *
     * @param batch inputs per run, at least 1
     * @return a changed copy
     * @throws IllegalArgumentException if batch is less than 1
     */
    public Faithfulness batch(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, was " + batch);
        }
        return new Faithfulness(steps, percentiles, noise, seed, batch, randomization, randomizationThreshold);
    }

    /**
     * Returns a copy with the model-randomisation check on or off. It computes the heatmap's method again once for
     * each weighted layer of the model, on a copy of the model whose layers from the top down to that one have
     * random weights (drawn from the seed of {@link #noise(float, long)}), so it costs that many heatmaps and model
     * loads: turn it off where only the other numbers are wanted.
     *
     * @param on whether {@link Evaluation#randomization()} is measured
     * @return a changed copy
     */
    public Faithfulness modelRandomization(boolean on) {
        return new Faithfulness(steps, percentiles, noise, seed, batch, on, randomizationThreshold);
    }

    /**
     * Returns a copy with another threshold for the model-randomisation check.
     *
     * @param threshold the mean rank correlation over the cascade ({@link Randomization#similarity()}), -1 to 1, at or
     *     above which the randomized models' maps count as the same as the heatmap, and the method is flagged
     * @return a changed copy
     * @throws IllegalArgumentException if threshold is outside -1..1
     */
    public Faithfulness randomizationThreshold(double threshold) {
        if (!(threshold >= -1 && threshold <= 1)) {
            throw new IllegalArgumentException("the randomization threshold is a rank correlation, -1 to 1, was "
                    + threshold);
        }
        return new Faithfulness(steps, percentiles, noise, seed, batch, randomization, threshold);
    }

    /**
     * Returns whether the model-randomisation check is measured.
     *
     * @return true by default
     */
    public boolean modelRandomization() {
        return randomization;
    }

    /**
     * Returns the rank correlation at or above which the model-randomisation check flags a method.
     *
     * @return 0.5 by default
     */
    public double randomizationThreshold() {
        return randomizationThreshold;
    }

    /**
     * Returns the deletion and insertion steps.
     *
     * @return the steps
     */
    public int steps() {
        return steps;
    }

    /**
     * Returns the ROAD percentiles.
     *
     * @return a copy of the percentiles
     */
    public int[] percentiles() {
        return percentiles.clone();
    }

    /**
     * Returns the ROAD noise.
     *
     * @return its standard deviation in the model input's units
     */
    public float noise() {
        return noise;
    }

    /**
     * Returns the seed of the ROAD noise.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /**
     * Returns the batch size.
     *
     * @return inputs per run
     */
    public int batch() {
        return batch;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Faithfulness other && other.steps == steps && Arrays.equals(other.percentiles, percentiles)
                && other.noise == noise && other.seed == seed && other.batch == batch
                && other.randomization == randomization && other.randomizationThreshold == randomizationThreshold;
    }

    @Override
    public int hashCode() {
        return Objects.hash(steps, Arrays.hashCode(percentiles), noise, seed, batch, randomization,
                randomizationThreshold);
    }

    /** The protocol as it is printed with the numbers. */
    @Override
    public String toString() {
        return "deletion to zeros and insertion into RISE's blur (11x11, sigma 5), " + steps + " steps, most relevant"
                + " first; ROAD with noisy linear imputation (noise " + noise + ", seed " + seed + ") at percentiles "
                + Arrays.toString(percentiles) + (randomization ? "; model randomisation from the top, layer by layer"
                + " (PyTorch's initialization, seed " + seed + "), Spearman's rank correlation, flagged at a mean of "
                + randomizationThreshold + " or above" : "; no model randomisation");
    }
}
