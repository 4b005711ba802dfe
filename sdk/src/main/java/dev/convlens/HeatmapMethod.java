package dev.convlens;

/**
 * How a {@link Heatmap} decides where the model looked. All work on float32 and float16 ONNX CNNs with ONNX Runtime
 * alone (a float16 model's gradients are taken in a float32 copy of it).
 */
public enum HeatmapMethod implements ExplanationMethod {
    /**
     * Class activation mapping (Zhou et al. 2016): the pooled feature maps weighted by the dense layer's weights
     * for the class. Needs a head of global average pooling and one dense layer; one run.
     */
    CAM,
    /**
     * Grad-CAM (Selvaraju et al. 2017): feature maps weighted by the mean gradient of the class score, computed by
     * backward nodes ConvLens appends to the model; one run. The default of Chollet's "Deep Learning with Python" 9.4.
     */
    GRAD_CAM,
    /** Grad-CAM++ (Chattopadhyay et al. 2018): like Grad-CAM, with pixel-wise weights from the gradient's powers. */
    GRAD_CAM_PLUS_PLUS,
    /**
     * XGrad-CAM (Fu et al. 2020): each channel weighted by its gradient times its activation, summed over positions
     * and divided by the activations' sum ({@code + 1e-7}), as pytorch-grad-cam's {@code XGradCAM}; one run.
     */
    XGRAD_CAM,
    /**
     * HiResCAM (Draelos and Carin 2020): the gradient times the activation at each position, summed over channels,
     * without Grad-CAM's averaging of the gradient, so that the map shows the positions the score's change comes
     * from; as pytorch-grad-cam's {@code HiResCAM}; one run.
     */
    HIRES_CAM,
    /**
     * LayerCAM (Jiang et al. 2021): the positive part of the gradient times the activation at each position, summed
     * over channels; meaningful on earlier layers too; as pytorch-grad-cam's {@code LayerCAM}; one run.
     */
    LAYER_CAM,
    /**
     * Eigen-Grad-CAM: the gradient times the activation, projected on its first principal component as
     * {@link #EIGEN_CAM} projects the activations (signed to agree with the channels' sum, which an SVD leaves to
     * chance); pytorch-grad-cam's {@code EigenGradCAM}; one run.
     */
    EIGEN_GRAD_CAM,
    /**
     * Score-CAM (Wang et al. 2020): each channel, upsampled and scaled to 0..1, masks the input; the class scores of
     * the masked inputs, softmaxed, weigh the channels. One run per channel, batched; {@link HeatmapOptions#channels}
     * limits it to the most active channels.
     */
    SCORE_CAM,
    /**
     * Ablation-CAM (Desai and Ramaswamy 2020): each channel's weight is the relative drop of the class score when
     * that channel is set to zero; runs the rest of the network once per channel, batched.
     */
    ABLATION_CAM,
    /**
     * Eigen-CAM (Muhammad and Yeasin 2020): the feature maps projected on their first principal component, signed to
     * agree with their sum; needs no class and no extra run.
     */
    EIGEN_CAM,
    /**
     * Recipro-CAM (Byun and Lee 2022): for each position of the feature maps, the class score when the rest of the
     * network sees the maps at that position alone (every other position set to zero), scaled to 0..1; the
     * positions run as one batch. Gradient-free and one batched run of the network's tail, as OpenVINO XAI writes
     * it into a model.
     */
    RECIPRO_CAM,
    /**
     * A baseline to score the others against, pytorch-grad-cam's {@code RandomCAM}: the feature maps weighted by
     * random channel weights, uniform in -1..1 from a fixed seed, negative values set to zero. Explains no class; a
     * method that a faithfulness metric does not rank above it tells nothing on that image.
     */
    RANDOM_CAM,
    /**
     * Occlusion sensitivity (Zeiler and Fergus 2014): the drop of the class score when a square patch of the input
     * is set to zero, for each position of the patch; {@link HeatmapOptions#patch} and
     * {@link HeatmapOptions#stride} set its size and step. One run per position, batched.
     */
    OCCLUSION,
    /**
     * FullGrad (Srinivas and Fleuret 2019), as pytorch-grad-cam computes it: the input times its gradient, and for
     * every convolution's bias and every BatchNormalization's (its statistics folded in) the bias times the gradient
     * where it is added, each taken absolute, each channel scaled to 0..1 and resized to the input, all summed and
     * scaled to 0..1. Every layer at once, at the input's resolution; one backward pass. Takes no layer, and eigen
     * smoothing does not apply.
     */
    FULL_GRAD;

    /**
     * Returns whether the method's map is taken at a layer: occlusion and FullGrad work on the input.
     *
     * @return false for {@link #OCCLUSION} and {@link #FULL_GRAD}
     */
    public boolean takesLayer() {
        return this != OCCLUSION && this != FULL_GRAD;
    }
}
