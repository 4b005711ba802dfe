package dev.convlens.cli;

import dev.convlens.Colormap;
import dev.convlens.Request;
import picocli.CommandLine.Option;

/** How a layer's values become pixels: {@code --colormap} and {@code --upscale}. */
final class Rendering {
    @Option(names = "--colormap", paramLabel = "NAME", description = "${COMPLETION-CANDIDATES} (default: viridis)")
    Colormap colormap = Colormap.VIRIDIS;

    @Option(names = "--upscale", paramLabel = "N", description = "pixels a value, 1 to 64 (default: ${DEFAULT-VALUE})")
    int upscale = 1;

    /** Refuses an upscale out of range, before any image is read. */
    void check() {
        if (upscale < 1 || upscale > 64) {
            throw new ConvLens.UsageException("--upscale must be 1 to 64, was " + upscale);
        }
    }

    /** The request drawn this way. */
    Request apply(Request request) {
        check();
        return request.colormap(colormap).upscale(upscale);
    }
}
