package dev.convlens;

/**
 * Settings of the heatmap methods that run the model many times. Immutable; each setter returns a changed copy.
 *
 * @param channels for {@link HeatmapMethod#SCORE_CAM}: how many channels to score, the most active first; 0 (the
 *     default) scores all
 * @param patch for {@link HeatmapMethod#OCCLUSION}: the side of the square patch in input pixels; 0 (the default)
 *     picks an eighth of the input's shorter side
 * @param stride for {@link HeatmapMethod#OCCLUSION}: the step between patch positions; 0 (the default) picks half
 *     the patch
 * @param batch how many inputs to run at once when the model's batch size is dynamic; default 16
 */
public record HeatmapOptions(int channels, int patch, int stride, int batch) {
    /**
     * Checks the values.
     *
     * @param channels see the record's description
     * @param patch see the record's description
     * @param stride see the record's description
     * @param batch see the record's description
     * @throws IllegalArgumentException if a value is negative or batch is not positive
     */
    public HeatmapOptions {
        if (channels < 0 || patch < 0 || stride < 0 || batch < 1) {
            throw new IllegalArgumentException("heatmap options must not be negative and batch must be positive: "
                    + channels + ", " + patch + ", " + stride + ", " + batch);
        }
    }

    /**
     * Returns the defaults: every channel, a patch of an eighth of the input, a stride of half the patch, batches
     * of 16.
     *
     * @return the defaults
     */
    public static HeatmapOptions defaults() {
        return new HeatmapOptions(0, 0, 0, 16);
    }

    /**
     * Returns a copy that scores only the most active channels in Score-CAM.
     *
     * @param channels how many, 0 for all
     * @return a changed copy
     */
    public HeatmapOptions channels(int channels) {
        return new HeatmapOptions(channels, patch, stride, batch);
    }

    /**
     * Returns a copy with another occlusion patch and stride.
     *
     * @param patch side of the patch in input pixels, 0 for the default
     * @param stride step between positions, 0 for half the patch
     * @return a changed copy
     */
    public HeatmapOptions occlusion(int patch, int stride) {
        return new HeatmapOptions(channels, patch, stride, batch);
    }

    /**
     * Returns a copy with another batch size.
     *
     * @param batch inputs per run, at least 1
     * @return a changed copy
     */
    public HeatmapOptions batch(int batch) {
        return new HeatmapOptions(channels, patch, stride, batch);
    }
}
