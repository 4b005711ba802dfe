package dev.convlens.cam;

import dev.convlens.Target;
import dev.convlens.runtime.Values;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The score a map explains, as a weighted sum of one output's values for each input of a batch: a class's value
 * (one-hot weights; for a single sigmoid output, its score for class 1 and the complement {@code 1 - s} for class 0),
 * one value of any output, or a channel of a dense output summed over a mask.
 *
 * @param output the output it reads
 * @param target the class of a class target, else -1
 * @param score its value on the image
 * @param weights the weight of each of the output's values for one input
 * @param constant added to the sum (1 for a sigmoid's class 0)
 */
record Score(String output, int target, float score, float[] weights, float constant) {
    /**
     * The score of a target on one run's outputs.
     *
     * @param requested the target, or null for the predicted class of the first output
     * @param outputs the model's outputs, the first being a classifier's
     * @param values the run's values, including the target's output
     * @throws IllegalArgumentException if the output, class, index, channel or mask does not fit the model
     */
    static Score of(Target requested, List<String> outputs, Map<String, Values> values) {
        String output = output(requested, outputs);
        Values v = values.get(output);
        float[] all = v.planes()[0];
        long[] shape = v.shape();
        int perInput = shape.length == 0 || shape[0] == 0 ? all.length : (int) (all.length / shape[0]);
        float[] weights = new float[perInput];
        if (requested == null || requested.output() == null) {
            return classScore(requested == null ? -1 : requested.classIndex(), output, all, weights);
        }
        float constant = 0;
        if (requested.index() != null) {
            int[] index = requested.index();
            if (index.length != shape.length) {
                throw new IllegalArgumentException("the target's index " + Arrays.toString(index) + " has "
                        + index.length + " entries, but the output '" + output + "' has shape "
                        + Arrays.toString(shape) + ": one index per dimension, the batch's (0) first");
            }
            long flat = 0;
            for (int d = 0; d < index.length; d++) {
                if (index[d] >= shape[d]) {
                    throw new IllegalArgumentException("the target's index " + Arrays.toString(index) + " is out of"
                            + " range for the output '" + output + "' of shape " + Arrays.toString(shape));
                }
                flat = flat * shape[d] + index[d];
            }
            weights[(int) flat] = 1;
        } else {
            if (shape.length != 4 || shape[0] != 1) {
                throw new IllegalArgumentException("a region target needs a dense output [1, C, H, W]; '" + output
                        + "' has shape " + Arrays.toString(shape));
            }
            int channel = requested.channel();
            boolean[] mask = requested.mask();
            int plane = (int) (shape[2] * shape[3]);
            if (channel >= shape[1]) {
                throw new IllegalArgumentException("the region's channel " + channel + " is out of range: '"
                        + output + "' has " + shape[1] + " channels");
            }
            if (mask.length != plane) {
                throw new IllegalArgumentException("the region's mask has " + mask.length + " values, but '" + output
                        + "' has " + shape[3] + "x" + shape[2] + " = " + plane + " positions a channel");
            }
            for (int i = 0; i < plane; i++) {
                weights[channel * plane + i] = mask[i] ? 1 : 0;
            }
        }
        Score s = new Score(output, -1, 0, weights, constant);
        return new Score(output, -1, (float) s.of(all, 0), weights, constant);
    }

    /**
     * The output a target reads: its own, or the first for a class.
     *
     * @throws IllegalArgumentException if the model has no output of that name, listing those it has
     */
    static String output(Target requested, List<String> outputs) {
        String output = requested == null || requested.output() == null ? outputs.get(0) : requested.output();
        if (!outputs.contains(output)) {
            throw new IllegalArgumentException("the target names the output '" + output + "', but the model's outputs"
                    + " are " + outputs);
        }
        return output;
    }

    /** The class of a classifier's output: the requested one (-1: the predicted one) and its value. */
    private static Score classScore(int requested, String output, float[] outputs, float[] weights) {
        int target = requested;
        if (outputs.length == 1) {
            if (target < 0) {
                target = outputs[0] >= 0.5f ? 1 : 0;
            } else if (target > 1) {
                throw new IllegalArgumentException("target class " + target + ", but the model has one sigmoid output:"
                        + " class 1 is its score, class 0 the complement");
            }
            weights[0] = target == 1 ? 1 : -1;
            return new Score(output, target, target == 1 ? outputs[0] : 1 - outputs[0], weights, target == 1 ? 0 : 1);
        }
        if (target < 0) {
            target = 0;
            for (int i = 1; i < outputs.length; i++) {
                if (outputs[i] > outputs[target]) {
                    target = i;
                }
            }
        } else if (target >= outputs.length) {
            throw new IllegalArgumentException("target class " + target + ", but the model's output '" + output
                    + "' has " + outputs.length + " classes");
        }
        weights[target] = 1;
        return new Score(output, target, outputs[target], weights, 0);
    }

    /** Whether this is a classifier's class. */
    boolean isClass() {
        return target >= 0;
    }

    /** The score of input {@code index} of a batch's outputs. */
    double of(float[] batchOutputs, int index) {
        double sum = constant;
        int at = index * weights.length;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] != 0) {
                sum += weights[i] * (double) batchOutputs[at + i];
            }
        }
        return sum;
    }

    /** The gradient of the score with respect to the output, for {@code batch} inputs. */
    float[] seed(int batch) {
        float[] seed = new float[batch * weights.length];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(weights, 0, seed, b * weights.length, weights.length);
        }
        return seed;
    }
}
