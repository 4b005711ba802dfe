package dev.convlens;

/**
 * How activation values are mapped to the 256 levels of a {@link Colormap}.
 *
 * <p>Whatever the choice, a tile whose values are all equal is drawn flat, at level 0 if they are zero and 128
 * otherwise, and values that are NaN or infinite are left out of the statistics and drawn in magenta
 * ({@code #FF00FF}), so one broken value cannot wash out its neighbours.
 */
public enum Contrast {
    /**
     * Each channel on its own: {@code clip((x - mean) / std * 64 + 128, 0, 255)}, truncated to an integer, as in
     * "Deep Learning with Python" 5.4 / 9.4. The default for grids.
     */
    STANDARDIZED,
    /**
     * Each channel from its own minimum to its maximum, as matplotlib's {@code matshow} shows one channel:
     * {@code min(255, floor((x - min) / (max - min) * 256))}. The default for a single channel.
     */
    CHANNEL_MIN_MAX,
    /**
     * The whole layer from its minimum to its maximum, same formula, so channels can be compared with each other.
     */
    LAYER_MIN_MAX
}
