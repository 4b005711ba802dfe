package dev.convlens.onnx;

import java.util.ArrayList;
import java.util.List;

/**
 * The bias terms of a network, which FullGrad (Srinivas and Fleuret 2019) weighs by the gradient where they are added:
 * every convolution's constant bias and every BatchNormalization's bias once its statistics are folded in,
 * {@code B - mean * scale / sqrt(var + epsilon)}, as the paper's code and pytorch-grad-cam take them from
 * {@code Conv2d} and {@code BatchNorm2d}. An exporter that folded a BatchNormalization into its convolution left the
 * same bias there, at the same tensor.
 */
public final class BiasTerms {
    private BiasTerms() {
    }

    /**
     * One bias, per channel, and the tensor it is added to.
     *
     * @param tensor the output of the node that adds it
     * @param bias one value per channel
     */
    public record Term(String tensor, float[] bias) {
    }

    /** The network's bias terms in model order; a bias that is no constant (computed, or in a side file) is none. */
    public static List<Term> of(ModelFile model) {
        Graph g = new Graph(model.inFloat32().proto().getGraph());
        List<Term> terms = new ArrayList<>();
        for (int i = 0; i < g.nodeCount(); i++) {
            var n = g.node(i);
            if (n.getOpType().equals("Conv") && n.getInputCount() == 3) {
                float[] bias = g.constantFloats(n.getInput(2));
                if (bias != null) {
                    terms.add(new Term(n.getOutput(0), bias));
                }
            } else if (n.getOpType().equals("BatchNormalization") && n.getInputCount() == 5) {
                float[] scale = g.constantFloats(n.getInput(1));
                float[] b = g.constantFloats(n.getInput(2));
                float[] mean = g.constantFloats(n.getInput(3));
                float[] variance = g.constantFloats(n.getInput(4));
                if (scale != null && b != null && mean != null && variance != null) {
                    double epsilon = Attributes.real(n, "epsilon", 1e-5f);
                    float[] bias = new float[b.length];
                    for (int c = 0; c < bias.length; c++) {
                        bias[c] = (float) (b[c] - mean[c] * scale[c] / Math.sqrt(variance[c] + epsilon));
                    }
                    terms.add(new Term(n.getOutput(0), bias));
                }
            }
        }
        return terms;
    }
}
