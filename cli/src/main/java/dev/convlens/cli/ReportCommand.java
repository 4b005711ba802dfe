package dev.convlens.cli;

import dev.convlens.ConvLensException;
import dev.convlens.FeatureMap;
import dev.convlens.Heatmap;
import dev.convlens.HeatmapMethod;
import dev.convlens.Inspection;
import dev.convlens.Inspector;
import dev.convlens.Layer;
import dev.convlens.Patterns;
import dev.convlens.Request;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code convlens report MODEL IMAGE... --out DIR}: one page with the model's layers and, for each image, its
 * prediction, its heatmaps and every layer's grid; filter patterns when asked. {@code DIR/index.html} opens from the
 * file, offline.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Writes DIR/index.html: the model's layers, and for each image its prediction, heatmaps and"
                + " every layer's grid (click to enlarge); filter patterns with --patterns.")
final class ReportCommand implements Callable<Integer> {
    @Mixin
    ImageOptions input;

    @Mixin
    GridsCommand.DrawingOptions drawing;

    @Mixin
    Labels labels;

    @Mixin
    TargetOption target;

    @Option(names = "--methods", split = ",", paramLabel = "METHOD", converter = Converters.Heatmap.class,
            completionCandidates = Converters.HeatmapNames.class,
            description = "heatmap methods (default: grad-cam,eigen-cam): ${COMPLETION-CANDIDATES}")
    List<HeatmapMethod> methods = List.of(HeatmapMethod.GRAD_CAM, HeatmapMethod.EIGEN_CAM);

    @Option(names = "--patterns", paramLabel = "LAYER", description = "also the filter patterns of a layer")
    String patternsLayer;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the report's folder")
    Path out;

    @Override
    public Integer call() {
        List<Path> files = input.files();
        Outputs outputs = new Outputs(out, files, true);
        StringBuilder body = new StringBuilder();
        Outputs.createFolder(out);
        try (Inspector inspector = input.open(files.size())) {
            List<String> layers = drawing.layers(inspector);
            String patternsName = patternsLayer == null ? null
                    : ModelOptions.layers(inspector, "--patterns", List.of(patternsLayer)).get(0);
            // a model without class scores has no predicted class: only the methods that need none are drawn
            String noClass = null;
            String why = target.choice == null ? input.firstOutputs(inspector, files).map(target::noClass)
                    .orElse(null) : null;
            List<HeatmapMethod> explained = why == null ? methods
                    : methods.stream().filter(m -> !TargetOption.needsClass(m)).toList();
            if (explained.size() < methods.size()) {
                noClass = methods.stream().filter(TargetOption::needsClass).map(Converters::name)
                        .collect(java.util.stream.Collectors.joining(", ")) + " not drawn: " + why;
                input.err().println(noClass);
            }
            StringBuilder sections = new StringBuilder();
            int[] partsFailed = new int[1];
            List<Batch.Failure> failed = Batch.run("drawing", files, input.workers(files.size()), input.err(),
                    image -> section(inspector, image, outputs.folder(image), layers, explained),
                    (index, image, section) -> {
                        sections.append(section.html());
                        partsFailed[0] += section.failures();
                    });
            int shown = files.size() - failed.size();
            body.append("<p>Model <code>").append(Page.escape(input.model.toString())).append("</code>, ")
                    .append(Messages.count(shown, "image")).append(failed.isEmpty() ? ""
                            : " (" + failed.size() + " of the " + files.size() + " given failed: listed at the end)")
                    .append(".</p>\n");
            if (noClass != null) {
                body.append("<p class=\"dead\">").append(Page.escape(noClass)).append("</p>\n");
            }
            body.append(layerTable(inspector.layers()));
            if (patternsName != null) {
                body.append(patterns(inspector, patternsName));
            }
            body.append(sections);
            if (!failed.isEmpty()) {
                body.append("<h2>Images that failed</h2>\n");
                failed.forEach(f -> body.append(Page.failure(f.image().toString(), f.reason())).append("\n"));
            }
            Path page = Page.write(out, "ConvLens report", body);
            input.out().println(shown + " of " + Messages.count(files.size(), "image") + (partsFailed[0] == 0 ? ""
                    : ", " + Messages.count(partsFailed[0], "heatmap") + " failed (shown on the page)") + " -> "
                    + page);
            return failed.isEmpty() && partsFailed[0] == 0 ? 0 : 1;
        }
    }

    /** An image's part of the page, and how many of its heatmaps failed (each shown there with its reason). */
    private record Section(String html, int failures) {
    }

    /** Writes one image's pictures and returns its part of the page. */
    private Section section(Inspector inspector, Path image, Path folder, List<String> layers,
                            List<HeatmapMethod> drawn) throws IOException {
        Outputs.createFolder(folder);
        Request request = input.request(inspector, image);
        Inspection result = drawing.apply(layers, request).inspect();
        List<Path> grids = result.writeGrids(folder, drawing.perRow);
        StringBuilder html = new StringBuilder("<h2>").append(Page.escape(image.getFileName().toString()))
                .append("</h2>\n<p>Prediction: ").append(Page.escape(labels.prediction(result.output())))
                .append(" (output <code>").append(Page.escape(result.output().name())).append("</code>)</p>\n");
        BufferedImage seen = request.resized();
        html.append(Page.figure(out, Outputs.png(seen, folder.resolve("input.png")), "input, " + seen.getWidth() + "x"
                + seen.getHeight()));
        int failures = 0;
        for (HeatmapMethod method : drawn) {
            String name = Converters.name(method);
            try {
                Heatmap heatmap = target.aim(request).heatmap(method);
                html.append(Page.figure(out, Outputs.png(heatmap.overlay(), folder.resolve(name + ".png")),
                        name + (TargetOption.needsClass(method) ? ", " + target.explained(heatmap, labels) : "")
                                + (TargetOption.usesLayer(method) ? " on " + heatmap.layer().name() : "")));
            } catch (ConvLensException | IllegalArgumentException e) { // the rest of the section stays
                failures++;
                input.err().println(image + ": " + name + ": " + Messages.of(e));
                html.append(Page.failure(name, Messages.of(e)));
            }
        }
        html.append("\n<div>");
        for (int i = 0; i < grids.size(); i++) {
            FeatureMap map = result.activations().get(i);
            html.append(Page.figure(out, grids.get(i), map.layer().name() + " " + map.layer().shape().replace("?",
                    "") + " (" + map.channels() + " channels of " + map.width() + "x" + map.height() + ")"));
        }
        return new Section(html.append("</div>\n").toString(), failures);
    }

    private String patterns(Inspector inspector, String layer) {
        Patterns patterns = inspector.patterns(layer);
        patterns = input.preprocessing == null ? patterns : patterns.preprocessing(input.preprocessing);
        List<dev.convlens.FilterPattern> each = PatternsCommand.list(patterns, PatternsCommand.firstChannels(
                inspector, layer), layer, input.err());
        Path file = Outputs.png(patterns.grid(each, 8), out.resolve("patterns_"
                + layer.replaceAll("[^A-Za-z0-9._-]", "_")
                + ".png"));
        return "<h2>Filter patterns of " + Page.escape(layer) + "</h2>\n" + Page.figure(out, file,
                "what each of the first channels responds to most; crossed out: no input excites it") + "\n";
    }

    private static String layerTable(List<Layer> layers) {
        StringBuilder html = new StringBuilder("<h2>Layers</h2>\n<table><tr><th>#</th><th>layer</th><th>ops</th>"
                + "<th>output</th><th>parameters</th></tr>\n");
        for (Layer l : layers) {
            html.append("<tr><td class=\"n\">").append(l.index()).append("</td><td>").append(Page.escape(l.name()))
                    .append("</td><td>").append(Page.escape(String.join("+", l.opTypes()))).append("</td><td>")
                    .append(l.shape()).append("</td><td class=\"n\">")
                    .append(l.parameters() < 0 ? "?" : String.format(Locale.ROOT, "%,d", l.parameters()))
                    .append("</td></tr>\n");
        }
        return html.append("</table>\n").toString();
    }
}
