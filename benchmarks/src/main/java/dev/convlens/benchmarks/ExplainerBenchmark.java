package dev.convlens.benchmarks;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.convlens.AttributionMethod;
import dev.convlens.ExplanationMethod;
import dev.convlens.HeatmapMethod;
import dev.convlens.Inspector;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
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
 * An explainer's run in ONNX Runtime Java beside the bare model's, as an app runs both: the bare model on a ready
 * tensor, the explainer on a picture already at the model's size (its resize is then the identity) and on the
 * sample photo (451x300, resized in the graph). See {@link Report}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ExplainerBenchmark {
    /** "seed" or "resnet18". */
    @Param({"seed"})
    public String model;

    /** "grad-cam", "gradient" or "input-x-gradient". */
    @Param({"grad-cam"})
    public String method;

    private OrtSession bare;
    private OrtSession explainer;
    private Map<String, OnnxTensor> tensorFeed;
    private Map<String, OnnxTensor> atInputSize;
    private Map<String, OnnxTensor> onPhoto;

    /** A method by its command-line name. */
    static ExplanationMethod method(String name) {
        return switch (name) {
            case "grad-cam" -> HeatmapMethod.GRAD_CAM;
            case "gradient" -> AttributionMethod.GRADIENT;
            case "input-x-gradient" -> AttributionMethod.INPUT_X_GRADIENT;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The explainer the report times, written next to the model for Node's timing too. */
    static java.nio.file.Path write(String model, String method) throws IOException {
        java.nio.file.Path file = java.nio.file.Path.of("benchmarks/target/" + model + "_" + method + ".onnx");
        try (Inspector inspector = Inspector.of(Report.modelFile(model))) {
            inspector.explainer(method(method)).preprocessing(Report.preprocessing(model)).save(file);
        }
        return file;
    }

    @Setup(Level.Trial)
    public void setUp() throws OrtException, IOException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        bare = env.createSession(Report.modelFile(model).toString(), new OrtSession.SessionOptions());
        explainer = env.createSession(write(model, method).toString(), new OrtSession.SessionOptions());
        String input = bare.getInputNames().iterator().next();
        long[] shape = ((ai.onnxruntime.TensorInfo) bare.getInputInfo().get(input).getInfo()).getShape();
        shape[0] = 1;
        float[] values = new float[(int) (shape[1] * shape[2] * shape[3])];
        Random random = new Random(1);
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        tensorFeed = Map.of(input, OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape));
        BufferedImage photo = ImageIO.read(Report.PHOTO.toFile());
        BufferedImage resized;
        try (Inspector inspector = Inspector.of(Report.modelFile(model))) {
            resized = inspector.image(Report.PHOTO).preprocessing(Report.preprocessing(model)).resized();
        }
        atInputSize = feeds(env, resized);
        onPhoto = feeds(env, photo);
    }

    private static Map<String, OnnxTensor> feeds(OrtEnvironment env, BufferedImage picture) throws OrtException {
        byte[] rgb = new byte[picture.getWidth() * picture.getHeight() * 3];
        for (int y = 0, i = 0; y < picture.getHeight(); y++) {
            for (int x = 0; x < picture.getWidth(); x++) {
                int p = picture.getRGB(x, y);
                rgb[i++] = (byte) (p >> 16);
                rgb[i++] = (byte) (p >> 8);
                rgb[i++] = (byte) p;
            }
        }
        return Map.of("image", OnnxTensor.createTensor(env, ByteBuffer.wrap(rgb),
                        new long[] {picture.getHeight(), picture.getWidth(), 3}, OnnxJavaType.UINT8),
                "target", OnnxTensor.createTensor(env, -1L));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        tensorFeed.values().forEach(OnnxTensor::close);
        atInputSize.values().forEach(OnnxTensor::close);
        onPhoto.values().forEach(OnnxTensor::close);
        explainer.close();
        bare.close();
    }

    /** The model alone on a ready tensor. */
    @Benchmark
    public void bareRun(Blackhole hole) throws OrtException {
        try (OrtSession.Result result = bare.run(tensorFeed)) {
            hole.consume(result.get(0));
        }
    }

    /** The explainer on a picture at the model's size: every output, the overlay included. */
    @Benchmark
    public void explainerAtInputSize(Blackhole hole) throws OrtException {
        try (OrtSession.Result result = explainer.run(atInputSize)) {
            hole.consume(result.get(0));
        }
    }

    /** The explainer on the 451x300 photo, resized in the graph, its overlay at the photo's size. */
    @Benchmark
    public void explainerOnPhoto(Blackhole hole) throws OrtException {
        try (OrtSession.Result result = explainer.run(onPhoto)) {
            hole.consume(result.get(0));
        }
    }
}
