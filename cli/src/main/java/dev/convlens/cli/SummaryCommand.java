package dev.convlens.cli;

import dev.convlens.Inspector;
import dev.convlens.Layer;
import dev.convlens.Options;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code convlens summary MODEL}: the model's layers as Keras's {@code model.summary()} prints them. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Prints the model's layers: name, ops, output shape, parameters.")
final class SummaryCommand implements Callable<Integer> {
    @Mixin
    ModelFile model;

    @Option(names = "--json", description = "print the layers as JSON")
    boolean json;

    @Override
    public Integer call() {
        try (Inspector inspector = model.open(Options.defaults())) {
            if (!json) {
                model.out().print(inspector.summary());
                return 0;
            }
            List<Map<String, Object>> layers = inspector.layers().stream().map(SummaryCommand::json).toList();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", model.model.toString());
            out.put("layers", layers);
            model.out().println(Json.write(out));
        }
        return 0;
    }

    private static Map<String, Object> json(Layer layer) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", layer.index());
        m.put("name", layer.name());
        m.put("kind", layer.kind().name().toLowerCase(java.util.Locale.ROOT));
        m.put("ops", layer.opTypes());
        m.put("channels", layer.channels());
        m.put("height", layer.height());
        m.put("width", layer.width());
        m.put("parameters", layer.parameters());
        return m;
    }
}
