package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;

/** Whole-picture comparisons that name the first differing pixel instead of printing millions of them. */
public final class PixelComparison {
    private PixelComparison() {
    }

    /** The 0xRRGGBB pixels of an image, row by row. */
    public static int[] rgb(BufferedImage image) {
        int[] rgb = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] &= 0xFFFFFF;
        }
        return rgb;
    }

    /** Interleaved 8-bit samples, 3 (RGB) or 1 (gray) per pixel, as 0xRRGGBB pixels. */
    public static int[] pack(int[] samples, int channels) {
        int[] packed = new int[samples.length / channels];
        for (int i = 0; i < packed.length; i++) {
            packed[i] = channels == 1 ? samples[i] * 0x010101
                    : samples[3 * i] << 16 | samples[3 * i + 1] << 8 | samples[3 * i + 2];
        }
        return packed;
    }

    /** Interleaved 8-bit RGB samples as 0xRRGGBB pixels. */
    public static int[] pack(byte[] rgb) {
        int[] samples = new int[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            samples[i] = rgb[i] & 0xFF;
        }
        return pack(samples, 3);
    }

    /** Asserts an image has the expected size and, pixel for pixel, the expected 0xRRGGBB colors. */
    public static void assertPixels(String what, BufferedImage actual, int width, int height, int[] expected) {
        assertThat(actual.getWidth() + "x" + actual.getHeight()).as("%s: size", what).isEqualTo(width + "x" + height);
        assertPixels(what, rgb(actual), width, expected);
    }

    /** Asserts two pictures of a width are equal pixel for pixel; a failure counts the differences. */
    public static void assertPixels(String what, int[] actual, int width, int[] expected) {
        assertThat(actual).as("%s: pixel count", what).hasSameSizeAs(expected);
        int differences = 0;
        int first = -1;
        for (int i = 0; i < expected.length; i++) {
            if (actual[i] != expected[i]) {
                differences++;
                first = first < 0 ? i : first;
            }
        }
        assertThat(differences).as("%s: pixels differing, out of %d (the first at x %d, y %d is %06x, expected %06x)",
                what, expected.length, first % width, first / width, first < 0 ? 0 : actual[first],
                first < 0 ? 0 : expected[first]).isZero();
    }
}
