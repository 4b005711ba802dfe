package dev.convlens.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The randomized copies of the shipped convnet: the chosen layers' weights drawn as PyTorch's
 * {@code reset_parameters()} draws them (uniform in +-1/sqrt(fanIn), so of standard deviation bound/sqrt(3)), every
 * other weight byte for byte the model's, and a layer's random weights the same in every copy that randomizes it.
 */
class RandomWeightsTest {
    private static final ModelFile SEED = ModelFile.read(Path.of("../models/cats_vs_dogs_small.onnx"));

    @Test
    void theTopLayersAreUniformInPytorchsBoundAndTheRestIsUntouched() {
        LayerCatalog catalog = LayerCatalog.of(SEED);
        LayerInfo dense = catalog.selectOne("dense");
        LayerInfo conv4 = catalog.selectOne("conv2d_4");
        LayerInfo conv3 = catalog.selectOne("conv2d_3");
        Graph original = new Graph(SEED.proto().getGraph());
        Graph one = new Graph(RandomWeights.of(SEED, List.of(dense), 42).proto().getGraph());
        Graph two = new Graph(RandomWeights.of(SEED, List.of(dense, conv4), 42).proto().getGraph());

        String conv4Kernel = original.node(conv4.nodes().get(0)).getInput(1);
        long[] kernel = original.constantShape(conv4Kernel); // Keras's 3x3, 256 to 256 channels: [256, 256, 3, 3]
        assertUniform(two.constantFloats(conv4Kernel), 1 / Math.sqrt(kernel[1] * kernel[2] * kernel[3]));
        String conv4Bias = original.node(conv4.nodes().get(0)).getInput(2);
        assertUniform(two.constantFloats(conv4Bias), 1 / Math.sqrt(kernel[1] * kernel[2] * kernel[3]));

        String denseKernel = original.node(dense.nodes().get(0)).getInput(1);
        assertUniform(one.constantFloats(denseKernel), 1 / Math.sqrt(12544)); // Gemm, transB: [1 unit, 12544 inputs]
        assertThat(two.constantFloats(denseKernel)).as("the same random dense weights in both copies")
                .isEqualTo(one.constantFloats(denseKernel));
        assertThat(one.constantFloats(conv4Kernel)).isEqualTo(original.constantFloats(conv4Kernel));
        for (String weight : original.node(conv3.nodes().get(0)).getInputList().subList(1, 3)) {
            assertThat(two.initializer(weight)).isEqualTo(original.initializer(weight));
        }
    }

    /** Every value within the bound, and the mean and spread of a uniform distribution on it. */
    private static void assertUniform(float[] values, double bound) {
        double sum = 0;
        double squares = 0;
        for (float v : values) {
            assertThat(Math.abs(v)).isLessThanOrEqualTo((float) bound);
            sum += v;
            squares += (double) v * v;
        }
        double mean = sum / values.length;
        double sd = Math.sqrt(squares / values.length - mean * mean);
        double expected = bound / Math.sqrt(3);
        // the mean's and the spread's sampling error: about sd/sqrt(n) and sd/sqrt(2n); 4 of them
        assertThat(Math.abs(mean)).isLessThan(4 * expected / Math.sqrt(values.length));
        assertThat(Math.abs(sd - expected)).isLessThan(4 * expected / Math.sqrt(2.0 * values.length) + 1e-9);
    }
}
