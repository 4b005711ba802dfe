package dev.convlens.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of a long phase on stderr, with what it is doing ({@code cropping: 8/14 images, ETA 0:01}): a bar redrawn
 * in place with the time left on a terminal, plain lines (at most one a second, and the last) when stderr goes to a
 * file or a pipe. Nothing for a single step.
 */
final class Progress {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final String doing;
    private final int total;
    private final String unit;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private int done;
    private long lastPrinted;

    /**
     * @param doing the phase, as {@code cropping}
     * @param unit what is counted, plural: {@code images}
     */
    Progress(PrintWriter err, String doing, int total, String unit, boolean terminal) {
        this.err = err;
        this.doing = doing;
        this.total = total;
        this.unit = unit;
        this.terminal = terminal;
    }

    /** For stderr as it is: a terminal when the process has a console. */
    static Progress of(PrintWriter err, String doing, int total, String unit) {
        return new Progress(err, doing, total, unit, System.console() != null);
    }

    /** Counts one done, and shows it. */
    void step() {
        step(1);
    }

    /** Counts some done, and shows it. */
    synchronized void step(int count) {
        done += count;
        if (total < 2) {
            return;
        }
        long now = System.nanoTime();
        if (!terminal && done < total && now - lastPrinted < 1_000_000_000L) {
            return;
        }
        lastPrinted = now;
        double elapsed = (now - start) / 1e9;
        double left = done == 0 ? 0 : elapsed / done * (total - done);
        String eta = done < total ? "ETA " + clock(left) : "in " + clock(elapsed);
        if (terminal) {
            int filled = done * WIDTH / total;
            err.print(String.format(Locale.ROOT, "\r[%s%s] %s: %d/%d %s, %s ", "#".repeat(filled),
                    ".".repeat(WIDTH - filled), doing, done, total, unit, eta));
            if (done == total) {
                err.println();
            }
            err.flush();
        } else {
            err.println(String.format(Locale.ROOT, "%s: %d/%d %s, %s", doing, done, total, unit, eta));
        }
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
