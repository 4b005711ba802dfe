package dev.convlens;

/**
 * Where the channels sit in a model's image input.
 *
 * <p>ConvLens reads the layout from the input's shape: a 1 or 3 in the second place means {@link #NCHW}, in the
 * last place {@link #NHWC}. Set it with {@link Options#layout(Layout)} only for a model whose shape cannot tell.
 */
public enum Layout {
    /** Batch, channels, height, width: PyTorch, Caffe2, Paddle, CNTK exports. */
    NCHW,
    /** Batch, height, width, channels: Keras and TensorFlow exports (tf2onnx, keras2onnx). */
    NHWC
}
