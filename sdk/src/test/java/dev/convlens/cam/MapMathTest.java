package dev.convlens.cam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.convlens.Correlation;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Spearman's rank correlation against the textbook's forms of it, computed here another way. */
class MapMathTest {
    @Test
    void spearmanIsOneMinusSixSumOfSquaredRankDifferencesWithoutTies() {
        Random random = new Random(5);
        float[] a = new float[200];
        float[] b = new float[200];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat();
            b[i] = a[i] + 0.5f * random.nextFloat();
        }
        double[] ra = naiveRanks(a);
        double[] rb = naiveRanks(b);
        double d2 = 0;
        for (int i = 0; i < a.length; i++) {
            d2 += (ra[i] - rb[i]) * (ra[i] - rb[i]);
        }
        double n = a.length;
        assertThat(MapMath.spearman(a, b)).isCloseTo(1 - 6 * d2 / (n * (n * n - 1)), within(1e-12));
    }

    @Test
    void tiesShareTheirMeanRankAsScipyCountsThem() {
        // a ReLU'd map: many zeros, -0 among them
        float[] a = {0, 0, -0f, 1, 2, 2, 3, 0};
        float[] b = {1, 2, 3, 4, 5, 6, 7, 8};
        assertThat(MapMath.spearman(a, b))
                .isCloseTo(Correlation.pearson(naiveRanks(a), naiveRanks(b)), within(1e-12));
        assertThat(MapMath.spearman(b, b)).isEqualTo(1.0, within(1e-12));
        assertThat(MapMath.spearman(new float[] {4, 4, 4}, new float[] {1, 2, 3})).as("a constant map").isZero();
    }

    /** Each value's rank: 1 + the values below it + half the others equal to it. */
    private static double[] naiveRanks(float[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            int below = 0;
            int equal = 0;
            for (int j = 0; j < v.length; j++) {
                below += v[j] < v[i] ? 1 : 0;
                equal += j != i && v[j] == v[i] ? 1 : 0;
            }
            r[i] = 1 + below + equal / 2.0;
        }
        return r;
    }
}
