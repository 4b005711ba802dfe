package dev.convlens.onnx;

import dev.convlens.UnsupportedModelException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A classifier head of global average pooling followed by one dense layer, the shape CAM (Zhou et al. 2016)
 * needs: its class weights say how much each pooled channel counts for each class.
 *
 * @param pooled the tensor that is pooled: the feature maps CAM weighs
 * @param weights the dense layer's weights, {@code weights[class][channel]}
 * @param weightTensor the tensor that holds them in the graph
 * @param classesFirst whether that tensor is {@code [class][channel]} (a Gemm's transposed B) or
 *     {@code [channel][class]}
 */
public record DenseHead(String pooled, float[][] weights, String weightTensor, boolean classesFirst) {
    private static final Set<String> PASS_THROUGH = Set.of("Flatten", "Reshape", "Squeeze", "Identity", "Dropout");
    private static final Set<String> FINAL = Set.of("Softmax", "Sigmoid", "Identity", "Dropout", "Flatten",
            "Reshape", "Squeeze");

    /**
     * Finds the head after a tensor: the first GlobalAveragePool fed by it or by what follows it, then reshapes,
     * then a Gemm or MatMul with constant weights (and a bias Add), then at most a Softmax or Sigmoid before the
     * output. Empty if the model's head has another shape (the seed's Flatten + Dense, say). Float16 weights are read
     * as float32.
     */
    public static Optional<DenseHead> after(ModelFile model, String target, String output) {
        Graph g = new Graph(model.inFloat32().proto().getGraph());
        int pool = -1;
        Set<String> downstream = new java.util.HashSet<>(Set.of(target));
        for (int i = 0; i < g.nodeCount() && pool < 0; i++) {
            Onnx.NodeProto n = g.node(i);
            if (n.getInputList().stream().anyMatch(downstream::contains)) {
                if (n.getOpType().equals("GlobalAveragePool")) {
                    pool = i;
                }
                downstream.addAll(n.getOutputList());
            }
        }
        if (pool < 0) {
            return Optional.empty();
        }
        String current = g.node(pool).getOutput(0);
        Onnx.NodeProto dense = null;
        Set<String> seen = new java.util.HashSet<>();
        while (seen.add(current)) { // a tensor seen twice is a cycle: no head
            List<Integer> next = g.consumers(current);
            if (next.size() != 1) {
                return Optional.empty();
            }
            Onnx.NodeProto n = g.node(next.get(0));
            if (PASS_THROUGH.contains(n.getOpType())) {
                current = n.getOutput(0);
            } else if (n.getOpType().equals("Gemm") || n.getOpType().equals("MatMul")) {
                dense = n;
                current = n.getOutput(0);
                break;
            } else {
                return Optional.empty();
            }
        }
        float[][] weights = dense == null ? null : weights(g, dense);
        boolean classesFirst = dense != null && Attributes.integer(dense, "transB", 0) != 0;
        if (weights == null) {
            return Optional.empty();
        }
        while (!current.equals(output)) { // a bias Add, an activation, reshapes: nothing that mixes classes
            if (!seen.add(current)) {
                return Optional.empty();
            }
            List<Integer> next = g.consumers(current);
            if (next.size() != 1) {
                return Optional.empty();
            }
            Onnx.NodeProto n = g.node(next.get(0));
            boolean bias = n.getOpType().equals("Add") && n.getInputList().stream().filter(in -> !in.isEmpty())
                    .filter(in -> !g.isConstant(in)).count() == 1;
            if (!bias && !FINAL.contains(n.getOpType())) {
                return Optional.empty();
            }
            current = n.getOutput(0);
        }
        return Optional.of(new DenseHead(g.node(pool).getInput(0), weights, dense.getInput(1), classesFirst));
    }

    /**
     * The head after a tensor, for CAM.
     *
     * @throws UnsupportedModelException if the model's head has another shape, naming the methods that apply
     */
    public static DenseHead require(ModelFile model, String target, String output) {
        return after(model, target, output).orElseThrow(() -> new UnsupportedModelException(
                "CAM needs a head of global average pooling and one dense layer after the target layer, and this"
                        + " model has another (a Flatten before its dense layers, say); use GRAD_CAM, SCORE_CAM,"
                        + " ABLATION_CAM, EIGEN_CAM or OCCLUSION"));
    }

    /** The dense weights as [class][channel], from Gemm's B (transposed or not) or MatMul's [channel][class]. */
    private static float[][] weights(Graph g, Onnx.NodeProto dense) {
        if (dense.getInputCount() < 2) {
            return null;
        }
        float[] values = g.constantFloats(dense.getInput(1));
        long[] shape = g.constantShape(dense.getInput(1));
        if (values == null || shape == null || shape.length != 2) {
            return null;
        }
        boolean transB = Attributes.integer(dense, "transB", 0) != 0;
        int rows = (int) shape[0];
        int cols = (int) shape[1];
        int classes = transB ? rows : cols;
        int channels = transB ? cols : rows;
        float[][] w = new float[classes][channels];
        for (int k = 0; k < classes; k++) {
            for (int c = 0; c < channels; c++) {
                w[k][c] = transB ? values[k * cols + c] : values[c * cols + k];
            }
        }
        return w;
    }
}
