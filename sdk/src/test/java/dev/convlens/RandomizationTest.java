package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.convlens.cam.MapMath;
import dev.convlens.onnx.LayerCatalog;
import dev.convlens.onnx.ModelFile;
import dev.convlens.onnx.RandomWeights;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The model-randomisation check (Adebayo et al. 2018): each step's map is the heatmap of a model whose top layers
 * are random, for the same class and layer, and what the paper finds holds on an ImageNet network (guided
 * backpropagation flagged, the gradient and Grad-CAM not).
 */
class RandomizationTest {
    private static final Path PHOTO = Path.of("../examples/images/chelsea.png");
    /** The randomisation with the cheapest rest of the protocol. */
    private static final Faithfulness CHECK = Faithfulness.defaults().steps(1).percentiles(50);

    @Test
    void eachStepIsTheHeatmapOfTheModelWithItsTopLayersRandom() {
        try (Inspector inspector = Inspector.of(HeatmapTest.SEED)) {
            Request request = inspector.image(PHOTO);
            Heatmap gradCam = request.heatmap(HeatmapMethod.GRAD_CAM);
            Randomization r = request.evaluate(gradCam, CHECK).randomization().orElseThrow();
            System.out.println("shipped convnet, Grad-CAM: " + r);
            assertThat(r.layers()).containsExactly("dense", "conv2d_4", "conv2d_3", "conv2d_2", "conv2d_1", "conv2d");

            ModelFile model = ModelFile.read(HeatmapTest.SEED);
            LayerCatalog catalog = LayerCatalog.of(model);
            ModelFile top = RandomWeights.of(model, List.of(catalog.selectOne("dense"), catalog.selectOne("conv2d_4")),
                    Faithfulness.defaults().seed());
            try (Inspector randomized = Inspector.of(top.bytes())) {
                Heatmap again = randomized.image(PHOTO).target(gradCam.targetClass()).layers("conv2d_4")
                        .heatmap(HeatmapMethod.GRAD_CAM);
                assertThat(r.similarities()[1]).isCloseTo(MapMath.spearman(gradCam.values(), again.values()),
                        within(1e-12));
                assertThat(again.values()).isNotEqualTo(gradCam.values());
            }
            assertThat(r.similarity()).isCloseTo(java.util.Arrays.stream(r.similarities()).average().orElseThrow(),
                    within(1e-12));
            assertThat(r.passes()).isTrue();
            assertThat(request.evaluate(gradCam, CHECK.modelRandomization(false)).randomization()).isEmpty();
        }
    }

    @Test
    @Tag("slow")
    void onSqueezeNetGuidedBackpropagationIsFlaggedAndTheGradientAndGradCamAreNot() {
        Path model = Shared.require("models/wild/squeezenet_fp16_caffe2_op7.onnx");
        try (Inspector inspector = Inspector.of(model)) {
            Request request = inspector.image(PHOTO).preprocessing(Preprocessing.IMAGENET);
            Randomization guided = randomization(request, request.attribution(AttributionMethod.GUIDED_BACKPROP));
            Randomization gradient = randomization(request, request.attribution(AttributionMethod.GRADIENT));
            Randomization gradCam = randomization(request, request.heatmap(HeatmapMethod.GRAD_CAM));
            assertThat(guided.layers()).hasSize(26).startsWith("conv10").endsWith("conv1");
            assertThat(guided.passes()).isFalse();
            assertThat(gradient.passes()).isTrue();
            assertThat(gradCam.passes()).isTrue();
            // guided backpropagation's map stays the image's while the layers that decide the class are random
            assertThat(guided.similarities()[0]).isGreaterThan(0.9);
            assertThat(gradCam.similarity()).isLessThan(gradient.similarity());
        }
    }

    private static Randomization randomization(Request request, Heatmap heatmap) {
        Randomization r = request.evaluate(heatmap, CHECK).randomization().orElseThrow();
        System.out.println("SqueezeNet, " + heatmap.method() + ": " + r);
        return r;
    }
}
