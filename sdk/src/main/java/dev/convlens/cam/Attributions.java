package dev.convlens.cam;

import dev.convlens.AttributionMethod;
import dev.convlens.HeatmapMethod;
import dev.convlens.HeatmapOptions;
import dev.convlens.ProgressListener;
import dev.convlens.Layout;
import dev.convlens.Target;
import dev.convlens.UnsupportedModelException;
import dev.convlens.image.InputSpec;
import dev.convlens.onnx.ModelFile;
import dev.convlens.runtime.Engine;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Pixel attributions: which input values decided a class score, from the gradient of the score with respect to the
 * model's input (see {@link AttributionMethod} for each method's definition, its channel reduction and its sign).
 * Methods that need the gradient at many inputs run them as batches where the model's batch is dynamic.
 */
public final class Attributions {
    /** SmoothGrad's noise is drawn from this seed, so a map is the same every time. */
    private static final long NOISE_SEED = 0;

    private final ModelFile model;
    private final Engine engine;
    private final InputSpec spec;
    private final boolean batchable;
    private final CamRunner cams;

    /**
     * @param batchable whether the model's batch size is dynamic, so several inputs can run at once
     * @param cams the Grad-CAM that {@link AttributionMethod#GUIDED_GRAD_CAM} multiplies with
     */
    public Attributions(ModelFile model, Engine engine, InputSpec spec, boolean batchable, CamRunner cams) {
        this.model = model;
        this.engine = engine;
        this.spec = spec;
        this.batchable = batchable;
        this.cams = cams;
    }

    /**
     * A map at the input's resolution, the class it explains and the model's score for that class.
     *
     * @param map {@code height * width} values, row by row
     */
    public record Result(float[] map, int height, int width, int targetClass, float score) {
    }

    /**
     * Computes a map.
     *
     * @param layer the Grad-CAM layer's output tensor, for {@link AttributionMethod#GUIDED_GRAD_CAM}
     * @param input the model input for the image, in the input's layout, batch 1
     * @param baseline the model input for a black image of the same size, for integrated gradients
     * @param w the input width
     * @param h the input height
     * @param requested the score to explain, or null for the predicted class
     * @throws UnsupportedModelException if the gradient cannot be taken through the model, or its first output
     *     holds no float scores
     * @throws IllegalArgumentException if the class is out of range
     */
    public Result run(AttributionMethod method, HeatmapOptions options, String layer, float[] input, float[] baseline,
                      int w, int h, Target requested, ProgressListener progress) {
        String output = Score.output(requested, engine.modelOutputs());
        engine.requireScores(output);
        long[] shape = spec.shape(w, h);
        Score target = Score.of(requested, engine.modelOutputs(),
                engine.run(spec.name(), input, shape, spec.float16(), Set.of(output)));
        float[] map = switch (method) {
            case GRADIENT -> maxAbs(gradient(input, shape, target, false), w, h);
            case GUIDED_BACKPROP -> maxAbs(gradient(input, shape, target, true), w, h);
            case INPUT_X_GRADIENT -> sum(times(input, gradient(input, shape, target, false)), w, h);
            case SMOOTH_GRAD -> smoothGrad(options, input, shape, target, w, h, progress);
            case INTEGRATED_GRADIENTS -> integratedGradients(options, input, baseline, shape, target, w, h, progress);
            case GUIDED_GRAD_CAM -> guidedGradCam(options, layer, input, shape, target, requested, w, h, progress);
        };
        return new Result(map, h, w, target.target(), target.score());
    }

    private float[] smoothGrad(HeatmapOptions options, float[] input, long[] shape, Score target, int w, int h,
                               ProgressListener progress) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : input) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double sigma = options.noise() * (max - min);
        Random random = new Random(NOISE_SEED); // samples are made in order, so the noise is the same in any batch
        int samples = options.samples();
        float[] mean = new float[input.length];
        gradients(samples, k -> {
            float[] sample = new float[input.length];
            for (int i = 0; i < input.length; i++) {
                sample[i] = (float) (input[i] + sigma * random.nextGaussian());
            }
            return sample;
        }, shape, target, options.batch(), false, progress, "smooth-grad: noisy samples", g -> {
            for (int i = 0; i < mean.length; i++) {
                mean[i] += Math.abs(g[i]) / samples;
            }
        });
        return maxAbs(mean, w, h);
    }

    private float[] integratedGradients(HeatmapOptions options, float[] input, float[] baseline, long[] shape,
                                        Score target, int w, int h, ProgressListener progress) {
        int steps = options.steps();
        float[] mean = new float[input.length];
        gradients(steps, k -> {
            float alpha = (k + 0.5f) / steps; // the midpoint of each of the steps equal intervals
            float[] point = new float[input.length];
            for (int i = 0; i < input.length; i++) {
                point[i] = baseline[i] + alpha * (input[i] - baseline[i]);
            }
            return point;
        }, shape, target, options.batch(), false, progress, "integrated gradients: steps", g -> {
            for (int i = 0; i < mean.length; i++) {
                mean[i] += g[i] / steps;
            }
        });
        float[] difference = new float[input.length];
        for (int i = 0; i < input.length; i++) {
            difference[i] = input[i] - baseline[i];
        }
        return sum(times(difference, mean), w, h);
    }

    private float[] guidedGradCam(HeatmapOptions options, String layer, float[] input, long[] shape, Score target,
                                  Target requested, int w, int h, ProgressListener progress) {
        float[] guided = maxAbs(gradient(input, shape, target, true), w, h);
        CamRunner.Result cam = cams.run(HeatmapMethod.GRAD_CAM, options, layer, input, w, h, requested,
                progress);
        float[] resized = MapMath.resize(cam.map(), cam.height(), cam.width(), h, w);
        for (int i = 0; i < guided.length; i++) {
            guided[i] *= resized[i];
        }
        return guided;
    }

    /** The gradient of the class score at one input. */
    private float[] gradient(float[] input, long[] shape, Score target, boolean guided) {
        float[][] one = new float[1][];
        gradients(1, k -> input, shape, target, 1, guided, ProgressListener.none(), "gradient", g -> one[0] = g);
        return one[0];
    }

    /**
     * The gradient of the class score at each of {@code count} inputs, in order, in batches of at most
     * {@code batchSize}: each input is made when its batch runs and each gradient handed on after it, so memory
     * holds one batch however many samples or steps are asked for.
     */
    private void gradients(int count, IntFunction<float[]> inputs, long[] shape, Score target, int batchSize,
                           boolean guided, ProgressListener progress, String work, Consumer<float[]> each) {
        int batch = batchable ? Math.min(batchSize, count) : 1;
        InputGradient full = null;
        for (int start = 0; start < count; start += batch) {
            int n = Math.min(batch, count - start);
            long[] batchShape = shape.clone();
            batchShape[0] = n;
            InputGradient gradient = n == batch && full != null ? full
                    : InputGradient.of(model, engine, spec, target.output(), List.of(), batchShape, guided);
            if (n == batch) {
                full = gradient;
            }
            int size = Math.toIntExact(Arrays.stream(shape).skip(1).reduce(1, Math::multiplyExact));
            float[] joined = new float[n * size];
            for (int b = 0; b < n; b++) {
                System.arraycopy(inputs.apply(start + b), 0, joined, b * size, size);
            }
            float[] g = gradient.run(joined, target.seed(n)).get(InputGradient.GRADIENT);
            for (int b = 0; b < n; b++) {
                each.accept(Arrays.copyOfRange(g, b * size, (b + 1) * size));
            }
            progress.progress(work, start + n, count);
        }
    }

    private static float[] times(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = a[i] * b[i];
        }
        return out;
    }

    /** Each pixel's largest absolute value over its channels. */
    private float[] maxAbs(float[] values, int w, int h) {
        float[] map = new float[w * h];
        for (int c = 0; c < spec.channels(); c++) {
            for (int i = 0; i < map.length; i++) {
                map[i] = Math.max(map[i], Math.abs(values[at(c, i, w * h)]));
            }
        }
        return map;
    }

    /** Each pixel's sum over its channels. */
    private float[] sum(float[] values, int w, int h) {
        float[] map = new float[w * h];
        for (int c = 0; c < spec.channels(); c++) {
            for (int i = 0; i < map.length; i++) {
                map[i] += values[at(c, i, w * h)];
            }
        }
        return map;
    }

    private int at(int c, int i, int plane) {
        return spec.layout() == Layout.NCHW ? c * plane + i : i * spec.channels() + c;
    }
}
