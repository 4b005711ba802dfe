package dev.convlens;

/**
 * The colors a feature map is drawn in: matplotlib's 256-entry tables, byte for byte.
 *
 * <p>A value's level 0..255 picks the table entry, as matplotlib's {@code imshow} does for an 8-bit image.
 * The default is {@link #VIRIDIS}, the seed's choice.
 */
public enum Colormap {
    /** Perceptually uniform, dark purple to yellow: the default. */
    VIRIDIS,
    /** Perceptually uniform, black through purple and orange to pale yellow. */
    MAGMA,
    /** Perceptually uniform, black through purple and orange to yellow. */
    INFERNO,
    /** Perceptually uniform, blue through purple to yellow. */
    PLASMA,
    /** Google's improved rainbow, dark blue to dark red. */
    TURBO,
    /** Black to white. */
    GRAY,
    /** The classic rainbow, dark blue to dark red; what class activation heatmaps use. */
    JET
}
