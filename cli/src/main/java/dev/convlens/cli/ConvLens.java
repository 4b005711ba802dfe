package dev.convlens.cli;

import dev.convlens.LayerNotFoundException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code convlens} command: one subcommand per thing ConvLens shows.
 *
 * <pre>
 * java -jar cli/target/convlens.jar grids models/cats_vs_dogs_small.onnx examples/images/chelsea.png --out out
 * </pre>
 *
 * <p>Exit codes: 0 when everything worked, 2 for a bad argument (one line on stderr that says which and what is
 * valid), 1 when something failed while running (for a batch, after the other images are done). No stack trace
 * unless {@code --verbose}.
 */
@Command(name = "convlens", mixinStandardHelpOptions = true, versionProvider = ConvLens.Version.class,
        description = "Shows what a convolutional network sees: feature maps, heatmaps, filter patterns.",
        subcommands = {SummaryCommand.class, GridsCommand.class, ChannelCommand.class, HeatmapCommand.class,
                AttributionCommand.class, PatternsCommand.class, ReportCommand.class, MicroscopeCommand.class,
                ExportCommand.class, EvaluateCommand.class, RecommendCommand.class})
public final class ConvLens implements Runnable {
    /** A bad argument, found by a command after parsing: exit code 2. */
    static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ConvLens.class.getPackage().getImplementationVersion();
            return new String[] {"convlens " + (v == null ? "development" : v)};
        }
    }

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "print stack traces of failures")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: "
                + String.join(", ", spec.subcommands().keySet()) + " (convlens --help says more)");
    }

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(args, out, err);
        out.flush(); // what a command print()ed without a line's end
        err.flush();
        System.exit(code);
    }

    /** Runs a command line, writing to the given streams; returns the exit code. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine line = new CommandLine(new ConvLens()).setOut(out).setErr(err)
                .setCaseInsensitiveEnumValuesAllowed(true);
        line.setParameterExceptionHandler((e, arguments) -> {
            err.println(name(e.getCommandLine()) + ": " + e.getMessage());
            return 2;
        });
        line.setExecutionExceptionHandler((e, command, parsed) -> {
            boolean usage = e instanceof LayerNotFoundException || e instanceof IllegalArgumentException
                    || e instanceof IndexOutOfBoundsException;
            err.println(name(command) + ": " + Messages.of(e));
            if (parsed.hasMatchedOption("--verbose")
                    || parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"))) {
                e.printStackTrace(err);
            }
            return usage ? 2 : 1;
        });
        return line.execute(args);
    }

    private static String name(CommandLine command) {
        return command.getCommandSpec().qualifiedName();
    }
}
