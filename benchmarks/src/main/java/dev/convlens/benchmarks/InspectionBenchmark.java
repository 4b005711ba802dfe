package dev.convlens.benchmarks;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.convlens.FeatureMap;
import dev.convlens.Heatmap;
import dev.convlens.HeatmapMethod;
import dev.convlens.Inspection;
import dev.convlens.Inspector;
import dev.convlens.Preprocessing;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Each step of ConvLens next to the bare ONNX Runtime run it adds to, on one model: see {@link Report}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class InspectionBenchmark {
    /** "seed" (the shipped cats-vs-dogs convnet) or "resnet18". */
    @Param({"seed"})
    public String model;

    private OrtEnvironment env;
    private OrtSession bare;
    private OrtSession exposed;
    private OrtSession exposedNchw;
    private Map<String, OnnxTensor> pinned;
    private OnnxTensor tensor;
    private String inputName;
    private Path modelFile;
    private Path photo;
    private Path jpeg;
    private Inspector inspector;
    private Preprocessing preprocessing;
    private BufferedImage ready;
    private Inspection inspection;
    private Path pngs;

    @Setup(Level.Trial)
    public void setUp() throws OrtException, IOException {
        modelFile = Report.modelFile(model);
        photo = Report.PHOTO;
        jpeg = Files.exists(Report.JPEG) ? Report.JPEG : Report.PHOTO;
        preprocessing = Report.preprocessing(model);
        env = OrtEnvironment.getEnvironment();
        bare = env.createSession(modelFile.toString(), new OrtSession.SessionOptions());
        inputName = bare.getInputNames().iterator().next();
        long[] shape = ((ai.onnxruntime.TensorInfo) bare.getInputInfo().get(inputName).getInfo()).getShape();
        shape[0] = 1;
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] values = new float[n];
        Random random = new Random(1);
        for (int i = 0; i < n; i++) {
            values[i] = random.nextFloat();
        }
        tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
        exposed = env.createSession(Report.exposedFile(model).toString(), new OrtSession.SessionOptions());
        OrtSession.SessionOptions noLayoutChange = new OrtSession.SessionOptions();
        noLayoutChange.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
        exposedNchw = env.createSession(Report.exposedFile(model).toString(), noLayoutChange);
        pinned = new LinkedHashMap<>();
        try (OrtSession.Result result = exposed.run(Map.of(inputName, tensor))) {
            for (Map.Entry<String, OnnxValue> output : result) {
                TensorInfo info = (TensorInfo) output.getValue().getInfo();
                ByteBuffer buffer = ByteBuffer.allocateDirect(Math.toIntExact(info.getNumElements() * Float.BYTES))
                        .order(ByteOrder.nativeOrder());
                pinned.put(output.getKey(), OnnxTensor.createTensor(env, buffer, info.getShape(), OnnxJavaType.FLOAT));
            }
        }
        inspector = Inspector.of(modelFile);
        ready = inspector.image(photo).preprocessing(preprocessing).resized();
        inspection = inspector.image(ready).preprocessing(preprocessing).inspect();
        pngs = Files.createTempDirectory("convlens-bench");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        inspector.close();
        tensor.close();
        pinned.values().forEach(OnnxTensor::close);
        exposedNchw.close();
        exposed.close();
        bare.close();
    }

    /** ONNX Runtime alone: the original model on a ready tensor. */
    @Benchmark
    public void bareRun(Blackhole hole) throws OrtException {
        try (OrtSession.Result result = bare.run(Map.of(inputName, tensor))) {
            hole.consume(result.get(0));
        }
    }

    /**
     * ONNX Runtime alone on the model with every conv layer's output added as a graph output, as {@code
     * benchmarks/expose.py} writes it: the floor of {@link #activations}, before any Java copy.
     */
    @Benchmark
    public void exposedRun(Blackhole hole) throws OrtException {
        consumeAll(exposed, hole);
    }

    /**
     * As {@link #exposedRun}, with every output written into direct buffers made once (pinned outputs): ONNX
     * Runtime's own cost of the exposed layers, without allocating outputs or copying them into Java.
     */
    @Benchmark
    public void exposedPinnedRun(Blackhole hole) throws OrtException {
        try (OrtSession.Result result = exposed.run(Map.of(inputName, tensor), Set.of(), pinned)) {
            hole.consume(result);
        }
    }

    /**
     * As {@link #exposedRun}, with ONNX Runtime's layout optimizations off ({@code EXTENDED}): no blocked NCHWc
     * layout, so no reorder of the exposed layers, but plain convolutions.
     */
    @Benchmark
    public void exposedRunWithoutNchwc(Blackhole hole) throws OrtException {
        consumeAll(exposedNchw, hole);
    }

    private void consumeAll(OrtSession session, Blackhole hole) throws OrtException {
        try (OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            for (Map.Entry<String, OnnxValue> output : result) {
                hole.consume(output.getValue());
            }
        }
    }

    /** Every conv layer's activations (and the model's outputs) for an image already at the input size. */
    @Benchmark
    public List<FeatureMap> activations() {
        return inspector.image(ready).preprocessing(preprocessing).activations();
    }

    /** Every conv layer's grid, 16 per row, from an image already at the input size: the run and the drawing. */
    @Benchmark
    public List<BufferedImage> imageToGrids() {
        return inspector.image(ready).preprocessing(preprocessing).grid(16);
    }

    /** Grad-CAM of the predicted class on the default layer, from an image already at the input size. */
    @Benchmark
    public Heatmap gradCam() {
        return inspector.image(ready).preprocessing(preprocessing).heatmap(HeatmapMethod.GRAD_CAM);
    }

    /**
     * From a 1080x1080 JPEG photo ({@code ../shared}'s dog; the sample PNG without it) to every conv layer's grid
     * written as a PNG file: what the seed's Python route does, timed on the same photo.
     */
    @Benchmark
    public List<Path> jpegToPngs() throws IOException {
        return inspector.image(jpeg).preprocessing(preprocessing).inspect().writeGrids(pngs, 16);
    }

    /** Every conv layer's grid, 16 per row, from activations in hand. */
    @Benchmark
    public List<BufferedImage> render() {
        return inspection.grid(16);
    }

    /** From the image file to every conv layer's grid as BufferedImages. */
    @Benchmark
    public List<BufferedImage> endToEnd() {
        return inspector.image(photo).preprocessing(preprocessing).grid(16);
    }

    /** From the image file to every conv layer's grid written as a PNG file. */
    @Benchmark
    public List<Path> endToEndPng() throws IOException {
        return inspector.image(photo).preprocessing(preprocessing).inspect().writeGrids(pngs, 16);
    }

    /** The same, each grid written with {@code ImageIO.write} instead: what a user would do without writeGrids. */
    @Benchmark
    public void endToEndImageIo() throws IOException {
        List<BufferedImage> grids = inspector.image(photo).preprocessing(preprocessing).grid(16);
        for (int i = 0; i < grids.size(); i++) {
            javax.imageio.ImageIO.write(grids.get(i), "png", pngs.resolve("imageio_" + i + ".png").toFile());
        }
    }

    /** Opening a model with ConvLens: parse, find layers, create the plain session. */
    @Benchmark
    public void inspectorOf() {
        Inspector.of(modelFile).close();
    }

    /** Opening the same model with ONNX Runtime alone. */
    @Benchmark
    public void bareSessionCreation() throws OrtException {
        env.createSession(modelFile.toString(), new OrtSession.SessionOptions()).close();
    }

    /**
     * The median milliseconds of ONNX Runtime alone running the seed model on a batch of random inputs: what a
     * gradient step of filter patterns on as many pictures is compared with.
     */
    static double bareBatchRun(int batch) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(Report.SEED.toString(), new OrtSession.SessionOptions())) {
            String input = session.getInputNames().iterator().next();
            long[] shape = {batch, 180, 180, 3};
            float[] values = new float[batch * 180 * 180 * 3];
            Random random = new Random(1);
            for (int i = 0; i < values.length; i++) {
                values[i] = 255 * random.nextFloat();
            }
            double[] ms = new double[15];
            try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape)) {
                for (int i = -5; i < ms.length; i++) {
                    long start = System.nanoTime();
                    session.run(Map.of(input, tensor)).close();
                    if (i >= 0) {
                        ms[i] = (System.nanoTime() - start) / 1e6;
                    }
                }
            }
            java.util.Arrays.sort(ms);
            return ms[ms.length / 2];
        }
    }
}
