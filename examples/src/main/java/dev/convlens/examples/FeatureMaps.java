package dev.convlens.examples;

import dev.convlens.AttributionMethod;
import dev.convlens.Colormap;
import dev.convlens.ConvLensException;
import dev.convlens.FeatureMap;
import dev.convlens.Heatmap;
import dev.convlens.HeatmapMethod;
import dev.convlens.Inspection;
import dev.convlens.Inspector;
import dev.convlens.Preprocessing;
import dev.convlens.Request;
import dev.convlens.Prediction;
import dev.convlens.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The command-line entry point: writes one PNG grid per layer of a model for an image, and prints the model's
 * prediction. With no arguments it runs the shipped cats-vs-dogs convnet on the shipped photo of Chelsea the cat.
 *
 * <pre>
 * mvn -q -pl examples exec:java -Dexec.args="--image dog.jpg --layers conv2d,conv2d_1 --per-row 16 --out out"
 * </pre>
 */
public final class FeatureMaps {
    static final String DEFAULT_MODEL = "models/cats_vs_dogs_small.onnx";
    static final String DEFAULT_IMAGE = "examples/images/chelsea.png";
    private static final String USAGE = """
            Usage: featuremaps [options]
              --model FILE           ONNX model (default: %s)
              --image FILE           image (default: %s)
              --layers A,B,...       layer names, segments, op types or globs (default: every conv layer)
              --per-row N            channels per grid row (default: 16)
              --out DIR              where the PNGs go (default: out)
              --colormap NAME        viridis, magma, inferno, plasma, turbo, gray, jet (default: viridis)
              --preprocessing TEXT   raw, scaled, signed, imagenet, caffe, with changes such as
                                     "imagenet; resize=nearest" (default: the model's own, else raw)
              --labels A,B,...       class names for the prediction (default for the shipped model: cat,dog)
              --heatmap METHOD       also write where the model looked: cam, grad_cam, grad_cam_plus_plus,
                                     score_cam, ablation_cam, eigen_cam, occlusion (default: none)
              --target N             the class the heatmap explains (default: the predicted one)
              --attribution METHOD   also write which pixels decided: gradient, input_x_gradient, smooth_grad,
                                     integrated_gradients, guided_backprop, guided_grad_cam (default: none)
              --patterns LAYER       also write the filter patterns of a layer's first 64 channels, 8 to a row
            """.formatted(DEFAULT_MODEL, DEFAULT_IMAGE);

    private FeatureMaps() {
    }

    /** The parsed command line. */
    record Arguments(Path model, Path image, List<String> layers, int perRow, Path out, Colormap colormap,
                     Preprocessing preprocessing, List<String> labels, HeatmapMethod heatmap, int target,
                     AttributionMethod attribution, String patterns) {
        static Arguments parse(String[] args) {
            Path model = null;
            Path image = null;
            List<String> layers = List.of();
            int perRow = 16;
            Path out = Path.of("out");
            Colormap colormap = Colormap.VIRIDIS;
            Preprocessing preprocessing = null;
            List<String> labels = null;
            HeatmapMethod heatmap = null;
            int target = -1;
            AttributionMethod attribution = null;
            String patterns = null;
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (flag.equals("--help") || flag.equals("-h")) {
                    throw new IllegalArgumentException("");
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                switch (flag) {
                    case "--model" -> model = Path.of(value);
                    case "--image" -> image = Path.of(value);
                    case "--layers" -> layers = List.of(value.split(","));
                    case "--per-row" -> perRow = Integer.parseInt(value);
                    case "--out" -> out = Path.of(value);
                    case "--colormap" -> colormap = Colormap.valueOf(value.toUpperCase(Locale.ROOT));
                    case "--preprocessing" -> preprocessing = Preprocessing.parse(value);
                    case "--labels" -> labels = List.of(value.split(","));
                    case "--heatmap" -> heatmap = HeatmapMethod.valueOf(value.toUpperCase(Locale.ROOT));
                    case "--target" -> target = Integer.parseInt(value);
                    case "--attribution" -> attribution = AttributionMethod.valueOf(value.toUpperCase(Locale.ROOT));
                    case "--patterns" -> patterns = value;
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            }
            if (labels == null) {
                labels = model == null ? List.of("cat", "dog") : List.of();
            }
            return new Arguments(model == null ? Path.of(DEFAULT_MODEL) : model,
                    image == null ? Path.of(DEFAULT_IMAGE) : image, layers, perRow, out, colormap, preprocessing,
                    labels, heatmap, target, attribution, patterns);
        }

        /** A request for the image with the preprocessing and class asked for. */
        Request request(Inspector inspector) {
            Request r = inspector.image(image);
            r = preprocessing == null ? r : r.preprocessing(preprocessing);
            return target >= 0 ? r.target(target) : r;
        }
    }

    /**
     * Runs the command line.
     *
     * @param args the options, see {@code --help}
     * @throws IOException if a PNG cannot be written
     */
    public static void main(String[] args) throws IOException {
        Arguments a;
        try {
            a = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.print((e.getMessage().isEmpty() ? "" : e.getMessage() + "\n") + USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        try {
            for (String line : run(a)) {
                System.out.println(line);
            }
        } catch (ConvLensException e) {
            System.err.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(1);
        }
    }

    /** Writes the grids and returns what to print: one line per file, then the prediction. */
    static List<String> run(Arguments a) throws IOException {
        List<String> report = new ArrayList<>();
        try (Inspector inspector = Inspector.of(a.model())) {
            Request request = a.request(inspector).colormap(a.colormap());
            if (!a.layers().isEmpty()) {
                request = request.layers(a.layers().toArray(String[]::new));
            }
            Inspection result = request.inspect();
            List<Path> files = result.writeGrids(a.out(), a.perRow());
            for (int i = 0; i < files.size(); i++) {
                FeatureMap map = result.activations().get(i);
                report.add(String.format("wrote %s  (%s: %d channels of %dx%d)", files.get(i), map.layer().name(),
                        map.channels(), map.width(), map.height()));
            }
            report.add(prediction(result.output(), a.labels()));
            if (a.heatmap() != null) {
                report.add(write(a.request(inspector).heatmap(a.heatmap()), a.out(), "heatmap"));
            }
            if (a.attribution() != null) {
                report.add(write(a.request(inspector).attribution(a.attribution()), a.out(), "attribution"));
            }
            if (a.patterns() != null) {
                Path file = a.out().resolve("patterns_" + a.patterns().replaceAll("[^A-Za-z0-9._-]", "_") + ".png");
                ImageIO.write(inspector.patterns(a.patterns()).grid(8), "png", file.toFile());
                report.add("wrote " + file + "  (filter patterns of " + a.patterns() + ")");
            }
        }
        return report;
    }

    /** Writes a heatmap or an attribution over the image and says what it is. */
    private static String write(Heatmap heatmap, Path out, String kind) throws IOException {
        Path file = out.resolve(kind + "_" + heatmap.method().toString().toLowerCase(Locale.ROOT) + ".png");
        ImageIO.write(heatmap.overlay(), "png", file.toFile());
        return String.format(Locale.ROOT, "wrote %s  (%s of class %d, score %.2f, %s, %dx%d)", file, heatmap.method(),
                heatmap.targetClass(), heatmap.score(), heatmap.method() instanceof HeatmapMethod
                        ? "on " + heatmap.layer().name() : "at the input's resolution", heatmap.width(),
                heatmap.height());
    }

    /**
     * "cat, 0.97": the label of a sigmoid score (its complement below 0.5), or the top class of several outputs,
     * as a probability (a softmax is applied first when the values are not probabilities already).
     */
    static String prediction(Tensor output, List<String> labels) {
        Prediction p = output.prediction();
        String name = p.classIndex() < labels.size() ? labels.get(p.classIndex()) : "class " + p.classIndex();
        return p.scores() == 1 ? String.format(Locale.ROOT, "prediction: %s, %.2f", name, p.probability())
                : String.format(Locale.ROOT, "prediction: %s, %.2f (top of %d values of output '%s')", name,
                        p.probability(), p.scores(), output.name());
    }
}
