package dev.convlens.cli;

import dev.convlens.FeatureMap;
import dev.convlens.FilterPattern;
import dev.convlens.Inspector;
import dev.convlens.ReceptiveField;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code convlens microscope MODEL FOLDER --layers L --top 9 --out DIR}: for every channel of the layers, the images
 * that excite it most over a whole folder, with the crop of each under the channel's receptive field.
 */
@Command(name = "microscope", mixinStandardHelpOptions = true,
        description = "Finds, for every channel of some layers, the images of a folder that excite it most, and"
                + " crops each under the channel's receptive field: DIR/microscope.json and DIR/index.html.")
final class MicroscopeCommand implements Callable<Integer> {
    @Mixin
    ImageOptions input;

    @Option(names = "--layers", required = true, split = ",", paramLabel = "LAYER",
            description = "layer names, globs or indexes")
    List<String> layers;

    @Option(names = "--top", paramLabel = "K", description = "images kept a channel (default: ${DEFAULT-VALUE})")
    int top = 9;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the results go")
    Path out;

    @Option(names = "--patterns", description = "also each channel's filter pattern, first in its row (gradient"
            + " ascent: about a second for 4 channels on two cores)")
    boolean patterns;

    @Override
    public Integer call() throws IOException {
        if (top < 1) {
            throw new ConvLens.UsageException("--top must be at least 1, was " + top);
        }
        List<Path> files = input.files();
        Outputs.createFolder(out);
        try (Inspector inspector = input.open(files.size())) {
            List<String> names = ModelOptions.layers(inspector, "--layers", layers);
            Microscope[] scope = new Microscope[1];
            long start = System.nanoTime();
            List<Batch.Failure> failures = Batch.run("reading", files, input.workers(files.size()), input.err(),
                    image -> Microscope.Maxima.of(input.request(inspector, image)
                            .layers(names.toArray(String[]::new)).activations()),
                    (index, image, maxima) -> {
                        if (scope[0] == null) {
                            scope[0] = new Microscope(java.util.Arrays.stream(maxima.max()).mapToInt(m -> m.length)
                                    .toArray(), top);
                        }
                        scope[0].add(index, maxima);
                    });
            double seconds = (System.nanoTime() - start) / 1e9;
            if (scope[0] == null) {
                return 1; // every image failed, each said why
            }
            java.util.Set<Path> failed = new java.util.HashSet<>();
            failures.forEach(f -> failed.add(f.image()));
            int read = files.size() - failed.size();
            Path first = files.stream().filter(f -> !failed.contains(f)).findFirst().orElseThrow();
            List<FeatureMap> shapes = input.request(inspector, first).layers(names.toArray(String[]::new))
                    .activations();
            List<Map<String, Object>> json = new ArrayList<>();
            StringBuilder html = new StringBuilder("<p>" + Messages.count(read, "image") + " of "
                    + Page.escape(input.images.toString()) + ", the " + top + " that excite each channel most, cropped"
                    + " under its receptive field.</p>\n");
            for (int l = 0; l < names.size(); l++) {
                List<FilterPattern> each = patterns ? PatternsCommand.list(inspector.patterns(names.get(l)),
                        java.util.stream.IntStream.range(0, shapes.get(l).channels()).toArray(), names.get(l),
                        input.err()) : List.of();
                json.add(layer(inspector, scope[0], l, shapes.get(l), files, each, html));
            }
            failures = new ArrayList<>(failures);
            failures.addAll(crops(inspector, scope[0], shapes, files));
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("model", input.model.toString());
            result.put("images", read);
            result.put("layers", json);
            result.put("errors", failures.stream().map(f -> Map.of("image", f.image().toString(), "error",
                    f.reason())).toList());
            if (!failures.isEmpty()) {
                html.append("<h2>Errors</h2>\n<ul>\n");
                failures.forEach(f -> html.append("<li>").append(Page.escape(f.image() + ": " + f.reason()))
                        .append("</li>\n"));
                html.append("</ul>\n");
            }
            Files.writeString(out.resolve("microscope.json"), Json.write(result) + "\n", StandardCharsets.UTF_8);
            Page.write(out, "ConvLens microscope", html);
            double total = (System.nanoTime() - start) / 1e9;
            input.out().println(String.format(Locale.ROOT, "%s, %s: read in %.2f s (%.0f images a second), %.2f s in"
                    + " all%s -> %s, %s", Messages.count(read, "image"), Messages.count(names.size(), "layer"),
                    seconds, read / seconds, total, failures.isEmpty() ? "" : "; " + Messages.count(failures.size(),
                    "error") + " (listed in the page)", out.resolve("microscope.json"), out.resolve("index.html")));
            return failures.isEmpty() ? 0 : 1;
        }
    }

    /** One layer's part of the JSON and of the page. */
    private Map<String, Object> layer(Inspector inspector, Microscope scope, int l, FeatureMap map,
                                      List<Path> files, List<FilterPattern> patterns, StringBuilder html) {
        String name = map.layer().name();
        ReceptiveField field = inspector.receptiveField(name).orElse(null);
        List<Map<String, Object>> channels = new ArrayList<>();
        int dead = 0;
        StringBuilder rows = new StringBuilder();
        for (int c = 0; c < map.channels(); c++) {
            Microscope.Channel channel = scope.channel(l, c);
            dead += channel.dead() ? 1 : 0;
            List<Map<String, Object>> tops = new ArrayList<>();
            rows.append("<div class=\"channel\"><b").append(channel.dead() ? " class=\"dead\">" : ">").append("#")
                    .append(c).append(channel.dead() ? " dead" : "").append("</b>");
            if (!patterns.isEmpty()) {
                Path file = Outputs.png(patterns.get(c).image(), crop(name, c, -1));
                rows.append("<img class=\"crop zoom pattern\" src=\"").append(Page.href(out, file))
                        .append("\" title=\"the channel's filter pattern\">");
            }
            for (int rank = 0; rank < channel.tops().size(); rank++) {
                Microscope.Top t = channel.tops().get(rank);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("image", files.get(t.image()).toString());
                m.put("score", t.score());
                m.put("x", t.x());
                m.put("y", t.y());
                tops.add(m);
                if (channel.dead()) {
                    continue; // its "top" images are the first of many at zero: nothing to look at
                }
                Path crop = crop(name, c, rank);
                m.put("crop", Page.href(out, crop));
                rows.append("<img class=\"crop zoom\" src=\"").append(Page.href(out, crop)).append("\" title=\"")
                        .append(Page.escape(files.get(t.image()).getFileName() + String.format(Locale.ROOT,
                                ": %.3f at (%d, %d)", t.score(), t.x(), t.y()))).append("\">");
            }
            rows.append("</div>\n");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("channel", c);
            m.put("dead", channel.dead());
            m.put("active", channel.active);
            m.put("meanMax", channel.meanMax());
            m.put("max", channel.max);
            m.put("top", tops);
            channels.add(m);
        }
        html.append("<h2>").append(Page.escape(name)).append("</h2>\n<p>").append(map.channels())
                .append(" channels, ").append(dead).append(" dead (above zero on no image)")
                .append(field == null ? "" : String.format(Locale.ROOT, "; receptive field %dx%d pixels, every %d",
                        field.width(), field.height(), field.strideX())).append("</p>\n").append(rows);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", name);
        result.put("channels", channels);
        result.put("dead", dead);
        if (field != null) {
            result.put("receptiveField", Map.of("width", field.width(), "height", field.height(), "stride",
                    field.strideX()));
        }
        return result;
    }

    /** {@code crops/conv2d_4/0007_02.png}: channel 7's third image; rank -1 is the channel's pattern. */
    private Path crop(String layer, int channel, int rank) {
        return out.resolve("crops").resolve(layer.replaceAll("[^A-Za-z0-9._-]", "_"))
                .resolve(String.format(Locale.ROOT, "%04d_%s.png", channel, rank < 0 ? "pattern"
                        : String.format(Locale.ROOT, "%02d", rank)));
    }

    /**
     * Cuts every top image under its channel's receptive field: each image that some channel keeps is decoded
     * once, as the model saw it, and every crop from it written.
     */
    private List<Batch.Failure> crops(Inspector inspector, Microscope scope, List<FeatureMap> maps,
                                      List<Path> files) {
        Map<Path, List<int[]>> byImage = new LinkedHashMap<>(); // image -> {layer, channel, rank, x, y}
        for (int l = 0; l < maps.size(); l++) {
            for (int c = 0; c < maps.get(l).channels(); c++) {
                List<Microscope.Top> tops = scope.channel(l, c).dead() ? List.of() : scope.channel(l, c).tops();
                for (int rank = 0; rank < tops.size(); rank++) {
                    Microscope.Top t = tops.get(rank);
                    byImage.computeIfAbsent(files.get(t.image()), k -> new ArrayList<>()).add(new int[] {l, c, rank,
                            t.x(), t.y()});
                }
            }
        }
        List<ReceptiveField> fields = maps.stream().map(m -> inspector.receptiveField(m.layer().name())
                .orElse(null)).toList();
        List<Path> images = List.copyOf(byImage.keySet());
        return Batch.run("cropping", images, input.workers(images.size()), input.err(), image -> {
            BufferedImage seen = input.request(inspector, image).resized();
            for (int[] cut : byImage.get(image)) {
                FeatureMap map = maps.get(cut[0]);
                ReceptiveField f = fields.get(cut[0]);
                Outputs.png(f == null ? seen : cut(seen, f.left(cut[3]), f.top(cut[4]), f.width(), f.height()),
                        crop(map.layer().name(), cut[1], cut[2]));
            }
            return image;
        }, (index, image, done) -> { });
    }

    /** The part of the picture under a field, the field's size, black where it reaches past the picture. */
    private static BufferedImage cut(BufferedImage input, int left, int top, int width, int height) {
        BufferedImage crop = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = Math.max(0, -top); y < height && top + y < input.getHeight(); y++) {
            for (int x = Math.max(0, -left); x < width && left + x < input.getWidth(); x++) {
                crop.setRGB(x, y, input.getRGB(left + x, top + y));
            }
        }
        return crop;
    }
}
