package dev.convlens;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Settings of the heatmap and attribution methods that run the model many times. Immutable; each setter returns a
 * changed copy.
 *
 * <pre>{@code
 * Heatmap h = request.heatmap(HeatmapMethod.SCORE_CAM, HeatmapOptions.defaults().channels(64));
 * }</pre>
 */
public final class HeatmapOptions {
    private static final HeatmapOptions DEFAULTS = new HeatmapOptions(0, 0, 0, 16, 25, 0.15f, 50,
            EnumSet.noneOf(Switch.class));

    /** The settings that are on or off. */
    private enum Switch {
        EIGEN_SMOOTH(", eigen-smoothed"), ABLATE_BELOW_MINIMUM(", ablated below the minimum"),
        AUG_SMOOTH(", aug-smoothed"), AVERAGE_LAYERS(", averaged over the selected layers");

        final String described;

        Switch(String described) {
            this.described = described;
        }
    }

    private final int channels;
    private final int patch;
    private final int stride;
    private final int batch;
    private final int samples;
    private final float noise;
    private final int steps;
    private final Set<Switch> switches;

    private HeatmapOptions(int channels, int patch, int stride, int batch, int samples, float noise, int steps,
                           Set<Switch> switches) {
        this.channels = channels;
        this.patch = patch;
        this.stride = stride;
        this.batch = batch;
        this.samples = samples;
        this.noise = noise;
        this.steps = steps;
        this.switches = Set.copyOf(switches);
    }

    private HeatmapOptions with(Switch on) {
        Set<Switch> more = EnumSet.of(on);
        more.addAll(switches);
        return new HeatmapOptions(channels, patch, stride, batch, samples, noise, steps, more);
    }

    /**
     * Returns the defaults: every channel, a patch of an eighth of the input, a stride of half the patch, batches
     * of 16.
     *
     * @return the defaults
     */
    public static HeatmapOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a copy that scores only the most active channels in {@link HeatmapMethod#SCORE_CAM}. Default 0: all.
     *
     * @param channels how many, the most active first; 0 for all
     * @return a changed copy
     * @throws IllegalArgumentException if channels is negative
     */
    public HeatmapOptions channels(int channels) {
        return new HeatmapOptions(notNegative("channels", channels), patch, stride, batch, samples, noise, steps,
                switches);
    }

    /**
     * Returns a copy with another {@link HeatmapMethod#OCCLUSION} patch and stride.
     *
     * @param patch side of the square patch in input pixels; 0 (the default) for an eighth of the input's shorter side
     * @param stride step between positions; 0 (the default) for half the patch
     * @return a changed copy
     * @throws IllegalArgumentException if a value is negative
     */
    public HeatmapOptions occlusion(int patch, int stride) {
        return new HeatmapOptions(channels, notNegative("patch", patch), notNegative("stride", stride), batch, samples,
                noise, steps, switches);
    }

    /**
     * Returns a copy with another batch size, used when the model's batch size is dynamic. Default 16.
     *
     * @param batch inputs per run, at least 1
     * @return a changed copy
     * @throws IllegalArgumentException if batch is less than 1
     */
    public HeatmapOptions batch(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, was " + batch);
        }
        return new HeatmapOptions(channels, patch, stride, batch, samples, noise, steps,
                switches);
    }

    /**
     * Returns a copy with other {@link AttributionMethod#SMOOTH_GRAD} settings. Defaults: 25 samples, noise 0.15.
     *
     * @param samples how many noisy copies of the input are averaged, at least 1
     * @param noise the standard deviation of the Gaussian noise, as a fraction of the input's range (its largest value
     *     minus its smallest), 0 or more
     * @return a changed copy
     * @throws IllegalArgumentException if samples is less than 1 or noise is negative or not finite
     */
    public HeatmapOptions smoothGrad(int samples, float noise) {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be at least 1, was " + samples);
        }
        if (!(noise >= 0) || !Float.isFinite(noise)) {
            throw new IllegalArgumentException("noise must be 0 or more and finite, was " + noise);
        }
        return new HeatmapOptions(channels, patch, stride, batch, samples, noise, steps,
                switches);
    }

    /**
     * Returns a copy with another number of {@link AttributionMethod#INTEGRATED_GRADIENTS} steps. Default 50.
     *
     * @param steps the points along the path from the baseline to the input (midpoints of equal intervals), at least
     *     1
     * @return a changed copy
     * @throws IllegalArgumentException if steps is less than 1
     */
    public HeatmapOptions integratedGradients(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, was " + steps);
        }
        return new HeatmapOptions(channels, patch, stride, batch, samples, noise, steps,
                switches);
    }

    /**
     * Returns a copy whose CAM methods project their weighted maps on the first principal component instead of
     * summing them, as pytorch-grad-cam's {@code eigen_smooth=True}: less noise, the map of the strongest common
     * pattern. The component is signed to agree with the sum it replaces (an SVD's sign is arbitrary). Applies to
     * {@link HeatmapMethod#CAM}, {@link HeatmapMethod#GRAD_CAM}, {@link HeatmapMethod#GRAD_CAM_PLUS_PLUS},
     * {@link HeatmapMethod#XGRAD_CAM}, {@link HeatmapMethod#HIRES_CAM}, {@link HeatmapMethod#LAYER_CAM},
     * {@link HeatmapMethod#SCORE_CAM} and {@link HeatmapMethod#ABLATION_CAM}; Eigen-CAM and Eigen-Grad-CAM project
     * already. Default off.
     *
     * @return a changed copy
     */
    public HeatmapOptions eigenSmooth() {
        return with(Switch.EIGEN_SMOOTH);
    }

    /**
     * Returns a copy whose {@link HeatmapMethod#ABLATION_CAM} removes a channel as pytorch-grad-cam does: where the
     * layer has values other than 0 at its minimum (a BatchNorm output before a residual Add can be negative), the
     * channel is set to that minimum minus 10^7 instead of 0, which a following ReLU turns off entirely; zeroing such
     * a channel leaves it at a value the network may still use. By default the channel is set to 0, as the paper
     * does: on a layer after a ReLU (the usual target) the two are the same.
     *
     * @return a changed copy
     */
    public HeatmapOptions ablateBelowMinimum() {
        return with(Switch.ABLATE_BELOW_MINIMUM);
    }

    /**
     * Returns a copy whose heatmap methods average their maps over six changed copies of the input, as
     * pytorch-grad-cam's {@code aug_smooth=True} with its default test-time augmentation (the ttach library's
     * {@code HorizontalFlip} and {@code Multiply(factors=[0.9, 1, 1.1])}): the input as it is and mirrored, each with
     * its values multiplied by 0.9, 1 and 1.1. Each map is explained for the same class (the unchanged input's, where
     * none is asked for), mirrored back where its input was, clipped at 0 and scaled to 0..1 by its minimum and
     * maximum, as pytorch-grad-cam scales its maps, and the six are averaged: the heatmap's values are then 0..1.
     * Centred on the object, less on where one input's gradients happen to be noisy; six times the work. Applies to
     * every {@link HeatmapMethod}; attributions take their own noise ({@link AttributionMethod#SMOOTH_GRAD}).
     * Default off.
     *
     * @return a changed copy
     */
    public HeatmapOptions augSmooth() {
        return with(Switch.AUG_SMOOTH);
    }

    /**
     * Returns a copy whose heatmap is the mean of the method's maps on every layer selected with
     * {@link Request#layers(String...)}, not the last one's alone, as pytorch-grad-cam combines several
     * {@code target_layers}: each map clipped at 0, scaled to 0..1 by its minimum and maximum, resized to the input
     * (bilinear), the maps averaged and the mean scaled to 0..1 again. The heatmap is then at the input's size, its
     * {@link Heatmap#layer()} the last layer selected; the coarse last layer places the class, the finer ones add
     * its outline. Applies to every {@link HeatmapMethod} but occlusion, which takes no layer. Default off.
     *
     * <pre>{@code
     * Heatmap h = request.layers("layer3", "layer4").heatmap(HeatmapMethod.GRAD_CAM,
     *         HeatmapOptions.defaults().averageLayers());
     * }</pre>
     *
     * @return a changed copy
     */
    public HeatmapOptions averageLayers() {
        return with(Switch.AVERAGE_LAYERS);
    }

    private static int notNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be 0 (the default) or more, was " + value);
        }
        return value;
    }

    /**
     * Returns how many channels Score-CAM scores.
     *
     * @return the count, 0 for all
     */
    public int channels() {
        return channels;
    }

    /**
     * Returns the occlusion patch's side.
     *
     * @return input pixels, 0 for the default
     */
    public int patch() {
        return patch;
    }

    /**
     * Returns the occlusion stride.
     *
     * @return input pixels, 0 for half the patch
     */
    public int stride() {
        return stride;
    }

    /**
     * Returns the batch size.
     *
     * @return inputs per run
     */
    public int batch() {
        return batch;
    }

    /**
     * Returns how many noisy copies SmoothGrad averages.
     *
     * @return the samples
     */
    public int samples() {
        return samples;
    }

    /**
     * Returns SmoothGrad's noise, as a fraction of the input's range.
     *
     * @return the standard deviation
     */
    public float noise() {
        return noise;
    }

    /**
     * Returns the steps of integrated gradients.
     *
     * @return the steps
     */
    public int steps() {
        return steps;
    }

    /**
     * Returns whether the CAM methods project on the first principal component, {@link #eigenSmooth()}.
     *
     * @return true if they do
     */
    public boolean eigenSmoothed() {
        return switches.contains(Switch.EIGEN_SMOOTH);
    }

    /**
     * Returns whether Ablation-CAM sets a channel below the layer's minimum, {@link #ablateBelowMinimum()}.
     *
     * @return true if it does, false if it sets it to 0
     */
    public boolean ablatesBelowMinimum() {
        return switches.contains(Switch.ABLATE_BELOW_MINIMUM);
    }

    /**
     * Returns whether the heatmap methods average over test-time augmentations, {@link #augSmooth()}.
     *
     * @return true if they do
     */
    public boolean augSmoothed() {
        return switches.contains(Switch.AUG_SMOOTH);
    }

    /**
     * Returns whether a heatmap averages the maps of every selected layer, {@link #averageLayers()}.
     *
     * @return true if it does
     */
    public boolean averagesLayers() {
        return switches.contains(Switch.AVERAGE_LAYERS);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeatmapOptions other && other.channels == channels && other.patch == patch
                && other.stride == stride && other.batch == batch && other.samples == samples && other.noise == noise
                && other.steps == steps && other.switches.equals(switches);
    }

    @Override
    public int hashCode() {
        return Objects.hash(channels, patch, stride, batch, samples, noise, steps, switches);
    }

    @Override
    public String toString() {
        return "HeatmapOptions[channels " + channels + ", patch " + patch + ", stride " + stride + ", batch " + batch
                + ", samples " + samples + ", noise " + noise + ", steps " + steps
                + switches.stream().sorted().map(w -> w.described).collect(Collectors.joining()) + "]";
    }
}
