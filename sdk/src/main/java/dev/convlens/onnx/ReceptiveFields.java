package dev.convlens.onnx;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The receptive field of each spatial tensor that the image input reaches, followed forward through the graph: a
 * convolution or pooling window of {@code k} (dilated to {@code (k - 1) * d + 1}) at stride {@code s} and leading
 * padding {@code p} widens the field by {@code (k - 1) * d} input steps, moves its first centre by
 * {@code ((k - 1) * d / 2 - p)} steps and multiplies the step by {@code s}. Ops that keep positions (activations,
 * normalization, layout transposes, elementwise merges) keep the widest field of their inputs; ops that mix every
 * position (global pooling, flattening, dense layers) or whose scale is unknown (Resize, ConvTranspose) end it.
 */
public final class ReceptiveFields {
    /** Ops whose one spatial input reaches their output position by position. */
    private static final Set<String> WINDOWED = Set.of("Conv", "MaxPool", "AveragePool", "LpPool", "QLinearConv",
            "ConvInteger");
    private static final Set<String> ENDING = Set.of("GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool", "Flatten",
            "Gemm", "MatMul", "Reshape", "ReduceMean", "ReduceMax", "ReduceSum", "Resize", "Upsample",
            "ConvTranspose", "Squeeze", "Unsqueeze", "SpaceToDepth", "DepthToSpace", "Slice", "Gather", "Shape");

    /**
     * One tensor's field, per axis in input pixels: its size, the step between neighbouring positions, and the
     * centre of position 0 (negative where padding comes first).
     *
     * @param height the field's height
     * @param width the field's width
     * @param strideY input rows between vertically neighbouring positions
     * @param strideX input columns between horizontally neighbouring positions
     * @param centerY the input row at the centre of row 0's field
     * @param centerX the input column at the centre of column 0's field
     */
    public record Field(int height, int width, int strideY, int strideX, double centerY, double centerX) {
        private static final Field PIXEL = new Field(1, 1, 1, 1, 0, 0);

        private Field widened(long kh, long kw, long sh, long sw, long dh, long dw, long padTop, long padLeft) {
            long spanH = (kh - 1) * dh;
            long spanW = (kw - 1) * dw;
            return new Field(Math.toIntExact(height + spanH * strideY), Math.toIntExact(width + spanW * strideX),
                    Math.toIntExact(strideY * sh), Math.toIntExact(strideX * sw),
                    centerY + (spanH / 2.0 - padTop) * strideY, centerX + (spanW / 2.0 - padLeft) * strideX);
        }
    }

    private ReceptiveFields() {
    }

    /**
     * The fields of the tensors the input reaches through ops that keep positions.
     *
     * @param model the model
     * @param input the image input's name
     * @return the field of each such tensor, the input's own included
     */
    public static Map<String, Field> of(ModelFile model, String input) {
        Graph g = new Graph(model.proto().getGraph());
        Map<String, Field> fields = new HashMap<>();
        fields.put(input, Field.PIXEL);
        for (int i = 0; i < g.nodeCount(); i++) {
            Onnx.NodeProto node = g.node(i);
            String op = node.getOpType();
            if (ENDING.contains(op) || node.getInputCount() == 0) {
                continue;
            }
            Field field;
            if (WINDOWED.contains(op)) {
                Field in = fields.get(node.getInput(0));
                field = in == null ? null : window(g, node, in);
            } else {
                field = null; // the widest field of the inputs, for ops that keep positions
                for (String name : node.getInputList()) {
                    Field in = fields.get(name);
                    if (in != null && (field == null || (long) in.height * in.width > (long) field.height * field.width)) {
                        field = in;
                    }
                }
            }
            if (field != null) {
                for (String out : node.getOutputList()) {
                    fields.put(out, field);
                }
            }
        }
        return fields;
    }

    /** A convolution's or pooling's field, from its kernel, strides, dilations and leading padding. */
    private static Field window(Graph g, Onnx.NodeProto node, Field in) {
        long[] kernel = Attributes.ints(node, "kernel_shape");
        if (kernel == null || kernel.length == 0) {
            int weightInput = node.getOpType().equals("QLinearConv") ? 3 : 1;
            long[] w = node.getInputCount() > weightInput ? g.constantShape(node.getInput(weightInput)) : null;
            if (w == null || w.length < 3) {
                return null;
            }
            kernel = java.util.Arrays.copyOfRange(w, 2, w.length);
        }
        int rank = kernel.length; // 1-D windows run along the width
        kernel = lastTwo(kernel, rank);
        long[] strides = lastTwo(Attributes.ints(node, "strides"), rank);
        long[] dilations = lastTwo(Attributes.ints(node, "dilations"), rank);
        long[] pads = Attributes.ints(node, "pads");
        String autoPad = Attributes.string(node, "auto_pad");
        long padTop;
        long padLeft;
        if (autoPad != null && autoPad.startsWith("SAME")) {
            // total padding k' - s where the input divides by the stride; SAME_UPPER puts the odd one at the end
            boolean upper = autoPad.equals("SAME_UPPER");
            padTop = leading((kernel[0] - 1) * dilations[0] + 1 - strides[0], upper);
            padLeft = leading((kernel[1] - 1) * dilations[1] + 1 - strides[1], upper);
        } else if (pads != null && pads.length == 2 * rank) {
            padTop = rank == 1 ? 0 : pads[rank - 2];
            padLeft = pads[rank - 1];
        } else {
            padTop = 0;
            padLeft = 0;
        }
        return in.widened(kernel[0], kernel[1], strides[0], strides[1], dilations[0], dilations[1], padTop, padLeft);
    }

    /** The values for height and width of a per-axis attribute: 1 where absent, and 1 for the height of a 1-D op. */
    private static long[] lastTwo(long[] values, int rank) {
        if (values == null || values.length != rank) {
            return new long[] {1, 1};
        }
        return rank == 1 ? new long[] {1, values[0]} : new long[] {values[rank - 2], values[rank - 1]};
    }

    private static long leading(long total, boolean upper) {
        long t = Math.max(total, 0);
        return upper ? t / 2 : (t + 1) / 2;
    }
}
