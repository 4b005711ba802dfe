package dev.convlens.cam;

import java.util.Random;

/**
 * A small random affine change of a picture (a shift, a scaling and a rotation about its center), applied with
 * bilinear sampling, and its adjoint, which carries a gradient with respect to the changed picture back to the
 * original: Lucid's "transformation robustness" for filter patterns, so that a pattern must work wherever it lands
 * and comes out smooth instead of as high-frequency noise.
 */
final class Warp {
    private final int width;
    private final int height;
    /** The inverse map: where in the original each changed pixel samples, {@code source = a * target + b}. */
    private final double a00;
    private final double a01;
    private final double a10;
    private final double a11;
    private final double bx;
    private final double by;

    private Warp(int width, int height, double dx, double dy, double scale, double angle) {
        this.width = width;
        this.height = height;
        double cos = Math.cos(angle) / scale;
        double sin = Math.sin(angle) / scale;
        a00 = cos;
        a01 = sin;
        a10 = -sin;
        a11 = cos;
        double cx = (width - 1) / 2.0;
        double cy = (height - 1) / 2.0;
        // source = R^-1 S^-1 (target - center - shift) + center
        bx = cx - (a00 * (cx + dx) + a01 * (cy + dy));
        by = cy - (a10 * (cx + dx) + a11 * (cy + dy));
    }

    /**
     * A random change: a shift of up to {@code jitter} pixels each way, a scaling by 1 plus or minus {@code scale},
     * a rotation of up to {@code degrees} either way, each uniform.
     */
    static Warp random(Random random, int width, int height, int jitter, double scale, double degrees) {
        return new Warp(width, height, random.nextInt(2 * jitter + 1) - jitter, random.nextInt(2 * jitter + 1) - jitter,
                1 + scale * (2 * random.nextDouble() - 1), Math.toRadians(degrees * (2 * random.nextDouble() - 1)));
    }

    /** The changed picture: planes of {@code height x width} values, each sampled bilinearly, edges repeated. */
    float[] apply(float[] planes) {
        float[] out = new float[planes.length];
        visit((plane, target, source, weight) -> out[plane + target] += (float) (weight * planes[plane + source]),
                planes.length);
        return out;
    }

    /** The adjoint of {@link #apply}: a gradient with respect to the changed picture, carried to the original. */
    float[] adjoint(float[] gradient) {
        float[] out = new float[gradient.length];
        visit((plane, target, source, weight) -> out[plane + source] += (float) (weight * gradient[plane + target]),
                gradient.length);
        return out;
    }

    private interface Tap {
        void add(int plane, int target, int source, double weight);
    }

    /** Every (target pixel, source pixel, bilinear weight) of the change, for each plane. */
    private void visit(Tap tap, int length) {
        int size = width * height;
        for (int plane = 0; plane < length; plane += size) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double sx = Math.min(Math.max(a00 * x + a01 * y + bx, 0), width - 1);
                    double sy = Math.min(Math.max(a10 * x + a11 * y + by, 0), height - 1);
                    int x0 = (int) sx;
                    int y0 = (int) sy;
                    int x1 = Math.min(x0 + 1, width - 1);
                    int y1 = Math.min(y0 + 1, height - 1);
                    double fx = sx - x0;
                    double fy = sy - y0;
                    int t = y * width + x;
                    tap.add(plane, t, y0 * width + x0, (1 - fx) * (1 - fy));
                    tap.add(plane, t, y0 * width + x1, fx * (1 - fy));
                    tap.add(plane, t, y1 * width + x0, (1 - fx) * fy);
                    tap.add(plane, t, y1 * width + x1, fx * fy);
                }
            }
        }
    }
}
