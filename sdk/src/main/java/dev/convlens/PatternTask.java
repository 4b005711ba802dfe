package dev.convlens;

import dev.convlens.onnx.LayerInfo;

/**
 * What a {@link Patterns} asks for, as plain values.
 *
 * @param layer the layer whose channels are optimized
 * @param channels the channels
 * @param seed the seed of the random start
 * @param steps gradient steps
 * @param step each step's size, in 0..255 pixel units
 * @param start the picture to start from, or null for the book's gray with a little noise
 * @param book whether to follow the book: the mean after the layer's Relu, its epsilon
 * @param regularized whether each step changes the picture a little at random (Lucid's transformation robustness)
 * @param preprocessing how pixels become input values, or null for the model's own
 * @param width the input width for a model of dynamic size, 0 for the default
 * @param height the input height, 0 for the default
 * @param progress hears the gradient steps
 */
record PatternTask(LayerInfo layer, int[] channels, long seed, int steps, float step, Source start, boolean book,
                   boolean regularized, Preprocessing preprocessing, int width, int height, ProgressListener progress) {
    /** A layer's channels with the given steps, the other settings at their defaults (see {@link Patterns}). */
    static PatternTask of(LayerInfo layer, int[] channels, int steps, float step) {
        return new PatternTask(layer, channels, 0, steps, step, null, false, false, null, 0, 0,
                ProgressListener.none());
    }

    PatternTask withChannels(int[] c) {
        return new PatternTask(layer, c, seed, steps, step, start, book, regularized, preprocessing, width, height,
                progress);
    }

    PatternTask withSeed(long s) {
        return new PatternTask(layer, channels, s, steps, step, start, book, regularized, preprocessing, width, height,
                progress);
    }

    PatternTask withSteps(int n, float size) {
        return new PatternTask(layer, channels, seed, n, size, start, book, regularized, preprocessing, width, height,
                progress);
    }

    PatternTask withStart(Source s) {
        return new PatternTask(layer, channels, seed, steps, step, s, book, regularized, preprocessing, width, height,
                progress);
    }

    PatternTask withBook(boolean b) {
        return new PatternTask(layer, channels, seed, steps, step, start, b, regularized, preprocessing, width, height,
                progress);
    }

    PatternTask withRegularized(boolean r) {
        return new PatternTask(layer, channels, seed, steps, step, start, book, r, preprocessing, width, height,
                progress);
    }

    PatternTask withPreprocessing(Preprocessing p) {
        return new PatternTask(layer, channels, seed, steps, step, start, book, regularized, p, width, height,
                progress);
    }

    PatternTask withProgress(ProgressListener p) {
        return new PatternTask(layer, channels, seed, steps, step, start, book, regularized, preprocessing, width,
                height, p);
    }

    PatternTask withSize(int w, int h) {
        return new PatternTask(layer, channels, seed, steps, step, start, book, regularized, preprocessing, w, h,
                progress);
    }
}
