package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;

/** Pearson's correlation, with which tests compare maps and gradients to references whatever their scale. */
public final class Correlation {
    private Correlation() {
    }

    /** Pearson's correlation of two series of one length; 1 for two constant series. */
    public static double pearson(double[] a, double[] b) {
        assertThat(a).hasSameSizeAs(b);
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= a.length;
        mb /= b.length;
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (a[i] - ma) * (b[i] - mb);
            aa += (a[i] - ma) * (a[i] - ma);
            bb += (b[i] - mb) * (b[i] - mb);
        }
        return aa == 0 && bb == 0 ? 1 : ab / Math.sqrt(aa * bb);
    }

    /** Float values as doubles. */
    public static double[] widen(float[] values) {
        double[] wide = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            wide[i] = values[i];
        }
        return wide;
    }
}
