package dev.convlens;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * One of the model's own outputs for one image, such as class scores, as floats. Integer and boolean outputs are
 * converted (booleans to 0 and 1); an output of strings, or one that is not a tensor (a sequence, a map), has no
 * numbers: {@link #type()} says so, and asking for its values throws. Immutable.
 */
public final class Tensor {
    private static final Set<String> NOT_NUMBERS = Set.of("string", "sequence", "map");

    private final String name;
    private final String type;
    private final long[] shape;
    private final float[] values;

    Tensor(String name, String type, long[] shape, float[] values) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
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
     * Returns the output's element type as ONNX Runtime names it: {@code "float"}, {@code "float16"},
     * {@code "double"}, {@code "int64"}, {@code "bool"}, {@code "uint8"}..., {@code "string"}, or {@code "sequence"}
     * or {@code "map"} for an output that is not a tensor.
     *
     * @return the type
     */
    public String type() {
        return type;
    }

    /**
     * Returns whether the output holds numbers (every type but strings, sequences and maps).
     *
     * @return whether {@link #values()} can be read
     */
    public boolean numeric() {
        return !NOT_NUMBERS.contains(type);
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
     * @throws IllegalStateException if the output holds no numbers
     */
    public int size() {
        return numbers().length;
    }

    /**
     * Returns one value, in row-major order.
     *
     * @param index 0 to {@code size() - 1}
     * @return the value
     * @throws IndexOutOfBoundsException if the index is out of range
     * @throws IllegalStateException if the output holds no numbers
     */
    public float value(int index) {
        return numbers()[Objects.checkIndex(index, values.length)];
    }

    /**
     * Returns a copy of every value, in row-major order.
     *
     * @return a new array
     * @throws IllegalStateException if the output holds no numbers
     */
    public float[] values() {
        return numbers().clone();
    }

    /**
     * Returns a read-only view of the values, without copying.
     *
     * @return a read-only buffer positioned at 0
     * @throws IllegalStateException if the output holds no numbers
     */
    public FloatBuffer buffer() {
        return FloatBuffer.wrap(numbers()).asReadOnlyBuffer();
    }

    /**
     * Returns the index of the largest value: the predicted class of a classifier.
     *
     * @return the index, or -1 if the tensor is empty
     * @throws IllegalStateException if the output holds no numbers
     */
    public int argmax() {
        numbers();
        int best = -1;
        for (int i = 0; i < values.length; i++) {
            if (best < 0 || values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Reads the output as a classifier's scores: one sigmoid score, or one score per class (probabilities, or logits
     * to which a softmax is applied).
     *
     * @return the predicted class and its probability
     * @throws IllegalStateException if the output holds no numbers, or none at all
     */
    public Prediction prediction() {
        float[] v = numbers();
        if (v.length == 0) {
            throw new IllegalStateException("the model's output '" + name + "' is empty");
        }
        if (v.length == 1) {
            return v[0] >= 0.5f ? new Prediction(1, v[0], 1) : new Prediction(0, 1 - v[0], 1);
        }
        double sum = 0;
        boolean probabilities = true;
        for (float x : v) {
            sum += x;
            probabilities &= x >= 0 && x <= 1;
        }
        probabilities &= Math.abs(sum - 1) < 1e-3;
        int best = argmax();
        double total = 0;
        for (float x : v) {
            total += probabilities ? x : Math.exp(x - v[best]);
        }
        return new Prediction(best, (probabilities ? v[best] : 1) / total, v.length);
    }

    private float[] numbers() {
        if (!numeric()) {
            throw new IllegalStateException("the model's output '" + name + "' holds " + type + " values, which"
                    + " ConvLens does not read as numbers; check type() or numeric() first");
        }
        return values;
    }

    @Override
    public String toString() {
        if (!numeric()) {
            return "Tensor[" + name + " " + Arrays.toString(shape) + " " + type + "]";
        }
        String head = values.length <= 8 ? Arrays.toString(values)
                : Arrays.toString(Arrays.copyOf(values, 8)).replace("]", ", ...]");
        return "Tensor[" + name + " " + Arrays.toString(shape) + " " + head + "]";
    }
}
