package dev.convlens.image;

import dev.convlens.Interpolation;
import dev.convlens.Layout;
import dev.convlens.Preprocessing;

/** Turns pixels into the float values of a model's input tensor: channels, resize, scale and normalize, layout. */
public final class TensorBuilder {
    private TensorBuilder() {
    }

    /**
     * Builds the input values for one image, in the input's layout.
     *
     * @param w the input width
     * @param h the input height
     * @return {@code channels * h * w} values
     */
    public static float[] build(Pixels pixels, InputSpec spec, int w, int h, Preprocessing p) {
        int channels = spec.channels();
        byte[] resized = resize(pixels, channels, w, h, p.interpolation());
        float[][] lut = lookup(p, channels);
        int plane = w * h;
        float[] out = new float[plane * channels];
        int[] source = new int[channels];
        for (int c = 0; c < channels; c++) {
            source[c] = p.bgr() && channels == 3 ? 2 - c : c;
        }
        if (spec.layout() == Layout.NCHW) {
            for (int c = 0; c < channels; c++) {
                float[] table = lut[c];
                int base = c * plane;
                for (int i = 0, s = source[c]; i < plane; i++, s += channels) {
                    out[base + i] = table[resized[s] & 0xFF];
                }
            }
        } else {
            for (int c = 0; c < channels; c++) {
                float[] table = lut[c];
                for (int i = c, s = source[c]; i < out.length; i += channels, s += channels) {
                    out[i] = table[resized[s] & 0xFF];
                }
            }
        }
        return out;
    }

    /**
     * The image as the model receives it before scaling: 8-bit samples, converted to gray (Pillow's luma) for a
     * one-channel model, resized to {@code w x h}.
     *
     * @return {@code channels * w * h} samples, interleaved (RGB or gray)
     */
    public static byte[] resize(Pixels pixels, int channels, int w, int h, Interpolation interpolation) {
        byte[] samples = channels == 1 ? luma(pixels.rgb()) : pixels.rgb();
        return interpolation == Interpolation.BILINEAR
                ? Resampler.bilinear(samples, pixels.width(), pixels.height(), channels, w, h)
                : Resampler.nearest(samples, pixels.width(), pixels.height(), channels, w, h);
    }

    /** The value of each 8-bit sample per model channel. */
    private static float[][] lookup(Preprocessing p, int channels) {
        float[] mean = p.mean();
        float[] std = p.std();
        float[][] lut = new float[channels][256];
        for (int c = 0; c < channels; c++) {
            for (int v = 0; v < 256; v++) {
                lut[c][v] = (v * p.scale() - mean[c]) / std[c];
            }
        }
        return lut;
    }

    /** Pillow's RGB to L: {@code (19595 R + 38470 G + 7471 B + 0x8000) >> 16}. */
    private static byte[] luma(byte[] rgb) {
        byte[] gray = new byte[rgb.length / 3];
        for (int i = 0, s = 0; i < gray.length; i++, s += 3) {
            gray[i] = (byte) ((rgb[s] & 0xFF) * 19595 + (rgb[s + 1] & 0xFF) * 38470 + (rgb[s + 2] & 0xFF) * 7471
                    + 0x8000 >> 16);
        }
        return gray;
    }
}
