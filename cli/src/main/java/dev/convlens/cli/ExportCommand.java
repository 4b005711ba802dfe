package dev.convlens.cli;

import dev.convlens.Explainer;
import dev.convlens.ExplanationMethod;
import dev.convlens.HeatmapMethod;
import dev.convlens.Inspector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code convlens export MODEL --method grad-cam --out explainer.onnx}: the model with its heatmap in its own graph,
 * for any ONNX runtime.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Writes an explainer: the model with a heatmap method in its own graph, for ONNX Runtime on a"
                + " phone, in a browser or anywhere. It takes a picture's RGB bytes (uint8 [H, W, 3]) and a class"
                + " (int64, -1 for the predicted one), and returns the model's outputs, heatmap, overlay, class and"
                + " score.", "A model of dynamic size runs at --size inside it (default 224x224)."})
final class ExportCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    Labels labels;

    @Option(names = "--method", paramLabel = "METHOD", converter = Converters.Explanation.class,
            description = "cam, grad-cam, grad-cam-plus-plus, eigen-cam, recipro-cam, gradient, input-x-gradient,"
                    + " integrated-gradients, guided-backprop or guided-grad-cam (default: grad-cam)")
    ExplanationMethod method = HeatmapMethod.GRAD_CAM;

    @Option(names = "--layer", paramLabel = "LAYER",
            description = "the heatmap's layer: a name or any spatial tensor's exact name (default: as for heatmap)")
    String layer;

    @Option(names = "--activations", split = ",", paramLabel = "LAYER",
            description = "layers whose outputs the explainer returns too")
    List<String> activations = List.of();

    @Option(names = "--steps", paramLabel = "N", description = "integrated gradients' points along the path,"
            + " run as one batch with the picture (default: 50)")
    Integer steps;

    @Option(names = "--all-classes", description = "also every class's map at once, as the output heatmaps"
            + " (recipro-cam and cam)")
    boolean allClasses;

    @Option(names = "--input-size", paramLabel = "WxH", arity = "1", converter = Converters.Size.class,
            description = "fix the picture's size, for a runtime that wants static shapes (default: any size)")
    Converters.Dimensions inputSize;

    @Option(names = "--out", paramLabel = "FILE", description = "the explainer (default: ${DEFAULT-VALUE})")
    Path out = Path.of("explainer.onnx");

    @Option(names = "--operators", paramLabel = "FILE", description = "also write the ops it runs, in ONNX"
            + " Runtime's reduced-operator configuration format, for a custom minimal build")
    Path operators;

    @Override
    public Integer call() throws IOException {
        try (Inspector inspector = model.open()) {
            return export(inspector);
        }
    }

    /** Writes the explainer and the operators' list, and says what it wrote. */
    private Integer export(Inspector inspector) throws IOException {
        Explainer explainer = inspector.explainer(method);
        try { // options that do not go together are the command line's mistake: exit code 2
            explainer = settings(inspector, explainer);
        } catch (IllegalStateException e) {
            throw new ConvLens.UsageException(e.getMessage());
        }
        explainer.save(out);
        if (operators != null) {
            Files.writeString(operators, explainer.operators());
        }
        model.out().println(String.format(Locale.ROOT, "%s: %s explainer of %s, %d bytes (the model: %d)", out,
                Converters.name((Enum<?>) method), model.model, Files.size(out), Files.size(model.model)));
        return 0;
    }

    /** The explainer with the options given; the folder of --out checked. */
    private Explainer settings(Inspector inspector, Explainer explainer) {
        if (layer != null) {
            explainer = explainer.layer(layer);
        }
        if (!activations.isEmpty()) {
            explainer = explainer.activations(ModelOptions.layers(inspector, "--activations", activations)
                    .toArray(String[]::new));
        }
        if (model.preprocessing != null) {
            explainer = explainer.preprocessing(model.preprocessing);
        }
        if (model.size != null) {
            explainer = explainer.size(model.size.width(), model.size.height());
        }
        if (inputSize != null) {
            explainer = explainer.inputSize(inputSize.width(), inputSize.height());
        }
        if (allClasses) {
            explainer = explainer.allClasses();
        }
        if (steps != null) {
            explainer = explainer.steps(steps);
        }
        if (!labels.labels.isEmpty()) {
            explainer = explainer.labels(labels.labels.toArray(String[]::new));
        }
        Path folder = out.toAbsolutePath().getParent();
        if (!Files.isDirectory(folder)) {
            throw new ConvLens.UsageException("--out: no folder " + folder + " to write " + out.getFileName()
                    + " in");
        }
        return explainer;
    }
}
