package dev.convlens.cli;

import dev.convlens.FilterPattern;
import dev.convlens.Inspector;
import dev.convlens.Patterns;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code convlens patterns MODEL --layer L}: what each channel responds to most, by gradient ascent. */
@Command(name = "patterns", mixinStandardHelpOptions = true,
        description = "Draws the input each channel of a layer responds to most (Chollet 5.4.2), as a grid.")
final class PatternsCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--layer", required = true, paramLabel = "LAYER", description = "the layer")
    String layer;

    @Option(names = "--channels", split = ",", paramLabel = "N",
            description = "channels, from 0; ranges as 0-15 (default: the first 64)")
    List<String> channels;

    @Option(names = "--per-row", paramLabel = "N", description = "patterns a row (default: ${DEFAULT-VALUE})")
    int perRow = 8;

    @Option(names = "--seed", paramLabel = "N", description = "the random start's seed (default: ${DEFAULT-VALUE})")
    long seed = 42;

    @Option(names = "--book", description = "the book's settings: gray start, 40 steps of 1")
    boolean book;

    @Option(names = "--regularized", description = "jitter, scale and rotate at each step, for clearer patterns")
    boolean regularized;

    @Option(names = "--out", paramLabel = "FILE", description = "the PNG to write (default: out/patterns_LAYER.png)")
    Path out;

    @Option(names = "--json", description = "print each channel's score and whether it is dead, as JSON")
    boolean json;

    @Override
    public Integer call() {
        try (Inspector inspector = model.open()) {
            String name = ModelOptions.layers(inspector, List.of(layer)).get(0);
            Patterns patterns = inspector.patterns(name).seed(seed);
            patterns = channels == null ? patterns : patterns.channels(channels(channels));
            patterns = book ? patterns.book() : patterns;
            patterns = regularized ? patterns.regularized() : patterns;
            patterns = model.preprocessing == null ? patterns : patterns.preprocessing(model.preprocessing);
            patterns = model.size == null ? patterns : patterns.size(model.size.width(), model.size.height());
            if (perRow < 1) {
                throw new ConvLens.UsageException("--per-row must be at least 1, was " + perRow);
            }
            List<FilterPattern> each = patterns.list();
            Path file = out != null ? out : Path.of("out", "patterns_" + name.replaceAll("[^A-Za-z0-9._-]", "_")
                    + ".png");
            Outputs.png(patterns.grid(each, perRow), file);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("layer", name);
                m.put("file", file.toString());
                m.put("channels", each.stream().map(p -> {
                    Map<String, Object> c = new LinkedHashMap<>();
                    c.put("channel", p.channel());
                    c.put("score", p.score());
                    c.put("dead", p.dead());
                    return c;
                }).toList());
                model.out().println(Json.write(m));
            } else {
                long dead = each.stream().filter(FilterPattern::dead).count();
                model.out().println(name + ": " + each.size() + " patterns, " + dead
                        + " channels no input excites -> " + file);
            }
        }
        return 0;
    }

    /** {@code 0,3,8-11} as channel numbers. */
    static int[] channels(List<String> items) {
        List<Integer> result = new java.util.ArrayList<>();
        for (String item : items) {
            try {
                int dash = item.indexOf('-', 1);
                int from = Integer.parseInt(dash < 0 ? item.trim() : item.substring(0, dash).trim());
                int to = dash < 0 ? from : Integer.parseInt(item.substring(dash + 1).trim());
                for (int c = from; c <= to; c++) {
                    result.add(c);
                }
            } catch (NumberFormatException e) {
                throw new ConvLens.UsageException("--channels: '" + item + "' is not a channel or a range like 0-15");
            }
        }
        return result.stream().mapToInt(Integer::intValue).toArray();
    }
}
