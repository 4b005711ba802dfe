package dev.convlens.runtime;

import java.nio.FloatBuffer;

/**
 * One output tensor, read into the Java heap as floats.
 *
 * @param name the tensor's name in the graph
 * @param shape its dimensions
 * @param planes its values: for a layer output {@code [1, C, ...]}, one array per channel (so no array is larger
 *     than one channel's map, which keeps them out of G1's costly humongous allocations); for a model output, one
 *     array of everything, row-major
 */
public record Values(String name, long[] shape, float[][] planes) {
    /**
     * The values of a {@code [1, C, ...]} tensor as one array per channel: {@link #planes()} as they are when they
     * were read per channel, else the single array split.
     */
    public float[][] channels() {
        int channels = shape.length >= 2 ? (int) shape[1] : 1;
        return planes.length == channels ? planes : split(shape, FloatBuffer.wrap(planes[0]));
    }

    /** The number of values of a shape, Long.MAX_VALUE where it would overflow. */
    static long count(long[] shape) {
        long count = 1;
        for (long d : shape) {
            if (d != 0 && count > Long.MAX_VALUE / Math.max(d, 1)) {
                return Long.MAX_VALUE;
            }
            count *= Math.max(d, 0);
        }
        return count;
    }

    /** A {@code [1, C, ...]} tensor read from a buffer into one array per channel. */
    static Values ofChannels(String name, long[] shape, FloatBuffer data) {
        return new Values(name, shape, split(shape, data));
    }

    private static float[][] split(long[] shape, FloatBuffer data) {
        int channels = shape.length >= 2 ? (int) shape[1] : 1;
        int plane = channels == 0 ? 0 : data.capacity() / channels;
        float[][] planes = new float[channels][plane];
        for (int c = 0; c < channels; c++) {
            data.get(c * plane, planes[c]);
        }
        return planes;
    }
}
