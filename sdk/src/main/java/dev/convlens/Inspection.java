package dev.convlens;

import dev.convlens.render.GridRenderer;
import dev.convlens.render.PngEncoder;
import dev.convlens.render.Palette;
import dev.convlens.render.Raster;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * The result of one run of a {@link Request}: the selected layers' activations and the model's own outputs.
 * Grids and channels are drawn from it without running the model again. Immutable and thread-safe.
 *
 * <pre>{@code
 * Inspection result = inspector.image(Path.of("dog.jpg")).inspect();
 * System.out.printf("dog: %.2f%n", result.output().value(0));
 * List<BufferedImage> grids = result.grid(16);
 * }</pre>
 */
public final class Inspection {
    private final List<FeatureMap> activations;
    private final List<Tensor> outputs;
    private final Colormap colormap;
    private final Contrast contrast;
    private final int scale;
    private final boolean parallel;
    private final long maxPixels;

    Inspection(List<FeatureMap> activations, List<Tensor> outputs, Colormap colormap, Contrast contrast,
               int scale, boolean parallel, long maxPixels) {
        this.activations = List.copyOf(activations);
        this.outputs = List.copyOf(outputs);
        this.colormap = colormap;
        this.contrast = contrast;
        this.scale = scale;
        this.parallel = parallel;
        this.maxPixels = maxPixels;
    }

    /**
     * Returns the activations of the selected layers.
     *
     * @return one feature map per layer, in model order
     */
    public List<FeatureMap> activations() {
        return activations;
    }

    /**
     * Returns the activations of one inspected layer.
     *
     * @param layer the layer's name, as in {@link Layer#name()}
     * @return its feature map
     * @throws NullPointerException if layer is null
     * @throws LayerNotFoundException if the layer was not inspected
     */
    public FeatureMap activation(String layer) {
        Objects.requireNonNull(layer, "layer");
        for (FeatureMap map : activations) {
            if (map.layer().name().equals(layer)) {
                return map;
            }
        }
        List<String> inspected = activations.stream().map(m -> m.layer().name()).toList();
        throw new LayerNotFoundException("layer '" + layer + "' was not inspected; inspected: " + inspected
                + ". Select it with Request.layers(...)", layer, inspected);
    }

    /**
     * Returns the model's own outputs.
     *
     * @return every output, in the model's order
     */
    public List<Tensor> outputs() {
        return outputs;
    }

    /**
     * Returns the model's first output: for a classifier, its scores.
     *
     * @return the first output
     */
    public Tensor output() {
        return outputs.get(0);
    }

    /**
     * Returns the model output with a name.
     *
     * @param name the output's name in the model
     * @return the output
     * @throws NullPointerException if name is null
     * @throws IllegalArgumentException if the model has no output of that name
     */
    public Tensor output(String name) {
        Objects.requireNonNull(name, "name");
        return outputs.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no output '" + name + "'; the model's outputs are "
                        + outputs.stream().map(Tensor::name).toList()));
    }

    /**
     * Draws each inspected layer as a grid of its channels, {@code perRow} to a row, in model order.
     *
     * @param perRow channels per row, at least 1
     * @return one image per layer
     * @throws IllegalArgumentException if perRow is less than 1
     */
    public List<BufferedImage> grid(int perRow) {
        checkPerRow(perRow);
        activations.forEach(map -> checkGridSize(map, perRow));
        Palette palette = Palette.of(colormap);
        Contrast c = contrast == null ? Contrast.STANDARDIZED : contrast;
        return GridRenderer.grids(channels(), perRow, scale, c, palette, parallel).stream().map(Pictures::of)
                .toList();
    }

    /**
     * Draws one channel of an inspected layer.
     *
     * @param layer the layer's name, as in {@link Layer#name()}
     * @param index the channel, from 0
     * @return the channel's map
     * @throws LayerNotFoundException if the layer was not inspected
     * @throws IndexOutOfBoundsException if the layer has no such channel; the message says how many it has
     */
    public BufferedImage channel(String layer, int index) {
        FeatureMap map = activation(layer);
        if (index < 0 || index >= map.channels()) {
            throw new IndexOutOfBoundsException("layer " + layer + " has " + map.channels() + " channels, 0 to "
                    + (map.channels() - 1) + "; there is no channel " + index);
        }
        Contrast c = contrast == null ? Contrast.CHANNEL_MIN_MAX : contrast;
        Pictures.checkSize("channel " + index + " of " + layer + " at upscale " + scale, (double) map.width() * scale,
                (double) map.height() * scale, maxPixels);
        return Pictures.of(GridRenderer.channel(map.shared(), map.height(), map.width(), index, scale, c,
                Palette.of(colormap)));
    }

    /**
     * Writes each inspected layer's grid to a PNG file in a folder, named by layer index and name
     * ({@code 04_conv2d_2.png}), and returns the files in model order.
     *
     * <p>The PNG writer is built for these pictures: an 8-bit palette image (the colormap is the palette) at
     * deflate's fastest level, several layers at once. It is many times faster than {@code ImageIO.write}; the
     * pixels are the same as {@link #grid(int)}'s.
     *
     * <p>A file of the same name is replaced: deleted, then written anew.
     *
     * @param folder where to write; created if missing
     * @param perRow channels per row, at least 1
     * @return the files written, one per layer
     * @throws IOException if a file cannot be written
     * @throws IllegalArgumentException if perRow is less than 1
     */
    public List<Path> writeGrids(Path folder, int perRow) throws IOException {
        Objects.requireNonNull(folder, "folder");
        checkPerRow(perRow);
        activations.forEach(map -> checkGridSize(map, perRow));
        Files.createDirectories(folder);
        Palette palette = Palette.of(colormap);
        Contrast c = contrast == null ? Contrast.STANDARDIZED : contrast;
        Path[] files = new Path[activations.size()];
        List<Raster> levels = GridRenderer.grids(channels(), perRow, scale, c, Palette.levels(), parallel);
        try {
            IntStream layers = IntStream.range(0, files.length);
            (parallel ? layers.parallel() : layers).forEach(i -> {
                byte[] png = PngEncoder.encode(levels.get(i), palette, parallel);
                files[i] = folder.resolve(fileName(activations.get(i).layer()));
                try {
                    // a new file in place of the old: ext4 writes out a file truncated and written again when it
                    // is closed (auto_da_alloc), which cost a second call into the same folder 7 ms of its 22
                    Files.deleteIfExists(files[i]);
                    Files.write(files[i], png);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return List.of(files);
    }

    /** The inspected layers' values, for the renderer. */
    private List<GridRenderer.Channels> channels() {
        return activations.stream().map(map -> new GridRenderer.Channels(map.shared(), map.height(), map.width()))
                .toList();
    }

    /** {@code 04_conv2d_1.png}: the index keeps files in model order; the name is made safe for file systems. */
    static String fileName(Layer layer) {
        return String.format(Locale.ROOT, "%02d_%s.png", layer.index(),
                layer.name().replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    private void checkGridSize(FeatureMap map, int perRow) {
        double[] size = GridRenderer.size(map.channels(), map.height(), map.width(), perRow, scale);
        Pictures.checkSize("the grid of " + map.layer().name() + " (" + map.channels() + " channels of "
                + map.width() + "x" + map.height() + ") at " + perRow + " per row and upscale " + scale, size[0],
                size[1], maxPixels);
    }

    static void checkPerRow(int perRow) {
        if (perRow < 1) {
            throw new IllegalArgumentException("perRow must be at least 1, was " + perRow);
        }
    }

    @Override
    public String toString() {
        return "Inspection[" + activations + ", " + outputs + "]";
    }
}
