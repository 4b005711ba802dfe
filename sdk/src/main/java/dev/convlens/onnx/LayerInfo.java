package dev.convlens.onnx;

import java.util.List;

/**
 * One layer as found in the graph: a convolution with what the exporter split off it (bias, normalization,
 * activation), a pooling node, a merge point of branches (a residual Add, a Concat, a gating Mul) with the
 * activation after it, or a dense layer.
 *
 * @param index position among the model's layers, in graph order
 * @param name display name, unique within the model (the Keras layer or PyTorch module name where the export
 *     keeps it)
 * @param kind convolution, pooling, merge or dense
 * @param opTypes the op types of the layer's nodes, in order, e.g. [Conv, BatchNormalization, Relu]
 * @param nodeNames the names of those nodes (some exporters leave them empty)
 * @param nodes the indices of those nodes in the graph
 * @param output the tensor holding the layer's output: the last tensor of the chain
 * @param preActivation the tensor that enters the layer's final Relu or Clip, which switches off below a bound
 *     (gradient ascent follows it where the activation is off everywhere); the output itself when the chain ends
 *     otherwise
 * @param parameters the number of weights (kernel, bias, normalization), or -1 if it cannot be read
 * @param elemType the ONNX element type of the output (1 float, 10 float16, 2 uint8, 3 int8)
 * @param quantized how an int8 or uint8 output maps to real values, or null for a float output
 */
public record LayerInfo(int index, String name, Kind kind, List<String> opTypes, List<String> nodeNames,
                        List<Integer> nodes, String output, String preActivation, long parameters, int elemType,
                        Quantized quantized) {
    /**
     * An integer tensor's real values: {@code (q - zeroPoint) * scale}, one scale for the whole tensor.
     *
     * @param scale the step between neighbouring integers
     * @param zeroPoint the integer that stands for 0
     */
    public record Quantized(float scale, long zeroPoint) {
    }

    /** What a layer does. */
    public enum Kind {
        /** A Conv or ConvTranspose with what follows it. */
        CONVOLUTION,
        /** A pooling node. */
        POOLING,
        /** Where branches meet: a residual Add, a Concat, a gating Mul, with what follows it. */
        MERGE,
        /** A Gemm or MatMul on a vector, with its bias and activation: one value a unit, no positions. */
        DENSE,
        /** Any other spatial tensor of the graph, selected by its exact name; not among the listed layers. */
        TENSOR
    }

    /** Copies the lists. */
    public LayerInfo {
        opTypes = List.copyOf(opTypes);
        nodeNames = List.copyOf(nodeNames);
        nodes = List.copyOf(nodes);
    }
}
