package dev.convlens;

import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * The output of one layer for one image: {@code channels} maps of {@code height x width} values.
 *
 * <p>Values are in CHW order: value {@code (c, y, x)} is at index {@code (c * height + y) * width + x}.
 * Immutable: {@link #values()} and {@link #channel(int)} return copies, {@link #buffer()} a read-only view.
 */
public final class FeatureMap {
    private final Layer layer;
    private final int channels;
    private final int height;
    private final int width;
    private final float[] values;
    private final int nonFinite;

    FeatureMap(Layer layer, int channels, int height, int width, float[] values) {
        this.layer = Objects.requireNonNull(layer, "layer");
        if ((long) channels * height * width != values.length) {
            throw new IllegalArgumentException("layer " + layer.name() + ": " + values.length + " values for "
                    + channels + "x" + height + "x" + width);
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.values = values;
        int count = 0;
        for (float v : values) {
            if (!Float.isFinite(v)) {
                count++;
            }
        }
        this.nonFinite = count;
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
        return values[(channel * height + y) * width + x];
    }

    /**
     * Returns a copy of every value, in CHW order.
     *
     * @return a new array of {@code channels * height * width} values
     */
    public float[] values() {
        return values.clone();
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
        int plane = height * width;
        float[] copy = new float[plane];
        System.arraycopy(values, channel * plane, copy, 0, plane);
        return copy;
    }

    /**
     * Returns a read-only view of every value in CHW order, without copying.
     *
     * @return a read-only buffer positioned at 0
     */
    public FloatBuffer buffer() {
        return FloatBuffer.wrap(values).asReadOnlyBuffer();
    }

    /**
     * Returns how many values are NaN or infinite, the sign of a broken model or an overflow. Such values are
     * drawn magenta and left out of the contrast statistics.
     *
     * @return the count, 0 for a healthy layer
     */
    public int nonFiniteCount() {
        return nonFinite;
    }

    /** The values without a copy, for rendering inside the package. */
    float[] shared() {
        return values;
    }

    @Override
    public String toString() {
        return "FeatureMap[" + layer.name() + " " + channels + "x" + height + "x" + width
                + (nonFinite > 0 ? ", " + nonFinite + " non-finite" : "") + "]";
    }
}
