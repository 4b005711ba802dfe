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
 * on stderr with the reason and the batch goes on; a bad argument (an {@link IllegalArgumentException}, such as a
 * class the model does not have) would fail every image alike, and stops the batch at the first.
 */
final class Batch {
    /** The work on one image. */
    interface Work<T> {
        T apply(Path image) throws Exception;
    }

    /** An image that failed, and why. */
    record Failure(Path image, String reason) {
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
     * @param doing what the progress says it is doing: {@code cropping}
     * @param done called on the calling thread with each image's index and result, in input order
     * @return the images that failed, in input order
     */
    static <T> List<Failure> run(String doing, List<Path> images, int threads, PrintWriter err, Work<T> work,
                                 Done<T> done) {
        Progress progress = Progress.of(err, doing, images.size(), "images");
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "convlens-image");
            t.setDaemon(true);
            return t;
        });
        Deque<Future<T>> running = new ArrayDeque<>();
        List<Failure> failed = new java.util.ArrayList<>();
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
                    if (cause instanceof IllegalArgumentException bad) {
                        throw new ConvLens.UsageException(Messages.of(bad));
                    }
                    if (!(cause instanceof ConvLensException || cause instanceof IllegalArgumentException
                            || cause instanceof UncheckedIOException || cause instanceof OutOfMemoryError)) {
                        throw new IllegalStateException("working on " + image + " failed: " + cause, cause);
                    }
                    failed.add(new Failure(image, Messages.of(cause)));
                    err.println(image + ": " + Messages.of(cause));
                }
                progress.step();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.convlens.CancelledException("interrupted after " + failed.size() + " failures");
        } finally {
            pool.shutdownNow();
        }
        return failed;
    }
}
