package dev.convlens.cli;

import dev.convlens.Inspector;
import dev.convlens.Layer;
import dev.convlens.Options;
import dev.convlens.Prediction;
import dev.convlens.Preprocessing;
import dev.convlens.Request;
import dev.convlens.Tensor;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * What every command that runs a model takes: the model and how images are prepared for it; and the command it is
 * mixed into, for its output streams.
 */
class ModelOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "the .onnx model")
    Path model;

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

    @Option(names = "--labels", split = ",", paramLabel = "NAME",
            description = "class names, in the order of the model's scores (cat,dog for the shipped model)")
    List<String> labels = List.of();

    /** {@code cat, 0.97}: the first output read as a classifier's, named by {@code --labels} where given. */
    String prediction(Tensor output) {
        if (!output.numeric() || output.size() == 0) {
            return "output '" + output.name() + "' holds " + output.type() + " values";
        }
        Prediction p = output.prediction();
        return String.format(Locale.ROOT, "%s, %.2f", p.classIndex() < labels.size() ? labels.get(p.classIndex())
                : "class " + p.classIndex(), p.probability());
    }

    /** The prediction as JSON: class (and its label), probability, and the scores where there are at most 10. */
    Map<String, Object> predictionJson(Tensor output) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("output", output.name());
        if (output.numeric() && output.size() > 0) {
            Prediction p = output.prediction();
            m.put("class", p.classIndex());
            if (p.classIndex() < labels.size()) {
                m.put("label", labels.get(p.classIndex()));
            }
            m.put("probability", p.probability());
            if (output.size() <= 10) {
                List<Float> scores = new ArrayList<>();
                for (float v : output.values()) {
                    scores.add(v);
                }
                m.put("scores", scores);
            }
        }
        return m;
    }

    /** Opens the model for one image (or none), which gets every thread. */
    Inspector open() {
        return open(1);
    }

    /**
     * Opens the model for a number of images: {@link #workers} images at once, each run with its share of the
     * threads.
     */
    Inspector open(int images) {
        if (!Files.isRegularFile(model)) {
            throw new ConvLens.UsageException("no model file " + model + (Files.isDirectory(model)
                    ? " (a folder)" : "") + "; give the path of an .onnx file");
        }
        if (threads < 1) {
            throw new ConvLens.UsageException("--threads must be at least 1, was " + threads);
        }
        return Inspector.of(model, Options.defaults().threads(Math.max(1, threads / workers(images))));
    }

    /** How many of so many images are worked on at once. */
    int workers(int images) {
        return Math.max(1, Math.min(threads, images));
    }

    /** Where the command prints its results. */
    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Where the command says what failed, and shows progress. */
    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** A request for an image with these options. */
    Request request(Inspector inspector, Path image) {
        Request request = inspector.image(image);
        if (preprocessing != null) {
            request = request.preprocessing(preprocessing);
        }
        return size == null ? request : request.size(size.width(), size.height());
    }

    /**
     * The layer names of a {@code --layers} list: names, globs and indexes (negative from the end), each checked
     * against the model, so a wrong one stops the command before any image is read.
     */
    static List<String> layers(Inspector inspector, List<String> given) {
        List<Layer> all = inspector.layers();
        List<String> names = new ArrayList<>();
        for (String item : given) {
            if (item.matches("-?\\d+")) {
                int index = Integer.parseInt(item);
                int at = index < 0 ? all.size() + index : index;
                if (at < 0 || at >= all.size()) {
                    throw new ConvLens.UsageException("--layers: index " + index + " is out of range; the model has "
                            + all.size() + " layers (0.." + (all.size() - 1) + ", or -1 for the last)");
                }
                names.add(all.get(at).name());
            } else {
                names.add(item);
            }
        }
        // a request only records its layers: this checks the names without reading any image
        inspector.image(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB)).layers(names.toArray(String[]::new));
        return names;
    }
}
