package dev.convlens.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Direct buffers for input tensors, pooled by size. ONNX Runtime reads a direct buffer in place, while a Java
 * array is copied into a newly allocated direct buffer on every run; that allocation (fresh pages from the
 * operating system) took 1.2 ms of the seed model's 4.4 ms run.
 */
final class InputBuffers {
    /** Sizes kept: a model with dynamic dimensions sees many; past this many the pool starts over. */
    private static final int MAX_SIZES = 16;

    private final OrtEnvironment env;
    private final int perSize;
    private final Map<Integer, Deque<ByteBuffer>> pools = new ConcurrentHashMap<>();

    /**
     * @param perSize buffers kept per size: as many as runs that may overlap
     */
    InputBuffers(OrtEnvironment env, int perSize) {
        this.env = env;
        this.perSize = perSize;
    }

    /** An input tensor holding the values, as float32 or float16, in a buffer from the pool. */
    Lease tensor(float[] values, long[] shape, boolean float16) throws OrtException {
        int bytes = Math.multiplyExact(values.length, float16 ? Short.BYTES : Float.BYTES);
        Deque<ByteBuffer> pool = pools.get(bytes);
        ByteBuffer buffer = pool == null ? null : pool.pollFirst();
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        if (float16) {
            ShortBuffer half = buffer.asShortBuffer();
            for (int i = 0; i < values.length; i++) {
                half.put(i, Fp16Conversions.floatToFp16(values[i]));
            }
        } else {
            buffer.asFloatBuffer().put(0, values);
        }
        try {
            return new Lease(OnnxTensor.createTensor(env, buffer, shape,
                    float16 ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT), buffer);
        } catch (OrtException | RuntimeException e) {
            giveBack(buffer);
            throw e;
        }
    }

    private void giveBack(ByteBuffer buffer) {
        if (pools.size() >= MAX_SIZES && !pools.containsKey(buffer.capacity())) {
            pools.clear(); // the buffers go to the garbage collector
        }
        Deque<ByteBuffer> pool = pools.computeIfAbsent(buffer.capacity(), k -> new ConcurrentLinkedDeque<>());
        if (pool.size() < perSize) {
            pool.offerFirst(buffer);
        }
    }

    /** An input tensor over a pooled buffer; closing it frees the tensor and gives the buffer back. */
    final class Lease implements AutoCloseable {
        private final OnnxTensor tensor;
        private final ByteBuffer buffer;

        private Lease(OnnxTensor tensor, ByteBuffer buffer) {
            this.tensor = tensor;
            this.buffer = buffer;
        }

        OnnxTensor tensor() {
            return tensor;
        }

        @Override
        public void close() {
            tensor.close();
            giveBack(buffer);
        }
    }
}
