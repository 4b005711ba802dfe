package dev.convlens.cli;

import dev.convlens.ConvLensException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Works on many images at once and hands the results back in input order, with progress on stderr. At most two
 * images per thread are in flight, so memory does not grow with the number of images. An image that fails is named
 * on stderr with the reason and the batch goes on.
 */
final class Batch {
    /** The work on one image. */
    interface Work<T> {
        T apply(Path image) throws Exception;
    }

    /** What to do with one image's result, on the calling thread. */
    interface Done<T> {
        void accept(int index, Path image, T result);
    }

    private Batch() {
    }

    /**
     * Runs the work on every image.
     *
     * @param done called on the calling thread with each image's index and result, in input order
     * @return the number of images that failed
     */
    static <T> int run(List<Path> images, int threads, PrintWriter err, Work<T> work, Done<T> done) {
        Progress progress = Progress.of(err, images.size());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "convlens-image");
            t.setDaemon(true);
            return t;
        });
        Deque<Future<T>> running = new ArrayDeque<>();
        int failed = 0;
        try {
            int next = 0;
            for (int i = 0; i < images.size(); i++) {
                while (next < images.size() && running.size() < 2 * threads) {
                    Path image = images.get(next++);
                    running.add(pool.submit(() -> work.apply(image)));
                }
                Path image = images.get(i);
                try {
                    done.accept(i, image, running.poll().get());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (!(cause instanceof ConvLensException || cause instanceof IllegalArgumentException
                            || cause instanceof UncheckedIOException || cause instanceof OutOfMemoryError)) {
                        throw new IllegalStateException("working on " + image + " failed: " + cause, cause);
                    }
                    failed++;
                    err.println(image + ": " + cause.getMessage());
                }
                progress.step();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.convlens.CancelledException("interrupted after " + failed + " failures");
        } finally {
            pool.shutdownNow();
        }
        return failed;
    }
}
