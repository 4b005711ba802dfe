package dev.convlens;

import dev.convlens.onnx.ExplainerBuilder;
import dev.convlens.render.Palette;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * An ONNX model that explains itself: the model, with its heatmap computed in the same graph, for any ONNX runtime
 * (ONNX Runtime on Android and iOS, in a browser, in Node, Python, C# or C++). Made by
 * {@link Inspector#explainer(ExplanationMethod)}; the Java tool writes it at build time and the phone runs it.
 *
 * <pre>{@code
 * inspector.explainer(HeatmapMethod.GRAD_CAM)
 *          .layer("conv2d_4")
 *          .save(Path.of("explainer.onnx"));
 * }</pre>
 *
 * <h2>The written model</h2>
 * <ul>
 * <li>Input {@code image}: uint8 {@code [H, W, 3]}, the RGB bytes a bitmap or a canvas holds, of any size (or of the
 *     size {@link #inputSize(int, int)} fixes). The resize to the model's size (its preprocessing's interpolation,
 *     with the pixels of {@link Request#resized()}) and the whole preprocessing (scale, mean, std, channel order,
 *     layout) run inside the graph.</li>
 * <li>Input {@code target}: an int64 scalar, the class explained, -1 for the predicted one. A class outside the
 *     model's range explains nothing: a score of 0 and an empty map.</li>
 * <li>Outputs: the model's own, under their own names and unchanged, so an app's inference code keeps working;
 *     {@code heatmap}, float32 {@code [h, w]}, the values {@link Heatmap#values()} gives; {@code overlay}, uint8
 *     {@code [H, W, 3]}, the heatmap drawn over the picture as {@link Heatmap#overlay()} draws it; {@code class}
 *     (int64) and {@code score} (float32), what {@link Heatmap#targetClass()} and {@link Heatmap#score()} say;
 *     with {@link #allClasses()}, {@code heatmaps}, float32 {@code [classes, h, w]}; the outputs of the layers
 *     {@link #activations(String...)} names, under their tensors' names.</li>
 * <li>{@code metadata_props}: {@code convlens.explainer.method}, {@code convlens.explainer.layer},
 *     {@code convlens.explainer.output}, {@code convlens.preprocessing} (in {@link Preprocessing#parse} form) and,
 *     where given, {@code convlens.labels} (a JSON array).</li>
 * </ul>
 * The weights are the model's own: the file is the model's size and some 20 kilobytes of its own nodes and constants
 * (a float16 model's weights stay float16, each Cast to the float32 its gradients are taken in). The methods written
 * in the graph:
 * {@link HeatmapMethod#CAM},
 * {@link HeatmapMethod#GRAD_CAM}, {@link HeatmapMethod#GRAD_CAM_PLUS_PLUS}, {@link HeatmapMethod#XGRAD_CAM},
 * {@link HeatmapMethod#HIRES_CAM}, {@link HeatmapMethod#LAYER_CAM}, {@link HeatmapMethod#EIGEN_GRAD_CAM} and
 * {@link HeatmapMethod#EIGEN_CAM} (their
 * principal component by a fixed number of power iterations), {@link HeatmapMethod#RECIPRO_CAM} (the network's tail
 * run once more, on the layer's maps under every one-hot spatial mask as a batch), {@link AttributionMethod#GRADIENT},
 * {@link AttributionMethod#INPUT_X_GRADIENT}, {@link AttributionMethod#GUIDED_BACKPROP},
 * {@link AttributionMethod#GUIDED_GRAD_CAM} (both its backward passes) and
 * {@link AttributionMethod#INTEGRATED_GRADIENTS} (its path as one batch, {@link #steps(int)}). The model must import ONNX
 * opset 11 or later.
 *
 * <p>Immutable and thread-safe: each option method returns a changed copy; {@link #bytes()}, {@link #save(Path)} and
 * {@link #operators()} write the model, each time they are called.
 */
public final class Explainer {
    private final Pipeline pipeline;
    private final ExplainerTask task;

    Explainer(Pipeline pipeline, ExplainerTask task) {
        this.pipeline = pipeline;
        this.task = task;
    }

    /**
     * Chooses the heatmap's layer, by default the one {@link Request#heatmap(HeatmapMethod)} takes for a class.
     *
     * @param name a layer name, as {@link Request#layers(String...)} takes it (or any spatial tensor's exact name),
     *     matching one layer
     * @return a changed copy
     * @throws NullPointerException if name is null
     * @throws LayerNotFoundException if the name matches no layer
     * @throws IllegalArgumentException if it matches several
     * @throws IllegalStateException if the method is an attribution, which follows the gradient to the input (but
     *     {@link AttributionMethod#GUIDED_GRAD_CAM}, whose Grad-CAM takes the layer)
     */
    public Explainer layer(String name) {
        Objects.requireNonNull(name, "name");
        if (task.method() instanceof AttributionMethod && task.method() != AttributionMethod.GUIDED_GRAD_CAM) {
            throw new IllegalStateException(task.method() + " follows the gradient down to the input and takes no"
                    + " layer; a layer is for the heatmap methods and GUIDED_GRAD_CAM's Grad-CAM");
        }
        return new Explainer(pipeline, task.withLayer(pipeline.catalog().selectOne(name)));
    }

    /**
     * Makes some layers' outputs outputs of the explainer too, under their tensors' names ({@link Layer#output()}).
     *
     * @param names layer names, segments, op types or globs, as {@link Request#layers(String...)} takes them
     * @return a changed copy
     * @throws NullPointerException if names or one of them is null
     * @throws LayerNotFoundException if a name matches no layer
     */
    public Explainer activations(String... names) {
        Objects.requireNonNull(names, "names");
        for (String name : names) {
            Objects.requireNonNull(name, "layer name");
        }
        return new Explainer(pipeline, task.withActivations(names.length == 0 ? List.of()
                : pipeline.catalog().select(names)));
    }

    /**
     * Sets the preprocessing written into the graph, by default the model's own (its metadata, else
     * {@link Preprocessing#RAW}), as for a request.
     *
     * @param preprocessing resize filter, scale, mean, std and channel order
     * @return a changed copy
     * @throws NullPointerException if preprocessing is null
     */
    public Explainer preprocessing(Preprocessing preprocessing) {
        return new Explainer(pipeline, task.withPreprocessing(Objects.requireNonNull(preprocessing,
                "preprocessing")));
    }

    /**
     * Sets the size the model runs at inside the explainer, for a model whose input size is dynamic (by default
     * 224 x 224); a picture of any size is resized to it.
     *
     * @param width the model input's width
     * @param height its height
     * @return a changed copy
     * @throws IllegalArgumentException if a side is not positive, the model's size is fixed at another, or the size
     *     is over {@link Options#maxPixels()}
     */
    public Explainer size(int width, int height) {
        pipeline.checkSize(width, height);
        return new Explainer(pipeline, task.withSize(width, height));
    }

    /**
     * Fixes the size of the explainer's picture, for a runtime that wants static shapes (by default any size).
     *
     * @param width the picture's width
     * @param height its height
     * @return a changed copy
     * @throws IllegalArgumentException if a side is not positive, or the picture is over {@link Options#maxPixels()}
     */
    public Explainer inputSize(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("inputSize must be positive, was " + width + "x" + height);
        }
        pipeline.checkPicture("inputSize(" + width + ", " + height + ")", width, height);
        return new Explainer(pipeline, task.withPictureSize(width, height));
    }

    /**
     * Sets integrated gradients' steps, the points along the path from a black picture that run as one batch with
     * the picture (by default {@link HeatmapOptions#steps()}'s 50). The model's batch must be dynamic.
     *
     * @param steps the number of points, 1 to 1024
     * @return a changed copy
     * @throws IllegalArgumentException if steps is out of range
     * @throws IllegalStateException if the method is not {@link AttributionMethod#INTEGRATED_GRADIENTS}
     */
    public Explainer steps(int steps) {
        if (task.method() != AttributionMethod.INTEGRATED_GRADIENTS) {
            throw new IllegalStateException("steps(" + steps + ") is integrated gradients' setting, and this"
                    + " explainer is " + task.method());
        }
        if (steps < 1 || steps > 1024) {
            throw new IllegalArgumentException("steps must be 1 to 1024, was " + steps);
        }
        return new Explainer(pipeline, task.withSteps(steps));
    }

    /**
     * Makes the explainer return every class's map too, as {@code heatmaps}, float32 {@code [classes, h, w]}, in the
     * same run: for {@link HeatmapMethod#RECIPRO_CAM} (its batch of masked maps gives every class's score at once)
     * and {@link HeatmapMethod#CAM} (one product with the dense weights). Each class's map is the one
     * {@code heatmap} gives for that {@code target}; a single sigmoid output has two, class 0 and class 1.
     *
     * @return a changed copy
     * @throws IllegalStateException for another method, which would need a backward pass per class
     */
    public Explainer allClasses() {
        if (!ExplainerBuilder.ALL_CLASSES.contains(task.method())) {
            throw new IllegalStateException(task.method() + " takes a backward pass per class, so an explainer gives"
                    + " one class's map per run; every class's map at once is for "
                    + ExplainerBuilder.ALL_CLASSES.stream().map(Object::toString).sorted().toList());
        }
        return new Explainer(pipeline, task.withAllClasses());
    }

    /**
     * Names the classes, written into the explainer's {@code metadata_props} as {@code convlens.labels}, a JSON
     * array, for the app that shows the prediction.
     *
     * @param labels the name of each class, in the order of the model's output
     * @return a changed copy
     * @throws NullPointerException if labels or one of them is null
     */
    public Explainer labels(String... labels) {
        Objects.requireNonNull(labels, "labels");
        return new Explainer(pipeline, task.withLabels(List.of(labels)));
    }

    /**
     * Writes the explainer.
     *
     * @return the bytes of the {@code .onnx} file
     * @throws UnsupportedModelException if the model imports an opset older than 11, or an op on the way from the
     *     layer (or the input) to the score has no gradient rule
     * @throws InferenceException if ONNX Runtime cannot run the model (its shapes are learned from a run)
     * @throws IllegalStateException if the inspector is closed
     */
    public byte[] bytes() {
        return pipeline.explainer(task);
    }

    /**
     * Writes the explainer to a file, replacing it if it exists.
     *
     * @param file the {@code .onnx} file to write
     * @throws IOException if the file cannot be written
     * @throws UnsupportedModelException as for {@link #bytes()}
     * @throws InferenceException as for {@link #bytes()}
     * @throws IllegalStateException if the inspector is closed
     */
    public void save(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        byte[] model = bytes();
        Path folder = file.toAbsolutePath().getParent();
        Path partial = Files.createTempFile(folder, file.getFileName().toString(), ".partial");
        try {
            Files.write(partial, model);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /**
     * Lists the ops the explainer runs, in ONNX Runtime's reduced-operator configuration format (lines of
     * {@code domain;opset;Op1,Op2,...}), for a custom minimal build of ONNX Runtime that runs it
     * ({@code --include_ops_by_config}).
     *
     * @return the configuration's text
     * @throws UnsupportedModelException as for {@link #bytes()}
     * @throws InferenceException as for {@link #bytes()}
     * @throws IllegalStateException if the inspector is closed
     */
    public String operators() {
        return ExplainerBuilder.operators(bytes());
    }

    /** 0.4 times each channel of the 256 jet colors, {@code [256, 3]}: the overlay's colors, as Overlay adds them. */
    static float[] overlayColors() {
        Palette jet = Palette.of(Colormap.JET);
        float[] colors = new float[256 * 3];
        for (int level = 0; level < 256; level++) {
            for (int c = 0; c < 3; c++) {
                colors[level * 3 + c] = (jet.color(level) >> (16 - 8 * c) & 0xFF) * 0.4f;
            }
        }
        return colors;
    }

    /** The entries an explainer adds to its {@code metadata_props}. */
    static Map<String, String> metadata(ExplainerTask task, Layer layer, String output, Preprocessing preprocessing) {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put(ExplainerBuilder.METHOD_KEY, ((Enum<?>) task.method()).name());
        if (task.method() instanceof HeatmapMethod) {
            entries.put("convlens.explainer.layer", layer.output());
        }
        entries.put("convlens.explainer.output", output);
        entries.put(Pipeline.PREPROCESSING_KEY, preprocessing.text());
        if (!task.labels().isEmpty()) {
            entries.put("convlens.labels", task.labels().stream().map(Explainer::json)
                    .collect(Collectors.joining(",", "[", "]")));
        }
        return entries;
    }

    /** A JSON string. */
    private static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char ch : text.toCharArray()) {
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (ch < 0x20) {
                        out.append(String.format("\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    @Override
    public String toString() {
        return "Explainer[" + task.method() + (task.layer() == null ? "" : ", layer " + task.layer().name())
                + (task.pictureWidth() == 0 ? "" : ", input " + task.pictureWidth() + "x" + task.pictureHeight())
                + "]";
    }
}
