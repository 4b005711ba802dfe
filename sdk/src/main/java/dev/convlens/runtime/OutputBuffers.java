package dev.convlens.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Direct buffers that ONNX Runtime writes layer outputs into (pinned outputs), for one input shape. A run borrows
 * a set from the engine's pool, copies the values out and gives it back, so the buffers are allocated once rather
 * than on every run, and ONNX Runtime's own output allocation is skipped.
 */
final class OutputBuffers implements AutoCloseable {
    private final Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
    private final Map<String, FloatBuffer> buffers = new LinkedHashMap<>();

    OutputBuffers(OrtEnvironment env, Map<String, long[]> shapes) throws OrtException {
        try {
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                long elements = 1;
                for (long d : e.getValue()) {
                    elements = Math.multiplyExact(elements, d);
                }
                ByteBuffer direct = ByteBuffer.allocateDirect(Math.toIntExact(elements * Float.BYTES))
                        .order(ByteOrder.nativeOrder());
                tensors.put(e.getKey(), OnnxTensor.createTensor(env, direct, e.getValue(), OnnxJavaType.FLOAT));
                buffers.put(e.getKey(), direct.asFloatBuffer());
            }
        } catch (OrtException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The tensors to pass as pinned outputs, for the outputs asked for. */
    Map<String, OnnxTensor> tensors() {
        return tensors;
    }

    /** What ONNX Runtime wrote into one output. */
    FloatBuffer buffer(String name) {
        return buffers.get(name);
    }

    @Override
    public void close() {
        tensors.values().forEach(OnnxTensor::close); // frees the wrappers; the buffers belong to the Java heap
    }
}
