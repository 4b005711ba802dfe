package dev.convlens.cli;

import dev.convlens.AttributionMethod;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code convlens attribution MODEL IMAGE... --method integrated-gradients}: which pixels decided. */
@Command(name = "attribution", mixinStandardHelpOptions = true,
        description = "Draws a pixel attribution over each image (gradients, Integrated Gradients, SmoothGrad...).")
final class AttributionCommand implements Callable<Integer> {
    @Mixin
    Explanations explanations;

    @Option(names = "--method", paramLabel = "METHOD", converter = Converters.Attribution.class,
            completionCandidates = Converters.AttributionNames.class,
            description = "${COMPLETION-CANDIDATES} (default: integrated-gradients)")
    AttributionMethod method = AttributionMethod.INTEGRATED_GRADIENTS;

    @Override
    public Integer call() {
        return explanations.run(Converters.name(method), null, r -> r.attribution(method));
    }
}
