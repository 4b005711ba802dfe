package dev.convlens;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How pixels become the numbers a model was trained on: resize filter, scale, per-channel mean and standard
 * deviation, and channel order. Immutable; each {@code with} method returns a changed copy.
 *
 * <p>Each 8-bit sample {@code v} of channel {@code c} becomes {@code (v * scale - mean[c]) / std[c]}. A model with
 * one input channel receives the Pillow luma of the pixel ({@code (299 R + 587 G + 114 B) / 1000}) and uses
 * {@code mean[0]} and {@code std[0]}.
 *
 * <pre>{@code
 * inspector.image(path).preprocessing(Preprocessing.IMAGENET).grid(16);
 * Preprocessing custom = Preprocessing.SCALED.withMean(0.5f, 0.5f, 0.5f).withStd(0.5f, 0.5f, 0.5f);
 * }</pre>
 */
public final class Preprocessing {
    /**
     * Raw 0..255 values, RGB, nearest resize: the default. Right for a Keras model with its {@code Rescaling}
     * layer inside, and for models that normalize in the graph.
     */
    public static final Preprocessing RAW = new Preprocessing(Interpolation.NEAREST, 1f,
            new float[] {0, 0, 0}, new float[] {1, 1, 1}, false);
    /** 0..1 values ({@code rescale=1./255} in Keras), RGB, nearest resize. */
    public static final Preprocessing SCALED = RAW.withScale(1f / 255f);
    /** -1..1 values (Keras {@code preprocess_input} of MobileNet and Inception), RGB, nearest resize. */
    public static final Preprocessing SIGNED = RAW.withScale(1f / 127.5f).withMean(1f, 1f, 1f);
    /**
     * torchvision's ImageNet normalization: 0..1 values, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225),
     * RGB, bilinear resize.
     */
    public static final Preprocessing IMAGENET = SCALED.withMean(0.485f, 0.456f, 0.406f)
            .withStd(0.229f, 0.224f, 0.225f).withInterpolation(Interpolation.BILINEAR);
    /**
     * Caffe's ImageNet convention (Keras {@code preprocess_input} of VGG16 and ResNet50): BGR, 0..255 minus the
     * mean pixel (103.939, 116.779, 123.68), nearest resize.
     */
    public static final Preprocessing CAFFE = RAW.withBgr(true).withMean(103.939f, 116.779f, 123.68f);

    private static final Map<String, Preprocessing> PRESETS = Map.of("raw", RAW, "scaled", SCALED, "signed", SIGNED,
            "imagenet", IMAGENET, "caffe", CAFFE);

    private final Interpolation interpolation;
    private final float scale;
    private final float[] mean;
    private final float[] std;
    private final boolean bgr;

    private Preprocessing(Interpolation interpolation, float scale, float[] mean, float[] std, boolean bgr) {
        this.interpolation = interpolation;
        this.scale = scale;
        this.mean = mean;
        this.std = std;
        this.bgr = bgr;
    }

    /**
     * Returns a copy with another resize filter.
     *
     * @param interpolation the filter used to resize the image to the model's input size
     * @return a changed copy
     */
    public Preprocessing withInterpolation(Interpolation interpolation) {
        return new Preprocessing(Objects.requireNonNull(interpolation, "interpolation"), scale, mean, std, bgr);
    }

    /**
     * Returns a copy with another scale, applied to 0..255 samples before the mean is subtracted.
     *
     * @param scale a finite, non-zero factor, e.g. {@code 1f / 255}
     * @return a changed copy
     * @throws IllegalArgumentException if scale is zero or not finite
     */
    public Preprocessing withScale(float scale) {
        if (scale == 0 || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be finite and non-zero, was " + scale);
        }
        return new Preprocessing(interpolation, scale, mean, std, bgr);
    }

    /**
     * Returns a copy with another per-channel mean, in the model's channel order (R, G, B unless BGR).
     *
     * @param c0 mean of the first channel, after scaling
     * @param c1 mean of the second channel
     * @param c2 mean of the third channel
     * @return a changed copy
     * @throws IllegalArgumentException if a value is not finite
     */
    public Preprocessing withMean(float c0, float c1, float c2) {
        return new Preprocessing(interpolation, scale, check("mean", c0, c1, c2, false), std, bgr);
    }

    /**
     * Returns a copy with another per-channel standard deviation, in the model's channel order.
     *
     * @param c0 standard deviation of the first channel, after scaling
     * @param c1 standard deviation of the second channel
     * @param c2 standard deviation of the third channel
     * @return a changed copy
     * @throws IllegalArgumentException if a value is zero or not finite
     */
    public Preprocessing withStd(float c0, float c1, float c2) {
        return new Preprocessing(interpolation, scale, mean, check("std", c0, c1, c2, true), bgr);
    }

    /**
     * Returns a copy that feeds channels in BGR order (OpenCV, Caffe, YOLOX) or RGB order.
     *
     * @param bgr true for blue, green, red; false for red, green, blue
     * @return a changed copy
     */
    public Preprocessing withBgr(boolean bgr) {
        return new Preprocessing(interpolation, scale, mean, std, bgr);
    }

    /**
     * Reads a preprocessing from text: a preset's name, optionally followed by changes, or changes alone (applied to
     * {@link #RAW}), separated by semicolons. This is the form a model carries in its ONNX {@code metadata_props}
     * under the key {@code convlens.preprocessing}, which ConvLens takes as the model's default.
     *
     * <pre>{@code
     * Preprocessing.parse("imagenet");
     * Preprocessing.parse("scaled; resize=bilinear");
     * Preprocessing.parse("scale=1/127.5; mean=1,1,1; order=bgr");
     * }</pre>
     *
     * <p>Changes: {@code scale=F} (a number or a fraction {@code A/B}), {@code mean=A,B,C}, {@code std=A,B,C},
     * {@code order=rgb|bgr}, {@code resize=nearest|bilinear}. Names are case-insensitive; spaces are ignored.
     *
     * @param text the preprocessing as text
     * @return the preprocessing
     * @throws NullPointerException if text is null
     * @throws IllegalArgumentException if the text names no preset or change, saying which part and what is valid
     */
    public static Preprocessing parse(String text) {
        String[] parts = Objects.requireNonNull(text, "text").replace(" ", "").toLowerCase(Locale.ROOT).split(";");
        Preprocessing p = RAW;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            int eq = part.indexOf('=');
            if (eq < 0) {
                if (i > 0 || !PRESETS.containsKey(part)) {
                    throw new IllegalArgumentException("'" + part + "' is not a preset (" + String.join(", ",
                            PRESETS.keySet().stream().sorted().toList()) + ") at the start, nor a change key=value");
                }
                p = PRESETS.get(part);
                continue;
            }
            String key = part.substring(0, eq);
            String value = part.substring(eq + 1);
            p = switch (key) {
                case "scale" -> p.withScale(number(value));
                case "mean" -> {
                    float[] m = triple(key, value);
                    yield p.withMean(m[0], m[1], m[2]);
                }
                case "std" -> {
                    float[] d = triple(key, value);
                    yield p.withStd(d[0], d[1], d[2]);
                }
                case "order" -> p.withBgr(choice(key, value, "rgb", "bgr"));
                case "resize" -> p.withInterpolation(choice(key, value, "nearest", "bilinear")
                        ? Interpolation.BILINEAR : Interpolation.NEAREST);
                default -> throw new IllegalArgumentException("unknown change '" + key
                        + "'; the changes are scale, mean, std, order, resize");
            };
        }
        return p;
    }

    /** A number, or a fraction {@code a/b}. */
    private static float number(String text) {
        try {
            int slash = text.indexOf('/');
            if (slash < 0) {
                return Float.parseFloat(text);
            }
            return (float) (Double.parseDouble(text.substring(0, slash))
                    / Double.parseDouble(text.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a number or a fraction such as 1/255", e);
        }
    }

    private static float[] triple(String key, String value) {
        String[] parts = value.split(",");
        if (parts.length != 3) {
            throw new IllegalArgumentException(key + " needs three values, one per channel, was '" + value + "'");
        }
        return new float[] {number(parts[0]), number(parts[1]), number(parts[2])};
    }

    /** Whether the value is the second of two choices. */
    private static boolean choice(String key, String value, String first, String second) {
        if (!value.equals(first) && !value.equals(second)) {
            throw new IllegalArgumentException(key + " is " + first + " or " + second + ", was '" + value + "'");
        }
        return value.equals(second);
    }

    private static float[] check(String what, float a, float b, float c, boolean nonZero) {
        for (float v : new float[] {a, b, c}) {
            if (!Float.isFinite(v) || nonZero && v == 0) {
                throw new IllegalArgumentException(what + " values must be finite" + (nonZero ? " and non-zero" : "")
                        + ", were " + a + ", " + b + ", " + c);
            }
        }
        return new float[] {a, b, c};
    }

    /**
     * Returns the resize filter.
     *
     * @return the interpolation
     */
    public Interpolation interpolation() {
        return interpolation;
    }

    /**
     * Returns the factor applied to 0..255 samples.
     *
     * @return the scale
     */
    public float scale() {
        return scale;
    }

    /**
     * Returns the per-channel means, in the model's channel order.
     *
     * @return a new three-element array
     */
    public float[] mean() {
        return mean.clone();
    }

    /**
     * Returns the per-channel standard deviations, in the model's channel order.
     *
     * @return a new three-element array
     */
    public float[] std() {
        return std.clone();
    }

    /**
     * Returns whether channels are fed in BGR order.
     *
     * @return true for BGR, false for RGB
     */
    public boolean bgr() {
        return bgr;
    }

    /** This preprocessing in the form {@link #parse} reads, each value exactly. */
    String text() {
        return "scale=" + scale + "; mean=" + mean[0] + "," + mean[1] + "," + mean[2] + "; std=" + std[0] + ","
                + std[1] + "," + std[2] + "; order=" + (bgr ? "bgr" : "rgb") + "; resize="
                + interpolation.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessing p && p.interpolation == interpolation && p.scale == scale
                && Arrays.equals(p.mean, mean) && Arrays.equals(p.std, std) && p.bgr == bgr;
    }

    @Override
    public int hashCode() {
        return Objects.hash(interpolation, scale, Arrays.hashCode(mean), Arrays.hashCode(std), bgr);
    }

    @Override
    public String toString() {
        return "Preprocessing[" + interpolation + ", scale " + scale + ", mean " + Arrays.toString(mean) + ", std "
                + Arrays.toString(std) + ", " + (bgr ? "BGR" : "RGB") + "]";
    }
}
