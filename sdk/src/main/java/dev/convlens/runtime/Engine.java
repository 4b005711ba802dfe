package dev.convlens.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import dev.convlens.CancelledException;
import dev.convlens.InferenceException;
import dev.convlens.ModelException;
import dev.convlens.UnsupportedModelException;
import dev.convlens.onnx.LayerInfo;
import dev.convlens.onnx.ModelFile;
import dev.convlens.onnx.Rewriter;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.Deque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The ONNX Runtime sessions of one model.
 *
 * <p>The plain session runs the model as it is and answers predictions. Inspecting sessions run the model
 * rewritten to return layer outputs as well, created on first use: one per layer selection for the first few
 * selections, and one that returns every layer. Runs may overlap (ONNX Runtime's {@code run} is thread-safe);
 * {@link #close()} waits for them and then frees the native sessions.
 */
public final class Engine implements AutoCloseable {
    /** Input shapes whose layer shapes are kept: a dynamic model sees many. */
    private static final int MAX_SHAPES = 8;
    /**
     * Input shapes whose pinned buffers are kept. Few: a dropped buffer's native memory returns only when the garbage
     * collector finds it, and a fixed-size model, the common case, needs one.
     */
    private static final int MAX_POOLED_SHAPES = 2;
    /** Derived sessions kept: a gradient model is per input shape, so a dynamic model makes many. */
    private static final int MAX_DERIVED = 8;
    /** Layer selections that get a session of their own. */
    private static final int MAX_SELECTIONS = 4;
    /** Buffer sets kept per input shape: enough for as many runs at once as there are cores. */
    private static final int MAX_POOLED = Runtime.getRuntime().availableProcessors();
    private static final String EXTERNAL_DATA_FOLDER = "session.model_external_initializers_file_folder_path";

    private final OrtEnvironment env;
    private final OrtSession.SessionOptions options;
    private final ModelFile model;
    private final List<Rewriter.Output> exposed;
    /** Other tensors a run may be asked for by name, each exposed only in a session made for the runs asking. */
    private final Map<String, Rewriter.Output> others;
    /** Every tensor a run may return besides the outputs, with its type and how its values read. */
    private final Map<String, Rewriter.Output> described;
    private final OrtSession plain;
    private final Set<String> modelOutputs;
    /** Each model output's element type as ONNX Runtime names it ("float", "int64", "string"...). */
    private final Map<String, String> outputTypes;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    /** Layer output shapes per recent input shape, so later runs can pin their outputs. */
    private final Map<String, Map<String, long[]>> layerShapes =
            Collections.synchronizedMap(new RecentMap<>(MAX_SHAPES, shapes -> { }));
    /** Pinned output buffers per recent input shape, for reuse by later runs; forgotten ones are closed. */
    private final Map<String, Deque<OutputBuffers>> pools =
            Collections.synchronizedMap(new RecentMap<>(MAX_POOLED_SHAPES, pool -> pool.forEach(OutputBuffers::close)));
    /** Direct buffers for input tensors, reused across runs. */
    private final InputBuffers inputBuffers;
    /** Sessions that return the layers of a selection, for the first few selections asked for. */
    private final Map<Set<String>, OrtSession> selections = new ConcurrentHashMap<>();
    /** Models derived from this one, by key: gradient models and tails for heatmaps, the recent ones. */
    private final SessionCache derived = new SessionCache(MAX_DERIVED);
    /** The session that returns every layer: for the probe, and for selections past the first few. */
    private volatile OrtSession everything;
    private final long maxActivations;
    private boolean closed;

    private Engine(OrtEnvironment env, ModelFile model, Plain plain, List<Rewriter.Output> exposed,
                   List<Rewriter.Output> others, long maxActivations) {
        this.env = env;
        this.maxActivations = maxActivations;
        this.options = plain.options;
        this.model = model;
        this.plain = plain.session;
        this.modelOutputs = new LinkedHashSet<>(this.plain.getOutputNames());
        this.outputTypes = plain.outputTypes;
        // a layer that is already a model output comes back with the outputs; it needs no rewriting
        this.exposed = exposed.stream().filter(o -> !modelOutputs.contains(o.name())).toList();
        this.others = new java.util.HashMap<>();
        others.stream().filter(o -> !modelOutputs.contains(o.name())).forEach(o -> this.others.put(o.name(), o));
        this.described = new java.util.HashMap<>(this.others);
        this.exposed.forEach(o -> described.put(o.name(), o));
        this.inputBuffers = new InputBuffers(env, MAX_POOLED);
    }

    /**
     * A model's plain session, loaded before its engine opens (from a file, ONNX Runtime loads it while the caller
     * reads and parses the same file on another core), with the options of the sessions the engine will make. An
     * engine opened on it owns it; close it only when no engine will.
     */
    public static final class Plain implements AutoCloseable {
        private final OrtSession.SessionOptions options;
        private final OrtSession session;
        /** Each model output's element type as ONNX Runtime names it. */
        private final Map<String, String> outputTypes;

        private Plain(OrtSession.SessionOptions options, OrtSession session, Map<String, String> outputTypes) {
            this.options = options;
            this.session = session;
            this.outputTypes = Map.copyOf(outputTypes);
        }

        @Override
        public void close() {
            try {
                session.close();
            } catch (OrtException e) {
                throw new InferenceException("ONNX Runtime failed to close a session: " + describe(e), e);
            } finally {
                options.close();
            }
        }
    }

    /**
     * Loads the plain session of a model file by its path, before ConvLens has read it; external weight files are
     * looked up next to it.
     *
     * @param threads ONNX Runtime's intra-op threads, 0 for its default (one per physical core)
     * @param cuda whether to run on CUDA (needs the onnxruntime_gpu artifact)
     * @throws ModelException if ONNX Runtime cannot load the file
     * @throws UnsupportedModelException if ONNX Runtime has no kernel for one of its operators
     */
    public static Plain load(Path file, int threads, boolean cuda) {
        Path folder = file.toAbsolutePath().getParent();
        return load(file.toString(), threads, cuda, folder,
                (env, options) -> env.createSession(file.toString(), options));
    }

    /**
     * Loads the plain session of a model held in memory, from its bytes (a file is loaded faster by its path).
     *
     * @throws ModelException if ONNX Runtime cannot load the model
     * @throws UnsupportedModelException if ONNX Runtime has no kernel for one of its operators
     */
    public static Plain load(ModelFile model, int threads, boolean cuda) {
        return load(model.source(), threads, cuda, model.directory().orElse(null),
                (env, options) -> create(env, options, model.source(), ByteBuffer.wrap(model.bytes())));
    }

    /** How a plain session is made once its options are set. */
    private interface Loader {
        OrtSession create(OrtEnvironment env, OrtSession.SessionOptions options) throws OrtException;
    }

    private static Plain load(String source, int threads, boolean cuda, Path folder, Loader loader) {
        // The process's environment as it is: an application may have made it already, with its own name and level
        // (asking for ours would make ONNX Runtime warn on every inspector).
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = sessionOptions(threads, cuda, folder, true);
        try (OrtSession.SessionOptions plainOptions = sessionOptions(threads, cuda, folder, false)) {
            OrtSession session;
            try {
                session = loader.create(env, plainOptions);
            } catch (OrtException e) {
                throw refused(source, e);
            }
            return new Plain(options, session, outputTypes(source, session));
        } catch (RuntimeException e) {
            options.close();
            throw e;
        }
    }

    /** Each output's element type as ONNX Runtime names it; the session is closed if they cannot be read. */
    private static Map<String, String> outputTypes(String source, OrtSession session) {
        Map<String, String> types = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
                types.put(e.getKey(), e.getValue().getInfo() instanceof TensorInfo t
                        ? t.type.name().toLowerCase(Locale.ROOT)
                        : e.getValue().getInfo() instanceof SequenceInfo ? "sequence" : "map");
            }
            return types;
        } catch (OrtException e) {
            try {
                session.close();
            } catch (OrtException ignored) { // the failure to read the outputs is the one to report
            }
            throw new ModelException("ONNX Runtime cannot describe the outputs of " + source + ": " + describe(e), e);
        }
    }

    /**
     * The options of a model's sessions. They log nothing below a fatal error: each error ONNX Runtime reports
     * becomes the exception that quotes it, and a warning (an old opset's optimizers skipped) says nothing a user
     * can act on; an application's own stderr stays its own.
     *
     * @param spinning whether ONNX Runtime's threads may spin between the parallel parts of a run, waiting for the
     *     next, instead of sleeping: inspecting and derived sessions run faster with it (ResNet-18's layers: 1.25x
     *     the bare run against 1.32x), while the plain session goes without, since its threads spin as it is made,
     *     beside {@code Inspector.of} parsing the model (opening the seed: 4.4 ms without, 6.2-7.8 ms with)
     */
    private static OrtSession.SessionOptions sessionOptions(int threads, boolean cuda, Path folder,
                                                            boolean spinning) {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (threads > 0) {
                options.setIntraOpNumThreads(threads);
            }
            // ONNX Runtime's threads keep spinning after a run, waiting for the next; what follows a run here is
            // Java work (drawing on every core), which they would slow: image to grids 5.8 ms -> 5.1 ms, the seed
            options.addConfigEntry("session.force_spinning_stop", "1");
            if (!spinning) {
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
            }
            if (folder != null) {
                options.addConfigEntry(EXTERNAL_DATA_FOLDER, folder.toString());
            }
            if (cuda) {
                try {
                    options.addCUDA();
                } catch (OrtException e) {
                    throw new ModelException("CUDA was asked for, but this ONNX Runtime cannot use it ("
                            + e.getMessage() + "). Depend on com.microsoft.onnxruntime:onnxruntime_gpu instead of"
                            + " onnxruntime, with a matching CUDA installed, or leave Options.cuda off.", e);
                }
            }
            return options;
        } catch (OrtException e) {
            options.close();
            throw new ModelException("cannot configure ONNX Runtime: " + describe(e), e);
        } catch (RuntimeException e) {
            options.close();
            throw e;
        }
    }

    /**
     * Opens the engine of a model on its plain session, which it then owns.
     *
     * @param plain the model's plain session, from {@link #load}
     * @param exposed every layer output that inspecting sessions may return
     * @param others other tensors a run may name, exposed only in sessions of the derived cache
     * @param maxActivations the most values one {@link #run} may return
     */
    public static Engine open(ModelFile model, Plain plain, List<Rewriter.Output> exposed,
                              List<Rewriter.Output> others, long maxActivations) {
        try {
            return new Engine(OrtEnvironment.getEnvironment(), model, plain, exposed, others, maxActivations);
        } catch (RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /** A session of a serialized model: direct bytes as they are, heap bytes through their array. */
    private static OrtSession create(OrtEnvironment env, OrtSession.SessionOptions options, String source,
                                     ByteBuffer bytes) {
        try {
            if (bytes.isDirect()) {
                return env.createSession(bytes, options);
            }
            boolean whole = bytes.hasArray() && bytes.arrayOffset() + bytes.position() == 0
                    && bytes.remaining() == bytes.array().length;
            byte[] array = whole ? bytes.array() : new byte[bytes.remaining()];
            if (!whole) {
                bytes.duplicate().get(array);
            }
            return env.createSession(array, options);
        } catch (OrtException e) {
            throw refused(source, e);
        }
    }

    /** ONNX Runtime's refusal to load a model: an operator it has no kernel for, or another reason. */
    private static ModelException refused(String source, OrtException e) {
        String text = String.valueOf(e.getMessage());
        if (e.getCode() == OrtException.OrtErrorCode.ORT_NOT_IMPLEMENTED
                || text.contains("Could not find an implementation")) {
            return new UnsupportedModelException("ONNX Runtime cannot run " + source + ": " + describe(e)
                    + ". Re-export the model with operators ONNX Runtime supports (a different opset often helps).",
                    e);
        }
        return new ModelException("ONNX Runtime cannot load " + source + ": " + describe(e), e);
    }

    /** ONNX Runtime's error code name and message. */
    static String describe(OrtException e) {
        return e.getCode() + ": " + e.getMessage();
    }

    /** The model's own outputs, in graph order. */
    public List<String> modelOutputs() {
        return List.copyOf(modelOutputs);
    }

    /**
     * A model output's element type as ONNX Runtime names it: "float", "double", "float16", "int64", "bool",
     * "string"..., or "sequence" or "map" for an output that is not a tensor.
     */
    public String outputType(String output) {
        return outputTypes.get(output);
    }

    /**
     * Checks the output whose scores heatmaps and attributions explain (the first, for a class): it must hold floats.
     *
     * @param output a model output
     * @throws UnsupportedModelException if it holds anything else (an ArgMax's class index, labels, booleans)
     */
    public void requireScores(String output) {
        String type = outputType(output);
        if (!Set.of("float", "double", "float16", "bfloat16").contains(type)) {
            boolean first = output.equals(modelOutputs.iterator().next());
            throw new UnsupportedModelException("heatmaps and attributions explain a score, but the model's"
                    + (first ? " first" : "") + " output '" + output + "' holds " + type + " values, not float scores"
                    + " (an ArgMax's class index, say); " + (first ? "export the model with its scores (logits or"
                    + " probabilities) as its first output" : "name a float output in the Target"));
        }
    }

    /**
     * Runs the model on one input tensor and returns the outputs asked for.
     *
     * <p>Layer outputs are written by ONNX Runtime into pooled direct buffers (pinned outputs) and copied once
     * into per-channel arrays. That needs their shapes in advance: the first run at each input shape learns them
     * and reads ONNX Runtime's own outputs instead.
     *
     * @param input the input values, in the input's layout
     * @param shape the input's shape
     * @param float16 whether the input is float16
     * @param wanted output names: model outputs and exposed layer outputs
     * @return the values of each wanted output, in the order asked
     * @throws InferenceException if ONNX Runtime fails, or the outputs hold more values than the limit or the heap
     *     takes
     * @throws IllegalStateException if the engine is closed
     * @throws CancelledException if the thread is interrupted
     */
    public Map<String, Values> run(String inputName, float[] input, long[] shape, boolean float16,
                                   Set<String> wanted) {
        lock.readLock().lock();
        try {
            checkUsable();
            Set<String> layers = new LinkedHashSet<>(wanted);
            layers.removeAll(modelOutputs);
            if (layers.stream().anyMatch(others::containsKey)) { // a tensor named by the user, not a layer
                List<Rewriter.Output> outputs = new ArrayList<>();
                for (String name : new java.util.TreeSet<>(layers)) {
                    outputs.add(described.get(name));
                }
                try (SessionCache.Lease named = derived.acquire("tensors " + outputs.stream()
                        .map(Rewriter.Output::name).toList(), () -> create(env, options, model.source(),
                        Rewriter.expose(model.bytes(), outputs)))) {
                    return runOn(named.session(), inputName, input, shape, float16, wanted, true);
                }
            }
            boolean inspect = !layers.isEmpty();
            return runOn(inspect ? sessionFor(layers) : plain, inputName, input, shape, float16, wanted, inspect);
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime failed to run " + model.source() + " on an input of shape "
                    + Arrays.toString(shape) + ": " + describe(e), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** {@link #run} on a session that returns what is wanted. */
    private Map<String, Values> runOn(OrtSession session, String inputName, float[] input, long[] shape,
                                      boolean float16, Set<String> wanted, boolean inspect) throws OrtException {
        String key = Arrays.toString(shape);
        Map<String, long[]> known = inspect ? layerShapes.get(key) : null;
        OutputBuffers buffers = known == null ? null : borrow(key, known);
        try (InputBuffers.Lease tensor = inputBuffers.tensor(input, shape, float16)) {
            Set<String> requested = new LinkedHashSet<>(wanted);
            Map<String, OnnxTensor> pinned = new LinkedHashMap<>();
            if (buffers != null) {
                for (String name : wanted) {
                    OnnxTensor buffer = buffers.tensors().get(name);
                    if (buffer != null) {
                        pinned.put(name, buffer);
                        requested.remove(name);
                    }
                }
            }
            Map<String, Values> values = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(Map.of(inputName, tensor.tensor()), requested, pinned)) {
                long count = 0;
                for (String name : wanted) {
                    count += pinned.containsKey(name) ? Values.count(known.get(name))
                            : result.get(name).orElseThrow() instanceof OnnxTensor t
                            ? Values.count(t.getInfo().getShape()) : 0;
                }
                if (count > maxActivations) {
                    throw tooMany(count, shape, "more than the limit of " + maxActivations
                            + " (Options.maxActivations)");
                }
                Map<String, long[]> learned = new LinkedHashMap<>();
                for (String name : wanted) {
                    boolean layer = !modelOutputs.contains(name);
                    if (pinned.containsKey(name)) {
                        values.put(name, Values.ofChannels(name, known.get(name), buffers.buffer(name)));
                        continue;
                    }
                    OnnxValue value = result.get(name).orElseThrow();
                    Values read = read(name, value, layer);
                    values.put(name, read);
                    if (layer && value instanceof OnnxTensor t && t.getInfo().type == OnnxJavaType.FLOAT) {
                        learned.put(name, read.shape());
                    }
                }
                if (inspect && !learned.isEmpty()) {
                    remember(key, learned);
                }
            } catch (OutOfMemoryError e) {
                values.clear();
                throw tooMany(-1, shape, "more than the Java heap holds (" + e.getMessage() + ")");
            }
            return values;
        } finally {
            if (buffers != null) {
                giveBack(key, buffers);
            }
        }
    }

    /** The error of a run whose outputs are too large to return. */
    private InferenceException tooMany(long count, long[] shape, String why) {
        return new InferenceException("the layers and outputs asked of " + model.source() + " at an input of shape "
                + Arrays.toString(shape) + " hold " + (count < 0 ? "" : String.format(Locale.ROOT,
                "%d values (%.1f MB as floats), ", count, count * 4e-6)) + why
                + ": ask for fewer layers, a smaller size(w, h), or raise Options.maxActivations and the heap (-Xmx)");
    }

    /**
     * Refuses to run when the engine is closed or the thread has been interrupted: every run of long work comes
     * through here, so an interrupt stops it at its next run.
     */
    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException("Inspector is closed");
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new CancelledException("the thread was interrupted, so ConvLens stopped before its next run of "
                    + model.source() + " (the interrupt status is still set)");
        }
    }

    /**
     * Remembers the layer output shapes seen at an input shape, merged with those seen before, for the recent input
     * shapes. Pooled buffers made for fewer layers are dropped.
     */
    private void remember(String inputShape, Map<String, long[]> shapes) {
        layerShapes.merge(inputShape, Map.copyOf(shapes), (a, b) -> {
            Map<String, long[]> merged = new LinkedHashMap<>(a);
            merged.putAll(b);
            return Map.copyOf(merged);
        });
        Deque<OutputBuffers> stale = pools.remove(inputShape);
        if (stale != null) {
            stale.forEach(OutputBuffers::close);
        }
    }

    /**
     * A float tensor to feed a derived model.
     *
     * @param values the values, row-major
     * @param shape the dimensions
     */
    public record Feed(float[] values, long[] shape) {
    }

    /**
     * Runs a model derived from this one (a gradient model, a tail, a model exposing other tensors), made on first
     * use of its key and kept while it is among the {@value #MAX_DERIVED} most recently used. Outputs come back flat,
     * one array each.
     *
     * @param key names the derived model; the same key must always mean the same model
     * @param model makes the serialized model the first time
     * @param inputs float32 inputs by name
     * @param outputs the outputs wanted
     * @throws InferenceException if ONNX Runtime fails
     * @throws IllegalStateException if the engine is closed
     * @throws CancelledException if the thread is interrupted
     */
    public Map<String, Values> runDerived(String key, Supplier<ByteBuffer> model, Map<String, Feed> inputs,
                                          Set<String> outputs) {
        lock.readLock().lock();
        List<InputBuffers.Lease> leases = new ArrayList<>();
        try {
            checkUsable();
            Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, Feed> e : inputs.entrySet()) {
                InputBuffers.Lease lease = inputBuffers.tensor(e.getValue().values(), e.getValue().shape(), false);
                leases.add(lease);
                tensors.put(e.getKey(), lease.tensor());
            }
            try (SessionCache.Lease session = derived.acquire(key,
                    () -> create(env, options, this.model.source(), model.get()));
                 OrtSession.Result result = session.session().run(tensors, outputs)) {
                Map<String, Values> values = new LinkedHashMap<>();
                for (String name : outputs) {
                    values.put(name, read(name, result.get(name).orElseThrow(), false));
                }
                return values;
            }
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime failed to run a model derived from " + this.model.source()
                    + " (" + key + "): " + describe(e), e);
        } finally {
            leases.forEach(InputBuffers.Lease::close);
            lock.readLock().unlock();
        }
    }

    /** A set of pinned buffers for an input shape, from the pool or new. */
    private OutputBuffers borrow(String key, Map<String, long[]> shapes) throws OrtException {
        Deque<OutputBuffers> pool = pools.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
        OutputBuffers set = pool.pollFirst();
        return set != null ? set : new OutputBuffers(env, shapes);
    }

    private void giveBack(String key, OutputBuffers set) {
        synchronized (pools) { // so the pool cannot be forgotten, and its buffers closed, in between
            Deque<OutputBuffers> pool = pools.get(key);
            if (pool != null && pool.size() < MAX_POOLED) {
                pool.offerFirst(set);
                return;
            }
        }
        set.close();
    }

    /**
     * A session that returns the layers asked for. Each layer exposed costs ONNX Runtime a copy of it out of its
     * blocked NCHWc layout on every run, asked for or not, so the first few selections get sessions that expose
     * just their layers; later ones share the session that exposes every layer. Sessions are never closed while
     * the engine is open, so no run can lose its session.
     */
    private OrtSession sessionFor(Set<String> layers) {
        if (layers.size() == exposed.size()) {
            return everything();
        }
        Set<String> key = Set.copyOf(layers);
        OrtSession session = selections.get(key);
        if (session != null) {
            return session;
        }
        synchronized (this) {
            session = selections.get(key);
            if (session == null) {
                if (selections.size() >= MAX_SELECTIONS) {
                    return everything();
                }
                List<Rewriter.Output> outputs = exposed.stream().filter(o -> key.contains(o.name())).toList();
                session = create(env, options, model.source(), Rewriter.expose(model.bytes(), outputs));
                selections.put(key, session);
            }
            return session;
        }
    }

    private OrtSession everything() {
        OrtSession session = everything;
        if (session == null) {
            synchronized (this) {
                session = everything;
                if (session == null) {
                    session = create(env, options, model.source(), Rewriter.expose(model.bytes(), exposed));
                    everything = session;
                }
            }
        }
        return session;
    }

    /**
     * How a tensor is exposed in a model derived in float32, and read: an int8 model's integer tensor as itself,
     * dequantized as it is read; any other as float32.
     */
    public Rewriter.Output output(String tensor) {
        Rewriter.Output known = described.get(tensor);
        // derived models are built in float32 (a float16 model's copy), where only an int8 model's integers differ
        return known != null && known.quantized() != null ? known : new Rewriter.Output(tensor, 1, -1);
    }

    /** Reads an output ONNX Runtime allocated into the Java heap: per channel for a layer, flat otherwise. */
    private Values read(String name, OnnxValue value, boolean layer) {
        if (!(value instanceof OnnxTensor tensor)) {
            return new Values(name, new long[0], new float[][] {new float[0]});
        }
        TensorInfo info = tensor.getInfo();
        FloatBuffer data;
        switch (info.type) {
            case FLOAT, FLOAT16, BFLOAT16 -> data = tensor.getFloatBuffer();
            case DOUBLE -> {
                java.nio.DoubleBuffer buffer = tensor.getDoubleBuffer();
                data = FloatBuffer.allocate(buffer.remaining());
                for (int i = 0; i < buffer.remaining(); i++) {
                    data.put(i, (float) buffer.get(i));
                }
            }
            case INT64 -> {
                LongBuffer buffer = tensor.getLongBuffer();
                data = FloatBuffer.allocate(buffer.remaining());
                for (int i = 0; i < buffer.remaining(); i++) {
                    data.put(i, buffer.get(i));
                }
            }
            case INT32 -> {
                java.nio.IntBuffer buffer = tensor.getIntBuffer();
                data = FloatBuffer.allocate(buffer.remaining());
                for (int i = 0; i < buffer.remaining(); i++) {
                    data.put(i, buffer.get(i));
                }
            }
            case INT16 -> {
                java.nio.ShortBuffer buffer = tensor.getShortBuffer();
                data = FloatBuffer.allocate(buffer.remaining());
                for (int i = 0; i < data.capacity(); i++) {
                    data.put(i, buffer.get(i));
                }
            }
            case INT8, UINT8 -> {
                java.nio.ByteBuffer bytes = tensor.getByteBuffer();
                data = FloatBuffer.allocate(bytes.remaining());
                LayerInfo.Quantized q = described.containsKey(name) ? described.get(name).quantized() : null;
                float scale = q == null ? 1 : q.scale();
                long zero = q == null ? 0 : q.zeroPoint();
                for (int i = 0; i < data.capacity(); i++) {
                    int v = info.type == OnnxJavaType.UINT8 ? Byte.toUnsignedInt(bytes.get(i)) : bytes.get(i);
                    data.put(i, (v - zero) * scale); // an int8 model's activation, as the real value it stands for
                }
            }
            case BOOL -> {
                java.nio.ByteBuffer bytes = tensor.getByteBuffer();
                data = FloatBuffer.allocate(bytes.remaining());
                for (int i = 0; i < data.capacity(); i++) {
                    data.put(i, bytes.get(i) != 0 ? 1 : 0);
                }
            }
            default -> data = FloatBuffer.allocate(0); // strings: not numbers
        }
        if (layer) {
            return Values.ofChannels(name, info.getShape(), data);
        }
        float[] flat = new float[data.capacity()];
        data.get(0, flat);
        return new Values(name, info.getShape(), new float[][] {flat});
    }

    /** Frees the sessions after runs in progress finish. Safe to call more than once. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            pools.values().forEach(pool -> pool.forEach(OutputBuffers::close));
            pools.clear();
            List<OrtException> failures = new ArrayList<>();
            try {
                derived.close();
            } catch (OrtException e) {
                failures.add(e);
            }
            List<OrtSession> sessions = new ArrayList<>(selections.values());
            sessions.add(everything);
            sessions.add(plain);
            for (OrtSession s : sessions) {
                if (s != null) {
                    try {
                        s.close();
                    } catch (OrtException e) {
                        failures.add(e);
                    }
                }
            }
            options.close();
            if (!failures.isEmpty()) {
                throw new InferenceException("ONNX Runtime failed to close a session: " + describe(failures.get(0)),
                        failures.get(0));
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
