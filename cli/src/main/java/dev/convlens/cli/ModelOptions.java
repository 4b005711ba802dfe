package dev.convlens.cli;

import dev.convlens.ImageException;
import dev.convlens.Inspector;
import dev.convlens.Layer;
import dev.convlens.Options;
import dev.convlens.Preprocessing;
import dev.convlens.Request;
import dev.convlens.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** What every command that runs a model takes: the model, the cores to use and how images are prepared for it. */
class ModelOptions extends ModelFile {
    @Option(names = "--threads", paramLabel = "N", description = "the cores to use: N images at once, each on one"
            + " core, or fewer images sharing them (default: every core, ${DEFAULT-VALUE} here)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--preprocessing", paramLabel = "TEXT", converter = Converters.PreprocessingText.class,
            description = "a preset (raw, scaled, signed, imagenet, caffe) and changes, e.g. "
                    + "'imagenet; resize=bilinear' (default: the model's own, else raw)")
    Preprocessing preprocessing;

    @Option(names = "--size", paramLabel = "WxH", arity = "1", converter = Converters.Size.class,
            description = "the input size for a model of dynamic size (default: the image's, at most 1024 a side)")
    Converters.Dimensions size;

    /** Opens the model for one image (or none), which gets every thread. */
    Inspector open() {
        return open(1);
    }

    /**
     * Opens the model for a number of images: {@link #workers} images at once, each run with its share of the
     * threads.
     */
    Inspector open(int images) {
        if (threads < 1) {
            throw new ConvLens.UsageException("--threads must be at least 1, was " + threads);
        }
        return open(Options.defaults().threads(Math.max(1, threads / workers(images))));
    }

    /** How many of so many images are worked on at once. */
    int workers(int images) {
        return Math.max(1, Math.min(threads, images));
    }

    /**
     * The model's own outputs on the first of the images that can be read (the others say why in the batch), for
     * what their names and shapes tell before the work starts; empty if none can.
     */
    Optional<List<Tensor>> firstOutputs(Inspector inspector, List<Path> images) {
        for (Path image : images) {
            try {
                return Optional.of(request(inspector, image).outputs());
            } catch (ImageException e) {
                // the batch names it
            }
        }
        return Optional.empty();
    }

    /** A request for an image with these options. */
    Request request(Inspector inspector, Path image) {
        Request request = inspector.image(image);
        if (preprocessing != null) {
            request = request.preprocessing(preprocessing);
        }
        return size == null ? request : request.size(size.width(), size.height());
    }

    /** Whether the model has a layer or spatial tensor of this exact name (a request checks, reading no image). */
    private static boolean names(Inspector inspector, String name) {
        try {
            inspector.image(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB)).layers(name);
            return true;
        } catch (dev.convlens.LayerNotFoundException e) {
            return false;
        }
    }

    /**
     * The layer names of a {@code --layers} list: names, globs and indexes (negative from the end; a number that is a
     * layer's name is that layer), each checked
     * against the model, so a wrong one stops the command before any image is read.
     */
    static List<String> layers(Inspector inspector, String option, List<String> given) {
        List<Layer> all = inspector.layers();
        List<String> names = new ArrayList<>();
        for (String item : given) {
            if (item.matches("-?\\d+") && all.stream().noneMatch(l -> l.name().equals(item))) { // PyTorch's "313"
                int index = Integer.parseInt(item);
                int at = index < 0 ? all.size() + index : index;
                if ((at < 0 || at >= all.size()) && !names(inspector, item)) { // else a tensor named so
                    throw new ConvLens.UsageException(option + ": index " + index + " is out of range; the model has "
                            + all.size() + " layers (0.." + (all.size() - 1) + ", or -1 for the last)");
                }
                names.add(at >= 0 && at < all.size() ? all.get(at).name() : item);
            } else {
                names.add(item);
            }
        }
        // a request only records its layers: this checks the names without reading any image
        inspector.image(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB)).layers(names.toArray(String[]::new));
        return names;
    }
}
