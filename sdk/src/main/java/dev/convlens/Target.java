package dev.convlens;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a heatmap or an attribution explains: a score the model computes, as a sum of some of its output values.
 * Immutable.
 *
 * <pre>{@code
 * request.target(Target.classIndex(281));                       // a classifier's class (what target(int) does)
 * request.target(Target.output("scores", 0, 1234, 1));           // one value of any output: a detector's face score
 * request.target(Target.region("mask", 3, pixels));              // a segmenter's class 3 summed over some pixels
 * }</pre>
 *
 * <p>A class target reads the model's first output: the class's value, or for a single sigmoid output its score
 * (class 1) or complement (class 0). The others name any float output of the model. With a target other than a class,
 * the default heatmap layer is the last spatial layer whose output the score depends on.
 */
public final class Target {
    private final int classIndex;
    private final String output;
    private final int[] index;
    private final int channel;
    private final boolean[] mask;

    private Target(int classIndex, String output, int[] index, int channel, boolean[] mask) {
        this.classIndex = classIndex;
        this.output = output;
        this.index = index;
        this.channel = channel;
        this.mask = mask;
    }

    /**
     * A class of a classifier's first output.
     *
     * @param classIndex the class, from 0
     * @return the target
     * @throws IllegalArgumentException if classIndex is negative
     */
    public static Target classIndex(int classIndex) {
        if (classIndex < 0) {
            throw new IllegalArgumentException("classIndex must be 0 or more, was " + classIndex);
        }
        return new Target(classIndex, null, null, -1, null);
    }

    /**
     * One value of an output, by its full index, batch first: {@code output("scores", 0, 1234, 1)} is the value at
     * {@code [0, 1234, 1]} of the output {@code scores}.
     *
     * @param output the output's name in the model
     * @param index one index per dimension of the output, the batch's (0) first
     * @return the target
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if an index is negative
     */
    public static Target output(String output, int... index) {
        Objects.requireNonNull(output, "output");
        for (int i : Objects.requireNonNull(index, "index")) {
            if (i < 0) {
                throw new IllegalArgumentException("index " + Arrays.toString(index) + " has a negative entry");
            }
        }
        return new Target(-1, output, index.clone(), -1, null);
    }

    /**
     * The sum of one channel of a dense output {@code [1, C, H, W]} over a mask, as pytorch-grad-cam's
     * {@code SemanticSegmentationTarget}: a segmenter's class over the pixels it gave that class, say.
     *
     * @param output the output's name in the model
     * @param channel the channel, from 0
     * @param mask {@code H * W} flags, row by row; the values where it is true are summed
     * @return the target
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the channel is negative
     */
    public static Target region(String output, int channel, boolean[] mask) {
        Objects.requireNonNull(output, "output");
        if (channel < 0) {
            throw new IllegalArgumentException("channel must be 0 or more, was " + channel);
        }
        return new Target(-1, output, null, channel, Objects.requireNonNull(mask, "mask").clone());
    }

    /**
     * Returns the class of a class target.
     *
     * @return the class, or -1 for an output or region target
     */
    public int classIndex() {
        return classIndex;
    }

    /**
     * Returns the output an output or region target reads.
     *
     * @return the output's name, or null for a class target (which reads the first output)
     */
    public String output() {
        return output;
    }

    /**
     * Returns the index of an output target.
     *
     * @return a copy of the index, or null for other targets
     */
    public int[] index() {
        return index == null ? null : index.clone();
    }

    /**
     * Returns the channel of a region target.
     *
     * @return the channel, or -1 for other targets
     */
    public int channel() {
        return channel;
    }

    /**
     * Returns the mask of a region target.
     *
     * @return a copy of the mask, or null for other targets
     */
    public boolean[] mask() {
        return mask == null ? null : mask.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Target t && t.classIndex == classIndex && Objects.equals(t.output, output)
                && Arrays.equals(t.index, index) && t.channel == channel && Arrays.equals(t.mask, mask);
    }

    @Override
    public int hashCode() {
        return Objects.hash(classIndex, output, Arrays.hashCode(index), channel, Arrays.hashCode(mask));
    }

    @Override
    public String toString() {
        if (output == null) {
            return "class " + classIndex;
        }
        if (index != null) {
            return output + Arrays.toString(index);
        }
        int on = 0;
        for (boolean b : mask) {
            on += b ? 1 : 0;
        }
        return output + " channel " + channel + " over " + on + " of " + mask.length + " positions";
    }
}
