package dev.convlens.cli;

import dev.convlens.Inspector;
import dev.convlens.Options;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** What every command takes first: the model file; and the command it is mixed into, for its output streams. */
class ModelFile {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "the .onnx model")
    Path model;

    /** Opens the model, its runs on so many threads. */
    Inspector open(Options options) {
        if (!Files.isRegularFile(model)) {
            throw new ConvLens.UsageException("no model file " + model + (Files.isDirectory(model)
                    ? " (a folder)" : "") + "; give the path of an .onnx file");
        }
        return Inspector.of(model, options);
    }

    /** Where the command prints its results. */
    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Where the command says what failed, and shows progress. */
    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
