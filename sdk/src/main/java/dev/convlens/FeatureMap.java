package dev.convlens;

import java.util.Objects;

/**
 * The output of one layer for one image: {@code channels} maps of {@code height x width} values.
 *
 * <p>Values are in CHW order: value {@code (c, y, x)} is at index {@code (c * height + y) * width + x}.
 * Immutable: {@link #values()} and {@link #channel(int)} return copies.
 */
public final class FeatureMap {
    private final Layer layer;
    private final int channels;
    private final int height;
    private final int width;
    private final float[][] planes;
    private volatile int nonFinite = -1; // counted when first asked: most callers never do

    /** Takes ownership of one array per channel, each {@code height * width} values. */
    FeatureMap(Layer layer, int height, int width, float[][] planes) {
        this.layer = Objects.requireNonNull(layer, "layer");
        for (float[] plane : planes) {
            if (plane.length != height * width) {
                throw new IllegalArgumentException("layer " + layer.name() + ": a channel of " + plane.length
                        + " values for " + height + "x" + width);
            }
        }
        this.channels = planes.length;
        this.height = height;
        this.width = width;
        this.planes = planes;
    }

    /**
     * Returns the layer these values come from.
     *
     * @return the layer
     */
    public Layer layer() {
        return layer;
    }

    /**
     * Returns the number of channels.
     *
     * @return channels, at least 1
     */
    public int channels() {
        return channels;
    }

    /**
     * Returns the height of each channel's map.
     *
     * @return height in values
     */
    public int height() {
        return height;
    }

    /**
     * Returns the width of each channel's map.
     *
     * @return width in values
     */
    public int width() {
        return width;
    }

    /**
     * Returns one value.
     *
     * @param channel the channel, 0 to {@code channels() - 1}
     * @param y the row, 0 to {@code height() - 1}
     * @param x the column, 0 to {@code width() - 1}
     * @return the activation
     * @throws IndexOutOfBoundsException if an index is out of range
     */
    public float value(int channel, int y, int x) {
        Objects.checkIndex(channel, channels);
        Objects.checkIndex(y, height);
        Objects.checkIndex(x, width);
        return planes[channel][y * width + x];
    }

    /**
     * Returns a copy of every value, in CHW order.
     *
     * @return a new array of {@code channels * height * width} values
     */
    public float[] values() {
        int plane = height * width;
        float[] copy = new float[channels * plane];
        for (int c = 0; c < channels; c++) {
            System.arraycopy(planes[c], 0, copy, c * plane, plane);
        }
        return copy;
    }

    /**
     * Returns a copy of one channel's map, row by row.
     *
     * @param channel the channel, 0 to {@code channels() - 1}
     * @return a new array of {@code height * width} values
     * @throws IndexOutOfBoundsException if the channel is out of range
     */
    public float[] channel(int channel) {
        Objects.checkIndex(channel, channels);
        return planes[channel].clone();
    }

    /**
     * Returns how many values are NaN or infinite, the sign of a broken model or an overflow. Such values are
     * drawn magenta and left out of the contrast statistics.
     *
     * @return the count, 0 for a healthy layer
     */
    public int nonFiniteCount() {
        int count = nonFinite;
        if (count < 0) {
            count = 0;
            for (float[] plane : planes) {
                for (float v : plane) {
                    if (!Float.isFinite(v)) {
                        count++;
                    }
                }
            }
            nonFinite = count;
        }
        return count;
    }

    /** The channels without a copy, for rendering inside the package. */
    float[][] shared() {
        return planes;
    }

    @Override
    public String toString() {
        return "FeatureMap[" + layer.name() + " " + channels + "x" + height + "x" + width
                + (nonFiniteCount() > 0 ? ", " + nonFiniteCount() + " non-finite" : "") + "]";
    }
}
