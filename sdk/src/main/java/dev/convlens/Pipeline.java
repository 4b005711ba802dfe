package dev.convlens;

import dev.convlens.cam.Attributions;
import dev.convlens.cam.CamRunner;
import dev.convlens.cam.MapMath;
import dev.convlens.cam.PatternAscent;
import dev.convlens.cam.Perturbations;
import dev.convlens.image.InputSpec;
import dev.convlens.image.NearestResize;
import dev.convlens.image.PixelSpace;
import dev.convlens.image.Pixels;
import dev.convlens.image.TensorBuilder;
import dev.convlens.onnx.Declaration;
import dev.convlens.onnx.ExplainerBuilder;
import dev.convlens.onnx.LayerCatalog;
import dev.convlens.onnx.LayerInfo;
import dev.convlens.onnx.ModelFile;
import dev.convlens.onnx.RandomWeights;
import dev.convlens.onnx.ReceptiveFields;
import dev.convlens.onnx.Rewriter;
import dev.convlens.render.PatternPictures;
import dev.convlens.render.Raster;
import dev.convlens.runtime.Engine;
import dev.convlens.runtime.Values;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.FutureTask;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Everything ConvLens does with one model, behind {@link Inspector} and {@link Request}: it opens the model, knows its
 * layers and its input, and carries out a {@link Task}: decode and size the image, build the input tensor, run ONNX
 * Runtime, turn what comes back into feature maps, outputs or a heatmap. Thread-safe; it owns the native sessions
 * until {@link #close()}.
 */
final class Pipeline implements AutoCloseable {
    /** The {@code metadata_props} key under which a model names its preprocessing (see {@link Preprocessing#parse}). */
    static final String PREPROCESSING_KEY = "convlens.preprocessing";

    private final ModelFile model;
    private final LayerCatalog catalog;
    private final InputSpec input;
    /** The named tensors described so far, each from one run at the probe's size. */
    private final Map<String, Layer> tensors = new java.util.concurrent.ConcurrentHashMap<>();
    /** Every tensor's receptive field, when first asked for (racing threads compute the same map). */
    private volatile Map<String, ReceptiveFields.Field> fields;
    private final Options options;
    private final Preprocessing preprocessing;
    private final Engine engine;
    private final CamRunner cams;
    private final PatternAscent ascent;
    private final Attributions attributions;
    private volatile Probe probe;
    private volatile boolean closed;

    private Pipeline(ModelFile model, LayerCatalog catalog, InputSpec input, Options options,
                     Preprocessing preprocessing, Engine engine, CamRunner cams, PatternAscent ascent) {
        this.model = model;
        this.catalog = catalog;
        this.input = input;
        this.options = options;
        this.preprocessing = preprocessing;
        this.engine = engine;
        this.cams = cams;
        this.ascent = ascent;
        this.attributions = new Attributions(model, engine, input, cams.batchable(), cams);
    }

    /**
     * Opens a parsed model: reads what it takes and which layers it has, then loads its plain session.
     *
     * @throws UnsupportedModelException if the model does not take one image or has no convolution
     * @throws ModelException if ONNX Runtime cannot load it or its preprocessing metadata is invalid
     * @throws CancelledException if the thread is interrupted
     */
    static Pipeline open(ModelFile model, Options options) {
        refuseIfInterrupted(model.source());
        Checked checked = Checked.of(model, options);
        return open(checked, options, Engine.load(model, options.threads(), options.cuda()));
    }

    /**
     * Opens a model file. ONNX Runtime loads it on the caller's thread while ConvLens reads, parses and checks it on
     * another core: the two take about as long on a small model, so opening costs little more than the session
     * alone. (Loading on the other thread instead measured slower: a session made on a fresh thread allocates in a
     * cold arena.)
     *
     * @throws ModelException if the file is missing or not ONNX, or ONNX Runtime cannot load it
     * @throws UnsupportedModelException if the model does not take one image or has no convolution
     * @throws CancelledException if the thread is interrupted
     */
    static Pipeline open(Path file, Options options) {
        refuseIfInterrupted(file.toString());
        FutureTask<Checked> checking = new FutureTask<>(() -> Checked.of(ModelFile.read(file), options));
        ForkJoinPool.commonPool().execute(checking);
        Engine.Plain plain;
        try {
            plain = Engine.load(file, options.threads(), options.cuda());
        } catch (RuntimeException e) {
            finish(checking); // what ConvLens finds wrong with the file says more than ONNX Runtime's refusal
            throw e;
        }
        Checked checked;
        try {
            checked = finish(checking);
        } catch (RuntimeException | Error e) {
            plain.close();
            throw e;
        }
        return open(checked, options, plain);
    }

    private static Pipeline open(Checked checked, Options options, Engine.Plain plain) {
        List<Rewriter.Output> layers = checked.catalog().layers().stream()
                .map(l -> new Rewriter.Output(l.output(), l.elemType(), 4, l.quantized())).toList();
        List<Rewriter.Output> tensors = checked.catalog().tensors().stream()
                .map(l -> new Rewriter.Output(l.output(), l.elemType(), -1, l.quantized())).toList();
        ModelFile model = checked.model();
        Engine engine = Engine.open(model, plain, layers, tensors, options.maxActivations());
        InputSpec input = checked.input();
        boolean batchable = checked.batchable();
        return new Pipeline(model, checked.catalog(), input, options, checked.preprocessing(), engine,
                new CamRunner(model, engine, input, batchable), new PatternAscent(model, engine, input, batchable));
    }

    /** Opens nothing on an interrupted thread, as no run starts on one: the interrupt cancels what it would start. */
    private static void refuseIfInterrupted(String source) {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancelledException("the thread was interrupted, so ConvLens did not open " + source
                    + " (the interrupt status is still set)");
        }
    }

    /** A task's result, run on the caller if no other thread has started it; what it threw is thrown as it was. */
    private static <T> T finish(FutureTask<T> task) {
        task.run(); // does nothing once another thread has started it
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the work is short and its result is needed: wait, and keep the interrupt
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A parsed model checked for what ConvLens needs: one image input within the pixel limit, a convolution, and
     * readable preprocessing metadata.
     *
     * @param batchable whether the input's batch dimension is free, so that several pictures go in one run
     */
    private record Checked(ModelFile model, InputSpec input, boolean batchable, LayerCatalog catalog,
                           Preprocessing preprocessing) {
        static Checked of(ModelFile model, Options options) {
            if (model.metadata(ExplainerBuilder.METHOD_KEY).isPresent()) {
                throw new UnsupportedModelException(model.source() + " is a ConvLens explainer (its metadata_props say"
                        + " " + ExplainerBuilder.METHOD_KEY + "=" + model.metadata(ExplainerBuilder.METHOD_KEY).get()
                        + "): it takes a picture's bytes and returns its own heatmap; open the model it was made from");
            }
            List<Declaration> inputs = model.inputs();
            if (inputs.size() != 1) {
                throw new UnsupportedModelException(model.source() + " has " + inputs.size() + " inputs "
                        + inputs.stream().map(Declaration::name).toList()
                        + "; ConvLens feeds models that take one image");
            }
            Declaration declared = inputs.get(0);
            InputSpec input = InputSpec.of(declared.name(), declared.dims(), declared.elemType(), options.layout());
            if (input.width() > 0 && input.height() > 0
                    && input.width() * input.height() > options.maxPixels()) {
                throw new UnsupportedModelException(model.source() + " takes a fixed input of " + input.width()
                        + "x" + input.height() + " = " + input.width() * input.height() + " pixels, more"
                        + " than the limit of " + options.maxPixels() + " (Options.maxPixels); raise it with"
                        + " Options.maxPixels(...) if this machine has the memory for the input and its activations");
            }
            LayerCatalog catalog = LayerCatalog.of(model);
            if (catalog.convolutions().isEmpty()) {
                throw new UnsupportedModelException(model.source() + " has no convolution layer (no Conv,"
                        + " ConvTranspose, QLinearConv or ConvInteger node), so there are no feature maps to show");
            }
            Preprocessing preprocessing = model.metadata(PREPROCESSING_KEY).map(v -> declaredPreprocessing(model, v))
                    .orElse(Preprocessing.RAW);
            return new Checked(model, input, declared.dims()[0] < 0, catalog, preprocessing);
        }

        private static Preprocessing declaredPreprocessing(ModelFile model, String value) {
            try {
                return Preprocessing.parse(value);
            } catch (IllegalArgumentException e) {
                throw new ModelException(model.source() + " names its preprocessing in metadata_props '"
                        + PREPROCESSING_KEY + "' as '" + value + "', which ConvLens cannot read: " + e.getMessage()
                        + ". Fix or remove that entry of the model's metadata.", e);
            }
        }
    }

    /**
     * Checks a size asked for the input: positive, the model's own where it is fixed, and within
     * {@link Options#maxPixels()}.
     *
     * @throws IllegalArgumentException if it is not
     */
    void checkSize(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("size must be positive, was " + width + "x" + height);
        }
        if (input.width() > 0 && input.width() != width || input.height() > 0 && input.height() != height) {
            throw new IllegalArgumentException("the model's input is fixed at " + input.width() + "x"
                    + input.height() + " (width x height); size(" + width + ", " + height + ") cannot apply");
        }
        checkPicture("size(" + width + ", " + height + ")", width, height);
    }

    /**
     * Refuses a picture, input or output, over {@link Options#maxPixels()}.
     *
     * @param what what makes the picture, for the message
     * @throws IllegalArgumentException if it is over
     */
    void checkPicture(String what, double width, double height) {
        Pictures.checkSize(what, width, height, options.maxPixels());
    }

    /** The receptive field of a layer's output, computed for every tensor on the first call. */
    Optional<ReceptiveField> receptiveField(LayerInfo layer) {
        ensureOpen();
        Map<String, ReceptiveFields.Field> all = fields;
        if (all == null) {
            all = ReceptiveFields.of(model, input.name());
            fields = all;
        }
        ReceptiveFields.Field f = all.get(layer.output());
        return f == null ? Optional.empty()
                : Optional.of(new ReceptiveField(f.width(), f.height(), f.strideX(), f.strideY(), f.centerX(),
                        f.centerY()));
    }

    LayerCatalog catalog() {
        return catalog;
    }

    InputSpec input() {
        return input;
    }

    /** The preprocessing a request gets when it names none: the model's own, else RAW. */
    Preprocessing preprocessing() {
        return preprocessing;
    }

    /** Every layer, with the output shapes the probe measured. */
    List<Layer> layers() {
        int[] size = input.size(224, 224, null);
        return probe(size[0], size[1]).layers();
    }

    /**
     * A layer as {@link #layers()} describes it, or for a tensor selected by its name (not among the layers), as one
     * run on a blank image of the probe's size describes it.
     */
    Layer layer(LayerInfo info) {
        if (info.kind() != LayerInfo.Kind.TENSOR) {
            return layers().get(info.index());
        }
        return tensors.computeIfAbsent(info.output(), name -> {
            int[] size = input.size(224, 224, null);
            float[] blank = new float[input.channels() * size[0] * size[1]];
            return tensorLayer(info, engine.run(input.name(), blank, input.shape(size[0], size[1]),
                    input.float16(), Set.of(name)).get(name).shape());
        });
    }

    /** A selected tensor described by its shape: channels, and height and width for a model of fixed size. */
    private Layer tensorLayer(LayerInfo info, long[] shape) {
        int c = shape.length >= 2 ? (int) shape[1] : -1;
        boolean fixed = !input.dynamicSize();
        return new Layer(info.index(), info.name(), Layer.Kind.TENSOR, info.opTypes(), info.output(), c,
                shape.length == 4 && fixed ? (int) shape[2] : -1, shape.length == 4 && fixed ? (int) shape[3] : -1,
                0);
    }

    /** The layers, described from one run on a blank image: output shapes are only known by running. */
    private record Probe(List<Layer> layers, List<LayerInfo> spatial) {
    }

    /**
     * The layers, probed once, at the first size asked for: a request's input size when a request comes first, since
     * some models of dynamic size run at one size only (a traced reshape); else the model's size, or 224 x 224.
     */
    private Probe probe(int width, int height) {
        Probe known = probe;
        if (known == null) {
            synchronized (this) {
                known = probe;
                if (known == null) {
                    known = runProbe(width, height);
                    probe = known;
                }
            }
        }
        return known;
    }

    private Probe runProbe(int width, int height) {
        ensureOpen();
        int[] size = {width, height};
        Set<String> wanted = new LinkedHashSet<>();
        catalog.layers().forEach(l -> wanted.add(l.output()));
        float[] blank = new float[input.channels() * size[0] * size[1]];
        Map<String, Values> values = engine.run(input.name(), blank, input.shape(size[0], size[1]), input.float16(),
                wanted);
        List<Layer> layers = new ArrayList<>();
        List<LayerInfo> spatial = new ArrayList<>();
        for (LayerInfo info : catalog.layers()) {
            long[] shape = values.get(info.output()).shape();
            int c = shape.length >= 2 ? (int) shape[1] : -1;
            boolean vector = shape.length == 2;
            int h = vector ? 1 : shape.length == 4 && !input.dynamicSize() ? (int) shape[2] : -1;
            int w = vector ? 1 : shape.length == 4 && !input.dynamicSize() ? (int) shape[3] : -1;
            layers.add(new Layer(info.index(), info.name(),
                    Layer.Kind.valueOf(info.kind().name()), info.opTypes(), info.output(),
                    c, h, w, info.parameters()));
            // a 1x1 map (a squeeze-and-excite convolution) is one pixel a tile: not drawn unless asked for by name
            if (info.kind() == LayerInfo.Kind.CONVOLUTION && shape.length == 4 && shape[2] * shape[3] > 1) {
                spatial.add(info);
            }
        }
        return new Probe(List.copyOf(layers), spatial.isEmpty() ? catalog.convolutions() : List.copyOf(spatial));
    }

    /** Runs the model once, keeping the task's layers (by default every spatial convolution) and the outputs. */
    Inspection inspect(Task task) {
        return inHeap(() -> {
            Prepared p = prepare(task, false);
            return run(task, p, task.layers() != null ? task.layers() : probe(p.width(), p.height()).spatial());
        });
    }

    /** Runs only the model's own outputs, on the plain model. */
    List<Tensor> outputs(Task task) {
        return inHeap(() -> run(task, prepare(task, false), List.of()).outputs());
    }

    /** Computes a heatmap for the task's class on its last selected layer, by default the last spatial one. */
    Heatmap heatmap(Task task, HeatmapMethod method, HeatmapOptions heatmapOptions) {
        return inHeap(() -> {
            Prepared p = prepare(task, true);
            float[] tensor = tensor(task, p);
            List<Layer> all = probe(p.width(), p.height()).layers();
            Layer layer = heatmapLayer(task, all, tensor, p);
            boolean several = heatmapOptions.averagesLayers() && task.layers() != null && task.layers().size() > 1
                    && method.takesLayer();
            List<Layer> averaged = new ArrayList<>();
            for (LayerInfo l : several ? task.layers() : List.<LayerInfo>of()) {
                averaged.add(heatmapLayer(task.withLayers(List.of(l)), all, tensor, p));
            }
            CamRunner.Result r = several ? cams.run(method, heatmapOptions,
                    averaged.stream().map(Layer::output).toList(), tensor, p.width(), p.height(), task.target(),
                    task.progress())
                    : cams.run(method, heatmapOptions, layer.output(), tensor, p.width(), p.height(), task.target(),
                    task.progress());
            requireFinite(method, task.target(), r.targetClass(), r.score(), r.map());
            return new Heatmap(method, several ? averaged : List.of(layer), task.target(), r.targetClass(), r.score(),
                    r.width(), r.height(), r.map(), p.pixels(), heatmapOptions);
        });
    }

    /**
     * Measures a heatmap's faithfulness on the task's image: deletion and insertion curves and ROAD, each changed
     * input scored for the heatmap's own target.
     */
    Evaluation evaluate(Task task, Heatmap heatmap, Faithfulness protocol) {
        return inHeap(() -> {
            long start = System.nanoTime();
            Prepared p = prepare(task, true);
            float[] tensor = tensor(task, p);
            long[] shape = input.shape(p.width(), p.height());
            int w = p.width();
            int h = p.height();
            float[] map = heatmap.width() == w && heatmap.height() == h ? heatmap.values()
                    : MapMath.resize(heatmap.values(), heatmap.height(), heatmap.width(), h, w);
            Perturbations inputs = new Perturbations(tensor, input.layout(), input.channels(), h, w);
            int[] order = Perturbations.mostRelevantFirst(map);
            int share = -Math.floorDiv(-w * h, Math.min(protocol.steps(), w * h)); // RISE's step: ceil(pixels / steps)
            int steps = -Math.floorDiv(-w * h, share);
            float[] zeros = new float[tensor.length];
            double[] deletion = cams.scores(heatmap.target(), tensor, shape, steps,
                    i -> inputs.replaced(order, Math.min((i + 1) * share, w * h), zeros, false), protocol.batch(),
                    task.progress(), "deletion: steps");
            float[] blurred = inputs.blurred();
            double[] insertion = cams.scores(heatmap.target(), blurred, shape, steps,
                    i -> inputs.replaced(order, Math.min((i + 1) * share, w * h), blurred, true), protocol.batch(),
                    task.progress(), "insertion: steps");
            int[] percentiles = protocol.percentiles();
            float[] scaled = MapMath.minMaxScaled(map);
            float[] least = new float[scaled.length];
            for (int i = 0; i < least.length; i++) {
                least[i] = 1f - scaled[i];
            }
            int n = percentiles.length;
            // each imputation one sparse solve, on several cores; its noise from the seed and its index
            IntStream imputations = IntStream.range(0, 2 * n);
            List<float[]> road = (options.threads() != 1 ? imputations.parallel() : imputations)
                    .mapToObj(k -> inputs.imputed(Perturbations.atOrAbovePercentile(k < n ? scaled : least,
                            percentiles[k % n]), protocol.noise(), new Random(protocol.seed() + k)))
                    .toList();
            // and the input times the map, pytorch-grad-cam's CamMultImageConfidenceChange, in the same batches
            List<float[]> changes = new ArrayList<>(road);
            changes.add(inputs.times(scaled));
            double[] changed = cams.scores(heatmap.target(), tensor, shape, changes.size(), changes::get,
                    protocol.batch(), task.progress(), "ROAD: changed inputs");
            double most = 0;
            double leastFirst = 0;
            for (int k = 0; k < percentiles.length; k++) {
                most += (changed[1 + k] - changed[0]) / percentiles.length;
                leastFirst += (changed[1 + percentiles.length + k] - changed[0]) / percentiles.length;
            }
            Randomization randomization = protocol.modelRandomization() ? randomization(task, heatmap, protocol) : null;
            return new Evaluation(heatmap.method(), (float) changed[0], deletion, insertion, most, leastFirst,
                    changed[changed.length - 1] - changed[0], randomization, protocol,
                    deletion.length + insertion.length + changed.length, road.size(),
                    Duration.ofNanos(System.nanoTime() - start));
        });
    }

    /**
     * Scores each method on each candidate layer by the faithfulness metrics, timing its heatmap and its evaluation;
     * the candidates are the task's layers, by default the last three spatial convolution and merge layers.
     */
    Recommendation recommend(Task task, List<HeatmapMethod> methods, Faithfulness protocol) {
        Faithfulness quick = protocol.modelRandomization(false);
        List<LayerInfo> layers = task.layers() != null ? task.layers() : inHeap(() -> candidateLayers(task));
        Task quiet = task.withProgress(ProgressListener.none()); // heard as candidates
        List<Recommendation.Candidate> measured = new ArrayList<>();
        int total = layers.size() * methods.size();
        for (LayerInfo layer : layers) {
            for (HeatmapMethod method : methods) {
                Task one = quiet.withLayers(List.of(layer));
                long start = System.nanoTime();
                Heatmap heatmap = heatmap(one, method, HeatmapOptions.defaults());
                long drawn = System.nanoTime();
                Evaluation e = evaluate(one, heatmap, quick);
                long evaluated = System.nanoTime();
                measured.add(new Recommendation.Candidate(heatmap.layer().name(), method, e.deletionArea(),
                        e.insertionArea(), e.roadMostRelevantFirst(), e.roadLeastRelevantFirst(),
                        Duration.ofNanos(drawn - start), Duration.ofNanos(evaluated - drawn), false));
                task.progress().progress("recommend: candidates", measured.size(), total);
            }
        }
        return Recommendation.ranked(measured, 1, quick);
    }

    /** The last three spatial convolution and merge layers, in model order. */
    private List<LayerInfo> candidateLayers(Task task) {
        Prepared p = prepare(task, false);
        List<LayerInfo> spatial = new ArrayList<>();
        for (Layer l : probe(p.width(), p.height()).layers()) {
            if ((l.kind() == Layer.Kind.CONVOLUTION || l.kind() == Layer.Kind.MERGE) && l.height() != 1
                    && l.width() != 1) {
                spatial.add(catalog.layers().get(l.index()));
            }
        }
        return List.copyOf(spatial.subList(Math.max(0, spatial.size() - 3), spatial.size()));
    }

    /**
     * The model-randomisation check: the heatmap's method again, for its class and on its layer, on copies of the
     * model with its weighted layers random from the top, one more each time (Quantus's {@code top_down} cascade),
     * each map compared with the heatmap by rank correlation. One copy open at a time, so memory holds two models.
     */
    private Randomization randomization(Task task, Heatmap heatmap, Faithfulness protocol) {
        List<LayerInfo> weighted = new ArrayList<>();
        for (LayerInfo l : catalog.layers()) {
            if ((l.kind() == LayerInfo.Kind.CONVOLUTION || l.kind() == LayerInfo.Kind.DENSE) && l.parameters() != 0) {
                weighted.add(0, l);
            }
        }
        double[] similarities = new double[weighted.size()];
        Task same = task.withTarget(heatmap.target()).withProgress(ProgressListener.none()); // heard as layers
        for (int k = 0; k < weighted.size(); k++) {
            ModelFile randomized = RandomWeights.of(model, weighted.subList(0, k + 1), protocol.seed());
            try (Pipeline other = open(randomized, options)) {
                Task t = same.withLayers(heatmap.layers().stream().map(l -> other.catalog.selectOne(l.name()))
                        .toList());
                Heatmap again = heatmap.method() instanceof HeatmapMethod m ? other.heatmap(t, m, heatmap.options())
                        : other.attribution(t, (AttributionMethod) heatmap.method(), heatmap.options());
                similarities[k] = MapMath.spearman(heatmap.values(), again.values());
            }
            task.progress().progress("model randomisation: layers", k + 1, weighted.size());
        }
        return new Randomization(weighted.stream().map(LayerInfo::name).toList(), similarities,
                protocol.randomizationThreshold());
    }

    /** Computes a pixel attribution for the task's class, at the input's resolution. */
    Heatmap attribution(Task task, AttributionMethod method, HeatmapOptions heatmapOptions) {
        return inHeap(() -> {
            Prepared p = prepare(task, true);
            float[] tensor = tensor(task, p);
            Layer layer = heatmapLayer(task, probe(p.width(), p.height()).layers(), tensor, p);
            Preprocessing preprocessing = preprocessing(task);
            float[] black = new PixelSpace(input, preprocessing, p.width(), p.height())
                    .toInput(new float[input.channels() * p.width() * p.height()]);
            Attributions.Result r = attributions.run(method, heatmapOptions, layer.output(), tensor, black,
                    p.width(), p.height(), task.target(), task.progress());
            requireFinite(method, task.target(), r.targetClass(), r.score(), r.map());
            return new Heatmap(method, List.of(layer), task.target(), r.targetClass(), r.score(), r.width(),
                    r.height(), r.map(), p.pixels(), heatmapOptions);
        });
    }

    /**
     * Refuses a map with NaN or infinite values: its pictures would scale by a NaN maximum and come out blank, as if
     * nothing mattered.
     */
    private static void requireFinite(ExplanationMethod method, Target target, int targetClass, float score,
                                      float[] map) {
        int nonFinite = 0;
        for (float v : map) {
            nonFinite += Float.isFinite(v) ? 0 : 1;
        }
        if (nonFinite > 0 || !Float.isFinite(score)) {
            throw new InferenceException(method + " for " + (targetClass >= 0 ? "class " + targetClass : target)
                    + " is not finite: the score is "
                    + score + " and " + nonFinite + " of the map's " + map.length + " values are NaN or infinite."
                    + " The model's weights or this input give NaN or infinite values; inspect() the layers and"
                    + " FeatureMap.nonFiniteCount() shows where they start");
        }
    }

    /**
     * Writes an explainer: the shapes it needs come from one run on a blank input of the size the model runs at.
     *
     * @throws UnsupportedModelException if the layer is not spatial, or the explainer cannot be written for this model
     */
    byte[] explainer(ExplainerTask task) {
        return inHeap(() -> {
            ensureOpen();
            int[] size = input.size(224, 224, task.width() > 0 ? new int[] {task.width(), task.height()} : null);
            Preprocessing chosen = task.preprocessing() != null ? task.preprocessing() : preprocessing;
            Layer layer = task.layer() != null ? layer(task.layer()) : classLayer(probe(size[0], size[1]).layers());
            String output = engine.modelOutputs().get(0);
            engine.requireScores(output);
            List<String> activations = task.activations().stream().map(LayerInfo::output).toList();
            String weighed = task.method() instanceof HeatmapMethod h
                    ? ExplainerBuilder.weighed(model, h, layer.output(), output) : layer.output();
            List<String> tensors = ExplainerBuilder.tensors(model, task.method(), weighed, input.name(), output,
                    activations);
            long[] shape = input.shape(size[0], size[1]);
            Map<String, long[]> shapes = cams.shapes(tensors, new float[input.channels() * size[0] * size[1]], shape);
            shapes.put(input.name(), shape);
            ExplainerBuilder.Integration integration = null;
            if (task.method() == AttributionMethod.INTEGRATED_GRADIENTS) { // the picture and its path, one batch
                if (!cams.batchable()) {
                    throw new UnsupportedModelException(model.source() + " has a fixed batch of 1, and an explainer"
                            + " runs integrated gradients' steps as one batch; export the model with a dynamic batch");
                }
                float[] black = new PixelSpace(input, chosen, 1, 1).toInput(new float[input.channels()]);
                integration = new ExplainerBuilder.Integration(task.steps(), black);
                shapes = cams.batchShapes(tensors, shapes, shape, 1 + task.steps());
                long[] batch = shape.clone();
                batch[0] = 1 + task.steps();
                shapes.put(input.name(), batch);
            }
            long[] maps = shapes.get(weighed);
            if (task.method() instanceof HeatmapMethod && (maps.length != 4 || maps[0] != 1)) {
                throw new UnsupportedModelException("layer " + layer.name() + " has shape " + Arrays.toString(maps)
                        + ", not the feature maps [1, C, H, W] a heatmap weighs; name a convolution's layer");
            }
            ExplainerBuilder.Picture picture = new ExplainerBuilder.Picture(input.name(), input.layout(),
                    input.channels(), size[0], size[1], chosen,
                    task.pictureWidth() > 0 ? task.pictureWidth() : -1,
                    task.pictureHeight() > 0 ? task.pictureHeight() : -1);
            ByteBuffer written = ExplainerBuilder.build(model, new ExplainerBuilder.Spec(task.method(),
                    weighed, engine.output(weighed).quantized(), output, shapes, picture, activations,
                    Explainer.overlayColors(), Explainer.metadata(task, layer, output, chosen), task.allClasses(),
                    integration));
            byte[] bytes = new byte[written.remaining()];
            written.get(bytes);
            return bytes;
        });
    }

    /** Runs gradient ascent for the task's channels and draws each pattern. */
    List<FilterPattern> patterns(PatternTask task) {
        return inHeap(() -> {
            ensureOpen();
            Layer layer = layer(task.layer());
            int[] channels = task.channels();
            int[] size = input.size(224, 224, task.width() > 0 ? new int[] {task.width(), task.height()} : null);
            Preprocessing chosen = task.preprocessing() != null ? task.preprocessing() : preprocessing;
            PixelSpace space = new PixelSpace(input, chosen, size[0], size[1]);
            float[] picture = task.start() == null ? null : startPicture(task.start(), chosen, size[0], size[1]);
            IntFunction<float[]> start = channel -> picture != null ? picture.clone()
                    : noise(space.size(), new Random(task.seed() * 31 + channel));
            List<FilterPattern> patterns = new ArrayList<>();
            String objective = task.book() ? layer.output() : task.layer().preActivation();
            for (PatternAscent.Result r : ascent.run(layer.output(), objective, channels, space, start, task.steps(),
                    task.step(), task.book() ? 1e-5 : 0,
                    task.regularized() ? channel -> new Random(task.seed() * 31 + channel + 1) : null,
                    task.progress())) {
                patterns.add(new FilterPattern(layer, r.channel(), r.score(), r.dead(), r.input(),
                        PatternPictures.deprocess(r.pixels(), space.channels(), size[0], size[1])));
            }
            return patterns;
        });
    }

    /** A start picture, decoded and resized as a request's image is, as planes of 0..255 values. */
    private float[] startPicture(Source source, Preprocessing chosen, int width, int height) {
        int channels = input.channels();
        byte[] samples = TensorBuilder.resize(source.decode(options.maxPixels()), channels, width, height,
                chosen.interpolation());
        int plane = width * height;
        float[] planes = new float[channels * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < channels; c++) {
                planes[c * plane + i] = samples[i * channels + c] & 0xFF;
            }
        }
        return planes;
    }

    /** The book's start: gray 128 plus uniform noise of 0..20. */
    private static float[] noise(int size, Random random) {
        float[] pixels = new float[size];
        for (int i = 0; i < size; i++) {
            pixels[i] = 128 + 20 * random.nextFloat();
        }
        return pixels;
    }

    /** The image as the model receives it: decoded, upright, over white, resized, gray for a gray model. */
    Raster resized(Task task) {
        Prepared p = prepare(task, false);
        byte[] samples = TensorBuilder.resize(p.pixels(), input.channels(), p.width(), p.height(),
                preprocessing(task).interpolation());
        return Raster.ofSamples(samples, input.channels(), p.width(), p.height());
    }

    /** The table of {@link Inspector#summary()}. */
    String summary() {
        return Summary.of(model.source(), model.producer(), input, model.metadata(PREPROCESSING_KEY).orElse(null),
                layers(), engine.modelOutputs());
    }

    /**
     * The last selected layer. Else, for a class: the layer whose output enters the classifier's global pooling (a
     * ResNet's last block), where it is spatial, or the last convolution whose output is more than one value high
     * and wide. For another target: the last spatial convolution or merge whose output the score depends on for
     * this input (a detector's score for one box depends on one of its heads).
     */
    private Layer heatmapLayer(Task task, List<Layer> all, float[] tensor, Prepared p) {
        if (task.layers() != null) {
            LayerInfo last = task.layers().get(task.layers().size() - 1);
            if (last.kind() == LayerInfo.Kind.DENSE) {
                Layer spatial = classLayer(all);
                throw new IllegalArgumentException(last.name() + " is a dense layer: its values have no positions in"
                        + " the image, so no heatmap is drawn on it; take a spatial layer, such as " + spatial.name()
                        + " (" + spatial.index() + ")");
            }
            return last.kind() == LayerInfo.Kind.TENSOR ? layer(last) : all.get(last.index());
        }
        if (task.target() != null && task.target().output() != null) {
            List<String> candidates = new ArrayList<>();
            for (int i = all.size() - 1; i >= 0; i--) {
                Layer l = all.get(i);
                if (l.kind() != Layer.Kind.POOLING && l.height() != 1 && l.width() != 1) {
                    candidates.add(l.output());
                }
            }
            String chosen = cams.dependedOn(candidates, tensor, p.width(), p.height(), task.target());
            return all.stream().filter(l -> l.output().equals(chosen)).findFirst().orElseThrow();
        }
        return classLayer(all);
    }

    /**
     * The layer a class's heatmap takes by default: the one whose output enters the classifier's global pooling,
     * where it is spatial, else the last convolution whose output is more than one value high and wide.
     */
    private Layer classLayer(List<Layer> all) {
        Layer pooled = catalog.pooled().map(l -> all.get(l.index())).orElse(null);
        if (pooled != null && pooled.height() != 1 && pooled.width() != 1) {
            return pooled;
        }
        Layer last = null;
        for (Layer l : all) {
            if (l.kind() == Layer.Kind.CONVOLUTION && l.height() != 1 && l.width() != 1) {
                last = l;
            }
        }
        return last != null ? last : all.get(catalog.convolutions().get(0).index());
    }

    /**
     * Does a request's work, turning a heap too small for it into an {@link InferenceException}: the large arrays
     * (the decoded image, the input tensor, the values returned) are each allocated whole, so running out leaves
     * nothing half made, and the message says what to ask for instead.
     */
    private static <T> T inHeap(Supplier<T> work) {
        try {
            return work.get();
        } catch (OutOfMemoryError e) {
            throw new InferenceException("the Java heap of " + (Runtime.getRuntime().maxMemory() >> 20) + " MB ran"
                    + " out (" + e.getMessage() + "): ask for a smaller size(w, h) or fewer layers, or raise -Xmx", e);
        }
    }

    /** The decoded image and the input size it is resized to. */
    private record Prepared(Pixels pixels, int width, int height) {
    }

    /**
     * Decodes the task's image and picks the input size.
     *
     * @param whole whether the photo itself is needed at its own size (the heatmaps' overlays), not only the input
     *     the model takes: else, where the resize is by nearest neighbours to a size known in advance, the decoder
     *     may hand over the resized pixels directly
     */
    private Prepared prepare(Task task, boolean whole) {
        ensureOpen();
        int[] requested = task.width() > 0 ? new int[] {task.width(), task.height()} : null;
        NearestResize resize = null;
        if (!whole && preprocessing(task).interpolation() == Interpolation.NEAREST
                && (!input.dynamicSize() || requested != null)) {
            int[] size = input.size(0, 0, requested); // known without the image's own size
            resize = new NearestResize(size[0], size[1]);
        }
        Pixels pixels = task.source().decode(options.maxPixels(), resize);
        int[] wh = resize != null ? new int[] {resize.width(), resize.height()}
                : input.size(pixels.width(), pixels.height(), requested);
        return new Prepared(pixels, wh[0], wh[1]);
    }

    private Preprocessing preprocessing(Task task) {
        return task.preprocessing() != null ? task.preprocessing() : preprocessing;
    }

    private float[] tensor(Task task, Prepared p) {
        return TensorBuilder.build(p.pixels(), input, p.width(), p.height(), preprocessing(task));
    }

    private Inspection run(Task task, Prepared p, List<LayerInfo> selected) {
        List<String> modelOutputs = engine.modelOutputs();
        Set<String> wanted = new LinkedHashSet<>(modelOutputs);
        selected.forEach(l -> wanted.add(l.output()));
        Map<String, Values> values = engine.run(input.name(), tensor(task, p), input.shape(p.width(), p.height()),
                input.float16(), wanted);
        List<Layer> described = selected.isEmpty() ? List.of() : probe(p.width(), p.height()).layers();
        List<FeatureMap> maps = new ArrayList<>();
        for (LayerInfo info : selected) {
            Values v = values.get(info.output());
            maps.add(featureMap(info.kind() == LayerInfo.Kind.TENSOR ? tensorLayer(info, v.shape())
                    : described.get(info.index()), v));
        }
        List<Tensor> outputs = new ArrayList<>();
        for (String name : modelOutputs) {
            Values v = values.get(name);
            outputs.add(new Tensor(name, engine.outputType(name), v.shape(), v.planes()[0]));
        }
        return new Inspection(maps, outputs, task.colormap(), task.contrast(), task.upscale(),
                options.threads() != 1, options.maxPixels());
    }

    private static FeatureMap featureMap(Layer layer, Values v) {
        long[] s = v.shape();
        if ((s.length == 4 || s.length == 3) && s[0] == 1) { // a 1-D convolution: one row per channel
            return new FeatureMap(layer, s.length == 4 ? (int) s[2] : 1, (int) s[s.length - 1], v.channels());
        }
        if (s.length == 2 && s[0] == 1) { // a dense layer: one value a unit
            return new FeatureMap(layer, 1, 1, v.channels());
        }
        throw new InferenceException("layer " + layer.name() + " produced shape " + Arrays.toString(s)
                + ", not one image's [1, C, H, W] feature maps or [1, units] values");
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Inspector is closed");
        }
    }

    /** Frees the native sessions after runs in progress finish. Safe to call more than once. */
    @Override
    public void close() {
        closed = true;
        engine.close();
    }

    @Override
    public String toString() {
        return model.source() + ", " + catalog.convolutions().size() + " conv layers" + (closed ? ", closed" : "");
    }
}
