package dev.convlens;

/**
 * How {@link Request#attribution(AttributionMethod)} decides which input pixels mattered for a class: from the
 * gradient of the class score with respect to the model's input, computed by backward nodes ConvLens appends to the
 * model. Every map has the input's resolution, one value per pixel; how the input's channels are reduced to it, and
 * its sign, is said for each method.
 */
public enum AttributionMethod implements ExplanationMethod {
    /**
     * Saliency (Simonyan et al. 2013): the largest absolute gradient over the pixel's channels,
     * {@code max_c |d score / d input[c]|}, as captum's {@code Saliency}. 0 or more.
     */
    GRADIENT,
    /**
     * Input times gradient: {@code sum_c input[c] * d score / d input[c]}, on the input as the model takes it
     * (preprocessed). Signed: negative where the pixel speaks against the class.
     */
    INPUT_X_GRADIENT,
    /**
     * SmoothGrad (Smilkov et al. 2017): the saliency averaged over noisy copies of the input, {@code max_c} of the
     * mean of {@code |gradient|}; {@link HeatmapOptions#smoothGrad(int, float)} sets how many copies and how much
     * noise. Batched where the model's batch is dynamic. 0 or more.
     */
    SMOOTH_GRAD,
    /**
     * Integrated gradients (Sundararajan et al. 2017): {@code (input - baseline) * } the gradient averaged along the
     * straight path from a black image (through the same preprocessing) to the input, summed over channels; the
     * values add up to {@code score(input) - score(baseline)}. {@link HeatmapOptions#integratedGradients(int)} sets
     * the steps (midpoints). Batched where the model's batch is dynamic. Signed.
     */
    INTEGRATED_GRADIENTS,
    /**
     * Guided backpropagation (Springenberg et al. 2015): the gradient, except that every Relu passes back only the
     * positive part of its gradient; {@code max_c |.|}. 0 or more.
     */
    GUIDED_BACKPROP,
    /**
     * Guided Grad-CAM (Selvaraju et al. 2017): guided backpropagation times the Grad-CAM of the heatmap layer,
     * resized to the input with bilinear interpolation. 0 or more.
     */
    GUIDED_GRAD_CAM
}
