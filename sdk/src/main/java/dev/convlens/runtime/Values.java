package dev.convlens.runtime;

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
}
