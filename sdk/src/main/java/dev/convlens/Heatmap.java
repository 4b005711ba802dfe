package dev.convlens;

import dev.convlens.cam.MapMath;
import dev.convlens.image.Pixels;
import dev.convlens.render.Overlay;
import dev.convlens.render.Raster;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Where the model looked for a class in one image: a map at the resolution of the feature maps it was computed from
 * (or of the occlusion grid, or of the input for an attribution), and pictures of it over the image. Made by
 * {@link Request#heatmap(HeatmapMethod)} and {@link Request#attribution(AttributionMethod)}.
 *
 * <pre>{@code
 * Heatmap h = inspector.image(Path.of("dog.jpg")).heatmap(HeatmapMethod.GRAD_CAM);
 * ImageIO.write(h.overlay(), "png", new File("dog_cam.png"));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class Heatmap {
    private final ExplanationMethod method;
    private final List<Layer> layers;
    private final int targetClass;
    private final Target target;
    private final float score;
    private final int width;
    private final int height;
    private final float[] values;
    private final Pixels image;
    private final HeatmapOptions options;

    /** The layers: those whose maps make it, the target layer last. */
    Heatmap(ExplanationMethod method, List<Layer> layers, Target target, int targetClass, float score, int width,
            int height, float[] values, Pixels image, HeatmapOptions options) {
        this.method = method;
        this.layers = List.copyOf(layers);
        this.targetClass = targetClass;
        this.target = targetClass >= 0 ? Target.classIndex(targetClass) : target;
        this.score = score;
        this.width = width;
        this.height = height;
        this.values = values;
        this.image = image;
        this.options = options;
    }

    /** The settings the map was computed with, with which an evaluation computes it again on a changed model. */
    HeatmapOptions options() {
        return options;
    }

    /**
     * Returns the method that made this map: a {@link HeatmapMethod}, or an {@link AttributionMethod}.
     *
     * @return the method
     */
    public ExplanationMethod method() {
        return method;
    }

    /**
     * Returns the target layer whose feature maps were weighed. (CAM weighs the maps that enter the global pooling
     * after it; occlusion and the attributions use no layer, and this is then the default target layer, whose
     * Grad-CAM {@link AttributionMethod#GUIDED_GRAD_CAM} uses.)
     *
     * @return the layer
     */
    public Layer layer() {
        return layers.get(layers.size() - 1);
    }

    /**
     * Returns the layers whose maps make this heatmap: those averaged with {@link HeatmapOptions#averageLayers()},
     * in model order, else {@link #layer()} alone.
     *
     * @return one layer or more, the target layer last
     */
    public List<Layer> layers() {
        return layers;
    }

    /**
     * Returns the class explained: for several outputs its index; for a single sigmoid output, 1 for its score and
     * 0 for the complement.
     *
     * @return the class, or -1 when the target is an output's value or region (see {@link #target()})
     */
    public int targetClass() {
        return targetClass;
    }

    /**
     * Returns what was explained: the class (the predicted one when none was asked for), or the output value or
     * region given to {@link Request#target(Target)}.
     *
     * @return the target
     */
    public Target target() {
        return target;
    }

    /**
     * Returns the model's score for the target on this image (the complement for class 0 of a sigmoid).
     *
     * @return the score
     */
    public float score() {
        return score;
    }

    /**
     * Returns the map's width.
     *
     * @return width in map cells
     */
    public int width() {
        return width;
    }

    /**
     * Returns the map's height.
     *
     * @return height in map cells
     */
    public int height() {
        return height;
    }

    /**
     * Returns one raw value.
     *
     * @param y the row
     * @param x the column
     * @return the value
     * @throws IndexOutOfBoundsException if a coordinate is out of range
     */
    public float value(int y, int x) {
        Objects.checkIndex(y, height);
        Objects.checkIndex(x, width);
        return values[y * width + x];
    }

    /**
     * Returns the raw map, row by row: after the method's final ReLU for the CAM methods (0 or more), the score
     * drop for occlusion (negative where hiding the patch raised the score).
     *
     * @return a new array of {@code width * height} values
     */
    public float[] values() {
        return values.clone();
    }

    /**
     * Returns the heatmap over the image as "Deep Learning with Python" 9.4 draws it: the map scaled to 0..1 by its
     * maximum (an attribution by its 98th percentile of positive values, clipped at 1), negative values as 0, resized
     * to the image with bilinear interpolation, colored with jet, added at 0.4 to the image, and the sum rescaled to
     * 0..255.
     *
     * @return an RGB image of the image's size (upright)
     */
    public BufferedImage overlay() {
        return overlay(Colormap.JET);
    }

    /**
     * Returns the heatmap over the image as {@link #overlay()} draws it, colored with another colormap.
     *
     * @param colormap the colors, {@link Colormap#JET} as in the book
     * @return an RGB image of the image's size
     * @throws NullPointerException if colormap is null
     */
    public BufferedImage overlay(Colormap colormap) {
        return image(Overlay.chollet(image.rgb(), resized(), Objects.requireNonNull(colormap, "colormap")));
    }

    /**
     * Returns the heatmap over the image as an alpha blend, {@code (1 - alpha) * image + alpha * jet(heat)}.
     *
     * @param alpha the heatmap's weight, 0 to 1
     * @return an RGB image of the image's size
     * @throws IllegalArgumentException if alpha is outside 0..1
     */
    public BufferedImage overlay(float alpha) {
        return overlay(Colormap.JET, alpha);
    }

    /**
     * Returns the heatmap over the image as an alpha blend with another colormap, {@code (1 - alpha) * image + alpha
     * * colormap(heat)}.
     *
     * @param colormap the colors
     * @param alpha the heatmap's weight, 0 to 1
     * @return an RGB image of the image's size
     * @throws NullPointerException if colormap is null
     * @throws IllegalArgumentException if alpha is outside 0..1
     */
    public BufferedImage overlay(Colormap colormap, float alpha) {
        Objects.requireNonNull(colormap, "colormap");
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be 0 to 1, was " + alpha);
        }
        return image(Overlay.blend(image.rgb(), resized(), colormap, alpha));
    }

    /**
     * Returns the heatmap alone, scaled to 0..1 as {@link #overlay()} scales it, resized to the image and colored
     * with a colormap.
     *
     * @param colormap the colors, {@link Colormap#JET} as in the overlays
     * @return an RGB image of the image's size
     * @throws NullPointerException if colormap is null
     */
    public BufferedImage image(Colormap colormap) {
        return image(Overlay.colored(resized(), Objects.requireNonNull(colormap, "colormap")));
    }

    /**
     * Measures whether this map points at the object: the pointing game and the share of its energy inside the
     * region, on the map's positive values resized to the image (bilinear, as the overlays resize it).
     *
     * <pre>{@code
     * Localisation l = heatmap.localisation(Region.box(40, 10, 300, 280));
     * }</pre>
     *
     * @param region where the object is, in the image's pixels
     * @return the pointing game and the energy inside
     * @throws NullPointerException if region is null
     * @throws IllegalArgumentException if a mask is not of the image's size, or a box lies outside the image
     */
    public Localisation localisation(Region region) {
        Objects.requireNonNull(region, "region");
        int w = image.width();
        int h = image.height();
        region.requireFits(w, h);
        float[] positive = new float[values.length];
        for (int i = 0; i < positive.length; i++) {
            positive[i] = Math.max(values[i], 0);
        }
        float[] map = MapMath.resize(positive, height, width, h, w);
        float max = Float.NEGATIVE_INFINITY;
        for (float v : map) {
            max = Math.max(max, v);
        }
        boolean hit = false;
        double inside = 0;
        double total = 0;
        long area = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float v = map[y * w + x];
                boolean in = region.contains(x, y);
                hit |= in && v == max;
                inside += in ? v : 0;
                total += v;
                area += in ? 1 : 0;
            }
        }
        return new Localisation(region, hit, total > 0 ? inside / total : Double.NaN, (double) area / ((long) w * h));
    }

    /** The map, negative values as 0, divided by its maximum, resized to the image. */
    private float[] resized() {
        float top = top();
        float[] scaled = new float[values.length];
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] = top > 0 ? Math.min(1, Math.max(0, values[i]) / top) : 0;
        }
        return MapMath.resize(scaled, height, width, image.height(), image.width());
    }

    /**
     * What the pictures divide the map by: its maximum; for an attribution, the 98th percentile of its positive
     * values, since a few pixels hold much of a gradient's mass and would leave the rest dark (captum's pictures
     * clip the top 2% the same way).
     */
    private float top() {
        if (method instanceof AttributionMethod) {
            float[] positive = new float[values.length];
            int n = 0;
            for (float v : values) {
                if (v > 0) {
                    positive[n++] = v;
                }
            }
            if (n == 0) {
                return 0;
            }
            java.util.Arrays.sort(positive, 0, n);
            return positive[(int) Math.ceil(0.98 * n) - 1];
        }
        float max = 0;
        for (float v : values) {
            max = Math.max(max, v);
        }
        return max;
    }

    private BufferedImage image(int[] rgb) {
        return Pictures.of(new Raster(image.width(), image.height(), rgb));
    }

    @Override
    public String toString() {
        return "Heatmap[" + method + ", layer " + layers.stream().map(Layer::name).collect(Collectors.joining("+"))
                + ", " + target + " (score " + score + "), "
                + width + "x" + height + "]";
    }
}
