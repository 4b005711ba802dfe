package dev.convlens.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of a batch on stderr: a bar redrawn in place with the time left on a terminal, plain lines (at most one a
 * second, and the last) when stderr goes to a file or a pipe. Nothing for a single image.
 */
final class Progress {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final int total;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private int done;
    private long lastPrinted;

    Progress(PrintWriter err, int total, boolean terminal) {
        this.err = err;
        this.total = total;
        this.terminal = terminal;
    }

    /** For stderr as it is: a terminal when the process has a console. */
    static Progress of(PrintWriter err, int total) {
        return new Progress(err, total, System.console() != null);
    }

    /** Counts one image done, and shows it. */
    synchronized void step() {
        done++;
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
            err.print(String.format(Locale.ROOT, "\r[%s%s] %d/%d images, %s ", "#".repeat(filled),
                    ".".repeat(WIDTH - filled), done, total, eta));
            if (done == total) {
                err.println();
            }
            err.flush();
        } else {
            err.println(String.format(Locale.ROOT, "%d/%d images, %s", done, total, eta));
        }
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
