package dev.convlens.cam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.convlens.Layout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PerturbationsTest {
    /** The rows of faithfulness_reference.tsv (sdk/tools/faithfulness_references.py), by name. */
    private static Map<String, double[]> references() throws IOException {
        Map<String, double[]> rows = new HashMap<>();
        try (InputStream in = PerturbationsTest.class.getResourceAsStream(
                "/dev/convlens/cam/faithfulness_reference.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    String[] f = line.split("\t");
                    rows.put(f[0], Stream.of(f[1].split(" ")).mapToDouble(Double::parseDouble).toArray());
                }
            }
        }
        return rows;
    }

    /** RISE's kernel is scipy's gaussian_filter of an 11x11 impulse, sigma 5 (faithfulness_reference.tsv). */
    @Test
    void theBlurKernelIsScipysGaussianFilterOfAnImpulse() throws IOException {
        double[] scipy = references().get("KERNEL");
        double[] ours = Perturbations.blurKernel();
        assertThat(ours).hasSize(121);
        double sum = 0;
        for (int i = 0; i < ours.length; i++) {
            assertThat(ours[i]).as("kernel value %d", i).isCloseTo(scipy[i], within(1e-9));
            sum += ours[i];
        }
        assertThat(sum).isCloseTo(1, within(1e-12)); // "reflect" keeps every weight inside
    }

    /**
     * The imputation is Quantus's {@code noisy_linear_imputation} (numpy and scipy's direct sparse solve, noise 0),
     * value for value, on the small ResNet's 3x64x64 input with 70% and 30% of its pixels removed (those at or
     * above the 30th and 70th percentile of its Grad-CAM map): conjugate gradients to 1e-5 of the largest value.
     */
    @Test
    void imputationIsQuantusNoisyLinearImputation() throws IOException {
        Map<String, double[]> reference = references();
        double[] input = reference.get("resnet QUANTUS_INPUT");
        float[] chw = new float[input.length];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = (float) input[i];
        }
        for (int p : new int[] {30, 70}) {
            boolean[] removed = new boolean[64 * 64];
            for (double index : reference.get("resnet QUANTUS_REMOVED_" + p)) {
                removed[(int) index] = true;
            }
            double[] quantus = reference.get("resnet QUANTUS_IMPUTED_" + p);
            float[] ours = new Perturbations(chw, Layout.NCHW, 3, 64, 64).imputed(removed, 0, new Random(1));
            double largest = 0;
            double difference = 0;
            for (int i = 0; i < ours.length; i++) {
                largest = Math.max(largest, Math.abs(quantus[i]));
                difference = Math.max(difference, Math.abs(ours[i] - quantus[i]));
            }
            System.out.printf("noisy linear imputation, %d of 4096 pixels removed: largest difference from Quantus"
                    + " %.2e (%.1e of the largest value)%n", reference.get("resnet QUANTUS_REMOVED_" + p).length,
                    difference, difference / largest);
            assertThat(difference).as("largest difference from Quantus, %d%%", p).isLessThan(1e-5 * largest);
        }
    }

    /**
     * aug_smooth's changes: mirrored left to right in the input's layout (NHWC and NCHW give the same picture),
     * multiplied by the factor; mirroring twice gives the input back.
     */
    @Test
    void augmentedInputsAreMirroredAndMultiplied() {
        float[] nchw = new float[2 * 2 * 3];
        float[] nhwc = new float[nchw.length];
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 3; x++) {
                    float v = 100 * c + 10 * y + x;
                    nchw[(c * 2 + y) * 3 + x] = v;
                    nhwc[(y * 3 + x) * 2 + c] = v;
                }
            }
        }
        float[] a = new Perturbations(nchw, Layout.NCHW, 2, 2, 3).augmented(true, 0.5f);
        float[] b = new Perturbations(nhwc, Layout.NHWC, 2, 2, 3).augmented(true, 0.5f);
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 3; x++) {
                    float expected = 0.5f * (100 * c + 10 * y + (2 - x));
                    assertThat(a[(c * 2 + y) * 3 + x]).isEqualTo(expected);
                    assertThat(b[(y * 3 + x) * 2 + c]).isEqualTo(expected);
                }
            }
        }
        assertThat(new Perturbations(a, Layout.NCHW, 2, 2, 3).augmented(true, 2)).containsExactly(nchw);
        assertThat(new Perturbations(nchw, Layout.NCHW, 2, 2, 3).augmented(false, 1.1f)[5]).isEqualTo(1.1f * 12);
    }

    /**
     * The imputation solves its equations: each removed value the weighted mean of its neighbours (1/6 direct, 1/12
     * diagonal, those outside the image left out), checked here equation by equation on a 6x5 input of 2 channels
     * in NHWC, where a removed block touches the border; a removed pixel amid equal values takes that value.
     */
    @Test
    void imputedValuesAreTheWeightedMeansOfTheirNeighbours() {
        int h = 5;
        int w = 6;
        float[] input = new float[h * w * 2];
        Random random = new Random(3);
        for (int i = 0; i < input.length; i++) {
            input[i] = random.nextFloat() * 10;
        }
        boolean[] removed = new boolean[h * w];
        for (int p : new int[] {0, 1, 6, 7, 8, 14, 20, 29}) {
            removed[p] = true;
        }
        float[] out = new Perturbations(input, Layout.NHWC, 2, h, w).imputed(removed, 0, new Random(1));
        int[][] offsets = {{1, 1}, {0, 1}, {-1, 1}, {1, -1}, {0, -1}, {-1, -1}, {1, 0}, {-1, 0}};
        for (int p = 0; p < h * w; p++) {
            for (int c = 0; c < 2; c++) {
                if (!removed[p]) {
                    assertThat(out[p * 2 + c]).isEqualTo(input[p * 2 + c]);
                    continue;
                }
                double sum = 0;
                double weights = 0;
                for (int[] o : offsets) {
                    int y = p / w + o[0];
                    int x = p % w + o[1];
                    if (y >= 0 && y < h && x >= 0 && x < w) {
                        double weight = o[0] != 0 && o[1] != 0 ? 1 / 12.0 : 1 / 6.0;
                        sum += weight * out[(y * w + x) * 2 + c];
                        weights += weight;
                    }
                }
                assertThat((double) out[p * 2 + c]).as("pixel %d channel %d", p, c)
                        .isCloseTo(sum / weights, within(1e-4));
            }
        }
        float[] flat = new float[9];
        java.util.Arrays.fill(flat, 7);
        boolean[] centre = new boolean[9];
        centre[4] = true;
        flat[4] = -100;
        assertThat(new Perturbations(flat, Layout.NCHW, 1, 3, 3).imputed(centre, 0, new Random(1))[4])
                .isCloseTo(7f, within(1e-5f));
    }

    @Test
    void theMostRelevantComeFirstAndTiesInRasterOrder() {
        assertThat(Perturbations.mostRelevantFirst(new float[] {0.5f, 2, 0.5f, 3, 0}))
                .containsExactly(3, 1, 0, 2, 4);
    }

    /** numpy.percentile's linear interpolation: the pixels at or above it are removed. */
    @Test
    void percentilesInterpolateAsNumpyDoes() {
        float[] keys = {4, 1, 3, 2, 5};
        // numpy.percentile([1, 2, 3, 4, 5], 30) = 2.2: 3, 4 and 5 are removed
        assertThat(Perturbations.atOrAbovePercentile(keys, 30)).containsExactly(true, false, true, false, true);
        // numpy.percentile(..., 50) = 3.0 exactly: 3 is removed too (not below it)
        assertThat(Perturbations.atOrAbovePercentile(keys, 50)).containsExactly(true, false, true, false, true);
        assertThat(Perturbations.atOrAbovePercentile(keys, 75)).containsExactly(true, false, false, false, true);
    }
}
