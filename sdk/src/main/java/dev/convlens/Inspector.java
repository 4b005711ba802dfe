package dev.convlens;

import dev.convlens.cam.CamRunner;
import dev.convlens.image.InputSpec;
import dev.convlens.onnx.LayerCatalog;
import dev.convlens.onnx.LayerInfo;
import dev.convlens.onnx.ModelFile;
import dev.convlens.onnx.Onnx;
import dev.convlens.onnx.Rewriter;
import dev.convlens.runtime.Engine;
import dev.convlens.runtime.Values;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Shows what a convolutional network sees: the entry point of ConvLens.
 *
 * <p>An inspector reads an ONNX model once, finds its layers and keeps its ONNX Runtime sessions; each
 * {@link #image(Path) image(...)} call starts an immutable {@link Request} that runs the model on one image.
 *
 * <pre>{@code
 * try (Inspector inspector = Inspector.of(Path.of("model.onnx"))) {
 *     List<BufferedImage> grids = inspector.image(Path.of("dog.jpg"))
 *                                          .layers("conv2d", "conv2d_1")
 *                                          .grid(16);
 * }
 * }</pre>
 *
 * <h2>Share one inspector per model</h2>
 * Creating an inspector is costly (it parses the model and opens sessions); running it is not. It is thread-safe:
 * create one per model and use it from every thread, for every image.
 * <pre>{@code
 * Inspector inspector = Inspector.of(Path.of("model.onnx"));
 * Request base = inspector.image(Path.of("cat.jpg")).colormap(Colormap.MAGMA); // reusable, immutable
 * Inspection result = base.layers("conv2d").inspect();                      // one run
 * float dog = result.output().value(0);                                      // the model's own prediction
 * BufferedImage grid = result.grid(16).get(0);                               // and what conv2d saw
 * inspector.close();
 * }</pre>
 *
 * <h2>Close it</h2>
 * An inspector holds native ONNX Runtime memory until {@link #close()}, so use try-with-resources or close it when
 * done. Everything it returns lives on the Java heap and needs no closing.
 */
public final class Inspector implements AutoCloseable {
    private final ModelFile model;
    private final LayerCatalog catalog;
    private final InputSpec input;
    private final Options options;
    private final Engine engine;
    private final boolean batchable;
    private volatile List<Layer> layers;
    private volatile CamRunner cams;
    private volatile boolean closed;

    private Inspector(ModelFile model, LayerCatalog catalog, InputSpec input, boolean batchable, Options options,
                      Engine engine) {
        this.model = model;
        this.batchable = batchable;
        this.catalog = catalog;
        this.input = input;
        this.options = options;
        this.engine = engine;
    }

    /**
     * Opens a model file with the default options. Weights in external files are read from the model's folder.
     *
     * @param model the path of an {@code .onnx} file
     * @return an inspector; close it when done
     * @throws NullPointerException if model is null
     * @throws ModelException if the file is missing, empty, not ONNX, or ONNX Runtime cannot load it
     * @throws UnsupportedModelException if the model has no convolution layer or no image input
     */
    public static Inspector of(Path model) {
        return of(model, Options.defaults());
    }

    /**
     * Opens a model file.
     *
     * @param model the path of an {@code .onnx} file
     * @param options threads, CUDA, pixel limit, layout
     * @return an inspector; close it when done
     * @throws NullPointerException if an argument is null
     * @throws ModelException if the file is missing, empty, not ONNX, or ONNX Runtime cannot load it
     * @throws UnsupportedModelException if the model has no convolution layer or no image input
     */
    public static Inspector of(Path model, Options options) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        return create(ModelFile.read(model), options);
    }

    /**
     * Opens a model file given by its path, for JShell: {@code Inspector.of("model.onnx")}.
     *
     * @param model the path of an {@code .onnx} file
     * @return an inspector; close it when done
     * @throws NullPointerException if model is null
     * @throws ModelException if the file is missing, empty, not ONNX, or ONNX Runtime cannot load it
     * @throws UnsupportedModelException if the model has no convolution layer or no image input
     */
    public static Inspector of(String model) {
        return of(Path.of(Objects.requireNonNull(model, "model")));
    }

    /**
     * Opens a model held in memory, with the default options.
     *
     * @param model the bytes of an {@code .onnx} file; not copied, so do not change them afterwards
     * @return an inspector; close it when done
     * @throws NullPointerException if model is null
     * @throws ModelException if the bytes are not a usable ONNX model, or keep weights in external files
     * @throws UnsupportedModelException if the model has no convolution layer or no image input
     */
    public static Inspector of(byte[] model) {
        return of(model, Options.defaults());
    }

    /**
     * Opens a model held in memory.
     *
     * @param model the bytes of an {@code .onnx} file; not copied, so do not change them afterwards
     * @param options threads, CUDA, pixel limit, layout
     * @return an inspector; close it when done
     * @throws NullPointerException if an argument is null
     * @throws ModelException if the bytes are not a usable ONNX model, or keep weights in external files
     * @throws UnsupportedModelException if the model has no convolution layer or no image input
     */
    public static Inspector of(byte[] model, Options options) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        return create(ModelFile.of(model), options);
    }

    /**
     * Opens a model read from a stream, such as a resource in a jar. The stream is read to its end, not closed.
     *
     * @param model a stream of the bytes of an {@code .onnx} file
     * @return an inspector; close it when done
     * @throws NullPointerException if model is null
     * @throws UncheckedIOException if the stream cannot be read
     * @throws ModelException if the bytes are not a usable ONNX model
     * @throws UnsupportedModelException if the model has no convolution layer or no image input
     */
    public static Inspector of(InputStream model) {
        Objects.requireNonNull(model, "model");
        try {
            return of(model.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model stream", e);
        }
    }

    private static Inspector create(ModelFile model, Options options) {
        LayerCatalog catalog = LayerCatalog.of(model);
        List<Onnx.ValueInfoProto> inputs = catalog.inputs();
        if (inputs.size() != 1) {
            throw new UnsupportedModelException(model.source() + " has " + inputs.size() + " inputs "
                    + inputs.stream().map(Onnx.ValueInfoProto::getName).toList()
                    + "; ConvLens feeds models that take one image");
        }
        InputSpec input = inputSpec(inputs.get(0), options.layout());
        if (catalog.convolutions().isEmpty()) {
            throw new UnsupportedModelException(model.source() + " has no convolution layer (no Conv or"
                    + " ConvTranspose node), so there are no feature maps to show");
        }
        List<Rewriter.Output> exposed = new ArrayList<>();
        for (LayerInfo layer : catalog.layers()) {
            exposed.add(new Rewriter.Output(layer.output(), layer.elemType(), 4));
        }
        exposed.removeIf(o -> model.proto().getGraph().getOutputList().stream()
                .anyMatch(v -> v.getName().equals(o.name())));
        Engine engine = Engine.open(model, exposed, options.threads(), options.cuda());
        Onnx.TensorShapeProto.Dimension batch = inputs.get(0).getType().getTensorType().getShape().getDim(0);
        return new Inspector(model, catalog, input, !batch.hasDimValue() || batch.getDimValue() <= 0, options, engine);
    }

    private static InputSpec inputSpec(Onnx.ValueInfoProto v, Layout layout) {
        Onnx.TypeProto.Tensor type = v.getType().getTensorType();
        long[] dims = new long[type.getShape().getDimCount()];
        for (int i = 0; i < dims.length; i++) {
            Onnx.TensorShapeProto.Dimension d = type.getShape().getDim(i);
            dims[i] = d.hasDimValue() && d.getDimValue() > 0 ? d.getDimValue() : -1;
        }
        return InputSpec.of(v.getName(), dims, type.getElemType(), layout);
    }

    /**
     * Starts a request for an image file. The file must exist now; it is decoded when a terminal method such as
     * {@link Request#grid(int)} runs.
     *
     * @param image the path of a JPEG, PNG, BMP, GIF, TIFF or other image Apache Commons Imaging reads
     * @return an immutable request with the default options
     * @throws NullPointerException if image is null
     * @throws ImageException if the file does not exist or is not a regular file
     * @throws IllegalStateException if the inspector is closed
     */
    public Request image(Path image) {
        ensureOpen();
        return Request.of(this, Source.of(Objects.requireNonNull(image, "image")));
    }

    /**
     * Starts a request for an image file given by its path.
     *
     * @param image the path of an image file
     * @return an immutable request with the default options
     * @throws NullPointerException if image is null
     * @throws ImageException if the file does not exist or is not a regular file
     * @throws IllegalStateException if the inspector is closed
     */
    public Request image(String image) {
        return image(Path.of(Objects.requireNonNull(image, "image")));
    }

    /**
     * Starts a request for an image already in memory. Its pixels are read when a terminal method runs; an
     * alpha channel is composited over white.
     *
     * @param image the image
     * @return an immutable request with the default options
     * @throws NullPointerException if image is null
     * @throws IllegalStateException if the inspector is closed
     */
    public Request image(BufferedImage image) {
        ensureOpen();
        return Request.of(this, Source.of(Objects.requireNonNull(image, "image")));
    }

    /**
     * Starts a request for the bytes of an image file, such as an upload.
     *
     * @param image the encoded image; not copied, so do not change it afterwards
     * @return an immutable request with the default options
     * @throws NullPointerException if image is null
     * @throws IllegalStateException if the inspector is closed
     */
    public Request image(byte[] image) {
        ensureOpen();
        return Request.of(this, Source.of(Objects.requireNonNull(image, "image")));
    }

    /**
     * Returns every layer, convolutions and pooling, in graph order, with its output shape.
     *
     * <p>The first call runs the model once on a blank image to learn the shapes. For a model whose input size is
     * dynamic, heights and widths depend on the image and are reported as -1.
     *
     * @return an unmodifiable list
     * @throws InferenceException if ONNX Runtime cannot run the model
     * @throws IllegalStateException if the inspector is closed
     */
    public List<Layer> layers() {
        List<Layer> known = layers;
        if (known == null) {
            synchronized (this) {
                known = layers;
                if (known == null) {
                    known = probe();
                    layers = known;
                }
            }
        }
        return known;
    }

    /** Runs a blank image through the model with every layer exposed, to read each layer's output shape. */
    private List<Layer> probe() {
        ensureOpen();
        int[] size = input.size(224, 224, null);
        Set<String> wanted = new LinkedHashSet<>();
        catalog.layers().forEach(l -> wanted.add(l.output()));
        float[] blank = new float[input.channels() * size[0] * size[1]];
        Map<String, Values> values = engine.run(input.name(), blank, input.shape(size[0], size[1]),
                input.float16(), wanted);
        List<Layer> result = new ArrayList<>();
        for (LayerInfo info : catalog.layers()) {
            long[] shape = values.get(info.output()).shape();
            int c = shape.length >= 2 ? (int) shape[1] : -1;
            int h = shape.length == 4 && !input.dynamicSize() ? (int) shape[2] : -1;
            int w = shape.length == 4 && !input.dynamicSize() ? (int) shape[3] : -1;
            result.add(new Layer(info.index(), info.name(),
                    info.pooling() ? Layer.Kind.POOLING : Layer.Kind.CONVOLUTION, info.opTypes(), info.output(),
                    c, h, w, info.parameters()));
        }
        return List.copyOf(result);
    }

    /**
     * Returns a table of the model's layers, like Keras's {@code model.summary()}: name, ops, output shape
     * (channels, height, width) and parameter count.
     *
     * @return the table, one line per layer, with a header and the input and totals
     * @throws InferenceException if ONNX Runtime cannot run the model
     * @throws IllegalStateException if the inspector is closed
     */
    public String summary() {
        List<Layer> all = layers();
        int nameWidth = Math.max(5, all.stream().mapToInt(l -> l.name().length()).max().orElse(0));
        int typeWidth = Math.max(4, all.stream().mapToInt(l -> String.join("+", l.opTypes()).length()).max()
                .orElse(0));
        String row = "%3s  %-" + nameWidth + "s  %-" + typeWidth + "s  %-18s %12s%n";
        StringBuilder out = new StringBuilder();
        out.append("Model: ").append(model.source());
        if (!model.producer().isEmpty()) {
            out.append(" (").append(model.producer()).append(')');
        }
        out.append(System.lineSeparator());
        out.append("Input: ").append(input.name()).append(' ').append(input.float16() ? "float16" : "float32")
                .append(' ').append(input.layout()).append(' ').append(inputShape()).append(System.lineSeparator());
        out.append(String.format(row, "#", "Layer", "Type", "Output shape", "Param #"));
        long total = 0;
        boolean unknown = false;
        for (Layer l : all) {
            out.append(String.format(row, l.index(), l.name(), String.join("+", l.opTypes()), l.shape(),
                    l.parameters() < 0 ? "?" : String.format("%,d", l.parameters())));
            total += Math.max(0, l.parameters());
            unknown |= l.parameters() < 0;
        }
        out.append(String.format("Parameters in these layers: %,d%s%n", total, unknown ? " (and some unknown)" : ""));
        out.append("Outputs: ").append(engine.modelOutputs()).append(System.lineSeparator());
        return out.toString();
    }

    private String inputShape() {
        String h = input.height() < 0 ? "?" : String.valueOf(input.height());
        String w = input.width() < 0 ? "?" : String.valueOf(input.width());
        String c = String.valueOf(input.channels());
        return input.layout() == Layout.NCHW ? "[N, " + c + ", " + h + ", " + w + "]"
                : "[N, " + h + ", " + w + ", " + c + "]";
    }

    /**
     * Frees the native ONNX Runtime sessions, after runs in progress on other threads finish. Safe to call more
     * than once; any later use throws {@link IllegalStateException}.
     */
    @Override
    public void close() {
        closed = true;
        engine.close();
    }

    @Override
    public String toString() {
        return "Inspector[" + model.source() + ", " + catalog.convolutions().size() + " conv layers"
                + (closed ? ", closed" : "") + "]";
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Inspector is closed");
        }
    }

    CamRunner cams() {
        CamRunner runner = cams;
        if (runner == null) {
            runner = new CamRunner(model, engine, input, batchable);
            cams = runner;
        }
        return runner;
    }

    LayerCatalog catalog() {
        return catalog;
    }

    InputSpec input() {
        return input;
    }

    Options options() {
        return options;
    }

    Engine engine() {
        return engine;
    }
}
