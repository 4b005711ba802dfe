package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One inspector shared by threads, closed while in use, and run 2000 times: same answers, no leaks. */
class ConcurrencyTest {
    private static final int THREADS = 8;
    private static final int H = 64;
    private static final int W = 48;

    /** Everything a run returns that a caller could compare: activations, outputs, grid pixels. */
    record Answer(List<float[]> activations, float[] output, List<int[]> grids) {
        static Answer of(Inspection r) {
            List<float[]> maps = r.activations().stream().map(FeatureMap::values).toList();
            List<int[]> grids = r.grid(8).stream()
                    .map(g -> g.getRGB(0, 0, g.getWidth(), g.getHeight(), null, 0, g.getWidth())).toList();
            return new Answer(maps, r.output().values(), grids);
        }

        boolean sameAs(Answer o) {
            if (!Arrays.equals(output, o.output) || activations.size() != o.activations.size()) {
                return false;
            }
            for (int i = 0; i < activations.size(); i++) {
                if (!Arrays.equals(activations.get(i), o.activations.get(i)) || !Arrays.equals(grids.get(i), o.grids.get(i))) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Images of several sizes (so they are resized) and, where ../shared is present, real photos. */
    private static List<Object> images() throws IOException {
        List<Object> images = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            images.add(InspectorTest.rgbImage(W + 13 * i, H + 7 * i, 100 + i));
        }
        for (String name : List.of("cat_1000x1000.jpg", "gray_hopper_128.jpg", "cmyk_100x100.jpg",
                "tiger_cutout_rgba_alpha.png")) {
            java.util.Optional<Path> photo = Shared.optional("images/" + name);
            if (photo.isPresent()) {
                images.add(Files.readAllBytes(photo.get()));
            }
        }
        return images;
    }

    private static Request request(Inspector inspector, Object image) {
        Request r = image instanceof BufferedImage b ? inspector.image(b) : inspector.image((byte[]) image);
        return r.preprocessing(Preprocessing.SCALED.withInterpolation(Interpolation.BILINEAR));
    }

    @Test
    void eightThreadsGetTheSequentialAnswers() throws Exception {
        List<Object> images = images();
        try (Inspector inspector = Inspector.of(new TestModels(new TestModels.Spec(Layout.NCHW, 3, H, W, false, false, 3))
                .bytes())) {
            List<Answer> expected = new ArrayList<>();
            for (Object image : images) {
                expected.add(Answer.of(request(inspector, image).inspect()));
            }
            int perThread = 30;
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = t;
                done.add(pool.submit(() -> {
                    List<Integer> order = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        order.add(i % images.size());
                    }
                    Collections.shuffle(order, new Random(seed));
                    start.await();
                    int same = 0;
                    for (int i : order) {
                        if (Answer.of(request(inspector, images.get(i)).inspect()).sameAs(expected.get(i))) {
                            same++;
                        }
                    }
                    return same;
                }));
            }
            start.countDown();
            int same = 0;
            for (Future<Integer> f : done) {
                same += f.get(5, TimeUnit.MINUTES);
            }
            pool.shutdown();
            System.out.printf("concurrency: %d threads x %d runs on %d images, %d of %d identical to the sequential"
                    + " answers (activations, outputs and grid pixels)%n", THREADS, perThread, images.size(), same,
                    THREADS * perThread);
            assertThat(same).isEqualTo(THREADS * perThread);
        }
    }

    @Test
    void closingWhileOtherThreadsRunIsSafe() throws Exception {
        Inspector inspector = Inspector.of(new TestModels(new TestModels.Spec(Layout.NCHW, 3, H, W, false, false, 3))
                .bytes());
        BufferedImage image = InspectorTest.rgbImage(W, H, 1);
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        CountDownLatch everyThreadRan = new CountDownLatch(THREADS);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Request request = inspector.image(image); // made before close, so its runs after close are refused
            Thread thread = new Thread(() -> {
                boolean ran = false;
                try {
                    while (true) {
                        request.grid(4);
                        completed.incrementAndGet();
                        if (!ran) {
                            ran = true;
                            everyThreadRan.countDown();
                        }
                    }
                } catch (IllegalStateException e) {
                    if ("Inspector is closed".equals(e.getMessage())) {
                        refused.incrementAndGet();
                    } else {
                        unexpected.add(e);
                    }
                } catch (Throwable e) {
                    unexpected.add(e);
                } finally {
                    if (!ran) {
                        everyThreadRan.countDown(); // failed before its first run: the assertions below say so
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        // close only once every thread has completed a run and is running again, on any machine speed
        assertThat(everyThreadRan.await(5, TimeUnit.MINUTES)).isTrue();
        inspector.close();
        for (Thread t : threads) {
            t.join(60_000);
            assertThat(t.isAlive()).isFalse();
        }
        System.out.printf("close under load: %d runs completed, then %d threads refused with 'Inspector is closed'%n",
                completed.get(), refused.get());
        assertThat(unexpected).isEmpty();
        assertThat(refused.get()).isEqualTo(THREADS);
        assertThat(completed.get()).isGreaterThanOrEqualTo(THREADS);
    }

    /**
     * Runs 2000 inspections in a child JVM whose heap is fixed and touched up front (-Xms = -Xmx,
     * -XX:+AlwaysPreTouch), so its resident memory moves only with native memory: ONNX Runtime's tensors and
     * results.
     */
    @Test
    void twoThousandInspectionsKeepResidentMemoryFlat() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"),
                MemoryProbe.class.getName(), "2000").redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes());
        assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(child.exitValue()).as(out).isZero();
        long[] kb = out.lines().filter(l -> l.startsWith("rss ")).mapToLong(l -> Long.parseLong(l.split(" ")[2]))
                .toArray();
        assertThat(kb).as(out).hasSize(8);
        long firstHalf = Math.max(Math.max(kb[0], kb[1]), Math.max(kb[2], kb[3]));
        long secondHalf = Math.max(Math.max(kb[4], kb[5]), Math.max(kb[6], kb[7]));
        System.out.printf("resident memory over 2000 inspections, fixed 256 MB heap, every 250 runs (MB): %s;"
                + " highest in runs 250-1000: %d MB, in runs 1250-2000: %d MB%n",
                java.util.Arrays.toString(java.util.Arrays.stream(kb).map(k -> k / 1024).toArray()),
                firstHalf / 1024, secondHalf / 1024);
        // A leaked input tensor (196 KB) or ONNX Runtime result per run would add 190 MB or more over 1000 runs;
        // allocators give back and take memory in chunks of a few tens of MB, so compare the highs.
        assertThat(secondHalf - firstHalf).as("KB of growth of the high, second thousand runs over the first")
                .isLessThan(32 * 1024);
    }

    /** VmRSS from /proc, in KB. */
    static long residentKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new AssertionError("no VmRSS in /proc/self/status");
    }

    /** The child process: runs inspections and prints "rss RUN KB" every 250 runs. */
    static final class MemoryProbe {
        public static void main(String[] args) throws IOException {
            int runs = Integer.parseInt(args[0]);
            try (Inspector inspector = Inspector.of(new TestModels(
                    new TestModels.Spec(Layout.NCHW, 3, 128, 128, false, false, 3)).bytes())) {
                BufferedImage image = InspectorTest.rgbImage(160, 120, 4); // resized on every run
                for (int i = 1; i <= runs; i++) {
                    inspector.image(image).inspect().grid(4);
                    if (i % 250 == 0) {
                        System.out.println("rss " + i + " " + residentKb());
                    }
                }
            }
        }
    }
}
