package dev.convlens.image;

import dev.convlens.Layout;
import dev.convlens.Preprocessing;

/**
 * The map between pictures as float pixels (0..255 values, RGB or gray, one plane per channel) and a model's input
 * tensor, for work that changes the picture itself, such as gradient ascent: the preprocessing's scale, mean, standard
 * deviation and channel order, and the input's layout, as {@link TensorBuilder} applies them to 8-bit samples, but on
 * unrounded values and in both directions.
 */
public final class PixelSpace {
    private final InputSpec spec;
    private final int width;
    private final int height;
    private final float[] gain;
    private final float[] offset;
    private final int[] source;

    /**
     * @param width the input's width
     * @param height the input's height
     */
    public PixelSpace(InputSpec spec, Preprocessing p, int width, int height) {
        this.spec = spec;
        this.width = width;
        this.height = height;
        int channels = spec.channels();
        float[] mean = p.mean();
        float[] std = p.std();
        this.gain = new float[channels];
        this.offset = new float[channels];
        this.source = new int[channels];
        for (int c = 0; c < channels; c++) {
            gain[c] = p.scale() / std[c];
            offset[c] = mean[c] / std[c];
            source[c] = p.bgr() && channels == 3 ? 2 - c : c;
        }
    }

    /** The number of values of one picture, and of one input. */
    public int size() {
        return spec.channels() * width * height;
    }

    /** The input's width. */
    public int width() {
        return width;
    }

    /** The input's height. */
    public int height() {
        return height;
    }

    /** Channels of the picture: 3 (RGB) or 1 (gray). */
    public int channels() {
        return spec.channels();
    }

    /** The input values of a picture given as planes, {@code channels x height x width}, RGB order. */
    public float[] toInput(float[] pixels) {
        float[] input = new float[size()];
        int plane = width * height;
        for (int c = 0; c < gain.length; c++) {
            int from = source[c] * plane;
            for (int i = 0; i < plane; i++) {
                input[at(c, i)] = pixels[from + i] * gain[c] - offset[c];
            }
        }
        return input;
    }

    /** The picture whose input values these are: the inverse of {@link #toInput}. */
    public float[] toPixels(float[] input) {
        float[] pixels = new float[size()];
        int plane = width * height;
        for (int c = 0; c < gain.length; c++) {
            int to = source[c] * plane;
            for (int i = 0; i < plane; i++) {
                pixels[to + i] = (input[at(c, i)] + offset[c]) / gain[c];
            }
        }
        return pixels;
    }

    /**
     * A gradient with respect to the input, carried back to the picture's pixels (the chain rule through the
     * preprocessing's affine map per channel).
     */
    public float[] gradientToPixels(float[] inputGradient) {
        float[] pixels = new float[size()];
        int plane = width * height;
        for (int c = 0; c < gain.length; c++) {
            int to = source[c] * plane;
            for (int i = 0; i < plane; i++) {
                pixels[to + i] = inputGradient[at(c, i)] * gain[c];
            }
        }
        return pixels;
    }

    /** Where value {@code i} of channel {@code c} of the model's input sits in its layout. */
    private int at(int c, int i) {
        return spec.layout() == Layout.NCHW ? c * width * height + i : i * gain.length + c;
    }
}
