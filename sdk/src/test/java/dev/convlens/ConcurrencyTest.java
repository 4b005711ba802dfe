package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convlens.onnx.Onnx;
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

/** One inspector shared by threads, closed while in use, and run thousands of times: same answers, no leaks. */
class ConcurrencyTest {
    private static final int THREADS = 8;
    private static final int H = 64;
    private static final int W = 48;
    /** The most resident memory a run may keep, on average: a sixteenth of a leaked result's 256 KB. */
    private static final int MAX_KB_PER_RUN = 16;

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
     * Runs inspections in a {@link ChildJvm} (a 256 MB heap; C2 would add 20 MB after some 3000 runs here) and bounds
     * what each run adds, fitted over many samples, far below what a leak adds. The model returns its first layer as
     * an output too, so each run's ONNX Runtime result holds 256 KB that ONNX Runtime allocated (layers that are not
     * model outputs go to pinned buffers instead). After a warm-up, the least-squares slope of resident memory over the measured runs must stay under
     * {@link #MAX_KB_PER_RUN}: a leaked result (256 KB per run) or an input buffer kept per run (196 KB) is over ten
     * times that, while a one-time step of 20 MB in mid-run, as large as C2's, stays under it. An input tensor left
     * unclosed is not caught: the garbage collector frees its buffer, and the few hundred bytes ONNX Runtime keeps
     * for it are below what resident memory resolves in a test's time.
     */
    @Test
    void residentMemoryDoesNotGrowWithInspections() throws Exception {
        String out = ChildJvm.run(MemoryProbe.class, 256);
        long[][] samples = out.lines().filter(l -> l.startsWith("rss ")).map(l -> l.split(" "))
                .map(f -> new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])}).toArray(long[][]::new);
        assertThat(samples).as(out).hasDimensions(MemoryProbe.MEASURED / MemoryProbe.EVERY + 1, 2);
        double kbPerRun = slope(samples);
        System.out.printf("resident memory over %d inspections after %d of warm-up, fixed 256 MB heap, every %d runs"
                + " (MB): %s; slope %.2f KB per run (bound %d)%n", MemoryProbe.MEASURED, MemoryProbe.WARM_UP,
                MemoryProbe.EVERY, Arrays.toString(Arrays.stream(samples).mapToLong(s -> s[1] / 1024).toArray()),
                kbPerRun, MAX_KB_PER_RUN);
        assertThat(kbPerRun).as("KB of resident memory kept per run").isLessThan(MAX_KB_PER_RUN);
    }

    /** The least-squares slope of y over x, for pairs {x, y}. */
    private static double slope(long[][] xy) {
        double mx = Arrays.stream(xy).mapToLong(p -> p[0]).average().orElseThrow();
        double my = Arrays.stream(xy).mapToLong(p -> p[1]).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        for (long[] p : xy) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
        }
        return sxy / sxx;
    }

    /** The child process: runs inspections and prints "rss RUN KB" every {@link #EVERY} runs after the warm-up. */
    static final class MemoryProbe {
        static final int WARM_UP = 500;
        static final int MEASURED = 2000;
        static final int EVERY = 50;

        public static void main(String[] args) throws IOException {
            Onnx.ModelProto model = Onnx.ModelProto.parseFrom(new TestModels(
                    new TestModels.Spec(Layout.NCHW, 3, 128, 128, false, false, 3)).bytes());
            Onnx.GraphProto graph = model.getGraph().toBuilder()
                    .addOutput(Onnx.ValueInfoProto.newBuilder().setName("/relu1/Relu_output_0")).build();
            try (Inspector inspector = Inspector.of(model.toBuilder().setGraph(graph).build().toByteArray())) {
                BufferedImage image = InspectorTest.rgbImage(160, 120, 4); // resized on every run
                for (int i = 1; i <= WARM_UP + MEASURED; i++) {
                    inspector.image(image).inspect().grid(4);
                    if (i >= WARM_UP && (i - WARM_UP) % EVERY == 0) {
                        System.out.println("rss " + i + " " + ChildJvm.residentKb());
                    }
                }
            }
        }
    }
}
