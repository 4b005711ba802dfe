package dev.convlens.render;

import dev.convlens.Colormap;

/**
 * Superimposes a heatmap on a photo, on plain arrays: the heatmap (already at the photo's size, 0..1) is colored
 * with a colormap and either added to the photo as in "Deep Learning with Python" 9.4, or alpha-blended.
 */
public final class Overlay {
    private Overlay() {
    }

    /**
     * Chollet's superimposition: {@code heat * 0.4 + photo}, each color channel of each pixel, then the whole image
     * rescaled so its smallest value is 0 and its largest 255, as {@code keras.utils.array_to_img} does.
     *
     * @param photo interleaved RGB bytes
     * @param heat one value 0..1 per pixel
     * @return packed RGB pixels
     */
    public static int[] chollet(byte[] photo, float[] heat, Colormap colormap) {
        Palette palette = Palette.of(colormap);
        float[] sum = new float[photo.length];
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < heat.length; i++) {
            int color = palette.color(level(heat[i]));
            for (int c = 0; c < 3; c++) {
                float v = (color >> (16 - 8 * c) & 0xFF) * 0.4f + (photo[3 * i + c] & 0xFF);
                sum[3 * i + c] = v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        float range = max - min;
        int[] rgb = new int[heat.length];
        for (int i = 0; i < heat.length; i++) {
            int r = range == 0 ? 0 : (int) ((sum[3 * i] - min) / range * 255);
            int g = range == 0 ? 0 : (int) ((sum[3 * i + 1] - min) / range * 255);
            int b = range == 0 ? 0 : (int) ((sum[3 * i + 2] - min) / range * 255);
            rgb[i] = r << 16 | g << 8 | b;
        }
        return rgb;
    }

    /** {@code (1 - alpha) * photo + alpha * heat}, rounded, per color channel. */
    public static int[] blend(byte[] photo, float[] heat, Colormap colormap, float alpha) {
        Palette palette = Palette.of(colormap);
        int[] rgb = new int[heat.length];
        for (int i = 0; i < heat.length; i++) {
            int color = palette.color(level(heat[i]));
            int out = 0;
            for (int c = 0; c < 3; c++) {
                float v = (1 - alpha) * (photo[3 * i + c] & 0xFF) + alpha * (color >> (16 - 8 * c) & 0xFF);
                out = out << 8 | Math.round(v);
            }
            rgb[i] = out;
        }
        return rgb;
    }

    /** The heatmap alone, colored. */
    public static int[] colored(float[] heat, Colormap colormap) {
        Palette palette = Palette.of(colormap);
        int[] rgb = new int[heat.length];
        for (int i = 0; i < heat.length; i++) {
            rgb[i] = palette.color(level(heat[i]));
        }
        return rgb;
    }

    /** {@code uint8(255 * v)}, as Chollet turns the heatmap into colormap indices. */
    private static int level(float v) {
        return v <= 0 ? 0 : v >= 1 ? 255 : (int) (255 * v);
    }
}
