package dev.convlens;

import dev.convlens.render.PatternPictures;
import dev.convlens.render.Raster;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What the channels of a layer respond to most, as "Deep Learning with Python" 5.4.2 shows it: for each channel, a
 * picture found by gradient ascent in input space that excites it. Made by {@link Inspector#patterns(String)}.
 *
 * <pre>{@code
 * Patterns patterns = inspector.patterns("conv2d_3").channels(0, 1, 2, 3).seed(42);
 * BufferedImage figure = patterns.grid(8);          // the book's figure
 * List<FilterPattern> each = patterns.list();       // channel(), score(), image(), input()
 * }</pre>
 *
 * <p>Each channel starts, as in the book, from its own gray picture with a little noise (128 plus uniform noise of
 * 0..20, seeded by {@link #seed(long)} and the channel), and takes {@value #DEFAULT_STEPS} steps of
 * {@value #DEFAULT_STEP} pixel levels along the gradient of the channel's mean, normalized by its root mean square.
 * Unlike the book, the mean followed is the one before the layer's final Relu: at a gray start most Relus are off,
 * their gradient is zero, and the book's ascent never leaves the start. A channel whose mean activation is still 0 at
 * the end is dead: no input the ascent found excites it. {@link #book()} uses the book's settings instead.
 * Like {@link Request}, a {@code Patterns} is immutable; only {@link #list()} and {@link #grid(int)} do any work, each
 * time they are called. Channels are optimized together, as one batch, where the model's batch size is dynamic.
 */
public final class Patterns {
    /** Gradient steps by default. */
    public static final int DEFAULT_STEPS = 40;
    /** Step size by default, in pixel levels (0..255), along the RMS-normalized gradient. */
    public static final float DEFAULT_STEP = 10;
    /** How many channels are optimized when {@link #channels(int...)} is not called: the book's 64. */
    public static final int DEFAULT_CHANNELS = 64;

    private final Pipeline pipeline;
    private final PatternTask task;

    Patterns(Pipeline pipeline, PatternTask task) {
        this.pipeline = pipeline;
        this.task = task;
    }

    /**
     * Selects the channels to optimize. By default the first {@value #DEFAULT_CHANNELS} (or all, if fewer).
     *
     * @param channels one or more channels, from 0
     * @return a new patterns request
     * @throws NullPointerException if channels is null
     * @throws IllegalArgumentException if no channel is given, or one is out of range (the message names the layer
     *     and its channel count)
     */
    public Patterns channels(int... channels) {
        Objects.requireNonNull(channels, "channels");
        if (channels.length == 0) {
            throw new IllegalArgumentException("channels(...) needs at least one channel");
        }
        int count = pipeline.layer(task.layer()).channels();
        for (int c : channels) {
            if (c < 0 || count >= 0 && c >= count) {
                throw new IllegalArgumentException("layer " + task.layer().name() + " has " + count + " channels, 0 to "
                        + (count - 1) + "; there is no channel " + c);
            }
        }
        return new Patterns(pipeline, task.withChannels(channels.clone()));
    }

    /**
     * Sets the seed of the random start pictures; the same seed gives the same patterns. Default 0.
     *
     * @param seed any number
     * @return a new patterns request
     */
    public Patterns seed(long seed) {
        return new Patterns(pipeline, task.withSeed(seed));
    }

    /**
     * Sets how many gradient steps are taken and how large each is.
     *
     * @param steps the number of steps, at least 1 (default {@value #DEFAULT_STEPS})
     * @param size each step's length in pixel levels (0..255 scale) along the RMS-normalized gradient (default
     *     {@value #DEFAULT_STEP})
     * @return a new patterns request
     * @throws IllegalArgumentException if steps is less than 1 or size is not positive and finite
     */
    public Patterns steps(int steps, float size) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, was " + steps);
        }
        if (!(size > 0) || !Float.isFinite(size)) {
            throw new IllegalArgumentException("step size must be positive and finite, was " + size);
        }
        return new Patterns(pipeline, task.withSteps(steps, size));
    }

    /**
     * Starts every channel from a picture instead of random noise, resized to the input size as a request's image
     * is; for comparing with another implementation from the same start.
     *
     * @param image the start picture
     * @return a new patterns request
     * @throws NullPointerException if image is null
     */
    public Patterns start(BufferedImage image) {
        return new Patterns(pipeline, task.withStart(Source.of(Objects.requireNonNull(image, "image"))));
    }

    /**
     * Starts every channel from a picture file instead of random noise.
     *
     * @param image the path of an image file
     * @return a new patterns request
     * @throws NullPointerException if image is null
     * @throws ImageException if the file does not exist
     */
    public Patterns start(Path image) {
        return new Patterns(pipeline, task.withStart(Source.of(Objects.requireNonNull(image, "image"))));
    }

    /**
     * Uses the settings of "Deep Learning with Python" 5.4.2, for comparing with the book: the channel's mean
     * activation itself (after its Relu) is followed, 40 steps of 1 pixel level, the gradient divided by its root mean
     * square plus 1e-5. On small convnets most channels stay at their gray start this way (their Relus are off, so
     * their gradient is zero), which is why the defaults differ.
     *
     * @return a new patterns request
     */
    public Patterns book() {
        return new Patterns(pipeline, task.withBook(true).withSteps(40, 1));
    }

    /**
     * Changes the picture a little at random before each step (a shift of up to 8 pixels, a scaling by up to 5% and a
     * rotation of up to 5 degrees, seeded by {@link #seed(long)}), as Lucid's "transformation robustness" does, so
     * that a pattern must excite its channel wherever it lands: deep networks then give smoother, more recognizable
     * patterns instead of high-frequency noise. The gradient is carried back through each change exactly.
     *
     * @return a new patterns request
     */
    public Patterns regularized() {
        return new Patterns(pipeline, task.withRegularized(true));
    }

    /**
     * Sets how pixels become input values, as {@link Request#preprocessing(Preprocessing)} does: by default the
     * model's own (its metadata), else {@link Preprocessing#RAW}. The step size stays in pixel levels whatever it is.
     *
     * @param preprocessing a preset or a customized one
     * @return a new patterns request
     * @throws NullPointerException if preprocessing is null
     */
    public Patterns preprocessing(Preprocessing preprocessing) {
        return new Patterns(pipeline, task.withPreprocessing(Objects.requireNonNull(preprocessing, "preprocessing")));
    }

    /**
     * Sets the input size for a model whose height or width is dynamic; by default 224 x 224.
     *
     * @param width input width in pixels
     * @param height input height in pixels
     * @return a new patterns request
     * @throws IllegalArgumentException if a value is not positive, or the model's input size is fixed to another
     */
    public Patterns size(int width, int height) {
        pipeline.checkSize(width, height);
        return new Patterns(pipeline, task.withSize(width, height));
    }

    /**
     * Sets who hears how far the ascent has got: {@code "patterns: gradient steps"}, after each step of each batch of
     * channels, the total (the steps, plus the run that scores the result, times the batches) known up front.
     * Interrupting the thread stops it at its next run.
     *
     * @param listener called on the working thread
     * @return a new patterns request
     * @throws NullPointerException if listener is null
     */
    public Patterns progress(ProgressListener listener) {
        return new Patterns(pipeline, task.withProgress(Objects.requireNonNull(listener, "listener")));
    }

    /**
     * Runs the ascent and returns each channel's pattern.
     *
     * @return one pattern per channel, in the order asked
     * @throws UnsupportedModelException if the gradient cannot be taken through the model (an op without a rule)
     * @throws ImageException if a start picture cannot be read
     * @throws InferenceException if ONNX Runtime fails
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     * @throws IllegalStateException if the inspector is closed
     */
    public List<FilterPattern> list() {
        return pipeline.patterns(task);
    }

    /**
     * Runs the ascent and draws the patterns as the book does: {@code perRow} to a row, 5-pixel black margins
     * between them, dead channels (see {@link FilterPattern#dead()}) crossed out in red on dark gray.
     *
     * @param perRow patterns per row, at least 1 (8 in the book)
     * @return the figure
     * @throws IllegalArgumentException if perRow is less than 1
     * @throws UnsupportedModelException if the gradient cannot be taken through the model
     * @throws InferenceException if ONNX Runtime fails
     * @throws CancelledException if the thread is interrupted (long work stops at its next run)
     */
    public BufferedImage grid(int perRow) {
        Inspection.checkPerRow(perRow);
        return grid(list(), perRow);
    }

    /**
     * Draws patterns already computed, as {@link #grid(int)} does, without running the ascent again: for a caller
     * that wants both the scores of {@link #list()} and the figure.
     *
     * <pre>{@code
     * List<FilterPattern> each = patterns.list();
     * BufferedImage figure = patterns.grid(each, 8);
     * }</pre>
     *
     * @param patterns patterns from {@link #list()} of this model, at least one
     * @param perRow patterns per row, at least 1
     * @return the figure
     * @throws IllegalArgumentException if perRow is less than 1, there is no pattern, or their sizes differ
     */
    public BufferedImage grid(List<FilterPattern> patterns, int perRow) {
        Inspection.checkPerRow(perRow);
        if (patterns.isEmpty()) {
            throw new IllegalArgumentException("no patterns to draw");
        }
        List<Raster> tiles = patterns.stream().map(FilterPattern::tile).toList();
        if (tiles.stream().anyMatch(t -> t.width() != tiles.get(0).width() || t.height() != tiles.get(0).height())) {
            throw new IllegalArgumentException("the patterns differ in size; draw patterns of one size together");
        }
        double[] size = PatternPictures.size(tiles.size(), tiles.get(0).width(), tiles.get(0).height(), perRow);
        pipeline.checkPicture("the grid of " + tiles.size() + " patterns at " + perRow + " per row", size[0], size[1]);
        return Pictures.of(PatternPictures.grid(tiles, perRow));
    }

    @Override
    public String toString() {
        return "Patterns[" + task.layer().name() + "]";
    }
}
