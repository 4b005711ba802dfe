package dev.convlens.cam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The random change of a picture that regularized patterns use, and its adjoint. */
class WarpTest {
    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** {@code <apply(x), y> = <x, adjoint(y)>}: the adjoint carries gradients back exactly. */
    @Test
    void theAdjointIsTheTransposeOfTheChange() {
        Random r = new Random(3);
        for (int i = 0; i < 20; i++) {
            Warp warp = Warp.random(r, 23, 17, 4, 0.1, 10);
            float[] x = random(r, 3 * 23 * 17);
            float[] y = random(r, 3 * 23 * 17);
            double left = dot(warp.apply(x), y);
            assertThat(dot(x, warp.adjoint(y))).isCloseTo(left, within(1e-4 * (1 + Math.abs(left))));
        }
    }

    @Test
    void noChangeKeepsThePictureAndAShiftMovesIt() {
        float[] picture = random(new Random(4), 2 * 8 * 6);
        assertThat(Warp.random(new Random(5), 8, 6, 0, 0, 0).apply(picture)).containsExactly(picture);
        // shifts of at most one pixel each way, no scaling, no rotation: find the one right by one pixel
        Random r = new Random(6);
        float[] moved = null;
        for (int tries = 0; tries < 200 && moved == null; tries++) {
            float[] out = Warp.random(r, 8, 6, 1, 0, 0).apply(picture);
            boolean right = true;
            for (int y = 0; y < 6 && right; y++) {
                for (int x = 1; x < 8; x++) {
                    right &= out[y * 8 + x] == picture[y * 8 + x - 1];
                }
            }
            moved = right ? out : null;
        }
        assertThat(moved).as("a shift right by one pixel").isNotNull();
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 6; y++) {
                assertThat(moved[c * 48 + y * 8]).as("the edge repeated").isEqualTo(picture[c * 48 + y * 8]);
                for (int x = 1; x < 8; x++) {
                    assertThat(moved[c * 48 + y * 8 + x]).isEqualTo(picture[c * 48 + y * 8 + x - 1]);
                }
            }
        }
    }
}
