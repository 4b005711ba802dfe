package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for memory measurements, whose resident memory moves only with what ConvLens and ONNX Runtime keep:
 * <ul>
 * <li>the heap is fixed and touched up front (-Xms = -Xmx, -XX:+AlwaysPreTouch);</li>
 * <li>the JIT stops at C1 (-XX:TieredStopAtLevel=1): C2's compilations add about 20 MB of resident memory at a
 *     point that depends on the machine's speed;</li>
 * <li>glibc keeps two malloc arenas (MALLOC_ARENA_MAX=2) instead of giving threads their own, each touched
 *     whenever scheduling makes a thread allocate.</li>
 * </ul>
 */
final class ChildJvm {
    private ChildJvm() {
    }

    /** Runs a main class of the test classes with a fixed heap and arguments, and returns what it printed; it must exit with 0. */
    static String run(Class<?> main, int heapMb, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xms" + heapMb + "m", "-Xmx" + heapMb + "m", "-XX:+AlwaysPreTouch",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        Process child = builder.start();
        String out = new String(child.getInputStream().readAllBytes());
        assertThat(child.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(child.exitValue()).as(out).isZero();
        return out;
    }

    /** This process's resident memory (VmRSS), in KB. */
    static long residentKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new AssertionError("no VmRSS in /proc/self/status");
    }
}
