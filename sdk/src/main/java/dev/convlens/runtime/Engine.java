package dev.convlens.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import dev.convlens.InferenceException;
import dev.convlens.ModelException;
import dev.convlens.UnsupportedModelException;
import dev.convlens.onnx.ModelFile;
import dev.convlens.onnx.Rewriter;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The ONNX Runtime sessions of one model.
 *
 * <p>The plain session runs the model as it is and answers predictions. The inspecting session runs the model
 * rewritten to return every layer's output as well; it is created on first use, and each run asks it only for
 * the outputs wanted, so one session serves every layer selection. Runs may overlap (ONNX Runtime's
 * {@code run} is thread-safe); {@link #close()} waits for them and then frees the native sessions.
 */
public final class Engine implements AutoCloseable {
    private static final String EXTERNAL_DATA_FOLDER = "session.model_external_initializers_file_folder_path";

    private final OrtEnvironment env;
    private final OrtSession.SessionOptions options;
    private final ModelFile model;
    private final List<Rewriter.Output> exposed;
    private final OrtSession plain;
    private final Set<String> modelOutputs;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile OrtSession inspecting;
    private boolean closed;

    private Engine(OrtEnvironment env, OrtSession.SessionOptions options, ModelFile model,
                   List<Rewriter.Output> exposed, OrtSession plain) {
        this.env = env;
        this.options = options;
        this.model = model;
        this.exposed = List.copyOf(exposed);
        this.plain = plain;
        this.modelOutputs = new LinkedHashSet<>(plain.getOutputNames());
    }

    /**
     * Opens the plain session of a model.
     *
     * @param exposed the layer outputs the inspecting session will return
     * @param threads ONNX Runtime's intra-op threads, 0 for its default (one per physical core)
     * @param cuda whether to run on CUDA (needs the onnxruntime_gpu artifact)
     * @throws ModelException if ONNX Runtime cannot load the model
     * @throws UnsupportedModelException if ONNX Runtime has no kernel for one of its operators
     */
    public static Engine open(ModelFile model, List<Rewriter.Output> exposed, int threads, boolean cuda) {
        OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "convlens");
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (threads > 0) {
                options.setIntraOpNumThreads(threads);
            }
            if (model.directory().isPresent()) {
                options.addConfigEntry(EXTERNAL_DATA_FOLDER, model.directory().get().toString());
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
            OrtSession plain = create(env, options, model, model.bytes());
            return new Engine(env, options, model, exposed, plain);
        } catch (OrtException e) {
            options.close();
            throw new ModelException("cannot configure ONNX Runtime: " + describe(e), e);
        } catch (RuntimeException e) {
            options.close();
            throw e;
        }
    }

    private static OrtSession create(OrtEnvironment env, OrtSession.SessionOptions options, ModelFile model,
                                     byte[] bytes) {
        try {
            return env.createSession(bytes, options);
        } catch (OrtException e) {
            String text = String.valueOf(e.getMessage());
            if (e.getCode() == OrtException.OrtErrorCode.ORT_NOT_IMPLEMENTED
                    || text.contains("Could not find an implementation")) {
                throw new UnsupportedModelException("ONNX Runtime cannot run " + model.source() + ": "
                        + describe(e) + ". Re-export the model with operators ONNX Runtime supports"
                        + " (a different opset often helps).", e);
            }
            throw new ModelException("ONNX Runtime cannot load " + model.source() + ": " + describe(e), e);
        }
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
     * Runs the model on one input tensor and returns the outputs asked for.
     *
     * @param input the input values, in the input's layout
     * @param shape the input's shape
     * @param float16 whether the input is float16
     * @param wanted output names: model outputs and exposed layer outputs
     * @return the values of each wanted output, in the order asked
     * @throws InferenceException if ONNX Runtime fails
     * @throws IllegalStateException if the engine is closed
     */
    public Map<String, Values> run(String inputName, float[] input, long[] shape, boolean float16,
                                   Set<String> wanted) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("Inspector is closed");
            }
            OrtSession session = modelOutputs.containsAll(wanted) ? plain : inspecting();
            try (OnnxTensor tensor = tensor(input, shape, float16);
                 OrtSession.Result result = session.run(Map.of(inputName, tensor), wanted)) {
                Map<String, Values> values = new LinkedHashMap<>();
                for (String name : wanted) {
                    OnnxValue value = result.get(name).orElseThrow();
                    values.put(name, read(name, value));
                }
                return values;
            } catch (OrtException e) {
                throw new InferenceException("ONNX Runtime failed to run " + model.source() + " on an input of shape "
                        + java.util.Arrays.toString(shape) + ": " + describe(e), e);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    private OrtSession inspecting() {
        OrtSession session = inspecting;
        if (session == null) {
            synchronized (this) {
                session = inspecting;
                if (session == null) {
                    session = create(env, options, model, Rewriter.expose(model.bytes(), exposed));
                    inspecting = session;
                }
            }
        }
        return session;
    }

    private OnnxTensor tensor(float[] input, long[] shape, boolean float16) throws OrtException {
        if (float16) {
            short[] half = new short[input.length];
            for (int i = 0; i < input.length; i++) {
                half[i] = Fp16Conversions.floatToFp16(input[i]);
            }
            return OnnxTensor.createTensor(env, ShortBuffer.wrap(half), shape, OnnxJavaType.FLOAT16);
        }
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
    }

    private static Values read(String name, OnnxValue value) {
        if (!(value instanceof OnnxTensor tensor)) {
            return new Values(name, new long[0], new float[0]);
        }
        TensorInfo info = tensor.getInfo();
        float[] data;
        switch (info.type) {
            case FLOAT, FLOAT16, BFLOAT16 -> {
                FloatBuffer buffer = tensor.getFloatBuffer();
                data = buffer.hasArray() && buffer.array().length == buffer.remaining() ? buffer.array()
                        : copy(buffer);
            }
            case DOUBLE -> {
                java.nio.DoubleBuffer buffer = tensor.getDoubleBuffer();
                data = new float[buffer.remaining()];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) buffer.get(i);
                }
            }
            case INT64 -> {
                LongBuffer buffer = tensor.getLongBuffer();
                data = new float[buffer.remaining()];
                for (int i = 0; i < data.length; i++) {
                    data[i] = buffer.get(i);
                }
            }
            case INT32 -> {
                java.nio.IntBuffer buffer = tensor.getIntBuffer();
                data = new float[buffer.remaining()];
                for (int i = 0; i < data.length; i++) {
                    data[i] = buffer.get(i);
                }
            }
            default -> data = new float[0]; // strings, booleans, bytes: not numbers we can show
        }
        return new Values(name, info.getShape(), data);
    }

    private static float[] copy(FloatBuffer buffer) {
        float[] data = new float[buffer.remaining()];
        buffer.get(data);
        return data;
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
            List<OrtException> failures = new ArrayList<>();
            for (OrtSession s : new OrtSession[] {inspecting, plain}) {
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
