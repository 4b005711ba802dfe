package dev.convlens;

import dev.convlens.cam.CamRunner;
import dev.convlens.image.InputSpec;
import dev.convlens.image.Pixels;
import dev.convlens.image.TensorBuilder;
import dev.convlens.onnx.LayerCatalog;
import dev.convlens.onnx.LayerInfo;
import dev.convlens.runtime.Values;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What to show for one image: which layers, how the image is prepared, how the maps are drawn. Made by
 * {@link Inspector#image(java.nio.file.Path) Inspector.image(...)}.
 *
 * <pre>{@code
 * List<BufferedImage> grids = inspector.image(Path.of("dog.jpg"))
 *                                      .layers("conv2d", "conv2d_1")
 *                                      .colormap(Colormap.VIRIDIS)
 *                                      .grid(16);
 * }</pre>
 *
 * <p>A request is immutable: each option method returns a new request and leaves this one as it was, so a partly
 * built request can be kept, reused and shared between threads. Option methods only record and check their
 * arguments; the terminal methods ({@link #inspect()}, {@link #grid(int)}, {@link #activations()},
 * {@link #channel(String, int)}, {@link #outputs()}) decode the image and run the model, each time they are
 * called.
 */
public final class Request {
    private final Inspector inspector;
    private final Source source;
    private final List<LayerInfo> layers;
    private final Preprocessing preprocessing;
    private final int[] size;
    private final Colormap colormap;
    private final Contrast contrast;
    private final int scale;
    private final int targetClass;

    private Request(Inspector inspector, Source source, List<LayerInfo> layers, Preprocessing preprocessing,
                    int[] size, Colormap colormap, Contrast contrast, int scale, int targetClass) {
        this.inspector = inspector;
        this.source = source;
        this.layers = layers;
        this.preprocessing = preprocessing;
        this.size = size;
        this.colormap = colormap;
        this.contrast = contrast;
        this.scale = scale;
        this.targetClass = targetClass;
    }

    static Request of(Inspector inspector, Source source) {
        return new Request(inspector, source, null, Preprocessing.RAW, null, Colormap.VIRIDIS, null, 1, -1);
    }

    /**
     * Selects layers by name. Without this call, every convolution layer is shown.
     *
     * <p>Each name is tried in turn as: the exact layer, node or tensor name; a segment of a node name (Keras's
     * {@code conv2d_1} in tf2onnx's {@code model/conv2d_1/BiasAdd}, PyTorch's {@code features.0} in
     * {@code /features/features.0/Conv}); an op type ({@code Conv}, {@code MaxPool}); a glob with {@code *} and
     * {@code ?} ({@code conv2d_*}). A name may select several layers. The layers come out in model order.
     *
     * @param names one or more names, segments, op types or globs
     * @return a new request
     * @throws NullPointerException if names or one of them is null
     * @throws IllegalArgumentException if no name is given
     * @throws LayerNotFoundException if a name matches no layer; its message lists the closest names
     */
    public Request layers(String... names) {
        Objects.requireNonNull(names, "names");
        if (names.length == 0) {
            throw new IllegalArgumentException("layers(...) needs at least one name; leave it out to get every"
                    + " convolution layer");
        }
        LayerCatalog catalog = inspector.catalog();
        Set<LayerInfo> chosen = new TreeSet<>((a, b) -> Integer.compare(a.index(), b.index()));
        for (String name : names) {
            Objects.requireNonNull(name, "layer name");
            List<LayerInfo> found = catalog.find(name);
            if (found.isEmpty()) {
                List<String> closest = catalog.closest(name, 5);
                throw new LayerNotFoundException("no layer matches '" + name + "'; closest: "
                        + String.join(", ", closest) + " (Inspector.layers() lists all " + catalog.layers().size()
                        + ")", name, closest);
            }
            chosen.addAll(found);
        }
        return with(List.copyOf(chosen));
    }

    /**
     * Selects layers by their index in {@link Inspector#layers()}; negative indexes count from the end, so -1 is
     * the last layer.
     *
     * @param indexes one or more indexes
     * @return a new request
     * @throws NullPointerException if indexes is null
     * @throws IllegalArgumentException if no index is given
     * @throws LayerNotFoundException if an index is out of range
     */
    public Request layers(int... indexes) {
        Objects.requireNonNull(indexes, "indexes");
        if (indexes.length == 0) {
            throw new IllegalArgumentException("layers(...) needs at least one index");
        }
        List<LayerInfo> all = inspector.catalog().layers();
        Set<LayerInfo> chosen = new TreeSet<>((a, b) -> Integer.compare(a.index(), b.index()));
        for (int index : indexes) {
            int i = index < 0 ? all.size() + index : index;
            if (i < 0 || i >= all.size()) {
                throw new LayerNotFoundException("no layer at index " + index + "; the model has " + all.size()
                        + " layers, 0 to " + (all.size() - 1) + " (or -1 to -" + all.size() + " from the end)",
                        String.valueOf(index), List.of());
            }
            chosen.add(all.get(i));
        }
        return with(List.copyOf(chosen));
    }

    private Request with(List<LayerInfo> layers) {
        return new Request(inspector, source, layers, preprocessing, size, colormap, contrast, scale, targetClass);
    }

    /**
     * Sets how pixels become input values. Default {@link Preprocessing#RAW}: 0..255 values, RGB, nearest resize,
     * what a Keras model with its {@code Rescaling} layer inside expects.
     *
     * @param preprocessing a preset such as {@link Preprocessing#IMAGENET}, or a customized one
     * @return a new request
     * @throws NullPointerException if preprocessing is null
     */
    public Request preprocessing(Preprocessing preprocessing) {
        return new Request(inspector, source, layers, Objects.requireNonNull(preprocessing, "preprocessing"), size,
                colormap, contrast, scale, targetClass);
    }

    /**
     * Sets the input size for a model whose height or width is dynamic. By default a dynamic size is the
     * image's own, its longer side capped at 1024 and both rounded to multiples of 32.
     *
     * @param width input width in pixels
     * @param height input height in pixels
     * @return a new request
     * @throws IllegalArgumentException if a value is not positive, or the model's input size is fixed to another
     */
    public Request size(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("size must be positive, was " + width + "x" + height);
        }
        InputSpec in = inspector.input();
        if (in.width() > 0 && in.width() != width || in.height() > 0 && in.height() != height) {
            throw new IllegalArgumentException("the model's input is fixed at " + in.width() + "x" + in.height()
                    + " (width x height); size(" + width + ", " + height + ") cannot apply");
        }
        return new Request(inspector, source, layers, preprocessing, new int[] {width, height}, colormap, contrast,
                scale, targetClass);
    }

    /**
     * Sets the colors maps are drawn in. Default {@link Colormap#VIRIDIS}.
     *
     * @param colormap the colormap
     * @return a new request
     * @throws NullPointerException if colormap is null
     */
    public Request colormap(Colormap colormap) {
        return new Request(inspector, source, layers, preprocessing, size,
                Objects.requireNonNull(colormap, "colormap"), contrast, scale, targetClass);
    }

    /**
     * Sets how values map to colors. By default grids use {@link Contrast#STANDARDIZED} (the seed's) and a
     * single channel {@link Contrast#CHANNEL_MIN_MAX} (as matplotlib's {@code matshow}).
     *
     * @param contrast the contrast
     * @return a new request
     * @throws NullPointerException if contrast is null
     */
    public Request contrast(Contrast contrast) {
        return new Request(inspector, source, layers, preprocessing, size, colormap,
                Objects.requireNonNull(contrast, "contrast"), scale, targetClass);
    }

    /**
     * Enlarges every value to a {@code factor x factor} block, for maps too small to see. Default 1.
     *
     * @param factor the integer enlargement, 1 to 64
     * @return a new request
     * @throws IllegalArgumentException if factor is out of range
     */
    public Request upscale(int factor) {
        if (factor < 1 || factor > 64) {
            throw new IllegalArgumentException("upscale factor must be 1 to 64, was " + factor);
        }
        return new Request(inspector, source, layers, preprocessing, size, colormap, contrast, factor, targetClass);
    }

    /**
     * Sets the class a {@link #heatmap(HeatmapMethod) heatmap} explains. By default it is the predicted class: the
     * largest output, or for a single sigmoid output 1 if its score is at least one half, else 0 (the complement).
     *
     * @param classIndex an index into the model's first output; for a single sigmoid output 1 (its score) or 0
     *     (the complement)
     * @return a new request
     * @throws IllegalArgumentException if classIndex is negative
     */
    public Request target(int classIndex) {
        if (classIndex < 0) {
            throw new IllegalArgumentException("target class must be 0 or more, was " + classIndex);
        }
        return new Request(inspector, source, layers, preprocessing, size, colormap, contrast, scale, classIndex);
    }

    /**
     * Runs the model once and keeps everything: the selected layers' activations and the model's outputs, from
     * which grids and channels are drawn without running again.
     *
     * @return the result
     * @throws ImageException if the image cannot be read
     * @throws ImageTooLargeException if the image is larger than the inspector's pixel limit
     * @throws InferenceException if ONNX Runtime fails
     * @throws IllegalStateException if the inspector is closed
     */
    public Inspection inspect() {
        return run(selected());
    }

    /** The selected layers; every convolution when none was selected. */
    private List<LayerInfo> selected() {
        return layers != null ? layers : inspector.catalog().convolutions();
    }

    /**
     * Draws each selected layer as a grid of its channels, {@code perRow} to a row.
     *
     * @param perRow channels per row, at least 1 (16 in the seed)
     * @return one image per layer, in model order
     * @throws IllegalArgumentException if perRow is less than 1
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     * @throws IllegalStateException if the inspector is closed
     */
    public List<BufferedImage> grid(int perRow) {
        Inspection.checkPerRow(perRow);
        return inspect().grid(perRow);
    }

    /**
     * Returns each selected layer's activations.
     *
     * @return one feature map per layer, in model order
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     * @throws IllegalStateException if the inspector is closed
     */
    public List<FeatureMap> activations() {
        return inspect().activations();
    }

    /**
     * Draws one channel of one layer, as the seed's {@code matshow} does. The layer need not be among those
     * selected.
     *
     * @param layer a layer name, as for {@link #layers(String...)}; it must match one layer
     * @param index the channel, from 0
     * @return the channel's map, one pixel per value times {@link #upscale(int)}
     * @throws LayerNotFoundException if the name matches no layer
     * @throws IllegalArgumentException if the name matches several layers
     * @throws IndexOutOfBoundsException if the layer has no such channel
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     */
    public BufferedImage channel(String layer, int index) {
        Request one = layers(layer);
        if (one.layers.size() != 1) {
            throw new IllegalArgumentException("'" + layer + "' matches " + one.layers.size() + " layers ("
                    + one.layers.stream().map(LayerInfo::name).toList() + "); name one of them");
        }
        return one.inspect().channel(one.layers.get(0).name(), index);
    }

    /**
     * Computes where the model looked for the target class (see {@link #target(int)}), with the default
     * {@link HeatmapOptions}.
     *
     * <p>The target layer is the last one selected with {@link #layers(String...)}; by default it is the last
     * convolution layer whose output is still spatial (more than one value high and wide).
     *
     * <pre>{@code
     * BufferedImage picture = inspector.image(Path.of("dog.jpg")).heatmap(HeatmapMethod.GRAD_CAM).overlay();
     * }</pre>
     *
     * @param method how to compute it
     * @return the heatmap
     * @throws NullPointerException if method is null
     * @throws UnsupportedModelException if the method cannot apply to this model (CAM without a pooled dense head,
     *     gradients through an op without a rule), with the methods that can
     * @throws IllegalArgumentException if the target class is out of range
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     */
    public Heatmap heatmap(HeatmapMethod method) {
        return heatmap(method, HeatmapOptions.defaults());
    }

    /**
     * Computes where the model looked for the target class, with settings for the methods that run many times.
     *
     * @param method how to compute it
     * @param options Score-CAM's channels, the occlusion patch and stride, the batch size
     * @return the heatmap
     * @throws NullPointerException if an argument is null
     * @throws UnsupportedModelException if the method cannot apply to this model
     * @throws IllegalArgumentException if the target class is out of range
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     */
    public Heatmap heatmap(HeatmapMethod method, HeatmapOptions options) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(options, "options");
        inspector.ensureOpen();
        Layer layer = heatmapLayer();
        Prepared p = prepare();
        CamRunner.Result r = inspector.cams().run(method, options, layer.output(), tensor(p), p.width(), p.height(),
                targetClass);
        return new Heatmap(method, layer, r.targetClass(), r.score(), r.width(), r.height(), r.map(), p.pixels());
    }

    /** The last selected layer, or the last convolution whose output is more than one value high and wide. */
    private Layer heatmapLayer() {
        List<Layer> all = inspector.layers();
        if (layers != null) {
            return all.get(layers.get(layers.size() - 1).index());
        }
        Layer last = null;
        for (Layer l : all) {
            if (l.kind() == Layer.Kind.CONVOLUTION && (l.height() != 1 && l.width() != 1)) {
                last = l;
            }
        }
        return last != null ? last : all.get(inspector.catalog().convolutions().get(0).index());
    }

    /**
     * Runs only the model's own outputs, such as its class scores, on the plain (not rewritten) model.
     *
     * @return the outputs, in the model's order
     * @throws ImageException if the image cannot be read
     * @throws InferenceException if ONNX Runtime fails
     */
    public List<Tensor> outputs() {
        return run(List.of()).outputs();
    }

    /**
     * Returns the image as the model receives it: decoded, turned upright, composited over white, resized to the
     * input size, and gray for a one-channel model; before scaling and normalization. Useful to check that the
     * model sees what you think it sees.
     *
     * @return an RGB image of the model's input size
     * @throws ImageException if the image cannot be read
     * @throws ImageTooLargeException if the image is larger than the inspector's pixel limit
     */
    public BufferedImage resized() {
        Prepared p = prepare();
        int channels = inspector.input().channels();
        byte[] samples = TensorBuilder.resize(p.pixels(), channels, p.width(), p.height(),
                preprocessing.interpolation());
        BufferedImage image = new BufferedImage(p.width(), p.height(), BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[p.width() * p.height()];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = channels == 1 ? (samples[i] & 0xFF) * 0x010101
                    : (samples[3 * i] & 0xFF) << 16 | (samples[3 * i + 1] & 0xFF) << 8 | samples[3 * i + 2] & 0xFF;
        }
        image.setRGB(0, 0, p.width(), p.height(), rgb, 0, p.width());
        return image;
    }

    /** The decoded image and the input size it is resized to. */
    private record Prepared(Pixels pixels, int width, int height) {
    }

    private Prepared prepare() {
        inspector.ensureOpen();
        Pixels pixels = source.decode(inspector.options().maxPixels());
        int[] wh = inspector.input().size(pixels.width(), pixels.height(), size);
        return new Prepared(pixels, wh[0], wh[1]);
    }

    private float[] tensor(Prepared p) {
        return TensorBuilder.build(p.pixels(), inspector.input(), p.width(), p.height(), preprocessing);
    }

    private Inspection run(List<LayerInfo> selected) {
        Prepared p = prepare();
        InputSpec in = inspector.input();
        float[] input = tensor(p);
        List<String> modelOutputs = inspector.engine().modelOutputs();
        Set<String> wanted = new LinkedHashSet<>(modelOutputs);
        selected.forEach(l -> wanted.add(l.output()));
        Map<String, Values> values = inspector.engine().run(in.name(), input, in.shape(p.width(), p.height()), in.float16(),
                wanted);
        List<Layer> described = selected.isEmpty() ? List.of() : inspector.layers();
        List<FeatureMap> maps = new ArrayList<>();
        for (LayerInfo info : selected) {
            maps.add(featureMap(described.get(info.index()), values.get(info.output())));
        }
        List<Tensor> outputs = new ArrayList<>();
        for (String name : modelOutputs) {
            Values v = values.get(name);
            outputs.add(new Tensor(name, v.shape(), v.planes()[0]));
        }
        return new Inspection(maps, outputs, colormap, contrast, scale, inspector.options().threads() != 1);
    }

    private static FeatureMap featureMap(Layer layer, Values v) {
        long[] s = v.shape();
        if ((s.length == 4 || s.length == 3) && s[0] == 1) { // a 1-D convolution: one row per channel
            float[][] planes = v.planes();
            if (planes.length != s[1]) { // a layer that is also a model output comes back in one piece
                int plane = planes[0].length / (int) s[1];
                float[][] split = new float[(int) s[1]][];
                for (int c = 0; c < split.length; c++) {
                    split[c] = Arrays.copyOfRange(planes[0], c * plane, (c + 1) * plane);
                }
                planes = split;
            }
            return new FeatureMap(layer, s.length == 4 ? (int) s[2] : 1, (int) s[s.length - 1], planes);
        }
        throw new InferenceException("layer " + layer.name() + " produced shape " + Arrays.toString(s)
                + ", not one image's [1, C, H, W] feature maps");
    }

    @Override
    public String toString() {
        return "Request[" + source + ", layers " + selected().stream().map(LayerInfo::name).toList() + ", "
                + preprocessing + (size == null ? "" : ", size " + size[0] + "x" + size[1]) + ", " + colormap
                + (contrast == null ? "" : ", " + contrast) + (scale == 1 ? "" : ", upscale " + scale)
                + (targetClass < 0 ? "" : ", target " + targetClass) + "]";
    }
}
