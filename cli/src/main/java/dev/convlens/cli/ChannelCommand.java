package dev.convlens.cli;

import dev.convlens.Inspector;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code convlens channel MODEL IMAGE --layer L --channel N}: one channel's map, large. */
@Command(name = "channel", mixinStandardHelpOptions = true, description = "Draws one channel of one layer.")
final class ChannelCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Parameters(index = "1", paramLabel = "IMAGE", description = "an image file")
    Path image;

    @Option(names = "--layer", required = true, paramLabel = "LAYER", description = "the layer: a name or an index,"
            + " -1 the last")
    String layer;

    @Option(names = "--channel", required = true, paramLabel = "N", description = "the channel, from 0")
    int channel;

    @Mixin
    Rendering rendering;

    @Option(names = "--out", paramLabel = "FILE",
            description = "the PNG to write (default: out/IMAGE_LAYER_N.png)")
    Path out;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(image)) {
            throw new ConvLens.UsageException((Files.isDirectory(image) ? image + " is a folder" : "no image file "
                    + image) + "; channel draws one image: give its file (grids takes folders)");
        }
        rendering.check();
        try (Inspector inspector = model.open()) {
            String name = ModelOptions.layers(inspector, "--layer", List.of(layer)).get(0);
            BufferedImage picture = rendering.apply(model.request(inspector, image)).channel(name, channel);
            Path file = out != null ? out : Path.of("out", Outputs.stem(image) + "_" + name.replaceAll(
                    "[^A-Za-z0-9._-]", "_") + "_" + channel + ".png");
            Outputs.png(picture, file);
            model.out().println(name + " channel " + channel + ": " + picture.getWidth() + "x"
                    + picture.getHeight() + " -> " + file);
        }
        return 0;
    }
}
