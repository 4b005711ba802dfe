package dev.convlens.cli;

import dev.convlens.FilterPattern;
import dev.convlens.Inspector;
import dev.convlens.Patterns;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code convlens patterns MODEL --layer L}: what each channel responds to most, by gradient ascent. */
@Command(name = "patterns", mixinStandardHelpOptions = true,
        description = "Draws the input each channel of a layer responds to most (Chollet 5.4.2), as a grid.")
final class PatternsCommand implements Callable<Integer> {
    /** Channels a call: the SDK's batch. */
    private static final int PER_RUN = 16;

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

    @Option(names = "--steps", paramLabel = "N", description = "gradient steps (default: 40, also with --book)")
    Integer steps;

    @Option(names = "--step", paramLabel = "LEVELS", description = "each step's length in pixel levels along the"
            + " normalized gradient (default: 10; 1 with --book)")
    Float step;

    @Option(names = "--regularized", description = "jitter, scale and rotate at each step, for clearer patterns")
    boolean regularized;

    @Option(names = "--out", paramLabel = "FILE", description = "the PNG to write (default: out/patterns_LAYER.png)")
    Path out;

    @Option(names = "--json", description = "print each channel's score and whether it is dead, as JSON")
    boolean json;

    @Override
    public Integer call() {
        try (Inspector inspector = model.open()) {
            String name = ModelOptions.layers(inspector, "--layer", List.of(layer)).get(0);
            Patterns patterns = inspector.patterns(name).seed(seed);
            int[] chosen = channels == null ? firstChannels(inspector, name) : channels(channels);
            patterns = chosen == null ? patterns : patterns.channels(chosen); // checks them before any work
            patterns = book ? patterns.book() : patterns;
            if (steps != null || step != null) {
                patterns = patterns.steps(steps != null ? steps : Patterns.DEFAULT_STEPS, step != null ? step
                        : book ? 1 : Patterns.DEFAULT_STEP);
            }
            patterns = regularized ? patterns.regularized() : patterns;
            patterns = model.preprocessing == null ? patterns : patterns.preprocessing(model.preprocessing);
            patterns = model.size == null ? patterns : patterns.size(model.size.width(), model.size.height());
            if (perRow < 1) {
                throw new ConvLens.UsageException("--per-row must be at least 1, was " + perRow);
            }
            List<FilterPattern> each = list(patterns, chosen, name, model.err());
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
                model.out().println(name + ": " + Messages.count(each.size(), "pattern") + " (" + dead + " dead:"
                        + " no input the ascent found excites them, crossed out) -> " + file);
                if (book && dead > 0) {
                    model.err().println("The book's settings leave a channel dead where its Relu starts at zero on"
                            + " the gray start: its gradient is then 0 and the ascent never moves. Without --book the"
                            + " ascent follows the mean before the Relu (add --regularized for clearer patterns).");
                }
            }
        }
        return 0;
    }

    /**
     * The channels patterns takes by default, the first {@value Patterns#DEFAULT_CHANNELS} or all if fewer, where
     * the layer is listed with its channel count; null for a tensor named exactly, whose count only the SDK knows.
     */
    static int[] firstChannels(Inspector inspector, String layer) {
        int count = inspector.layers().stream().filter(l -> l.name().equals(layer)).findFirst()
                .map(dev.convlens.Layer::channels).orElse(-1);
        return count < 0 ? null : IntStream.range(0, Math.min(count, Patterns.DEFAULT_CHANNELS)).toArray();
    }

    /**
     * The patterns of some channels with progress on stderr: asked for {@value #PER_RUN} channels at a time, the
     * batches the SDK optimizes together, so the pictures are the same as from one call. For null channels, the
     * SDK's default in one call.
     */
    static List<FilterPattern> list(Patterns patterns, int[] channels, String layer, PrintWriter err) {
        if (channels == null) {
            return patterns.list();
        }
        Progress progress = Progress.of(err, "patterns of " + layer, channels.length, "channels");
        List<FilterPattern> all = new ArrayList<>();
        for (int from = 0; from < channels.length; from += PER_RUN) {
            int[] some = Arrays.copyOfRange(channels, from, Math.min(channels.length, from + PER_RUN));
            all.addAll(patterns.channels(some).list());
            progress.step(some.length);
        }
        return all;
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
