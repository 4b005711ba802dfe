package dev.convlens;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a line of Python with Debian's python3 and its ONNX package, for checks made by code other than ConvLens's;
 * the calling test skips, saying why, where they are not installed.
 */
public final class Python {
    private Python() {
    }

    /**
     * Runs {@code python3 -c code args...} and returns what it printed.
     *
     * @throws AssertionError if it fails, with what it printed
     */
    public static String run(String code, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-c", code));
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            System.out.println("skipped: no /usr/bin/python3");
            assumeTrue(false, "no /usr/bin/python3");
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("python3 did not finish in 300 s: " + out);
        }
        if (out.contains("No module named 'onnx'")) {
            System.out.println("skipped: python3-onnx is not installed (sudo apt-get install python3-onnx)");
            assumeTrue(false, "python3-onnx is not installed");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("python3 failed (exit " + p.exitValue() + "): " + out);
        }
        return out;
    }
}
