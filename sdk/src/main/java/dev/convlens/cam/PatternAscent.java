package dev.convlens.cam;

import dev.convlens.UnsupportedModelException;
import dev.convlens.image.InputSpec;
import dev.convlens.image.PixelSpace;
import dev.convlens.onnx.GradientBuilder;
import dev.convlens.onnx.ModelFile;
import dev.convlens.onnx.Rewriter;
import dev.convlens.runtime.Engine;
import dev.convlens.runtime.Values;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Gradient ascent in input space ("Deep Learning with Python" 5.4.2): for each channel of a layer, a picture that
 * excites it, found by following the gradient of the channel's mean activation with respect to the picture, steps
 * normalized by the gradient's root mean square. Channels run side by side as one batch where the model's batch is
 * dynamic.
 */
public final class PatternAscent {
    /** Channels optimized in one batch: more saves runs, but each costs its activations in memory. */
    private static final int BATCH = 16;

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
     * @throws UnsupportedModelException if the gradient cannot be taken through the model
     */
    public List<Result> run(String layer, String objective, int[] channels, PixelSpace space,
                            IntFunction<float[]> start, int steps, float step, double epsilon) {
        List<Result> results = new ArrayList<>();
        int batch = batchable ? BATCH : 1;
        Map<Integer, Gradient> gradients = new LinkedHashMap<>(); // one per batch size: all but the last are full
        for (int from = 0; from < channels.length; from += batch) {
            int[] some = Arrays.copyOfRange(channels, from, Math.min(channels.length, from + batch));
            Gradient gradient = gradients.computeIfAbsent(some.length, n -> gradient(layer, objective, space, n));
            results.addAll(batch(gradient, layer, some, space, start, steps, step, epsilon));
        }
        return results;
    }

    private List<Result> batch(Gradient gradient, String layer, int[] channels, PixelSpace space,
                               IntFunction<float[]> start, int steps, float step, double epsilon) {
        int n = channels.length;
        int size = space.size();
        float[][] pixels = new float[n][];
        for (int b = 0; b < n; b++) {
            pixels[b] = start.apply(channels[b]);
        }
        long[] inputShape = gradient.inputShape;
        float[] scores = new float[n];
        for (int s = 0; s <= steps; s++) {
            float[] input = new float[n * size];
            for (int b = 0; b < n; b++) {
                System.arraycopy(space.toInput(pixels[b]), 0, input, b * size, size);
            }
            Map<String, Values> out = engine.runDerived(gradient.key, gradient.model,
                    Map.of(spec.name(), new Engine.Feed(input, inputShape),
                            GradientBuilder.SEED, new Engine.Feed(gradient.seed(channels), gradient.objectiveShape)),
                    new LinkedHashSet<>(List.of(layer, gradient.name)));
            float[] activations = out.get(layer).planes()[0];
            float[] g = out.get(gradient.name).planes()[0];
            int plane = (int) (gradient.objectiveShape[2] * gradient.objectiveShape[3]);
            int perImage = (int) gradient.objectiveShape[1] * plane;
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

    /** A model that also returns a layer's output and the gradient of a seed-weighted sum of it to the input. */
    private record Gradient(String key, Supplier<byte[]> model, String name, long[] inputShape,
                            long[] objectiveShape) {
        /** d objective / d tensor for each batch element's channel: its mean over the map, 1 / (H W) there. */
        float[] seed(int[] channels) {
            int plane = (int) (objectiveShape[2] * objectiveShape[3]);
            int perImage = (int) objectiveShape[1] * plane;
            float[] seed = new float[channels.length * perImage];
            for (int b = 0; b < channels.length; b++) {
                Arrays.fill(seed, b * perImage + channels[b] * plane, b * perImage + (channels[b] + 1) * plane,
                        1f / plane);
            }
            return seed;
        }
    }

    /** The gradient model for a batch of {@code n} pictures; the shapes come from a forward run, the model later. */
    private Gradient gradient(String layer, String objective, PixelSpace space, int n) {
        long[] inputShape = spec.shape(space.width(), space.height());
        inputShape[0] = n;
        String input = spec.name();
        List<String> path = GradientBuilder.path(model, input, objective);
        Set<String> wanted = new LinkedHashSet<>(path);
        wanted.remove(input);
        List<Rewriter.Output> exposed = new ArrayList<>();
        for (String t : wanted) {
            if (!model.isOutput(t)) {
                exposed.add(new Rewriter.Output(t, 1, -1));
            }
        }
        float[] blank = new float[(int) Arrays.stream(inputShape).reduce(1, Math::multiplyExact)];
        Map<String, Values> forward = engine.runDerived("expose " + wanted,
                () -> Rewriter.expose(model.inFloat32().bytes(), exposed),
                Map.of(input, new Engine.Feed(blank, inputShape)), wanted);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        forward.forEach((name, v) -> shapes.put(name, v.shape()));
        shapes.put(input, inputShape);
        Supplier<byte[]> built = () -> {
            byte[] bytes = GradientBuilder.build(model, input, objective, shapes);
            return model.isOutput(layer) ? bytes : Rewriter.expose(bytes, List.of(new Rewriter.Output(layer, 1, 4)));
        };
        return new Gradient("pattern " + objective + " " + Arrays.toString(inputShape), built,
                GradientBuilder.gradientOf(input), inputShape, shapes.get(objective));
    }
}
