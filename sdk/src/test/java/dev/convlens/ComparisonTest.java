package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Drift between two models of one network: a float16 model against its float32 twin ({@link TestModels}), each
 * figure recomputed here from both models' own activations.
 */
class ComparisonTest {
    private static final Path PHOTO = Path.of("../examples/images/chelsea.png");
    private static final TestModels.Spec SPEC = TestModels.Spec.rgb(32, 32);

    @Test
    void aFloat16CopyDriftsByItsRoundingAndPredictsTheSame() {
        try (Inspector full = Inspector.of(new TestModels(SPEC).bytes());
             Inspector half = Inspector.of(new TestModels(SPEC.withFloat16()).bytes())) {
            Comparison drift = full.image(PHOTO).compare(half.image(PHOTO));
            System.out.println(drift);
            assertThat(drift.layers()).extracting(Comparison.LayerDrift::layer)
                    .containsExactly("conv1", "pool1", "conv2", "gap", "fc"); // every layer both have, in model order
            List<FeatureMap> a = full.image(PHOTO).layers("conv1", "pool1", "conv2", "gap", "fc").activations();
            List<FeatureMap> b = half.image(PHOTO).layers("conv1", "pool1", "conv2", "gap", "fc").activations();
            for (int l = 0; l < a.size(); l++) {
                float[] x = a.get(l).values();
                float[] y = b.get(l).values();
                double dot = 0;
                double xx = 0;
                double yy = 0;
                double dd = 0;
                for (int i = 0; i < x.length; i++) {
                    dot += x[i] * (double) y[i];
                    xx += x[i] * (double) x[i];
                    yy += y[i] * (double) y[i];
                    dd += (y[i] - (double) x[i]) * (y[i] - (double) x[i]);
                }
                Comparison.LayerDrift d = drift.layers().get(l);
                assertThat(d.relativeError()).isCloseTo(Math.sqrt(dd / xx), within(1e-12));
                assertThat(d.cosine()).isCloseTo(dot / Math.sqrt(xx * yy), within(1e-12));
                assertThat(d.relativeError()).as(d.layer()).isBetween(1e-5, 1e-2); // float16's rounding, not zero
                assertThat(d.cosine()).as(d.layer()).isGreaterThan(0.9999);
            }
            assertThat(drift.second().classIndex()).isEqualTo(drift.first().classIndex());
            assertThat(drift.second().probability()).isCloseTo(drift.first().probability(), within(1e-2));
            assertThat(drift.layer("conv2")).isSameAs(drift.layers().get(2));

            Comparison itself = full.image(PHOTO).layers("conv2").compare(full.image(PHOTO));
            assertThat(itself.layers()).singleElement().satisfies(d -> {
                assertThat(d.relativeError()).isZero();
                assertThat(d.cosine()).isCloseTo(1, within(1e-12));
            });
        }
    }

    @Test
    void otherWeightsDriftFarAndUnrelatedModelsAreRefused() {
        try (Inspector one = Inspector.of(new TestModels(SPEC).bytes());
             Inspector other = Inspector.of(new TestModels(new TestModels.Spec(Layout.NCHW, 3, 32, 32,
                     false, false, 99)).bytes());
             Inspector seed = Inspector.of(Path.of("../models/cats_vs_dogs_small.onnx"))) {
            assertThat(one.image(PHOTO).compare(other.image(PHOTO)).layer("conv1").cosine()).isLessThan(0.9);
            assertThatThrownBy(() -> one.image(PHOTO).compare(seed.image(PHOTO)))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("the models have no layer in common: [conv1, pool1, conv2, gap, fc] against"
                            + " [conv2d, max_pooling2d,");
        }
    }
}
