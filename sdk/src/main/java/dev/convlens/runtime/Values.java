package dev.convlens.runtime;

/**
 * One output tensor read into the Java heap.
 *
 * @param name the tensor's name in the graph
 * @param shape its dimensions
 * @param data its values as floats, row-major
 */
public record Values(String name, long[] shape, float[] data) {
}
