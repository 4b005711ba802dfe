package dev.convlens;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * One of the model's own outputs for one image, such as class scores, as floats. Integer outputs are converted;
 * outputs that are not numbers come out empty. Immutable.
 */
public final class Tensor {
    private final String name;
    private final long[] shape;
    private final float[] values;

    Tensor(String name, long[] shape, float[] values) {
        this.name = Objects.requireNonNull(name, "name");
        this.shape = shape.clone();
        this.values = values;
    }

    /**
     * Returns the output's name in the model.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Returns the output's dimensions, batch first.
     *
     * @return a new array
     */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Returns the number of values.
     *
     * @return the product of the dimensions
     */
    public int size() {
        return values.length;
    }

    /**
     * Returns one value, in row-major order.
     *
     * @param index 0 to {@code size() - 1}
     * @return the value
     * @throws IndexOutOfBoundsException if the index is out of range
     */
    public float value(int index) {
        return values[Objects.checkIndex(index, values.length)];
    }

    /**
     * Returns a copy of every value, in row-major order.
     *
     * @return a new array
     */
    public float[] values() {
        return values.clone();
    }

    /**
     * Returns a read-only view of the values, without copying.
     *
     * @return a read-only buffer positioned at 0
     */
    public FloatBuffer buffer() {
        return FloatBuffer.wrap(values).asReadOnlyBuffer();
    }

    /**
     * Returns the index of the largest value: the predicted class of a classifier.
     *
     * @return the index, or -1 if the tensor is empty
     */
    public int argmax() {
        int best = -1;
        for (int i = 0; i < values.length; i++) {
            if (best < 0 || values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        String head = values.length <= 8 ? Arrays.toString(values)
                : Arrays.toString(Arrays.copyOf(values, 8)).replace("]", ", ...]");
        return "Tensor[" + name + " " + Arrays.toString(shape) + " " + head + "]";
    }
}
