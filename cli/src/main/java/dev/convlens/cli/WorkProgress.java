package dev.convlens.cli;

import dev.convlens.ProgressListener;
import java.io.PrintWriter;

/**
 * The SDK's progress of one image's long work (occlusion's positions, Score-CAM's masked inputs, an evaluation's
 * runs) as {@link Progress} bars on stderr: each piece of work shown once it has run a second, so that the quick
 * ones, most of them, print nothing.
 */
final class WorkProgress implements ProgressListener {
    private static final long QUIET_NANOS = 1_000_000_000L;
    private final PrintWriter err;
    private String work;
    private long started;
    private long shown;
    private Progress bar;

    WorkProgress(PrintWriter err) {
        this.err = err;
    }

    @Override
    public synchronized void progress(String work, long done, long total) {
        long now = System.nanoTime();
        if (!work.equals(this.work) || done < shown) { // a new piece of work
            this.work = work;
            started = now;
            shown = 0;
            bar = null;
        }
        if (bar != null) {
            bar.step(Math.toIntExact(done - shown));
        } else if (now - started >= QUIET_NANOS && done < total) {
            int colon = work.indexOf(": ");
            bar = Progress.of(err, colon < 0 ? work : work.substring(0, colon), Math.toIntExact(total),
                    colon < 0 ? "runs" : work.substring(colon + 2));
            bar.step(Math.toIntExact(done));
        }
        shown = done;
    }
}
