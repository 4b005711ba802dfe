package dev.convlens.cam;

import dev.convlens.HeatmapMethod;
import dev.convlens.HeatmapOptions;
import dev.convlens.Layout;
import dev.convlens.ProgressListener;
import dev.convlens.Target;
import dev.convlens.UnsupportedModelException;
import dev.convlens.image.InputSpec;
import dev.convlens.onnx.BiasTerms;
import dev.convlens.onnx.DenseHead;
import dev.convlens.onnx.GradientBuilder;
import dev.convlens.onnx.LayerInfo;
import dev.convlens.onnx.ModelFile;
import dev.convlens.onnx.Rewriter;
import dev.convlens.onnx.TailBuilder;
import dev.convlens.runtime.Engine;
import dev.convlens.runtime.Values;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Computes a class activation map for one image: runs the model as the method needs and combines what comes back.
 *
 * <p>The score explained is a {@link Score}: by default the model's first output at the predicted class; for several
 * outputs, the value of the class; for a single sigmoid output, the score for class 1 and its complement
 * {@code 1 - s} for class 0. A {@link Target} may name any value of any output, or a region of a dense one.
 */
public final class CamRunner {
    /** {@link HeatmapMethod#RANDOM_CAM}'s seed: a baseline that repeats. */
    private static final long RANDOM_SEED = 42;
    private final ModelFile model;
    private final Engine engine;
    private final InputSpec spec;
    private final boolean batchable;

    /**
     * @param batchable whether the model's batch size is dynamic, so several inputs can run at once
     */
    public CamRunner(ModelFile model, Engine engine, InputSpec spec, boolean batchable) {
        this.model = model;
        this.engine = engine;
        this.spec = spec;
        this.batchable = batchable;
    }

    /** Whether the model's batch size is dynamic, so several inputs can run at once. */
    public boolean batchable() {
        return batchable;
    }

    /**
     * A map, its size, the class it explains and the model's score for that class.
     *
     * @param map {@code height * width} values, row by row
     * @param tensor the feature maps it was computed from, or empty for occlusion
     */
    public record Result(float[] map, int height, int width, int targetClass, float score, String tensor) {
    }

    /**
     * Computes a map.
     *
     * @param layer the output tensor of the target layer
     * @param input the model input for the image, in the input's layout, batch 1
     * @param w the input width
     * @param h the input height
     * @param requestedClass the score to explain, or null for the predicted class
     * @param progress hears the runs of the methods that run the model many times
     * @throws UnsupportedModelException if the method cannot apply to this model, or the target's output holds no
     *     float scores
     * @throws IllegalArgumentException if the target does not fit the model's outputs
     */
    public Result run(HeatmapMethod method, HeatmapOptions options, String layer, float[] input, int w, int h,
                      Target requestedClass, ProgressListener progress) {
        engine.requireScores(Score.output(requestedClass, engine.modelOutputs()));
        Result plain = runOnce(method, options, layer, input, w, h, requestedClass, progress);
        return options.augSmoothed() ? augmentationSmoothed(plain, method, options, layer, input, w, h,
                requestedClass, progress) : plain;
    }

    /** ttach's factors of {@code Multiply}, as pytorch-grad-cam's default augmentation lists them. */
    private static final float[] AUGMENTATION_FACTORS = {0.9f, 1, 1.1f};

    /**
     * pytorch-grad-cam's {@code forward_augmentation_smoothing}: the map of each mirrored and multiplied input,
     * mirrored back, clipped at 0 and min-max scaled as its {@code forward()} leaves it, and the six averaged. The
     * class is the plain input's, so that every copy explains the same score.
     */
    private Result augmentationSmoothed(Result plain, HeatmapMethod method, HeatmapOptions options, String layer,
                                        float[] input, int w, int h, Target requestedClass,
                                        ProgressListener progress) {
        Target target = sameClass(plain, requestedClass);
        Perturbations inputs = new Perturbations(input, spec.layout(), spec.channels(), h, w);
        float[] sum = new float[plain.map().length];
        for (boolean mirror : new boolean[] {false, true}) {
            for (float factor : AUGMENTATION_FACTORS) {
                Result r = !mirror && factor == 1 ? plain
                        : runOnce(method, options, layer, inputs.augmented(mirror, factor), w, h, target, progress);
                // scaled twice, as its forward() scales a layer's map and then the layers' aggregate
                float[] scaled = MapMath.clippedAndScaled(MapMath.clippedAndScaled(new Perturbations(r.map(),
                        Layout.NCHW, 1, r.height(), r.width()).augmented(mirror, 1)));
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += scaled[i] / (2 * AUGMENTATION_FACTORS.length);
                }
            }
        }
        return new Result(sum, plain.height(), plain.width(), plain.targetClass(), plain.score(), plain.tensor());
    }

    /**
     * A map on several layers, as pytorch-grad-cam combines several {@code target_layers}: each layer's map clipped
     * at 0 and scaled to 0..1, resized to the input, the maps averaged and the mean clipped and scaled again; every
     * layer explains the class of the first.
     *
     * @param layers the output tensors of the layers
     * @return a map at the input's size, with the first layer's class and score
     */
    public Result run(HeatmapMethod method, HeatmapOptions options, List<String> layers, float[] input, int w, int h,
                      Target requestedClass, ProgressListener progress) {
        float[] mean = new float[w * h];
        Result first = null;
        for (String layer : layers) {
            Result r = run(method, options, layer, input, w, h, first == null ? requestedClass
                    : sameClass(first, requestedClass), progress);
            first = first == null ? r : first;
            float[] resized = MapMath.resize(MapMath.clippedAndScaled(r.map()), r.height(), r.width(), h, w);
            for (int i = 0; i < mean.length; i++) {
                mean[i] += resized[i] / layers.size();
            }
        }
        return new Result(MapMath.clippedAndScaled(mean), h, w, first.targetClass(), first.score(), first.tensor());
    }

    /** The class a first map explained, for the maps combined with it: the one asked for, else the predicted one. */
    private static Target sameClass(Result first, Target requestedClass) {
        return requestedClass != null || first.targetClass() < 0 ? requestedClass
                : Target.classIndex(first.targetClass());
    }

    private Result runOnce(HeatmapMethod method, HeatmapOptions options, String layer, float[] input, int w, int h,
                           Target requestedClass, ProgressListener progress) {
        long[] shape = spec.shape(w, h);
        return switch (method) {
            case CAM -> cam(options, layer, input, shape, requestedClass);
            case GRAD_CAM, GRAD_CAM_PLUS_PLUS, XGRAD_CAM, HIRES_CAM, LAYER_CAM, EIGEN_GRAD_CAM ->
                    gradCam(method, options, layer, input, shape, requestedClass);
            case SCORE_CAM -> scoreCam(options, layer, input, shape, w, h, requestedClass, progress);
            case ABLATION_CAM -> ablationCam(options, layer, input, shape, requestedClass, progress);
            case RECIPRO_CAM -> reciproCam(options, layer, input, shape, requestedClass, progress);
            case EIGEN_CAM -> {
                Forward f = forward(List.of(layer), input, shape, requestedClass);
                Maps a = f.maps(layer);
                yield f.result(MapMath.principalProjection(a.planes), a.h, a.w, layer);
            }
            case RANDOM_CAM -> {
                Forward f = forward(List.of(layer), input, shape, requestedClass);
                Maps a = f.maps(layer);
                Random random = new Random(RANDOM_SEED);
                double[] weights = random.doubles(a.planes.length, -1, 1).toArray();
                yield f.result(MapMath.combine(a.planes, weights, options.eigenSmoothed()), a.h, a.w, layer);
            }
            case OCCLUSION -> occlusion(options, input, shape, w, h, requestedClass, progress);
            case FULL_GRAD -> fullGrad(input, shape, w, h, requestedClass);
        };
    }

    private Result cam(HeatmapOptions options, String layer, float[] input, long[] shape, Target requestedClass) {
        if (requestedClass != null && requestedClass.output() != null) {
            throw new UnsupportedModelException("CAM weighs the dense weights of a class, and " + requestedClass
                    + " is not one; use GRAD_CAM, SCORE_CAM, ABLATION_CAM, EIGEN_CAM or OCCLUSION");
        }
        String output = engine.modelOutputs().get(0);
        DenseHead head = DenseHead.require(model, layer, output);
        Forward f = forward(List.of(head.pooled()), input, shape, requestedClass);
        Maps a = f.maps(head.pooled());
        int row = f.target.weights().length == 1 ? 0 : f.target.target(); // one sigmoid unit: signed by class
        double sign = f.target.weights().length == 1 && f.target.target() == 0 ? -1 : 1;
        double[] weights = new double[a.planes.length];
        for (int k = 0; k < weights.length; k++) {
            weights[k] = sign * head.weights()[row][k];
        }
        return f.result(MapMath.combine(a.planes, weights, options.eigenSmoothed()), a.h, a.w, head.pooled());
    }

    private Result gradCam(HeatmapMethod method, HeatmapOptions options, String layer, float[] input, long[] shape,
                           Target requestedClass) {
        String output = Score.output(requestedClass, engine.modelOutputs());
        String gradient = GradientBuilder.gradientOf(layer);
        Map<String, Values> r;
        Score target;
        if (requestedClass == null) { // the predicted class's seed is picked in the graph: one run
            r = engine.runDerived("gradient of the prediction at " + layer + " " + Arrays.toString(shape),
                    () -> GradientBuilder.buildForPrediction(model, layer, output,
                            shapes(forward(GradientBuilder.path(model, layer, output), input, shape, null))),
                    Map.of(spec.name(), new Engine.Feed(input, shape)),
                    new LinkedHashSet<>(List.of(layer, gradient, output)));
            target = Score.of(null, engine.modelOutputs(), r);
        } else {
            Forward f = forward(GradientBuilder.path(model, layer, output), input, shape, requestedClass);
            r = layerGradient(f, layer, input, shape);
            target = f.target;
        }
        Maps a = Maps.of(r.get(layer));
        Maps g = Maps.of(r.get(gradient));
        LayerInfo.Quantized q = engine.output(layer).quantized();
        if (q != null) { // the gradient came back per integer step; the activations are read as real values
            for (float[] plane : g.planes) {
                for (int i = 0; i < plane.length; i++) {
                    plane[i] /= q.scale();
                }
            }
        }
        return new Result(gradientMap(method, a.planes, g.planes, options.eigenSmoothed()), a.h, a.w, target.target(),
                target.score(), layer);
    }

    /** A gradient method's map from a layer's activations and the score's gradient there. */
    private static float[] gradientMap(HeatmapMethod method, float[][] a, float[][] g, boolean eigenSmooth) {
        double[] ones = new double[a.length];
        Arrays.fill(ones, 1);
        return switch (method) {
            case GRAD_CAM -> MapMath.combine(a, MapMath.meanGradients(g), eigenSmooth);
            case GRAD_CAM_PLUS_PLUS -> MapMath.combine(a, MapMath.gradCamPlusPlusWeights(a, g), eigenSmooth);
            case XGRAD_CAM -> MapMath.combine(a, MapMath.xGradCamWeights(a, g), eigenSmooth);
            case HIRES_CAM -> MapMath.combine(MapMath.gradientTimesActivation(a, g, false), ones, eigenSmooth);
            case LAYER_CAM -> MapMath.combine(MapMath.gradientTimesActivation(a, g, true), ones, eigenSmooth);
            case EIGEN_GRAD_CAM -> MapMath.principalProjection(MapMath.gradientTimesActivation(a, g, false));
            default -> throw new IllegalArgumentException(method + " is not a gradient method");
        };
    }

    /** The shape of some tensors, and of the first output, in one run on an input. */
    public Map<String, long[]> shapes(List<String> tensors, float[] input, long[] shape) {
        return shapes(forward(tensors, input, shape, null));
    }

    /**
     * The shapes of some tensors for a batch, from their shapes for one input and a run of two: a dimension that
     * grows with the batch grows by what it grew from one to two (a batch of 51's activations in the Java heap, only
     * to read their shapes, would take gigabytes where this takes twice one input's).
     *
     * @param one the tensors' shapes for one input, as {@link #shapes} gives them
     * @param shape the input's shape for one input
     */
    public Map<String, long[]> batchShapes(List<String> tensors, Map<String, long[]> one, long[] shape, int batch) {
        long[] two = shape.clone();
        two[0] = 2;
        Map<String, long[]> pair = shapes(tensors,
                new float[2 * Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact))], two);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        pair.forEach((name, s2) -> {
            long[] s1 = one.get(name);
            long[] s = s1.clone();
            for (int d = 0; d < s.length; d++) {
                s[d] = s1[d] + (s2[d] - s1[d]) * (batch - 1);
            }
            shapes.put(name, s);
        });
        return shapes;
    }

    /** The shape of every tensor a run returned. */
    private static Map<String, long[]> shapes(Forward f) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        f.values.forEach((name, v) -> shapes.put(name, v.shape()));
        return shapes;
    }

    /** The layer's activations and the gradient of the run's score with respect to them. */
    private Map<String, Values> layerGradient(Forward f, String layer, float[] input, long[] shape) {
        String output = f.target.output();
        Map<String, long[]> shapes = shapes(f);
        String gradient = GradientBuilder.gradientOf(layer);
        return engine.runDerived("gradient " + layer + " of " + output + " " + Arrays.toString(shape),
                () -> GradientBuilder.build(model, layer, output, shapes),
                Map.of(spec.name(), new Engine.Feed(input, shape),
                        GradientBuilder.SEED, new Engine.Feed(f.target.seed(1), shapes.get(output))),
                new LinkedHashSet<>(List.of(layer, gradient)));
    }

    /**
     * The first of some layers (the last spatial ones first) whose output the target's score depends on here: its
     * gradient there is not zero everywhere. A detector's score for one box depends on one of its heads only.
     *
     * @return the layer's output tensor, or the first candidate if the score depends on none
     */
    public String dependedOn(List<String> candidates, float[] input, int w, int h, Target requested) {
        String output = Score.output(requested, engine.modelOutputs());
        engine.requireScores(output);
        long[] shape = spec.shape(w, h);
        List<String> reaching = candidates.stream().filter(l -> GradientBuilder.reaches(model, l, output)).toList();
        if (reaching.isEmpty()) {
            return candidates.get(0);
        }
        // one backward pass down to the earliest, returning the gradient at every candidate on the way
        String earliest = reaching.get(reaching.size() - 1);
        Forward f = forward(GradientBuilder.path(model, earliest, output), input, shape, requested);
        Map<String, long[]> shapes = shapes(f);
        Set<String> wanted = new LinkedHashSet<>();
        for (String layer : reaching) {
            if (layer.equals(earliest) || GradientBuilder.reaches(model, earliest, layer)) {
                wanted.add(GradientBuilder.gradientOf(layer)); // on the backward pass from the output to the earliest
            }
        }
        Map<String, Values> r = engine.runDerived("gradients of " + output + " at " + wanted + " "
                        + Arrays.toString(shape),
                () -> GradientBuilder.gradients(model, earliest, output, shapes, List.copyOf(reaching)),
                Map.of(spec.name(), new Engine.Feed(input, shape),
                        GradientBuilder.SEED, new Engine.Feed(f.target.seed(1), shapes.get(output))), wanted);
        for (String layer : reaching) {
            Values g = r.get(GradientBuilder.gradientOf(layer));
            if (g != null) {
                for (float[] plane : g.channels()) {
                    for (float v : plane) {
                        if (v != 0) {
                            return layer;
                        }
                    }
                }
            }
        }
        return candidates.get(0);
    }

    private Result scoreCam(HeatmapOptions options, String layer, float[] input, long[] shape, int w, int h,
                            Target requestedClass, ProgressListener progress) {
        Forward f = forward(List.of(layer), input, shape, requestedClass);
        Maps a = f.maps(layer);
        int[] channels = mostActive(a.planes, options.channels());
        Perturbations inputs = new Perturbations(input, spec.layout(), spec.channels(), h, w);
        double[] scores = scores(channels.length, i -> {
            float[] mask = MapMath.resizeAlignCorners(a.planes[channels[i]], a.h, a.w, h, w);
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float v : mask) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            for (int j = 0; j < mask.length; j++) {
                mask[j] = (mask[j] - min) / (max - min + 1e-8f);
            }
            return inputs.times(mask);
        }, shape, f.target, options.batch(), progress, "score-cam: masked inputs");
        double[] softmax = MapMath.softmax(scores);
        double[] weights = new double[a.planes.length];
        for (int i = 0; i < channels.length; i++) {
            weights[channels[i]] = softmax[i];
        }
        return f.result(MapMath.combine(a.planes, weights, options.eigenSmoothed()), a.h, a.w, layer);
    }

    private Result ablationCam(HeatmapOptions options, String layer, float[] input, long[] shape, Target requestedClass,
                               ProgressListener progress) {
        Tail tail = tail(HeatmapMethod.ABLATION_CAM, layer, input, shape, requestedClass);
        Maps a = tail.forward.maps(layer);
        int channels = a.planes.length;
        int plane = a.h * a.w;
        float removed = options.ablatesBelowMinimum() ? belowMinimum(a.planes) : 0;
        double[] ablated = tail.scores(channels, options.batch(), progress, "ablation-cam: channels", (k, into, at) -> {
            for (int c = 0; c < channels; c++) {
                if (c != k) {
                    System.arraycopy(a.planes[c], 0, into, at + c * plane, plane);
                } else if (removed != 0) {
                    Arrays.fill(into, at + c * plane, at + (c + 1) * plane, removed);
                }
            }
        });
        double y = tail.forward.target.score();
        double[] weights = new double[channels];
        for (int k = 0; k < channels; k++) {
            weights[k] = Math.abs(y) < 1e-12 ? y - ablated[k] : (y - ablated[k]) / y;
        }
        return tail.forward.result(MapMath.combine(a.planes, weights, options.eigenSmoothed()), a.h, a.w, layer);
    }

    /**
     * pytorch-grad-cam's value for an ablated channel: 0 where the layer's minimum is 0 (after a ReLU), else that
     * minimum minus 10^7, which switches a following ReLU off.
     */
    private static float belowMinimum(float[][] planes) {
        float min = Float.POSITIVE_INFINITY;
        for (float[] plane : planes) {
            for (float v : plane) {
                min = Math.min(min, v);
            }
        }
        return min == 0 ? 0 : min - 1e7f;
    }

    /**
     * Recipro-CAM (Byun and Lee 2022): for each position of the layer's maps, the score of the network's tail run
     * on the maps kept at that position alone (a one-hot spatial mask over every channel), the positions run as one
     * batch where the model allows; the scores scaled to 0..1 by their minimum and maximum, as the paper's code and
     * OpenVINO XAI do ({@code (s - min) / (max - min + 1e-12)}).
     */
    private Result reciproCam(HeatmapOptions options, String layer, float[] input, long[] shape,
                              Target requestedClass, ProgressListener progress) {
        Tail tail = tail(HeatmapMethod.RECIPRO_CAM, layer, input, shape, requestedClass);
        Maps a = tail.forward.maps(layer);
        int plane = a.h * a.w;
        double[] scores = tail.scores(plane, options.batch(), progress, "recipro-cam: positions", (k, into, at) -> {
            for (int c = 0; c < a.planes.length; c++) {
                into[at + c * plane + k] = a.planes[c][k];
            }
        });
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : scores) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float[] map = new float[plane];
        for (int k = 0; k < plane; k++) {
            map[k] = (float) ((scores[k] - min) / (max - min + 1e-12));
        }
        return tail.forward.result(map, a.h, a.w, layer);
    }

    /** Writes one changed copy of a layer's activations, for the index-th run of the tail, at an offset. */
    private interface Changed {
        void write(int index, float[] into, int at);
    }

    /** The network after a layer, with the forward run it starts from. */
    private final class Tail {
        final Forward forward;
        private final String layer;
        private final String output;
        private final Map<String, long[]> shapes;
        private final List<String> externals;
        private final String key;
        private final java.util.function.Supplier<java.nio.ByteBuffer> build;

        Tail(Forward forward, String layer, String output, Map<String, long[]> shapes, List<String> externals,
             long[] shape) {
            this.forward = forward;
            this.layer = layer;
            this.output = output;
            this.shapes = shapes;
            this.externals = externals;
            this.key = "tail " + layer + " to " + output + " " + Arrays.toString(shape);
            this.build = () -> TailBuilder.build(model, layer, output, shapes).model();
        }

        /** The target's score of the tail run on each of {@code count} changed copies, in batches. */
        double[] scores(int count, int batchSize, ProgressListener progress, String work, Changed changed) {
            int batch = batchable ? batchSize : 1;
            long[] one = shapes.get(layer);
            int size = Math.toIntExact(Arrays.stream(one).skip(1).reduce(1, Math::multiplyExact));
            double[] scores = new double[count];
            for (int start = 0; start < count; start += batch) {
                int n = Math.min(batch, count - start);
                float[] activations = new float[n * size];
                for (int b = 0; b < n; b++) {
                    changed.write(start + b, activations, b * size);
                }
                long[] batchShape = one.clone();
                batchShape[0] = n;
                Map<String, Engine.Feed> feeds = new LinkedHashMap<>();
                feeds.put(layer, new Engine.Feed(activations, batchShape));
                for (String e : externals) {
                    feeds.put(e, new Engine.Feed(forward.values.get(e).planes()[0], shapes.get(e)));
                }
                float[] outputs = engine.runDerived(key, build, feeds, Set.of(output)).get(output).planes()[0];
                for (int b = 0; b < n; b++) {
                    scores[start + b] = forward.target.of(outputs, b);
                }
                progress.progress(work, start + n, count);
            }
            return scores;
        }
    }

    /**
     * The tail after a layer and the forward run that feeds it.
     *
     * @throws UnsupportedModelException for an int8 model's integer layer, whose changed values cannot be fed back
     */
    private Tail tail(HeatmapMethod method, String layer, float[] input, long[] shape, Target requestedClass) {
        String output = Score.output(requestedClass, engine.modelOutputs());
        if (engine.output(layer).quantized() != null) {
            throw new UnsupportedModelException(method + " feeds a layer's changed activations back into the"
                    + " model, and this int8 model's layer " + layer + " holds integers; use EIGEN_CAM, SCORE_CAM,"
                    + " OCCLUSION, or GRAD_CAM where its gradient passes");
        }
        List<String> needed = TailBuilder.inputs(model, layer, output);
        Forward f = forward(needed, input, shape, requestedClass);
        return new Tail(f, layer, output, shapes(f), needed.subList(1, needed.size()), shape);
    }

    private Result occlusion(HeatmapOptions options, float[] input, long[] shape, int w, int h, Target requestedClass,
                             ProgressListener progress) {
        Forward f = forward(List.of(), input, shape, requestedClass);
        int patch = options.patch() > 0 ? Math.min(options.patch(), Math.min(w, h)) : Math.max(1, Math.min(w, h) / 8);
        int stride = options.stride() > 0 ? options.stride() : Math.max(1, patch / 2);
        int rows = (h - patch) / stride + 1;
        int cols = (w - patch) / stride + 1;
        Perturbations inputs = new Perturbations(input, spec.layout(), spec.channels(), h, w);
        double[] scores = scores(rows * cols, i -> {
            int r = i / cols;
            int c = i % cols;
            float[] mask = new float[w * h];
            Arrays.fill(mask, 1f);
            for (int y = r * stride; y < r * stride + patch; y++) {
                Arrays.fill(mask, y * w + c * stride, y * w + c * stride + patch, 0f);
            }
            return inputs.times(mask);
        }, shape, f.target, options.batch(), progress, "occlusion: patch positions");
        float[] map = new float[rows * cols];
        for (int i = 0; i < map.length; i++) {
            map[i] = (float) (f.target.score() - scores[i]);
        }
        return f.result(map, rows, cols, "");
    }

    /**
     * FullGrad as pytorch-grad-cam's {@code FullGrad}: one backward pass down to the input, returning the gradient at
     * every bias term on the way; |input x gradient| and each |bias x gradient| channel by channel, each channel
     * scaled to 0..1 ({@code scale_accross_batch_and_channels}) and resized to the input, all summed and scaled.
     *
     * @throws UnsupportedModelException if the score depends on no constant bias (an int8 model's are integers)
     */
    private Result fullGrad(float[] input, long[] shape, int w, int h, Target requestedClass) {
        String output = Score.output(requestedClass, engine.modelOutputs());
        String in = spec.name();
        List<BiasTerms.Term> terms = BiasTerms.of(model).stream()
                .filter(t -> GradientBuilder.reaches(model, t.tensor(), output)).toList();
        if (terms.isEmpty()) {
            throw new UnsupportedModelException("FULL_GRAD weighs the biases of convolutions and BatchNormalizations,"
                    + " and no constant one feeds '" + output + "' (an int8 model's are integers); use GRAD_CAM, or"
                    + " the attribution INPUT_X_GRADIENT, FullGrad's input term");
        }
        Forward f = forward(GradientBuilder.path(model, in, output), input, shape, requestedClass);
        Map<String, long[]> shapes = shapes(f);
        Set<String> wanted = new LinkedHashSet<>(List.of(GradientBuilder.gradientOf(in)));
        terms.forEach(t -> wanted.add(GradientBuilder.gradientOf(t.tensor())));
        Map<String, Values> r = engine.runDerived("full-grad of " + output + " " + Arrays.toString(shape),
                () -> GradientBuilder.gradients(model, in, output, shapes,
                        terms.stream().map(BiasTerms.Term::tensor).toList()),
                Map.of(in, new Engine.Feed(input, shape),
                        GradientBuilder.SEED, new Engine.Feed(f.target.seed(1), shapes.get(output))), wanted);
        float[] sum = new float[w * h];
        float[] g = r.get(GradientBuilder.gradientOf(in)).planes()[0];
        int channels = spec.channels();
        for (int c = 0; c < channels; c++) {
            float[] plane = new float[w * h];
            for (int i = 0; i < plane.length; i++) {
                int at = spec.layout() == Layout.NCHW ? c * plane.length + i : i * channels + c;
                plane[i] = Math.abs(input[at] * g[at]);
            }
            add(sum, MapMath.minMaxScaled(plane));
        }
        for (BiasTerms.Term t : terms) {
            Values gradient = r.get(GradientBuilder.gradientOf(t.tensor()));
            if (gradient == null) {
                continue; // the backward pass to the input does not cross it
            }
            Maps m = Maps.of(gradient);
            for (int c = 0; c < m.planes.length; c++) {
                float[] plane = new float[m.h * m.w];
                for (int i = 0; i < plane.length; i++) {
                    plane[i] = Math.abs(t.bias()[c] * m.planes[c][i]);
                }
                add(sum, MapMath.resize(MapMath.minMaxScaled(plane), m.h, m.w, h, w));
            }
        }
        return new Result(MapMath.minMaxScaled(sum), h, w, f.target.target(), f.target.score(), "");
    }

    private static void add(float[] sum, float[] values) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += values[i];
        }
    }

    /**
     * The class scores of many inputs, run in batches when the model allows; each input is made when its batch
     * runs, so that memory holds one batch whatever the count (occlusion with a 1-pixel stride makes tens of
     * thousands).
     */
    private double[] scores(int count, IntFunction<float[]> inputs, long[] shape, Score target, int batchSize,
                            ProgressListener progress, String work) {
        int batch = batchable ? batchSize : 1;
        double[] scores = new double[count];
        for (int start = 0; start < count; start += batch) {
            int n = Math.min(batch, count - start);
            float[] joined = null;
            for (int b = 0; b < n; b++) {
                float[] one = inputs.apply(start + b);
                if (joined == null) {
                    joined = new float[Math.multiplyExact(n, one.length)];
                }
                System.arraycopy(one, 0, joined, b * one.length, one.length);
            }
            long[] batchShape = shape.clone();
            batchShape[0] = n;
            float[] out = engine.run(spec.name(), joined, batchShape, spec.float16(), Set.of(target.output()))
                    .get(target.output()).planes()[0];
            for (int b = 0; b < n; b++) {
                scores[start + b] = target.of(out, b);
            }
            progress.progress(work, start + n, count);
        }
        return scores;
    }

    /**
     * A target's score on an input, then on each of some changed copies of it, run in batches where the model's
     * batch is dynamic: what faithfulness metrics compare.
     *
     * @param changed the {@code i}-th changed input, for i from 0 to {@code count - 1}
     * @param work what the progress says is being done
     * @return {@code count + 1} scores, the input's first
     */
    public double[] scores(Target target, float[] input, long[] shape, int count, IntFunction<float[]> changed,
                           int batch, ProgressListener progress, String work) {
        Score score = forward(List.of(), input, shape, target).target;
        double[] all = new double[count + 1];
        all[0] = score.score();
        System.arraycopy(scores(count, changed, shape, score, batch, progress, work), 0, all, 1, count);
        return all;
    }

    /** The channels with the largest mean activation, as many as asked (0 or more than there are: all). */
    private static int[] mostActive(float[][] planes, int count) {
        if (count <= 0 || count >= planes.length) {
            return IntStream.range(0, planes.length).toArray();
        }
        double[] mean = new double[planes.length];
        for (int k = 0; k < planes.length; k++) {
            for (float v : planes[k]) {
                mean[k] += v;
            }
        }
        return IntStream.range(0, planes.length).boxed()
                .sorted(Comparator.comparingDouble((Integer k) -> -mean[k]).thenComparing(k -> k))
                .limit(count).sorted().mapToInt(Integer::intValue).toArray();
    }

    /** One forward run that also returns some inner tensors: the outputs, the class and its score. */
    private Forward forward(List<String> tensors, float[] input, long[] shape, Target requestedClass) {
        String output = Score.output(requestedClass, engine.modelOutputs());
        Set<String> wanted = new TreeSet<>(tensors);
        wanted.add(output);
        Map<String, Values> values;
        if (tensors.isEmpty()) {
            values = engine.run(spec.name(), input, shape, spec.float16(), Set.of(output));
        } else {
            List<Rewriter.Output> exposed = new ArrayList<>();
            for (String t : wanted) {
                if (!model.isOutput(t)) {
                    exposed.add(engine.output(t));
                }
            }
            values = engine.runDerived("expose " + wanted, () -> Rewriter.expose(model.inFloat32().bytes(), exposed),
                    Map.of(spec.name(), new Engine.Feed(input, shape)), wanted);
        }
        return new Forward(values, Score.of(requestedClass, engine.modelOutputs(), values));
    }

    private record Forward(Map<String, Values> values, Score target) {
        Maps maps(String tensor) {
            return Maps.of(values.get(tensor));
        }

        /** A map of this run's class. */
        Result result(float[] map, int height, int width, String tensor) {
            return new Result(map, height, width, target.target(), target.score(), tensor);
        }
    }

    /** A tensor {@code [1, C, h, w]} as one array per channel. */
    private record Maps(float[][] planes, int h, int w) {
        static Maps of(Values v) {
            long[] s = v.shape();
            if (s.length != 4 || s[0] != 1) {
                throw new UnsupportedModelException("heatmaps need feature maps of shape [1, C, H, W]; tensor '"
                        + v.name() + "' has shape " + Arrays.toString(s));
            }
            return new Maps(v.channels(), (int) s[2], (int) s[3]);
        }
    }
}
