package dev.convlens.cam;

import dev.convlens.ProgressListener;
import dev.convlens.UnsupportedModelException;
import dev.convlens.image.InputSpec;
import dev.convlens.image.PixelSpace;
import dev.convlens.onnx.ModelFile;
import dev.convlens.runtime.Engine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

/**
 * Gradient ascent in input space ("Deep Learning with Python" 5.4.2): for each channel of a layer, a picture that
 * excites it, found by following the gradient of the channel's mean activation with respect to the picture, steps
 * normalized by the gradient's root mean square. Channels run side by side as one batch where the model's batch is
 * dynamic.
 */
public final class PatternAscent {
    /** Channels optimized in one batch: more saves runs, but each costs its activations in memory. */
    private static final int BATCH = 16;
    /** The regularized mode's change of the picture at each step: a shift of up to 8 pixels, as Lucid's... */
    private static final int JITTER = 8;
    /** ...a scaling by up to 5% either way... */
    private static final double SCALE = 0.05;
    /** ...and a rotation of up to 5 degrees either way. */
    private static final double DEGREES = 5;

    private final ModelFile model;
    private final Engine engine;
    private final InputSpec spec;
    private final boolean batchable;

    /**
     * @param batchable whether the model's batch size is dynamic, so several channels can run at once
     */
    public PatternAscent(ModelFile model, Engine engine, InputSpec spec, boolean batchable) {
        this.model = model;
        this.engine = engine;
        this.spec = spec;
        this.batchable = batchable;
    }

    /**
     * What the ascent found for one channel.
     *
     * @param channel the channel
     * @param score its mean activation for {@code pixels}
     * @param pixels the picture, planes of 0..255-scaled values (unclipped), RGB or gray
     * @param input the picture as the model takes it, in its layout
     * @param dead whether the channel's mean activation is exactly 0 at the end: its Relu stays off everywhere, so
     *     no input the ascent found excites it
     */
    public record Result(int channel, float score, float[] pixels, float[] input, boolean dead) {
    }

    /**
     * Runs the ascent for some channels of a layer.
     *
     * @param layer the layer's output tensor, {@code [N, C, H, W]}: its channel's mean is the score
     * @param objective the tensor whose channel's mean the ascent follows: the layer's output, or the tensor that
     *     enters its final Relu, whose gradient does not vanish where the Relu is off everywhere
     * @param channels the channels, each in range
     * @param space the map between pixels and the model's input, at the input size
     * @param start the picture each channel starts from, planes of 0..255 values
     * @param steps how many steps
     * @param step each step's size, in 0..255 pixel units, along the RMS-normalized gradient
     * @param epsilon what the gradient's root mean square is increased by before it divides: the book's 1e-5, or 0
     * @param warps for each channel, the random source of the change each step makes to the picture before the
     *     gradient is taken (Lucid's transformation robustness), or null for none
     * @param progress hears each step of each batch
     * @throws UnsupportedModelException if the gradient cannot be taken through the model
     */
    public List<Result> run(String layer, String objective, int[] channels, PixelSpace space,
                            IntFunction<float[]> start, int steps, float step, double epsilon,
                            IntFunction<Random> warps, ProgressListener progress) {
        List<Result> results = new ArrayList<>();
        int batch = batchable ? BATCH : 1;
        int batches = (channels.length + batch - 1) / batch;
        long total = (long) batches * (steps + 1);
        Map<Integer, InputGradient> gradients = new LinkedHashMap<>(); // one per batch size; all but the last full
        for (int from = 0; from < channels.length; from += batch) {
            int[] some = Arrays.copyOfRange(channels, from, Math.min(channels.length, from + batch));
            InputGradient gradient = gradients.computeIfAbsent(some.length, n -> {
                long[] shape = spec.shape(space.width(), space.height());
                shape[0] = n;
                return InputGradient.of(model, engine, spec, objective, List.of(layer), shape, false);
            });
            long done = (long) (from / batch) * (steps + 1);
            results.addAll(batch(gradient, objective, layer, some, space, start, steps, step, epsilon, warps,
                    s -> progress.progress("patterns: gradient steps", done + s + 1, total)));
        }
        return results;
    }

    private List<Result> batch(InputGradient gradient, String objective, String layer, int[] channels,
                               PixelSpace space, IntFunction<float[]> start, int steps, float step, double epsilon,
                               IntFunction<Random> warps, IntConsumer stepped) {
        int n = channels.length;
        int size = space.size();
        float[][] pixels = new float[n][];
        for (int b = 0; b < n; b++) {
            pixels[b] = start.apply(channels[b]);
        }
        long[] shape = gradient.shape(objective);
        int plane = 1; // a map's positions; one for a dense layer's [N, units]
        for (int d = 2; d < shape.length; d++) {
            plane = Math.multiplyExact(plane, (int) shape[d]);
        }
        int perImage = (int) shape[1] * plane;
        float[] seed = new float[n * perImage]; // each element's channel's mean: 1 / (H W) over its map
        for (int b = 0; b < n; b++) {
            Arrays.fill(seed, b * perImage + channels[b] * plane, b * perImage + (channels[b] + 1) * plane,
                    1f / plane);
        }
        float[] scores = new float[n];
        Random[] random = new Random[n];
        for (int b = 0; b < n && warps != null; b++) {
            random[b] = warps.apply(channels[b]);
        }
        Warp[] warp = new Warp[n];
        for (int s = 0; s <= steps; s++) {
            float[] input = new float[n * size];
            for (int b = 0; b < n; b++) {
                // the last run scores the pictures as they are
                warp[b] = random[b] == null || s == steps ? null
                        : Warp.random(random[b], space.width(), space.height(), JITTER, SCALE, DEGREES);
                float[] picture = warp[b] == null ? pixels[b] : warp[b].apply(pixels[b]);
                System.arraycopy(space.toInput(picture), 0, input, b * size, size);
            }
            Map<String, float[]> out = gradient.run(input, seed);
            stepped.accept(s);
            float[] activations = out.get(layer);
            float[] g = out.get(InputGradient.GRADIENT);
            for (int b = 0; b < n; b++) {
                double sum = 0;
                for (int i = 0, at = b * perImage + channels[b] * plane; i < plane; i++) {
                    sum += activations[at + i];
                }
                scores[b] = (float) (sum / plane);
            }
            if (s == steps) {
                break; // the last run only scores the final pictures
            }
            for (int b = 0; b < n; b++) {
                float[] d = space.gradientToPixels(Arrays.copyOfRange(g, b * size, (b + 1) * size));
                if (warp[b] != null) {
                    d = warp[b].adjoint(d);
                }
                double squares = 0;
                for (float v : d) {
                    squares += (double) v * v;
                }
                double rms = Math.sqrt(squares / d.length);
                if (rms == 0) {
                    continue;
                }
                float scale = (float) (step / (rms + epsilon));
                for (int i = 0; i < size; i++) {
                    pixels[b][i] += scale * d[i];
                }
            }
        }
        List<Result> results = new ArrayList<>(n);
        for (int b = 0; b < n; b++) {
            results.add(new Result(channels[b], scores[b], pixels[b], space.toInput(pixels[b]), scores[b] == 0));
        }
        return results;
    }
}
