package dev.convlens;

import dev.convlens.onnx.ExplainerBuilder;
import dev.convlens.onnx.LayerInfo;
import dev.convlens.onnx.ModelFile;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.IntStream;

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
    /** The longest model stream read: one Java array, and more than protobuf's 2 GB limit for an ONNX file. */
    private static final int MAX_MODEL_BYTES = Integer.MAX_VALUE - 9;

    private final Pipeline pipeline;

    private Inspector(Pipeline pipeline) {
        this.pipeline = pipeline;
    }

    /**
     * Opens a model file with the default options. Weights in external files are read from the model's folder.
     *
     * @param model the path of an {@code .onnx} file
     * @return an inspector; close it when done
     * @throws NullPointerException if model is null
     * @throws ModelException if the file is missing, empty, not ONNX, or ONNX Runtime cannot load it
     * @throws UnsupportedModelException if the model has no convolution layer or no image input
     * @throws CancelledException if the thread is interrupted (its interrupt status stays set)
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
     * @throws CancelledException if the thread is interrupted (its interrupt status stays set)
     */
    public static Inspector of(Path model, Options options) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        return new Inspector(Pipeline.open(model, options));
    }

    /**
     * Opens a model file given by its path, for JShell: {@code Inspector.of("model.onnx")}.
     *
     * @param model the path of an {@code .onnx} file
     * @return an inspector; close it when done
     * @throws NullPointerException if model is null
     * @throws ModelException if the file is missing, empty, not ONNX, or ONNX Runtime cannot load it
     * @throws UnsupportedModelException if the model has no convolution layer or no image input
     * @throws CancelledException if the thread is interrupted (its interrupt status stays set)
     */
    public static Inspector of(String model) {
        return of(model, Options.defaults());
    }

    /**
     * Opens a model file given by its path.
     *
     * @param model the path of an {@code .onnx} file
     * @param options threads, CUDA, pixel limit, layout
     * @return an inspector; close it when done
     * @throws NullPointerException if an argument is null
     * @throws ModelException if the file is missing, empty, not ONNX, or ONNX Runtime cannot load it
     * @throws UnsupportedModelException if the model has no convolution layer or no image input
     * @throws CancelledException if the thread is interrupted (its interrupt status stays set)
     */
    public static Inspector of(String model, Options options) {
        return of(Path.of(Objects.requireNonNull(model, "model")), options);
    }

    /**
     * Opens a model held in memory, with the default options.
     *
     * @param model the bytes of an {@code .onnx} file; not copied, so do not change them afterwards
     * @return an inspector; close it when done
     * @throws NullPointerException if model is null
     * @throws ModelException if the bytes are not a usable ONNX model, or keep weights in external files
     * @throws UnsupportedModelException if the model has no convolution layer or no image input
     * @throws CancelledException if the thread is interrupted (its interrupt status stays set)
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
     * @throws CancelledException if the thread is interrupted (its interrupt status stays set)
     */
    public static Inspector of(byte[] model, Options options) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        return new Inspector(Pipeline.open(ModelFile.of(model), options));
    }

    /**
     * Opens a model read from a stream, such as a resource in a jar, with the default options. The stream is read
     * to its end, not closed.
     *
     * @param model a stream of the bytes of an {@code .onnx} file
     * @return an inspector; close it when done
     * @throws NullPointerException if model is null
     * @throws UncheckedIOException if the stream cannot be read
     * @throws ModelException if the bytes are not a usable ONNX model
     * @throws UnsupportedModelException if the model has no convolution layer or no image input
     * @throws CancelledException if the thread is interrupted (its interrupt status stays set)
     */
    public static Inspector of(InputStream model) {
        return of(model, Options.defaults());
    }

    /**
     * Opens a model read from a stream. The stream is read to its end (or past 2 GB, which no ONNX file reaches),
     * not closed.
     *
     * @param model a stream of the bytes of an {@code .onnx} file
     * @param options threads, CUDA, pixel limit, layout
     * @return an inspector; close it when done
     * @throws NullPointerException if an argument is null
     * @throws UncheckedIOException if the stream cannot be read
     * @throws ModelException if the bytes are not a usable ONNX model, or the stream runs past 2 GB or past what the
     *     heap holds
     * @throws UnsupportedModelException if the model has no convolution layer or no image input
     * @throws CancelledException if the thread is interrupted (its interrupt status stays set)
     */
    public static Inspector of(InputStream model, Options options) {
        Objects.requireNonNull(model, "model");
        byte[] bytes;
        try {
            bytes = model.readNBytes(MAX_MODEL_BYTES + 1); // grows as it reads, up to one byte past the limit
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model stream", e);
        } catch (OutOfMemoryError e) {
            throw new ModelException("the model stream does not fit in the Java heap of "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MB, which must hold a model once; raise -Xmx, or"
                    + " open the .onnx file by path if this stream is not a model", e);
        }
        if (bytes.length > MAX_MODEL_BYTES) {
            throw new ModelException("the model stream is longer than " + MAX_MODEL_BYTES + " bytes, more than an"
                    + " ONNX file holds (protobuf stops at 2 GB); a model that large keeps its weights as external"
                    + " data: open its .onnx file by path, beside its data files");
        }
        return of(bytes, options);
    }

    /**
     * Starts a request for an image file. The file must exist now; it is decoded when a terminal method such as
     * {@link Request#grid(int)} runs.
     *
     * @param image the path of a JPEG, PNG, WebP, BMP, GIF, TIFF or other image ImageIO or Apache Commons Imaging
     *     reads
     * @return an immutable request with the default options
     * @throws NullPointerException if image is null
     * @throws ImageException if the file does not exist or is not a regular file
     * @throws IllegalStateException if the inspector is closed
     */
    public Request image(Path image) {
        return request(Source.of(Objects.requireNonNull(image, "image")));
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
        return request(Source.of(Objects.requireNonNull(image, "image")));
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
        return request(Source.of(Objects.requireNonNull(image, "image")));
    }

    private Request request(Source source) {
        pipeline.ensureOpen();
        return new Request(pipeline, Task.of(source));
    }

    /**
     * Starts a request for the filter patterns of a layer: for each channel, a picture that excites it, found by
     * gradient ascent ("Deep Learning with Python" 5.4.2).
     *
     * <pre>{@code
     * BufferedImage figure = inspector.patterns("conv2d_3").grid(8);
     * }</pre>
     *
     * @param layer a layer name, as for {@link Request#layers(String...)}; it must match one layer
     * @return an immutable patterns request with the default settings
     * @throws NullPointerException if layer is null
     * @throws LayerNotFoundException if the name matches no layer
     * @throws IllegalArgumentException if it matches several
     * @throws InferenceException if ONNX Runtime cannot run the model (its layers' channels are learned from a run)
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     * @throws IllegalStateException if the inspector is closed
     */
    public Patterns patterns(String layer) {
        pipeline.ensureOpen();
        LayerInfo info = pipeline.catalog().selectOne(Objects.requireNonNull(layer, "layer"));
        int channels = Math.min(Patterns.DEFAULT_CHANNELS, pipeline.layer(info).channels());
        return new Patterns(pipeline, PatternTask.of(info, IntStream.range(0, channels).toArray(),
                Patterns.DEFAULT_STEPS, Patterns.DEFAULT_STEP));
    }

    /**
     * Starts an explainer: this model with a heatmap method written into its graph, to save as an {@code .onnx}
     * file that any ONNX runtime runs, on a phone or in a browser, taking a picture's RGB bytes and returning the
     * model's outputs, the heatmap and the heatmap drawn over the picture (see {@link Explainer}).
     *
     * <pre>{@code
     * inspector.explainer(HeatmapMethod.GRAD_CAM).layer("conv2d_4").save(Path.of("explainer.onnx"));
     * }</pre>
     *
     * @param method {@link HeatmapMethod#CAM}, {@link HeatmapMethod#GRAD_CAM},
     *     {@link HeatmapMethod#GRAD_CAM_PLUS_PLUS}, {@link HeatmapMethod#XGRAD_CAM}, {@link HeatmapMethod#HIRES_CAM},
     *     {@link HeatmapMethod#LAYER_CAM}, {@link HeatmapMethod#EIGEN_GRAD_CAM}, {@link HeatmapMethod#EIGEN_CAM},
     *     {@link HeatmapMethod#RECIPRO_CAM},
     *     {@link AttributionMethod#GRADIENT}, {@link AttributionMethod#INPUT_X_GRADIENT},
     *     {@link AttributionMethod#GUIDED_BACKPROP}, {@link AttributionMethod#GUIDED_GRAD_CAM} or
     *     {@link AttributionMethod#INTEGRATED_GRADIENTS}
     * @return an immutable explainer with the default settings
     * @throws NullPointerException if method is null
     * @throws IllegalArgumentException if the method is not one an explainer computes in its graph
     * @throws IllegalStateException if the inspector is closed
     */
    public Explainer explainer(ExplanationMethod method) {
        Objects.requireNonNull(method, "method");
        pipeline.ensureOpen();
        if (!ExplainerBuilder.METHODS.contains(method)) {
            throw new IllegalArgumentException(method + " cannot be written into an explainer's graph: it runs the"
                    + " model many times, takes another run's results, or (FullGrad) gathers the gradient at every"
                    + " biased layer, which an explainer does not write yet; the methods that export are "
                    + ExplainerBuilder.METHODS.stream().map(Object::toString).sorted().toList());
        }
        return new Explainer(pipeline, ExplainerTask.of(method));
    }

    /**
     * Returns the receptive field of a layer: which input pixels each position of its maps sees, followed through
     * the convolutions and poolings from the input (for a branching network, the widest path).
     *
     * <pre>{@code
     * ReceptiveField field = inspector.receptiveField("conv2d_4").orElseThrow(); // 14 x 14 maps
     * System.out.println(field.width() + " px, every " + field.strideX() + " px");
     * }</pre>
     *
     * @param layer a layer name, as {@link Request#layers(String...)} takes it, matching one layer
     * @return the field, or empty where an op on the way has no fixed one (a Resize, a ConvTranspose)
     * @throws NullPointerException if layer is null
     * @throws LayerNotFoundException if the name matches no layer
     * @throws IllegalArgumentException if it matches several
     * @throws IllegalStateException if the inspector is closed
     */
    public Optional<ReceptiveField> receptiveField(String layer) {
        return pipeline.receptiveField(pipeline.catalog().selectOne(Objects.requireNonNull(layer, "layer")));
    }

    /**
     * Returns every layer, convolutions and pooling, in graph order, with its output shape.
     *
     * <p>The first call runs the model once on a blank image to learn the shapes. For a model whose input size is
     * dynamic, heights and widths depend on the image and are reported as -1.
     *
     * @return an unmodifiable list
     * @throws InferenceException if ONNX Runtime cannot run the model
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     * @throws IllegalStateException if the inspector is closed
     */
    public List<Layer> layers() {
        return pipeline.layers();
    }

    /**
     * Returns a table of the model's layers, like Keras's {@code model.summary()}: name, ops, output shape
     * (channels, height, width) and parameter count, with the input, the totals and the outputs.
     *
     * <pre>{@code
     * System.out.print(inspector.summary());
     * }</pre>
     *
     * @return the table, one line per layer
     * @throws InferenceException if ONNX Runtime cannot run the model
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     * @throws IllegalStateException if the inspector is closed
     */
    public String summary() {
        return pipeline.summary();
    }

    /**
     * Frees the native ONNX Runtime sessions, after runs in progress on other threads finish. Safe to call more
     * than once; any later use throws {@link IllegalStateException}.
     */
    @Override
    public void close() {
        pipeline.close();
    }

    @Override
    public String toString() {
        return "Inspector[" + pipeline + "]";
    }
}
