package dev.convlens.benchmarks;

import dev.convlens.AttributionMethod;
import dev.convlens.Heatmap;
import dev.convlens.HeatmapMethod;
import dev.convlens.Inspector;
import dev.convlens.Layer;
import dev.convlens.Options;
import dev.convlens.Preprocessing;
import dev.convlens.Request;
import dev.convlens.UnsupportedModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmarks and prints, side by side from one run, ConvLens's steps as ratios to bare ONNX Runtime,
 * the time of each heatmap method, throughput over the Dogs vs. Cats validation images with 1 and 2 threads, memory,
 * and the seed's Python route from a PNG and from a JPEG photo.
 *
 * <pre>
 * mvn -q -Pbench -DskipTests install && mvn -q -Pbench -pl benchmarks exec:exec [-Dquick=true]
 * </pre>
 */
public final class Report {
    static final Path SEED = Path.of("models/cats_vs_dogs_small.onnx");
    static final Path RESNET = Path.of("benchmarks/target/resnet18.onnx");
    static final Path PHOTO = Path.of("examples/images/chelsea.png");
    static final Path VALIDATION = Path.of("../shared/data/cats_vs_dogs/validation");
    /** A 1080x1080 JPEG photo, for the route from a camera's file to PNG files. */
    static final Path JPEG = Path.of("../shared/images/dog_1080x1080.jpg");
    private Report() {
    }

    static Path modelFile(String model) {
        return model.equals("resnet18") ? RESNET : SEED;
    }

    /** The model with ConvLens's conv layer outputs exposed by {@code benchmarks/expose.py}. */
    static Path exposedFile(String model) {
        return Path.of("benchmarks/target/" + model + "_exposed.onnx");
    }

    static Preprocessing preprocessing(String model) {
        return model.equals("resnet18") ? Preprocessing.IMAGENET : Preprocessing.RAW;
    }

    /**
     * Runs everything and prints the report.
     *
     * @param args unused
     * @throws Exception if a benchmark cannot run
     */
    public static void main(String[] args) throws Exception {
        boolean quick = Boolean.getBoolean("convlens.report.quick");
        System.out.printf("ConvLens benchmark report: %d cores, Java %s, %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), quick ? "quick run" : "full run");
        List<String> models = new ArrayList<>(List.of("seed"));
        if (ensureResnet()) {
            models.add("resnet18");
        }
        if ("explainers".equals(System.getProperty("convlens.report.only"))) { // -Donly=explainers
            explainers(models, quick);
            return;
        }
        if ("cams".equals(System.getProperty("convlens.report.only"))) { // -Donly=cams
            againstPytorchGradCam(models);
            return;
        }
        for (String model : models) {
            expose(model);
        }
        Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
        for (String model : models) {
            medians.put(model, jmh(model, quick));
        }
        printSteps(medians);
        for (Map.Entry<String, Map<String, Double>> e : medians.entrySet()) {
            Map<String, Double> m = e.getValue();
            double ours = m.get("endToEndPng") - m.get("endToEnd");
            double imageIo = m.get("endToEndImageIo") - m.get("endToEnd");
            System.out.printf(Locale.ROOT, "%-10s writing the PNGs: writeGrids %.1f ms, ImageIO.write %.1f ms (%.1fx)%n",
                    e.getKey(), ours, imageIo, imageIo / ours);
        }
        double python = pythonRoute(quick, PHOTO);
        double png = medians.get("seed").get("endToEndPng");
        if (python > 0) {
            System.out.printf(Locale.ROOT, "%nSeed's Python route (hooks, numpy grid loop, imshow + savefig): %.1f ms"
                    + " per image; ConvLens end to end to the same five PNG files: %.1f ms: %.1fx faster%n", python, png,
                    python / png);
        }
        if (Files.exists(JPEG)) {
            double pythonJpeg = pythonRoute(quick, JPEG);
            double jpeg = medians.get("seed").get("jpegToPngs");
            if (pythonJpeg > 0) {
                System.out.printf(Locale.ROOT, "The same from the 1080x1080 JPEG %s: Python %.1f ms, ConvLens %.1f ms:"
                        + " %.1fx faster%n", JPEG.getFileName(), pythonJpeg, jpeg, pythonJpeg / jpeg);
            }
        } else {
            System.out.println("The JPEG route skipped: " + JPEG + " not found");
        }
        throughput(quick ? 200 : 1000);
        peakMemoryOfTheExample();
        heatmaps(models, medians, quick); // late: Score-CAM's batches grow the heap, which would blur the memory figures
        attributions(models, medians, quick);
        patterns(medians.get("seed").get("bareRun"), quick);
        explainers(models, quick);
        againstPytorchGradCam(models);
    }

    /**
     * Score-CAM and Ablation-CAM beside pytorch-grad-cam's own classes on the same weights, photo and threads
     * ({@code benchmarks/cam_torch.py}), in one run: ConvLens's median of three calls after one, then Python's. The
     * folder holding pytorch_grad_cam is {@code -Dconvlens.report.pytorchGradCam=DIR}; without it, skipped.
     */
    private static void againstPytorchGradCam(List<String> models) throws Exception {
        System.out.printf("%nScore-CAM and Ablation-CAM against pytorch-grad-cam's own code (same weights, photo and"
                + " two threads; default batches: ConvLens 16, pytorch-grad-cam 16 and 32): median seconds%n");
        String folder = System.getProperty("convlens.report.pytorchGradCam");
        if (folder == null || !Files.isDirectory(Path.of(folder, "pytorch_grad_cam"))) {
            System.out.println("  skipped: give -Dconvlens.report.pytorchGradCam=DIR, the folder that holds"
                    + " pytorch_grad_cam/ (and ttach/)");
            return;
        }
        Map<String, Double> ours = new LinkedHashMap<>();
        for (String model : models) {
            try (Inspector inspector = Inspector.of(modelFile(model))) {
                Request request = inspector.image(PHOTO).preprocessing(preprocessing(model));
                for (HeatmapMethod method : List.of(HeatmapMethod.SCORE_CAM, HeatmapMethod.ABLATION_CAM)) {
                    request.heatmap(method);
                    double[] s = new double[3];
                    for (int i = 0; i < s.length; i++) {
                        long start = System.nanoTime();
                        request.heatmap(method);
                        s[i] = (System.nanoTime() - start) / 1e9;
                    }
                    Arrays.sort(s);
                    ours.put(method + " " + model, s[1]);
                }
            }
        }
        Process p = new ProcessBuilder("/usr/bin/python3", "benchmarks/cam_torch.py", folder).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        Matcher m = Pattern.compile("^(\\w+ \\w+) ([0-9.]+) s$", Pattern.MULTILINE).matcher(out);
        Map<String, Double> theirs = new LinkedHashMap<>();
        while (m.find()) {
            theirs.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        for (Map.Entry<String, Double> e : ours.entrySet()) {
            Double torch = theirs.get(e.getKey());
            System.out.printf(Locale.ROOT, "  %-24s ConvLens %7.3f s, pytorch-grad-cam %s%n", e.getKey(), e.getValue(),
                    torch == null ? "not run: " + out.lines().reduce((a, b) -> b).orElse("")
                            : String.format(Locale.ROOT, "%7.3f s: %.1fx faster", torch, torch / e.getValue()));
        }
    }

    /**
     * Explainers beside the bare model, in ONNX Runtime Java (JMH) and in onnxruntime-node
     * ({@code examples/web/run-explainer.mjs}, medians of 30 runs after one), in one run.
     */
    private static void explainers(List<String> models, boolean quick) throws Exception {
        System.out.printf("%nExplainers: median milliseconds of a run, and the ratio to the bare model's run in the"
                + " same runtime (picture at the model's size; on the 451x300 photo, resized in the graph)%n");
        System.out.printf("%-10s %-17s %9s %17s %17s %9s %17s%n", "model", "method", "Java bare", "Java explainer",
                "Java on photo", "Node bare", "Node explainer");
        for (String model : models) {
            for (String method : List.of("grad-cam", "gradient", "input-x-gradient")) {
                OptionsBuilder options = new OptionsBuilder();
                options.include(ExplainerBenchmark.class.getName() + "\\.").param("model", model)
                        .param("method", method).forks(1).warmupIterations(quick ? 1 : 3)
                        .warmupTime(TimeValue.seconds(quick ? 1 : 2)).measurementIterations(quick ? 2 : 5)
                        .measurementTime(TimeValue.seconds(2)).shouldFailOnError(true);
                Map<String, Double> m = new LinkedHashMap<>();
                for (RunResult r : new Runner(options.build()).run()) {
                    String name = r.getParams().getBenchmark();
                    m.put(name.substring(name.lastIndexOf('.') + 1),
                            r.getPrimaryResult().getStatistics().getPercentile(50));
                }
                double bare = m.get("bareRun");
                Path explainer = ExplainerBenchmark.write(model, method);
                double[] node = nodeTimes(model, explainer);
                System.out.printf(Locale.ROOT, "%-10s %-17s %9.2f %9.2f (%4.2fx) %9.2f (%4.2fx) %9.2f %9.2f (%4.2fx)%n",
                        model, method, bare, m.get("explainerAtInputSize"), m.get("explainerAtInputSize") / bare,
                        m.get("explainerOnPhoto"), m.get("explainerOnPhoto") / bare, node[0], node[1],
                        node[1] / node[0]);
            }
        }
    }

    /** Node's medians for the bare model and the explainer on a picture at the model's size; NaN without node. */
    private static double[] nodeTimes(String model, Path explainer) throws Exception {
        Path web = Path.of("examples/web");
        if (!Files.isDirectory(web.resolve("node_modules/onnxruntime-node"))) {
            return new double[] {Double.NaN, Double.NaN};
        }
        int side = model.equals("resnet18") ? 224 : 180;
        String dims = model.equals("resnet18") ? "1,3,224,224" : "1,180,180,3";
        Path rgb = Files.createTempFile("convlens-picture", ".rgb");
        try (Inspector inspector = Inspector.of(modelFile(model))) {
            java.awt.image.BufferedImage p = inspector.image(PHOTO).preprocessing(preprocessing(model)).resized();
            byte[] bytes = new byte[side * side * 3];
            for (int i = 0; i < side * side; i++) {
                int c = p.getRGB(i % side, i / side);
                bytes[3 * i] = (byte) (c >> 16);
                bytes[3 * i + 1] = (byte) (c >> 8);
                bytes[3 * i + 2] = (byte) c;
            }
            Files.write(rgb, bytes);
        }
        double bare = nodeMedian(web, modelFile(model).toAbsolutePath().toString(), "--bare", dims, "--bench", "30");
        double ours = nodeMedian(web, explainer.toAbsolutePath().toString(), rgb.toString(), String.valueOf(side),
                String.valueOf(side), "-1", "--bench", "30");
        Files.delete(rgb);
        return new double[] {bare, ours};
    }

    private static double nodeMedian(Path web, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", "run-explainer.mjs"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(web.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("node failed: " + out);
        }
        Matcher m = Pattern.compile("\\{\"times\":\\[([^\\]]*)\\]\\}").matcher(out);
        if (!m.find()) {
            throw new IOException("node printed no times: " + out);
        }
        double[] times = Arrays.stream(m.group(1).split(",")).mapToDouble(Double::parseDouble).sorted().toArray();
        return times[times.length / 2];
    }

    /** Median time of each attribution method on the sample photo, as the heatmaps'. */
    private static void attributions(List<String> models, Map<String, Map<String, Double>> medians, boolean quick) {
        System.out.printf("%nPixel attributions on the sample photo, default target class: median milliseconds (and"
                + " ratio to the bare run)%n");
        for (String model : models) {
            double bare = medians.get(model).get("bareRun");
            try (Inspector inspector = Inspector.of(modelFile(model))) {
                Request request = inspector.image(PHOTO).preprocessing(preprocessing(model));
                for (AttributionMethod method : AttributionMethod.values()) {
                    request.attribution(method); // builds its sessions
                    double[] ms = new double[quick ? 1 : 3];
                    for (int i = 0; i < ms.length; i++) {
                        long start = System.nanoTime();
                        request.attribution(method);
                        ms[i] = (System.nanoTime() - start) / 1e6;
                    }
                    Arrays.sort(ms);
                    double median = ms[ms.length / 2];
                    System.out.printf(Locale.ROOT, "%-10s %-22s %9.1f (%6.1fx)%n", model, method, median,
                            median / bare);
                }
            }
        }
    }

    /**
     * Filter patterns of the seed's conv2d_3 with the defaults, and PyTorch's same loop on the same weights side by
     * side; a gradient step against a forward pass of the same batch of 16 in ONNX Runtime.
     */
    private static void patterns(double bareRun, boolean quick) throws Exception {
        int channels = quick ? 16 : 64;
        System.out.printf("%nFilter patterns of the seed's conv2d_3, defaults (40 steps, batches of 16):%n");
        try (Inspector inspector = Inspector.of(SEED)) {
            int[] first = java.util.stream.IntStream.range(0, channels).toArray();
            inspector.patterns("conv2d_3").channels(0).steps(1, 10).list(); // builds its sessions
            long start = System.nanoTime();
            inspector.patterns("conv2d_3").channels(first).list();
            double ours = (System.nanoTime() - start) / 1e9;
            int[] sixteen = java.util.stream.IntStream.range(0, 16).toArray();
            inspector.patterns("conv2d_3").channels(sixteen).steps(1, 10).list();
            start = System.nanoTime();
            inspector.patterns("conv2d_3").channels(sixteen).steps(1, 10).list();
            double one = (System.nanoTime() - start) / 1e6;
            start = System.nanoTime();
            inspector.patterns("conv2d_3").channels(sixteen).steps(11, 10).list();
            double step = ((System.nanoTime() - start) / 1e6 - one) / 10;
            double forward = InspectionBenchmark.bareBatchRun(16);
            System.out.printf(Locale.ROOT, "  ConvLens: %d patterns in %.1f s; one gradient step of 16 pictures %.1f"
                    + " ms, %.2fx ONNX Runtime's forward pass of the same 16 (%.1f ms; %.2f ms for one)%n", channels,
                    ours, step, step / forward, forward, bareRun);
            Process p = new ProcessBuilder("/usr/bin/python3", "benchmarks/patterns_torch.py", "--channels",
                    String.valueOf(channels)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            Matcher m = Pattern.compile("([0-9.]+) s$").matcher(out);
            if (m.find()) {
                double torch = Double.parseDouble(m.group(1));
                System.out.printf(Locale.ROOT, "  PyTorch, the same loop: %.1f s: ConvLens takes %.2fx PyTorch's"
                        + " time (%s)%n", torch, ours / torch, ours < torch ? "faster" : "slower");
            } else {
                System.out.println("  PyTorch's loop skipped: " + out.lines().reduce((a, b) -> b).orElse(""));
            }
        }
    }

    /** Median time of each heatmap method on the sample photo, after a first call that also builds its sessions. */
    private static void heatmaps(List<String> models, Map<String, Map<String, Double>> medians, boolean quick) {
        System.out.printf("%nHeatmaps on the sample photo, default target class and layer: median milliseconds"
                + " (and ratio to the bare run)%n");
        for (String model : models) {
            double bare = medians.get(model).get("bareRun");
            try (Inspector inspector = Inspector.of(modelFile(model))) {
                Request request = inspector.image(PHOTO).preprocessing(preprocessing(model));
                for (HeatmapMethod method : HeatmapMethod.values()) {
                    double[] ms = new double[quick ? 1 : 3];
                    Heatmap heatmap;
                    try {
                        heatmap = request.heatmap(method);
                    } catch (UnsupportedModelException e) {
                        System.out.printf("%-10s %-20s not applicable: %s%n", model, method, e.getMessage().split(",")[0]);
                        continue;
                    }
                    for (int i = 0; i < ms.length; i++) {
                        long start = System.nanoTime();
                        request.heatmap(method);
                        ms[i] = (System.nanoTime() - start) / 1e6;
                    }
                    Arrays.sort(ms);
                    double median = ms[ms.length / 2];
                    System.out.printf(Locale.ROOT, "%-10s %-20s %9.1f (%6.1fx)  %dx%d on %s%n", model, method, median,
                            median / bare, heatmap.width(), heatmap.height(), heatmap.layer().name());
                }
            }
        }
    }

    /** Median milliseconds of every step on one model. */
    private static Map<String, Double> jmh(String model, boolean quick) throws RunnerException {
        OptionsBuilder options = new OptionsBuilder();
        options.include(InspectionBenchmark.class.getName() + "\\.").param("model", model).forks(1)
                .warmupIterations(quick ? 1 : 3).warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 5).measurementTime(TimeValue.seconds(2))
                .shouldFailOnError(true);
        Map<String, Double> medians = new LinkedHashMap<>();
        for (RunResult r : new Runner(options.build()).run()) {
            String name = r.getParams().getBenchmark();
            medians.put(name.substring(name.lastIndexOf('.') + 1),
                    r.getPrimaryResult().getStatistics().getPercentile(50));
        }
        return medians;
    }

    private static void printSteps(Map<String, Map<String, Double>> medians) {
        System.out.printf("%nMedian milliseconds per call, and the ratio to the bare ONNX Runtime run:%n");
        System.out.printf("%-10s %9s %20s %20s %20s %11s %12s %26s%n", "model", "bare run", "ORT, layers exposed",
                "activations()", "render all grids", "end to end", "+ PNG files", "Inspector.of vs session");
        for (Map.Entry<String, Map<String, Double>> e : medians.entrySet()) {
            Map<String, Double> m = e.getValue();
            double bare = m.get("bareRun");
            System.out.printf(Locale.ROOT, "%-10s %9.2f %11.2f (%5.2fx) %11.2f (%5.2fx) %11.2f (%5.2fx) %11.2f %12.2f"
                            + " %9.1f / %.1f (%.2fx)%n", e.getKey(), bare, m.get("exposedRun"),
                    m.get("exposedRun") / bare, m.get("activations"), m.get("activations") / bare, m.get("render"),
                    m.get("render") / bare, m.get("endToEnd"), m.get("endToEndPng"), m.get("inspectorOf"),
                    m.get("bareSessionCreation"), m.get("inspectorOf") / m.get("bareSessionCreation"));
        }
        System.out.printf("%n%-10s %9s %26s %20s%n", "model", "bare run", "decoded image to all grids", "Grad-CAM");
        for (Map.Entry<String, Map<String, Double>> e : medians.entrySet()) {
            Map<String, Double> m = e.getValue();
            double bare = m.get("bareRun");
            System.out.printf(Locale.ROOT, "%-10s %9.2f %18.2f (%5.2fx) %12.2f (%5.2fx)%n", e.getKey(), bare,
                    m.get("imageToGrids"), m.get("imageToGrids") / bare, m.get("gradCam"), m.get("gradCam") / bare);
        }
        for (Map.Entry<String, Map<String, Double>> e : medians.entrySet()) {
            Map<String, Double> m = e.getValue();
            double bare = m.get("bareRun");
            System.out.printf(Locale.ROOT, "%-10s floors: ORT, layers exposed into pinned buffers %.2f (%.2fx);"
                            + " the same without the NCHWc layout %.2f (%.2fx)%n", e.getKey(),
                    m.get("exposedPinnedRun"), m.get("exposedPinnedRun") / bare, m.get("exposedRunWithoutNchwc"),
                    m.get("exposedRunWithoutNchwc") / bare);
        }
    }

    /** Images per second, end to end to grids, over the validation images, with 1 and 2 threads. */
    private static void throughput(int limit) throws Exception {
        if (!Files.isDirectory(VALIDATION)) {
            System.out.println("\nThroughput skipped: " + VALIDATION + " not found");
            return;
        }
        List<Path> images;
        try (Stream<Path> files = Files.walk(VALIDATION)) {
            images = files.filter(p -> p.toString().endsWith(".jpg")).sorted().limit(limit).toList();
        }
        System.out.printf("%nThroughput over %d validation images (decode, inspect, all five grids), seed model:%n",
                images.size());
        double single = 0;
        for (int threads : new int[] {1, 2}) {
            try (Inspector inspector = Inspector.of(SEED, Options.defaults().threads(1))) {
                run(inspector, images.subList(0, Math.min(50, images.size())), threads, false); // warm-up
                double rate = run(inspector, images, threads, threads == 1);
                if (threads == 1) {
                    single = rate;
                }
                System.out.printf(Locale.ROOT, "  %d thread%s, ONNX Runtime 1 intra-op thread each: %6.1f images/s%s%n",
                        threads, threads == 1 ? " " : "s", rate,
                        threads == 1 ? "" : String.format(Locale.ROOT, "  (%.2fx one thread)", rate / single));
            }
        }
        try (Inspector inspector = Inspector.of(SEED)) {
            run(inspector, images.subList(0, Math.min(50, images.size())), 1, false);
            System.out.printf(Locale.ROOT, "  1 thread,  ONNX Runtime's default threads:     %6.1f images/s%n",
                    run(inspector, images, 1, false));
        }
    }

    private static double run(Inspector inspector, List<Path> images, int threads, boolean memory) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < images.size(); i = next.getAndIncrement()) {
                    inspector.image(images.get(i)).grid(16);
                    int n = done.incrementAndGet();
                    if (memory && (n == 100 || n == images.size() / 2 || n == images.size())) {
                        System.out.printf("    resident memory after %4d images: %d MB%n", n, residentKb("self") / 1024);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.MINUTES);
        return images.size() / ((System.nanoTime() - start) / 1e9);
    }

    /** Runs the README's main job in a child JVM and samples its resident memory until it exits. */
    private static void peakMemoryOfTheExample() throws IOException, InterruptedException {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.convlens.examples.FeatureMaps", "--out",
                Files.createTempDirectory("convlens-example").toString()).redirectErrorStream(true).start();
        long peak = 0;
        while (child.isAlive()) {
            peak = Math.max(peak, residentKb(String.valueOf(child.pid())));
            Thread.sleep(5);
        }
        child.getInputStream().readAllBytes();
        System.out.printf("%nPeak resident memory of the README's main command (FeatureMaps, default model and image):"
                + " %d MB (sampled every 5 ms)%n", peak / 1024);
    }

    private static long residentKb(String pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0; // the process ended between the check and the read
        }
        return 0;
    }

    /** The seed's route in Python, on the same model weights and image; -1 if Python or torch is missing. */
    private static double pythonRoute(boolean quick, Path image) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("/usr/bin/python3", "benchmarks/seed_route.py", "--runs", quick ? "3" : "10",
                    "--image", image.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            System.out.println("\nSeed's Python route skipped: no /usr/bin/python3");
            return -1;
        }
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        Matcher m = Pattern.compile("median ([0-9.]+) ms").matcher(out);
        if (!m.find()) {
            System.out.println("\nSeed's Python route skipped: " + out.strip().lines().reduce((a, b) -> b).orElse(""));
            return -1;
        }
        return Double.parseDouble(m.group(1));
    }

    /** Writes the model with the outputs ConvLens exposes added by the onnx package, for the exposedRun floor. */
    private static void expose(String model) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "benchmarks/expose.py",
                modelFile(model).toString(), exposedFile(model).toString()));
        try (Inspector inspector = Inspector.of(modelFile(model))) {
            inspector.layers().stream().filter(l -> l.kind() == Layer.Kind.CONVOLUTION).forEach(l -> command.add(l.output()));
        }
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("benchmarks/expose.py failed: it needs /usr/bin/python3 with python3-onnx");
        }
    }

    /** Exports the ResNet-18 with Debian's python3-torch if it is not there yet. */
    private static boolean ensureResnet() throws IOException, InterruptedException {
        if (Files.exists(RESNET)) {
            return true;
        }
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "benchmarks/resnet18.py", RESNET.toString())
                    .inheritIO().start();
            if (p.waitFor() == 0 && Files.exists(RESNET)) {
                return true;
            }
        } catch (IOException e) {
            // reported below
        }
        System.out.println("ResNet-18 skipped: exporting it needs /usr/bin/python3 with Debian's python3-torch");
        return false;
    }
}
