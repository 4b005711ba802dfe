package dev.convlens.cam;

/**
 * The class a map explains and the model's score for it, from the model's first output: for several outputs, the value
 * of the class (by default the largest); for a single sigmoid output, the score for class 1 and its complement
 * {@code 1 - s} for class 0 (by default whichever is above one half).
 *
 * @param target the class
 * @param score the model's score for it on the image
 * @param classes how many values the output has per input: 1 for a single sigmoid
 */
record ClassScore(int target, float score, int classes) {
    /**
     * Picks the class from one run's outputs.
     *
     * @param requested the class asked for, or -1 for the predicted one
     * @throws IllegalArgumentException if the class is out of range
     */
    static ClassScore of(float[] outputs, int requested, String output) {
        int target = requested;
        if (outputs.length == 1) {
            if (target < 0) {
                target = outputs[0] >= 0.5f ? 1 : 0;
            } else if (target > 1) {
                throw new IllegalArgumentException("target class " + target + ", but the model has one sigmoid output:"
                        + " class 1 is its score, class 0 the complement");
            }
        } else if (target < 0) {
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
        return new ClassScore(target, (float) score(outputs, outputs.length, 0, target), outputs.length);
    }

    /** The class score of input {@code index} of a batch's outputs. */
    double of(float[] batchOutputs, int index) {
        return score(batchOutputs, classes, index, target);
    }

    /** The score of a class for input {@code index} of a batch's outputs, {@code perInput} values each. */
    static double score(float[] outputs, int perInput, int index, int target) {
        if (perInput == 1) {
            float s = outputs[index];
            return target == 1 ? s : 1 - s;
        }
        return outputs[index * perInput + target];
    }

    /**
     * The gradient of the class score with respect to the output, for {@code batch} inputs: one-hot on the class, or
     * -1 on a single sigmoid output for the complement.
     */
    float[] seed(int batch) {
        float[] seed = new float[batch * classes];
        for (int b = 0; b < batch; b++) {
            seed[b * classes + (classes == 1 ? 0 : target)] = classes == 1 && target == 0 ? -1 : 1;
        }
        return seed;
    }
}
