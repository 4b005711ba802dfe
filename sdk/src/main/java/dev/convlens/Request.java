package dev.convlens;

import dev.convlens.onnx.LayerInfo;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;

/**
 * What to show for one image: which layers, how the image is prepared, how the maps are drawn. Made by
 * {@link Inspector#image(java.nio.file.Path) Inspector.image(...)}.
 *
 * <pre>{@code
 * List<BufferedImage> grids = inspector.image(Path.of("dog.jpg"))
 *                                      .layers("conv2d", "conv2d_1")
 *                                      .colormap(Colormap.VIRIDIS)
 *                                      .grid(16);
 * }</pre>
 *
 * <p>A request is immutable: each option method returns a new request and leaves this one as it was, so a partly
 * built request can be kept, reused and shared between threads. Option methods only record and check their
 * arguments; the terminal methods ({@link #inspect()}, {@link #grid(int)}, {@link #activations()},
 * {@link #channel(String, int)}, {@link #outputs()}, {@link #resized()}, {@link #heatmap(HeatmapMethod)}) decode the
 * image and run the model, each time they are called.
 */
public final class Request {
    private final Pipeline pipeline;
    private final Task task;

    Request(Pipeline pipeline, Task task) {
        this.pipeline = pipeline;
        this.task = task;
    }

    /**
     * Selects the default layers: every convolution whose output is spatial (more than one value high or wide), in
     * model order. Convolutions on 1x1 maps, such as squeeze-and-excite blocks, and pooling layers are shown only when
     * named. This is what a request selects before any {@code layers(...)} call.
     *
     * @return a new request
     */
    public Request layers() {
        return with(task.withLayers(null));
    }

    /**
     * Selects layers by name.
     *
     * <p>Each name is tried in turn as: the exact layer, node or tensor name; a segment of a node name (Keras's
     * {@code conv2d_1} in tf2onnx's {@code model/conv2d_1/BiasAdd}, PyTorch's {@code features.0} in
     * {@code /features/features.0/Conv}); an op type ({@code Conv}, {@code MaxPool}); a glob with {@code *} and
     * {@code ?} ({@code conv2d_*}). A name may select several layers. The layers come out in model order.
     *
     * @param names one or more names, segments, op types or globs
     * @return a new request
     * @throws NullPointerException if names or one of them is null
     * @throws IllegalArgumentException if no name is given
     * @throws LayerNotFoundException if a name matches no layer; its message lists the closest names
     */
    public Request layers(String... names) {
        Objects.requireNonNull(names, "names");
        if (names.length == 0) {
            throw new IllegalArgumentException("layers(...) needs at least one name; layers() selects the default");
        }
        for (String name : names) {
            Objects.requireNonNull(name, "layer name");
        }
        return with(task.withLayers(pipeline.catalog().select(names)));
    }

    /**
     * Selects layers by their index in {@link Inspector#layers()}; negative indexes count from the end, so -1 is
     * the last layer.
     *
     * @param indexes one or more indexes
     * @return a new request
     * @throws NullPointerException if indexes is null
     * @throws IllegalArgumentException if no index is given
     * @throws LayerNotFoundException if an index is out of range
     */
    public Request layers(int... indexes) {
        Objects.requireNonNull(indexes, "indexes");
        if (indexes.length == 0) {
            throw new IllegalArgumentException("layers(...) needs at least one index; layers() selects the default");
        }
        return with(task.withLayers(pipeline.catalog().select(indexes)));
    }

    /**
     * Sets how pixels become input values. By default it is the preprocessing the model names in its metadata
     * (see {@link Preprocessing#parse(String)}), else {@link Preprocessing#RAW}: 0..255 values, RGB, nearest resize,
     * what a Keras model with its {@code Rescaling} layer inside expects.
     *
     * @param preprocessing a preset such as {@link Preprocessing#IMAGENET}, or a customized one
     * @return a new request
     * @throws NullPointerException if preprocessing is null
     */
    public Request preprocessing(Preprocessing preprocessing) {
        return with(task.withPreprocessing(Objects.requireNonNull(preprocessing, "preprocessing")));
    }

    /**
     * Sets the input size for a model whose height or width is dynamic. By default a dynamic size is the
     * image's own, its longer side capped at 1024 and both rounded to multiples of 32.
     *
     * @param width input width in pixels
     * @param height input height in pixels
     * @return a new request
     * @throws IllegalArgumentException if a value is not positive, or the model's input size is fixed to another
     */
    public Request size(int width, int height) {
        pipeline.checkSize(width, height);
        return with(task.withSize(width, height));
    }

    /**
     * Sets the colors maps are drawn in. Default {@link Colormap#VIRIDIS}.
     *
     * @param colormap the colormap
     * @return a new request
     * @throws NullPointerException if colormap is null
     */
    public Request colormap(Colormap colormap) {
        return with(task.withColormap(Objects.requireNonNull(colormap, "colormap")));
    }

    /**
     * Sets how values map to colors. By default grids use {@link Contrast#STANDARDIZED} (the seed's) and a
     * single channel {@link Contrast#CHANNEL_MIN_MAX} (as matplotlib's {@code matshow}).
     *
     * @param contrast the contrast
     * @return a new request
     * @throws NullPointerException if contrast is null
     */
    public Request contrast(Contrast contrast) {
        return with(task.withContrast(Objects.requireNonNull(contrast, "contrast")));
    }

    /**
     * Enlarges every value to a {@code factor x factor} block, for maps too small to see. Default 1.
     *
     * @param factor the integer enlargement, 1 to 64
     * @return a new request
     * @throws IllegalArgumentException if factor is out of range
     */
    public Request upscale(int factor) {
        if (factor < 1 || factor > 64) {
            throw new IllegalArgumentException("upscale factor must be 1 to 64, was " + factor);
        }
        return with(task.withUpscale(factor));
    }

    /**
     * Sets the class a {@link #heatmap(HeatmapMethod) heatmap} explains. By default it is the predicted class: the
     * largest output, or for a single sigmoid output 1 if its score is at least one half, else 0 (the complement).
     *
     * @param classIndex an index into the model's first output; for a single sigmoid output 1 (its score) or 0
     *     (the complement)
     * @return a new request
     * @throws IllegalArgumentException if classIndex is negative
     */
    public Request target(int classIndex) {
        if (classIndex < 0) {
            throw new IllegalArgumentException("target class must be 0 or more, was " + classIndex);
        }
        return with(task.withTarget(Target.classIndex(classIndex)));
    }

    /**
     * Sets the score a heatmap or attribution explains: a class, one value of any output (a detector's score for
     * one box), or a region of a dense output (a segmenter's class over some pixels). With a target other than a
     * class and no layer named, the heatmap layer is the last spatial convolution whose output the score depends on.
     *
     * <pre>{@code
     * Heatmap face = inspector.image(photo).target(Target.output("scores", 0, best, 1))
     *                          .heatmap(HeatmapMethod.GRAD_CAM);
     * }</pre>
     *
     * @param target the score; its output, index, channel and mask are checked against the model when a heatmap runs
     * @return a new request
     * @throws NullPointerException if target is null
     */
    public Request target(Target target) {
        return with(task.withTarget(Objects.requireNonNull(target, "target")));
    }

    /**
     * Sets who hears how far this request's long work has got: Score-CAM's, Ablation-CAM's, Recipro-CAM's and
     * occlusion's runs, SmoothGrad's samples, the steps of integrated gradients, an evaluation's runs and randomized
     * models. Interrupting the thread stops the work at its next run.
     *
     * <pre>{@code
     * Heatmap h = request.progress((work, done, total) -> System.err.printf("\r%s: %d/%d", work, done, total))
     *                    .heatmap(HeatmapMethod.SCORE_CAM);
     * }</pre>
     *
     * @param listener called after each batch of runs, on the working thread
     * @return a new request
     * @throws NullPointerException if listener is null
     */
    public Request progress(ProgressListener listener) {
        return with(task.withProgress(Objects.requireNonNull(listener, "listener")));
    }

    /**
     * Runs this request and another one, on another model of the same network (its int8 or float16 copy, say), and
     * compares them layer by layer: the layers this request selects (by default every listed layer) that the other
     * model has by name, and both predictions. Each request keeps its own settings, so each model gets its own
     * preprocessing; give both the same image.
     *
     * <pre>{@code
     * try (Inspector full = Inspector.of(Path.of("model.onnx"));
     *      Inspector half = Inspector.of(Path.of("model_fp16.onnx"))) {
     *     Comparison drift = full.image(Path.of("dog.jpg")).compare(half.image(Path.of("dog.jpg")));
     *     drift.layers().forEach(System.out::println);
     * }
     * }</pre>
     *
     * @param other a request on the other model
     * @return the drift of each layer both have, and both predictions
     * @throws NullPointerException if other is null
     * @throws IllegalArgumentException if the models have no layer in common, or one's shape differs between them
     * @throws ImageException if an image cannot be decoded
     * @throws InferenceException if ONNX Runtime fails
     * @throws IllegalStateException if either inspector is closed
     */
    public Comparison compare(Request other) {
        Objects.requireNonNull(other, "other");
        List<String> mine = task.layers() != null ? task.layers().stream().map(l -> l.name()).toList()
                : pipeline.layers().stream().map(Layer::name).toList();
        List<String> all = other.pipeline.layers().stream().map(Layer::name).toList();
        java.util.Set<String> theirs = new java.util.HashSet<>(all);
        List<String> common = mine.stream().filter(theirs::contains).toList();
        if (common.isEmpty()) {
            throw new IllegalArgumentException("the models have no layer in common: " + mine + " against " + all
                    + "; compare models of the same network");
        }
        String[] names = common.toArray(String[]::new);
        return Comparison.of(layers(names).inspect(), other.layers(names).inspect());
    }

    private Request with(Task changed) {
        return new Request(pipeline, changed);
    }

    /**
     * Runs the model once and keeps everything: the selected layers' activations and the model's outputs, from
     * which grids and channels are drawn without running again.
     *
     * @return the result
     * @throws ImageException if the image cannot be read
     * @throws ImageTooLargeException if the image is larger than the inspector's pixel limit
     * @throws InferenceException if ONNX Runtime fails
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     * @throws IllegalStateException if the inspector is closed
     */
    public Inspection inspect() {
        return pipeline.inspect(task);
    }

    /**
     * Draws each selected layer as a grid of its channels, {@code perRow} to a row.
     *
     * @param perRow channels per row, at least 1 (16 in the seed)
     * @return one image per layer, in model order
     * @throws IllegalArgumentException if perRow is less than 1
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     * @throws IllegalStateException if the inspector is closed
     */
    public List<BufferedImage> grid(int perRow) {
        Inspection.checkPerRow(perRow);
        return inspect().grid(perRow);
    }

    /**
     * Returns each selected layer's activations.
     *
     * @return one feature map per layer, in model order
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     * @throws IllegalStateException if the inspector is closed
     */
    public List<FeatureMap> activations() {
        return inspect().activations();
    }

    /**
     * Draws one channel of one layer, as the seed's {@code matshow} does. The layer need not be among those
     * selected.
     *
     * @param layer a layer name, as for {@link #layers(String...)}; it must match one layer
     * @param index the channel, from 0
     * @return the channel's map, one pixel per value times {@link #upscale(int)}
     * @throws NullPointerException if layer is null
     * @throws LayerNotFoundException if the name matches no layer
     * @throws IllegalArgumentException if the name matches several layers
     * @throws IndexOutOfBoundsException if the layer has no such channel; the message says how many it has
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     */
    public BufferedImage channel(String layer, int index) {
        LayerInfo one = pipeline.catalog().selectOne(Objects.requireNonNull(layer, "layer"));
        return pipeline.inspect(task.withLayers(List.of(one))).channel(one.name(), index);
    }

    /**
     * Computes where the model looked for the target class (see {@link #target(int)}), with the default
     * {@link HeatmapOptions}.
     *
     * <p>The target layer is the last one selected with {@link #layers(String...)}; by default it is the last
     * convolution layer whose output is still spatial (more than one value high and wide).
     *
     * <pre>{@code
     * BufferedImage picture = inspector.image(Path.of("dog.jpg")).heatmap(HeatmapMethod.GRAD_CAM).overlay();
     * }</pre>
     *
     * @param method how to compute it
     * @return the heatmap
     * @throws NullPointerException if method is null
     * @throws UnsupportedModelException if the method cannot apply to this model (CAM without a pooled dense head,
     *     gradients through an op without a rule), with the methods that can
     * @throws IllegalArgumentException if the target class is out of range
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     */
    public Heatmap heatmap(HeatmapMethod method) {
        return heatmap(method, HeatmapOptions.defaults());
    }

    /**
     * Computes where the model looked for the target class, with settings for the methods that run many times.
     *
     * @param method how to compute it
     * @param options Score-CAM's channels, the occlusion patch and stride, the batch size
     * @return the heatmap
     * @throws NullPointerException if an argument is null
     * @throws UnsupportedModelException if the method cannot apply to this model
     * @throws IllegalArgumentException if the target class is out of range
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     */
    public Heatmap heatmap(HeatmapMethod method, HeatmapOptions options) {
        return pipeline.heatmap(task, Objects.requireNonNull(method, "method"),
                Objects.requireNonNull(options, "options"));
    }

    /**
     * Measures how faithful a heatmap of this request's image is to the model, with the default
     * {@link Faithfulness} protocol: deletion and insertion curves and their areas, ROAD in both orders and combined,
     * each changed input scored for the heatmap's own target.
     *
     * <pre>{@code
     * Request request = inspector.image(Path.of("dog.jpg"));
     * Evaluation e = request.evaluate(request.heatmap(HeatmapMethod.GRAD_CAM));
     * double deletion = e.deletionArea(); // lower is better
     * }</pre>
     *
     * @param heatmap a heatmap or attribution of this request's image
     * @return the numbers, each with its direction
     * @throws NullPointerException if heatmap is null
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     */
    public Evaluation evaluate(Heatmap heatmap) {
        return evaluate(heatmap, Faithfulness.defaults());
    }

    /**
     * Measures how faithful a heatmap of this request's image is to the model, under a protocol.
     *
     * @param heatmap a heatmap or attribution of this request's image
     * @param protocol the steps, percentiles, noise and batch size
     * @return the numbers, each with its direction
     * @throws NullPointerException if an argument is null
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     */
    public Evaluation evaluate(Heatmap heatmap, Faithfulness protocol) {
        return pipeline.evaluate(task, Objects.requireNonNull(heatmap, "heatmap"),
                Objects.requireNonNull(protocol, "protocol"));
    }

    /** The methods {@link #recommend()} weighs: the fast ones, one or two runs each. */
    private static final List<HeatmapMethod> FAST_METHODS = List.of(HeatmapMethod.GRAD_CAM,
            HeatmapMethod.GRAD_CAM_PLUS_PLUS, HeatmapMethod.XGRAD_CAM, HeatmapMethod.HIRES_CAM, HeatmapMethod.LAYER_CAM,
            HeatmapMethod.EIGEN_CAM);

    /**
     * Answers "which layer, which method?" on this request's image: each fast heatmap method (Grad-CAM,
     * Grad-CAM++, XGrad-CAM, HiResCAM, LayerCAM, Eigen-CAM) on each candidate layer, evaluated by deletion, insertion
     * and ROAD under the default {@link Faithfulness} protocol, ranked, with whether the metrics agree. The
     * candidates are the layers selected with {@link #layers(String...)}, by default the last three spatial
     * convolution and merge layers (the class layer among them). One image is weak evidence: {@link
     * Recommendation#combine} those of several. Long: each candidate costs about one evaluation (reported to
     * {@link #progress(ProgressListener)} as {@code "recommend: candidates"}).
     *
     * <pre>{@code
     * Recommendation r = inspector.image(Path.of("dog.jpg")).recommend();
     * r.best().ifPresentOrElse(c -> System.out.println(c.method() + " on " + c.layer()),
     *         () -> System.out.println("the metrics disagree:\n" + r));
     * }</pre>
     *
     * @return the candidates ranked
     * @throws UnsupportedModelException if a method cannot apply to this model (gradients through an op without a
     *     rule): name the methods that can with {@link #recommend(Faithfulness, List)}
     * @throws IllegalArgumentException if a selected layer is not spatial, or the target class is out of range
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     */
    public Recommendation recommend() {
        return recommend(Faithfulness.defaults());
    }

    /**
     * Answers "which layer, which method?" with the fast methods of {@link #recommend()}, under a protocol.
     *
     * @param protocol the steps, percentiles, noise and batch size
     * @return the candidates ranked
     * @throws NullPointerException if protocol is null
     * @throws UnsupportedModelException if a method cannot apply to this model
     * @throws IllegalArgumentException if a selected layer is not spatial, or the target class is out of range
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     */
    public Recommendation recommend(Faithfulness protocol) {
        return recommend(protocol, FAST_METHODS);
    }

    /**
     * Answers "which layer, which method?" for some methods under a protocol. The model-randomisation check is not
     * run (it would cost a model per weighted layer for every candidate): evaluate the chosen pair with it.
     *
     * @param protocol the steps, percentiles, noise and batch size
     * @param methods the heatmap methods to weigh, one or more
     * @return the candidates ranked
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if methods is empty, a selected layer is not spatial, or the target class is
     *     out of range
     * @throws UnsupportedModelException if a method cannot apply to this model
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     */
    public Recommendation recommend(Faithfulness protocol, List<HeatmapMethod> methods) {
        Objects.requireNonNull(protocol, "protocol");
        List<HeatmapMethod> chosen = List.copyOf(methods);
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("no methods to recommend from: name one or more, such as"
                    + " HeatmapMethod.GRAD_CAM");
        }
        return pipeline.recommend(task, chosen, protocol);
    }

    /**
     * Computes which input pixels mattered for the target class (see {@link #target(int)}), from the gradient of its
     * score with respect to the model's input, with the default {@link HeatmapOptions}. The map has the input's
     * resolution; {@link Heatmap#overlay()} draws it over the image as for heatmaps (negative values as 0).
     *
     * <pre>{@code
     * Heatmap pixels = inspector.image(Path.of("dog.jpg")).attribution(AttributionMethod.INTEGRATED_GRADIENTS);
     * }</pre>
     *
     * @param method how to compute it
     * @return the map
     * @throws NullPointerException if method is null
     * @throws UnsupportedModelException if the gradient cannot be taken through the model (an op without a rule)
     * @throws IllegalArgumentException if the target class is out of range
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     */
    public Heatmap attribution(AttributionMethod method) {
        return attribution(method, HeatmapOptions.defaults());
    }

    /**
     * Computes which input pixels mattered for the target class, with settings for the methods that run many times.
     *
     * @param method how to compute it
     * @param options SmoothGrad's samples and noise, the steps of integrated gradients, the batch size
     * @return the map
     * @throws NullPointerException if an argument is null
     * @throws UnsupportedModelException if the gradient cannot be taken through the model
     * @throws IllegalArgumentException if the target class is out of range
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     */
    public Heatmap attribution(AttributionMethod method, HeatmapOptions options) {
        return pipeline.attribution(task, Objects.requireNonNull(method, "method"),
                Objects.requireNonNull(options, "options"));
    }

    /**
     * Runs only the model's own outputs, such as its class scores, on the plain (not rewritten) model.
     *
     * @return the outputs, in the model's order
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     */
    public List<Tensor> outputs() {
        return pipeline.outputs(task);
    }

    /**
     * Returns the image as the model receives it: decoded, turned upright, composited over white, resized to the
     * input size, and gray for a one-channel model; before scaling and normalization. Useful to check that the
     * model sees what you think it sees.
     *
     * @return an RGB image of the model's input size
     * @throws ImageException if the image cannot be read
     * @throws ImageTooLargeException if the image is larger than the inspector's pixel limit
     */
    public BufferedImage resized() {
        return Pictures.of(pipeline.resized(task));
    }

    @Override
    public String toString() {
        return "Request[" + task + "]";
    }
}
