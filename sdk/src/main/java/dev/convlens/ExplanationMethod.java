package dev.convlens;

/**
 * How a {@link Heatmap} was computed: a {@link HeatmapMethod}, which weighs a layer's feature maps (where the model
 * looked, at the layer's resolution), or an {@link AttributionMethod}, which follows the gradient down to the input
 * (which pixels decided, at the input's resolution).
 */
public interface ExplanationMethod {
}
