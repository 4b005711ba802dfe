package dev.convlens;

import java.util.List;
import java.util.Objects;

/**
 * A layer of a model, as a Keras user would name it: a convolution with the bias, normalization and activation an
 * exporter split off it, a pooling layer, a merge point where branches meet (a ResNet block's output), or a dense
 * layer of the classifier's head.
 *
 * @param index the layer's position in {@link Inspector#layers()}, in graph order
 * @param name its name: the Keras layer or PyTorch module name where the export keeps one, unique in the model
 * @param kind convolution, pooling, merge or dense
 * @param opTypes the ONNX op types it is made of, e.g. {@code [Conv, Relu]}
 * @param output the ONNX tensor that holds its output, the last of those ops
 * @param channels its output channels (a dense layer's units), or -1 if unknown
 * @param height its output height (1 for a dense layer), or -1 if unknown or dependent on the image (dynamic input
 *     size)
 * @param width its output width (1 for a dense layer), or -1 if unknown or dependent on the image
 * @param parameters its number of weights, or -1 if they cannot be counted without running the model
 */
public record Layer(int index, String name, Kind kind, List<String> opTypes, String output, int channels,
                    int height, int width, long parameters) {
    /** What a layer does. */
    public enum Kind {
        /** Conv or ConvTranspose, with what follows it. */
        CONVOLUTION,
        /** MaxPool, AveragePool, LpPool or a global pooling. */
        POOLING,
        /**
         * Where spatial branches meet: a residual Add, a Concat of branches, a gating Mul, with the normalization and
         * activation after it. A ResNet block's output (PyTorch's {@code model.layer4[-1]}) is one. Listed and
         * selectable by name, not in the default set of {@link Request#layers()}.
         */
        MERGE,
        /**
         * A dense layer (Keras's {@code Dense}, PyTorch's {@code nn.Linear}): a Gemm or MatMul on the vector after
         * the flattening or global pooling, with its bias, activation and softmax. Its units are drawn as channels of
         * one value each, on one scale; it has no positions, so no heatmap is drawn on it. Listed and selectable, not
         * in the default set of {@link Request#layers()}.
         */
        DENSE,
        /**
         * Any other spatial tensor of the graph, selected by its exact name (a convolution's output before its
         * activation, say): not listed by {@link Inspector#layers()}; its index follows the listed layers'.
         */
        TENSOR
    }

    /**
     * Copies the op types and checks for nulls.
     *
     * @param index see the record's description
     * @param name see the record's description
     * @param kind see the record's description
     * @param opTypes see the record's description
     * @param output see the record's description
     * @param channels see the record's description
     * @param height see the record's description
     * @param width see the record's description
     * @param parameters see the record's description
     * @throws NullPointerException if a reference is null
     */
    public Layer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(output, "output");
        opTypes = List.copyOf(opTypes);
    }

    /**
     * Returns the output shape as Keras prints it, channels first: {@code (32, 178, 178)}, or {@code (256,)} for a
     * dense layer, with {@code ?} for an unknown dimension.
     *
     * @return the shape as text
     */
    public String shape() {
        if (kind == Kind.DENSE) {
            return "(" + dim(channels) + ",)";
        }
        return "(" + dim(channels) + ", " + dim(height) + ", " + dim(width) + ")";
    }

    private static String dim(int d) {
        return d < 0 ? "?" : String.valueOf(d);
    }
}
