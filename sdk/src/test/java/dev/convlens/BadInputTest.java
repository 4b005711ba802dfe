package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.onnxruntime.OrtException;
import com.google.protobuf.ByteString;
import dev.convlens.onnx.Onnx;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input matrix of the README's "Errors" section: every row a test asserting the exact exception type and
 * what its message tells the user. Inputs are built here; the one row on a real damaged photo skips without
 * ../shared.
 */
class BadInputTest {
    private static final int H = 12;
    private static final int W = 10;
    private static final int FLOAT = 1;
    private static final int INT64 = 7;
    private static final int STRING = 8;
    private static final int BOOL = 9;
    private static final int DOUBLE = 11;
    /** The layers of {@link TestModels}: two convolutions, a max pool and the global average pool. */
    private static final List<String> LAYERS = List.of("conv1", "pool1", "conv2", "gap", "fc");

    @TempDir
    Path dir;

    private static Inspector model() {
        return Inspector.of(new TestModels(TestModels.Spec.rgb(H, W)).bytes());
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    // ---- ModelException: the file is not a model ConvLens can read ----

    @Test
    void modelFileMissing() {
        assertThatThrownBy(() -> Inspector.of(dir.resolve("nothing.onnx"))).isExactlyInstanceOf(ModelException.class)
                .hasMessageContainingAll("model file not found", "nothing.onnx");
    }

    @Test
    void modelFileEmpty() throws IOException {
        Path empty = write("empty.onnx", new byte[0]);
        assertThatThrownBy(() -> Inspector.of(empty)).isExactlyInstanceOf(ModelException.class)
                .hasMessageContaining("model is empty (0 bytes)");
    }

    @Test
    void modelFileNotProtobuf() throws IOException {
        Path text = write("notes.onnx", "this is a text file, not a model\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Inspector.of(text)).isExactlyInstanceOf(ModelException.class)
                .hasMessageContainingAll("not an ONNX model", "cannot be parsed", "it is not valid ONNX protobuf");
    }

    @Test
    void modelFileIsKerasHdf5() throws IOException {
        assertNamesTheFormat("model.h5", new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0, 0},
                "looks like a Keras HDF5 file (.h5)", "tf2onnx");
    }

    @Test
    void modelFileIsPyTorchZip() throws IOException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) { // the entries torch.save writes
            for (String entry : List.of("archive/data.pkl", "archive/data/0", "archive/version")) {
                out.putNextEntry(new ZipEntry(entry));
                out.write(entry.getBytes(StandardCharsets.US_ASCII));
                out.closeEntry();
            }
        }
        assertNamesTheFormat("model.pt", zip.toByteArray(), "looks like a zip archive (a PyTorch .pt or a Keras"
                + " .keras file)", "torch.onnx.export");
    }

    @Test
    void modelFileIsPickle() throws IOException {
        // how torch.save's legacy format begins: pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2)
        byte[] pickle = {(byte) 0x80, 2, (byte) 0x8a, 10, 108, (byte) 252, (byte) 156, 70, (byte) 249, 32, 106,
            (byte) 168, 80, 25, 46};
        assertNamesTheFormat("checkpoint.pth", pickle, "looks like a Python pickle (a PyTorch checkpoint)");
    }

    @Test
    void modelFileIsTfLite() throws IOException {
        assertNamesTheFormat("model.tflite", flatBuffer("TFL3"), "looks like a TensorFlow Lite model (.tflite)");
    }

    @Test
    void modelFileIsOrtFormat() throws IOException {
        assertNamesTheFormat("model.ort", flatBuffer("ORTM"),
                "looks like an ONNX Runtime format model (.ort); ConvLens needs the .onnx file it was made from");
    }

    @Test
    void modelFileIsAnImage() throws IOException {
        BufferedImage photo = InspectorTest.rgbImage(W, H, 1);
        for (String format : List.of("png", "jpeg")) {
            assertNamesTheFormat("photo." + format, encode(photo, format),
                    "looks like an image (were the model and the image swapped?)");
        }
    }

    private void assertNamesTheFormat(String fileName, byte[] bytes, String... phrases) throws IOException {
        Path file = write(fileName, bytes);
        assertThatThrownBy(() -> Inspector.of(file)).isExactlyInstanceOf(ModelException.class)
                .hasMessageContainingAll(phrases).hasMessageContaining("not an ONNX model: " + file);
    }

    /** A FlatBuffer's first bytes: the root table's offset, then the 4-character file identifier. */
    private static byte[] flatBuffer(String identifier) {
        return ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putInt(16)
                .put(identifier.getBytes(StandardCharsets.US_ASCII)).array();
    }

    /**
     * A stream past 2 GB, which no ONNX file reaches, or past what the heap holds: it used to end in
     * OutOfMemoryError ("array size too large", "Java heap space").
     */
    @Test
    void modelStreamLongerThanAnOnnxFile() {
        java.io.InputStream endless = new java.io.InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 0);
                return len;
            }
        };
        // which limit comes first depends on the heap (the bad-input matrix runs in 512 MB: the heap); either says so
        assertThatThrownBy(() -> Inspector.of(endless)).isExactlyInstanceOf(ModelException.class)
                .hasMessageContaining(".onnx file by path").message().satisfiesAnyOf(
                        m -> assertThat(m).contains("longer than 2147483638 bytes"),
                        m -> assertThat(m).contains("does not fit in the Java heap of"));
    }

    @Test
    void modelFileTruncated() throws IOException {
        byte[] full = new TestModels(TestModels.Spec.rgb(H, W)).bytes();
        Path half = write("half.onnx", Arrays.copyOf(full, full.length / 2));
        assertThatThrownBy(() -> Inspector.of(half)).isExactlyInstanceOf(ModelException.class)
                .hasMessageContainingAll("cannot be parsed (the file is truncated", "copied completely");
    }

    @Test
    void externalDataMissing() throws IOException {
        Path file = new TestModels(TestModels.Spec.rgb(H, W)).writeWithExternalData(dir);
        Files.delete(dir.resolve("weights.bin"));
        assertThatThrownBy(() -> Inspector.of(file)).isExactlyInstanceOf(ModelException.class)
                .hasMessageContainingAll("external data file missing", "initializer 'conv1.weight'", "weights.bin",
                        "Copy that file next to the model");
    }

    @Test
    void externalDataTooShort() throws IOException {
        Path file = new TestModels(TestModels.Spec.rgb(H, W)).writeWithExternalData(dir);
        Path weights = dir.resolve("weights.bin");
        byte[] all = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(all, all.length - 1));
        assertThatThrownBy(() -> Inspector.of(file)).isExactlyInstanceOf(ModelException.class)
                .hasMessageContainingAll("external data file too short", "which has " + (all.length - 1) + " bytes",
                        "Was it copied completely?");
    }

    @Test
    void externalDataGivenAsBytes() throws IOException {
        Path file = new TestModels(TestModels.Spec.rgb(H, W)).writeWithExternalData(dir);
        byte[] bytes = Files.readAllBytes(file);
        assertThatThrownBy(() -> Inspector.of(bytes)).isExactlyInstanceOf(ModelException.class)
                .hasMessageContainingAll("keeps its weights in external files ('weights.bin')", "from bytes alone",
                        "Inspector.of(Path)");
    }

    @Test
    void modelOnnxRuntimeCannotLoad() {
        byte[] unknownOp = model(List.of(conv("x", "c"), node("NoSuchOp", List.of("c"), "y")),
                List.of(weight(FLOAT, 3)), List.of(tensor("x", FLOAT, 1, 3, 8, 8)), tensor("y", FLOAT, 1, 2, 8, 8));
        assertThatThrownBy(() -> Inspector.of(unknownOp)).isExactlyInstanceOf(ModelException.class)
                .hasMessageContainingAll("ONNX Runtime cannot load model bytes: ORT_INVALID_GRAPH",
                        "No Op registered for NoSuchOp")
                .hasCauseExactlyInstanceOf(OrtException.class);
    }

    @Test
    void modelWithACycleIsRefusedWithoutHanging() {
        // found by fuzzing: a node that reads its own output sent the layer search round forever
        byte[] cyclic = model(List.of(conv("x", "c"), node("Relu", List.of("c"), "d"), node("Relu", List.of("d"), "c")),
                List.of(weight(FLOAT, 3)), List.of(tensor("x", FLOAT, 1, 3, 8, 8)), tensor("d", FLOAT, 1, 2, 8, 8));
        assertThatThrownBy(() -> Inspector.of(cyclic)).isExactlyInstanceOf(ModelException.class)
                .hasMessageContaining("ONNX Runtime cannot load model bytes");
    }

    // ---- UnsupportedModelException: valid ONNX that cannot be inspected ----

    @Test
    void modelWithoutConvolution() {
        byte[] relu = model(List.of(node("Relu", List.of("x"), "y")), List.of(),
                List.of(tensor("x", FLOAT, 1, 3, 8, 8)), tensor("y", FLOAT, 1, 3, 8, 8));
        assertThatThrownBy(() -> Inspector.of(relu)).isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("model bytes has no convolution layer (no Conv, ConvTranspose, QLinearConv or"
                        + " ConvInteger node)");
    }

    @Test
    void modelWithSeveralInputs() {
        byte[] two = model(List.of(node("Add", List.of("a", "b"), "s"), conv("s", "y")),
                List.of(weight(FLOAT, 3)), List.of(tensor("a", FLOAT, 1, 3, 8, 8), tensor("b", FLOAT, 1, 3, 8, 8)),
                tensor("y", FLOAT, 1, 2, 8, 8));
        assertThatThrownBy(() -> Inspector.of(two)).isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessageContainingAll("has 2 inputs [a, b]", "models that take one image");
    }

    @Test
    void modelWithANonImageInput() {
        // a flat input reshaped inside the model, as a PyTorch export of x.view(1, 3, 224, 224) has
        Onnx.TensorProto shape = Onnx.TensorProto.newBuilder().setName("shape").setDataType(INT64).addDims(4)
                .addAllInt64Data(List.of(1L, 3L, 224L, 224L)).build();
        byte[] flat = model(List.of(node("Reshape", List.of("input", "shape"), "image"), conv("image", "y")),
                List.of(weight(FLOAT, 3), shape), List.of(tensor("input", FLOAT, 150528)),
                tensor("y", FLOAT, 1, 2, 224, 224));
        assertThatThrownBy(() -> Inspector.of(flat)).isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessageContainingAll("input 'input' has shape [150528], not an image", "[N,C,H,W] or [N,H,W,C]");
    }

    @Test
    void modelWithAFloat64Input() {
        byte[] float64 = model(List.of(conv("x", "y")), List.of(weight(DOUBLE, 3)),
                List.of(tensor("x", DOUBLE, 1, 3, 8, 8)), tensor("y", DOUBLE, 1, 2, 8, 8));
        assertThatThrownBy(() -> Inspector.of(float64)).isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("input 'x' has element type float64; ConvLens feeds float32 or float16 images");
    }

    @Test
    void modelWithAnInputOfSixChannels() {
        byte[] six = model(List.of(conv("x", "y")), List.of(weight(FLOAT, 6)), List.of(tensor("x", FLOAT, 1, 6, 8, 8)),
                tensor("y", FLOAT, 1, 2, 8, 8));
        assertThatThrownBy(() -> Inspector.of(six, Options.defaults().layout(Layout.NCHW)))
                .isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("input 'x' has shape [1, 6, 8, 8]: as NCHW that is 6 channels; ConvLens feeds"
                        + " 1 (gray) or 3 (color) channels");
        assertThatThrownBy(() -> Inspector.of(six)).isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessageContainingAll("cannot tell whether the channels come first (NCHW) or last (NHWC)",
                        "Options.layout(...)");
    }

    @Test
    void modelWithAFixedBatchOfTwo() {
        byte[] batch = model(List.of(conv("x", "y")), List.of(weight(FLOAT, 3)),
                List.of(tensor("x", FLOAT, 2, 3, 8, 8)), tensor("y", FLOAT, 2, 2, 8, 8));
        assertThatThrownBy(() -> Inspector.of(batch)).isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessageContainingAll("input 'x' has shape [2, 3, 8, 8] with a fixed batch of 2",
                        "export with batch 1 or a dynamic batch");
    }

    @Test
    void modelWithAnOpOnnxRuntimeHasNoKernelFor() {
        // valid ONNX (onnx.checker with full_check passes): Erf is defined on float64, but ONNX Runtime's CPU
        // provider implements it for float32 only, and says ORT_NOT_IMPLEMENTED
        byte[] erf64 = model(List.of(conv("x", "c"), cast("c", "c64", DOUBLE), node("Erf", List.of("c64"), "e64"),
                        cast("e64", "y", FLOAT)), List.of(weight(FLOAT, 3)), List.of(tensor("x", FLOAT, 1, 3, 8, 8)),
                tensor("y", FLOAT, 1, 2, 8, 8));
        assertThatThrownBy(() -> Inspector.of(erf64)).isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessageContainingAll("ONNX Runtime cannot run model bytes: ORT_NOT_IMPLEMENTED",
                        "Could not find an implementation for Erf(13)", "Re-export the model with operators")
                .hasCauseExactlyInstanceOf(OrtException.class);
    }

    /**
     * A model file is loaded by ONNX Runtime while ConvLens parses and checks it on another thread: each refusal is
     * the one the same model gets from memory, whichever side finds the fault.
     */
    @Test
    void aModelFileIsRefusedAsTheSameBytesAre() throws IOException {
        byte[] relu = model(List.of(node("Relu", List.of("x"), "y")), List.of(),
                List.of(tensor("x", FLOAT, 1, 3, 8, 8)), tensor("y", FLOAT, 1, 3, 8, 8));
        Path noConv = write("relu.onnx", relu);
        assertThatThrownBy(() -> Inspector.of(noConv)).isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining(noConv + " has no convolution layer");
        byte[] erf64 = model(List.of(conv("x", "c"), cast("c", "c64", DOUBLE), node("Erf", List.of("c64"), "e64"),
                        cast("e64", "y", FLOAT)), List.of(weight(FLOAT, 3)), List.of(tensor("x", FLOAT, 1, 3, 8, 8)),
                tensor("y", FLOAT, 1, 2, 8, 8));
        Path noKernel = write("erf64.onnx", erf64);
        assertThatThrownBy(() -> Inspector.of(noKernel)).isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessageContainingAll("ONNX Runtime cannot run " + noKernel + ": ORT_NOT_IMPLEMENTED",
                        "Could not find an implementation for Erf(13)");
        // both refuse a truncated file; ConvLens's reason names the truncation
        byte[] whole = new TestModels(TestModels.Spec.rgb(H, W)).bytes();
        Path truncated = write("truncated.onnx", Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> Inspector.of(truncated)).isExactlyInstanceOf(ModelException.class)
                .hasMessageContainingAll("not an ONNX model: " + truncated, "the file is truncated");
    }

    @Test
    void anInterruptedThreadOpensNothing() throws IOException {
        byte[] model = new TestModels(TestModels.Spec.rgb(H, W)).bytes();
        Path file = write("model.onnx", model);
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> Inspector.of(file)).isExactlyInstanceOf(CancelledException.class)
                    .hasMessageContainingAll("interrupted", "did not open " + file);
            assertThatThrownBy(() -> Inspector.of(model)).isExactlyInstanceOf(CancelledException.class)
                    .hasMessageContaining("did not open model bytes");
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt status stays set").isTrue();
        } finally {
            Thread.interrupted();
        }
        try (Inspector inspector = Inspector.of(file)) {
            assertThat(inspector.layers()).extracting(Layer::name).containsExactlyElementsOf(LAYERS);
        }
    }

    /** The file's reading, which runs on the caller when no other thread has started it, stops at an interrupt. */
    @Test
    void anInterruptStopsTheReadingOfAModelFile() throws IOException {
        Path file = write("model.onnx", new TestModels(TestModels.Spec.rgb(H, W)).bytes());
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> dev.convlens.onnx.ModelFile.read(file))
                    .isExactlyInstanceOf(CancelledException.class)
                    .hasMessageContaining("the thread was interrupted while ConvLens read " + file);
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt status stays set").isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    /**
     * Grad-CAM through 20,000 nodes after the layer, in a child JVM of 256 MB: building the backward graph costs
     * memory in proportion to the graph (the sweep that found this ran a 512 MB heap out of memory).
     */
    @Test
    void aLongChainAfterTheLayerInASmallHeap() throws Exception {
        assertThat(ChildJvm.run(LongChain.class, 256)).contains("GRAD_CAM", "10x12");
    }

    /** See {@link #aLongChainAfterTheLayerInASmallHeap}. */
    static final class LongChain {
        public static void main(String[] args) {
            List<Onnx.NodeProto> nodes = new java.util.ArrayList<>(List.of(conv("x", "t0")));
            for (int i = 0; i < 20_000; i++) {
                nodes.add(node(i % 2 == 0 ? "Relu" : "Sigmoid", List.of("t" + i), "t" + (i + 1)));
            }
            nodes.add(node("GlobalAveragePool", List.of("t20000"), "g"));
            nodes.add(node("Flatten", List.of("g"), "y"));
            byte[] bytes = model(nodes, List.of(weight(FLOAT, 3)), List.of(tensor("x", FLOAT, 1, 3, H, W)),
                    tensor("y", FLOAT, 1, 2));
            try (Inspector inspector = Inspector.of(bytes)) {
                System.out.println(inspector.image(rgb()).heatmap(HeatmapMethod.GRAD_CAM));
            }
        }
    }

    /**
     * A model of 300 MB (a 1x1 conv and 75 M float weights summed into its score) opened, drawn and explained in a
     * child JVM of 512 MB: the model's bytes are not kept in the Java heap, nor are the models derived from it.
     */
    @Test
    void aLargeModelInASmallHeap() throws Exception {
        Path file = dir.resolve("large.onnx");
        int weights = 75_000_000;
        Onnx.TensorProto big = Onnx.TensorProto.newBuilder().setName("big").setDataType(FLOAT).addDims(weights)
                .setRawData(com.google.protobuf.UnsafeByteOperations.unsafeWrap(new byte[weights * Float.BYTES]))
                .build();
        List<Onnx.NodeProto> nodes = List.of(conv("x", "c"), node("GlobalAveragePool", List.of("c"), "g"),
                node("Flatten", List.of("g"), "f"), node("ReduceSum", List.of("big"), "s").toBuilder()
                        .addAttribute(Onnx.AttributeProto.newBuilder().setName("keepdims")
                                .setType(Onnx.AttributeProto.AttributeType.INT).setI(0)).build(),
                node("Add", List.of("f", "s"), "y"));
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            Onnx.ModelProto.newBuilder().setIrVersion(8)
                    .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                    .setGraph(Onnx.GraphProto.newBuilder().setName("g").addAllNode(nodes)
                            .addInitializer(weight(FLOAT, 3)).addInitializer(big)
                            .addInput(tensor("x", FLOAT, 1, 3, H, W)).addOutput(tensor("y", FLOAT, 1, 2)))
                    .build().writeTo(out);
        }
        assertThat(Files.size(file)).isGreaterThan(300_000_000L);
        assertThat(ChildJvm.run(LargeModel.class, 512, file.toString()))
                .contains("grid 10x25", "GRAD_CAM", "EIGEN_CAM", "patterns 2");
    }

    /** See {@link #aLargeModelInASmallHeap}. */
    static final class LargeModel {
        public static void main(String[] args) {
            try (Inspector inspector = Inspector.of(Path.of(args[0]))) {
                Request request = inspector.image(rgb());
                BufferedImage grid = request.layers("c").grid(1).get(0);
                System.out.println("grid " + grid.getWidth() + "x" + grid.getHeight());
                System.out.println(request.heatmap(HeatmapMethod.GRAD_CAM));
                System.out.println(request.heatmap(HeatmapMethod.EIGEN_CAM));
                System.out.println("patterns " + inspector.patterns("c").steps(2, 10f).list().size());
            }
        }
    }

    // ---- model outputs that are not float scores ----

    /** Conv, GlobalAveragePool, Flatten: the scores "f" [1, 2]; then outputs of other types made from them. */
    private static byte[] scoresAnd(List<Onnx.NodeProto> more, List<Onnx.ValueInfoProto> outputs) {
        List<Onnx.NodeProto> nodes = new java.util.ArrayList<>(List.of(conv("x", "c"),
                node("GlobalAveragePool", List.of("c"), "g"), node("Flatten", List.of("g"), "f")));
        nodes.addAll(more);
        return Onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(Onnx.GraphProto.newBuilder().setName("g").addAllNode(nodes)
                        .addInitializer(weight(FLOAT, 3)).addInput(tensor("x", FLOAT, 1, 3, H, W))
                        .addAllOutput(outputs))
                .build().toByteArray();
    }

    /**
     * A model whose output is an ArgMax's class index: the forward-only heatmaps used to explain the index as if it
     * were a score. Every heatmap and attribution now says it needs float scores.
     */
    @Test
    void heatmapsOfAModelThatOutputsAClassIndex() {
        Onnx.NodeProto argMax = node("ArgMax", List.of("f"), "y").toBuilder()
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("axis")
                        .setType(Onnx.AttributeProto.AttributeType.INT).setI(1))
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("keepdims")
                        .setType(Onnx.AttributeProto.AttributeType.INT).setI(0)).build();
        byte[] bytes = scoresAnd(List.of(argMax), List.of(tensor("y", INT64, 1)));
        try (Inspector inspector = Inspector.of(bytes)) {
            Request request = inspector.image(rgb());
            for (HeatmapMethod method : HeatmapMethod.values()) {
                assertThatThrownBy(() -> request.heatmap(method)).as("%s", method)
                        .isExactlyInstanceOf(UnsupportedModelException.class)
                        .hasMessageContainingAll("first output 'y' holds int64 values, not float scores",
                                "export the model with its scores");
            }
            for (AttributionMethod method : AttributionMethod.values()) {
                assertThatThrownBy(() -> request.attribution(method)).as("%s", method)
                        .isExactlyInstanceOf(UnsupportedModelException.class)
                        .hasMessageContaining("holds int64 values, not float scores");
            }
            assertThat(request.outputs().get(0).type()).isEqualTo("int64");
            assertThat(request.outputs().get(0).values()).containsExactly(0f); // a tie of zeros: the first class
        }
    }

    /**
     * Boolean and string outputs beside the scores: outputs() returns all three, booleans as 0 and 1, and the
     * strings say they are not numbers (they used to come back empty, and every heatmap failed with an
     * ArrayIndexOutOfBoundsException).
     */
    @Test
    void outputsOfEveryType() {
        byte[] bytes = scoresAnd(List.of(node("Not", List.of("isZero"), "positive"),
                        node("Equal", List.of("f", "f"), "isZero"), cast("f", "label", STRING)),
                List.of(tensor("f", FLOAT, 1, 2), tensor("positive", BOOL, 1, 2), tensor("label", STRING, 1, 2)));
        try (Inspector inspector = Inspector.of(bytes)) {
            Request request = inspector.image(rgb());
            List<Tensor> outputs = request.outputs();
            assertThat(outputs).extracting(Tensor::name).containsExactly("f", "positive", "label");
            assertThat(outputs).extracting(Tensor::type).containsExactly("float", "bool", "string");
            assertThat(outputs.get(0).values()).containsExactly(0f, 0f);
            assertThat(outputs.get(1).values()).containsExactly(0f, 0f); // not (0 == 0): false, as 0
            assertThat(outputs.get(2).numeric()).isFalse();
            assertThatThrownBy(() -> outputs.get(2).values()).isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("output 'label' holds string values");
            assertThat(request.heatmap(HeatmapMethod.GRAD_CAM).width()).isPositive(); // the first output: scores
        }
    }

    // ---- ImageException and ImageTooLargeException ----

    @Test
    void imageMissing() {
        try (Inspector inspector = model()) {
            assertThatThrownBy(() -> inspector.image(dir.resolve("gone.jpg"))).isExactlyInstanceOf(ImageException.class)
                    .hasMessageContainingAll("image file not found", "gone.jpg");
        }
    }

    @Test
    void imageEmpty() throws IOException {
        Path empty = write("empty.jpg", new byte[0]);
        try (Inspector inspector = model()) {
            assertThatThrownBy(() -> inspector.image(empty).inspect()).isExactlyInstanceOf(ImageException.class)
                    .hasMessageContainingAll("image is empty (0 bytes)", "empty.jpg");
        }
    }

    @Test
    void imageTruncated() throws IOException {
        BufferedImage photo = InspectorTest.rgbImage(64, 48, 2);
        byte[] jpeg = encode(photo, "jpeg");
        byte[] png = encode(photo, "png");
        Path halfJpeg = write("half.jpg", Arrays.copyOf(jpeg, jpeg.length / 2));
        Path halfPng = write("half.png", Arrays.copyOf(png, png.length / 2));
        // the BMP reader reads its pixel rows whole, up to the end of the data and past it
        byte[] bmp = encode(photo, "bmp");
        Path halfBmp = write("half.bmp", Arrays.copyOf(bmp, bmp.length / 2));
        try (Inspector inspector = model()) {
            assertThatThrownBy(() -> inspector.image(halfJpeg).inspect()).isExactlyInstanceOf(ImageException.class)
                    .hasMessageContainingAll("half.jpg is truncated", "the file was not copied completely");
            assertThatThrownBy(() -> inspector.image(halfPng).inspect()).isExactlyInstanceOf(ImageException.class)
                    .hasMessageContainingAll("half.png is PNG but cannot be decoded", "may be corrupt or truncated");
            assertThatThrownBy(() -> inspector.image(halfBmp).inspect()).isExactlyInstanceOf(ImageException.class)
                    .hasMessageContainingAll("half.bmp is BMP but cannot be decoded", "may be corrupt or truncated")
                    .hasMessageNotContaining("(null)");
        }
    }

    @Test
    void imageDeclaringAnEmptySize() throws IOException {
        Path noWidth = write("no_width.png", pngWithoutPixels(0, H));
        Path noHeight = write("no_height.png", pngWithoutPixels(W, 0));
        try (Inspector inspector = model()) {
            assertThatThrownBy(() -> inspector.image(noWidth).inspect()).isExactlyInstanceOf(ImageException.class)
                    .hasMessageContainingAll("no_width.png declares an empty size 0x12", "the file is corrupt");
            assertThatThrownBy(() -> inspector.image(noHeight).inspect()).isExactlyInstanceOf(ImageException.class)
                    .hasMessageContainingAll("no_height.png declares an empty size 10x0", "the file is corrupt");
        }
    }

    @Test
    void imageCorrupt() throws IOException {
        byte[] png = encode(InspectorTest.rgbImage(64, 48, 3), "png");
        for (int i = 60; i < 100; i++) { // inside the first IDAT chunk: its zlib stream no longer inflates
            png[i] ^= 0x55;
        }
        try (Inspector inspector = model()) {
            assertThatThrownBy(() -> inspector.image(png).inspect()).isExactlyInstanceOf(ImageException.class)
                    .hasMessageContainingAll("is PNG but cannot be decoded", "may be corrupt or truncated");
        }
    }

    @Test
    void imageCorruptPhoto() {
        Path broken = Shared.require("images/corrupt_truncated.jpg");
        try (Inspector inspector = model()) {
            assertThatThrownBy(() -> inspector.image(broken).inspect()).isExactlyInstanceOf(ImageException.class)
                    .hasMessageContainingAll("is JPEG but cannot be decoded", "may be corrupt or truncated");
        }
    }

    @Test
    void imageWhoseExtensionLies() {
        Path jpegNamedPng = Shared.require("images/kitten_jpeg_data_with_png_ext.png");
        try (Inspector inspector = model()) {
            assertThat(inspector.image(jpegNamedPng).resized().getWidth()).isEqualTo(W); // decoded by content
        }
    }

    @Test
    void imageOfAFormatNothingRecognizes() {
        // an iPhone photo's first box: ISO media 'ftyp', brand heic; neither ImageIO nor Commons Imaging reads it
        byte[] heic = ByteBuffer.allocate(64).putInt(24).put("ftypheic".getBytes(StandardCharsets.US_ASCII)).putInt(0)
                .put("mif1heic".getBytes(StandardCharsets.US_ASCII)).array();
        byte[] text = "plain words".getBytes(StandardCharsets.UTF_8);
        byte[] oneByte = {(byte) 0x89}; // the first byte of a PNG signature, too short for any format's
        try (Inspector inspector = model()) {
            for (byte[] image : List.of(heic, text, oneByte)) {
                assertThatThrownBy(() -> inspector.image(image).inspect()).isExactlyInstanceOf(ImageException.class)
                        .hasMessageContainingAll("is not an image format ConvLens reads", "Convert it to PNG or JPEG");
            }
        }
    }

    @Test
    void imageOfARecognizedFormatNothingDecodes() {
        // a JBIG2 file header: Commons Imaging recognizes the format but has no reader for it, nor has ImageIO
        byte[] jbig2 = {(byte) 0x97, 'J', 'B', '2', '\r', '\n', 0x1a, '\n', 1, 0, 0, 0, 1};
        try (Inspector inspector = model()) {
            assertThatThrownBy(() -> inspector.image(jbig2).inspect()).isExactlyInstanceOf(ImageException.class)
                    .hasMessageContainingAll("is JBIG2, which ConvLens cannot decode", "Convert it to PNG or JPEG")
                    .hasMessageNotContaining("corrupt");
        }
    }

    /**
     * The bomb is a PNG with a header and no pixel data, so decoding it fails: the same file declaring a small size
     * is refused as undecodable. Refused as too large instead, it was refused from its header, before decoding.
     */
    @Test
    void imageDeclaringFiftyThousandSquaredPixelsIsRefusedBeforeDecoding() throws IOException {
        Path bomb = write("bomb.png", pngWithoutPixels(50_000, 50_000));
        Path small = write("small.png", pngWithoutPixels(2, 2));
        assertThat(Files.size(bomb)).isEqualTo(45);
        try (Inspector inspector = model()) {
            assertThatThrownBy(() -> inspector.image(small).inspect()).isExactlyInstanceOf(ImageException.class)
                    .hasMessageContaining("small.png is PNG but cannot be decoded");
            ImageTooLargeException refused = catchThrowableOfType(ImageTooLargeException.class,
                    () -> inspector.image(bomb).inspect());
            assertThat(refused).isExactlyInstanceOf(ImageTooLargeException.class)
                    .hasMessageContainingAll("bomb.png declares 50000x50000 = 2500000000 pixels, more than the limit"
                            + " of 50000000", "Options.maxPixels(...)");
            assertThat(List.of(refused.width(), refused.height(), refused.limit()))
                    .containsExactly(50_000L, 50_000L, Options.DEFAULT_MAX_PIXELS);
        }
    }

    @Test
    void imageOverTheConfiguredLimit() throws IOException {
        Path over = write("over.png", pngWithoutPixels(251, 200));
        Path atLimit = write("at.png", encode(InspectorTest.rgbImage(250, 200, 4), "png"));
        try (Inspector strict = Inspector.of(new TestModels(TestModels.Spec.rgb(H, W)).bytes(),
                Options.defaults().maxPixels(50_000))) {
            ImageTooLargeException refused = catchThrowableOfType(ImageTooLargeException.class,
                    () -> strict.image(over).inspect());
            assertThat(refused).isExactlyInstanceOf(ImageTooLargeException.class)
                    .hasMessageContaining("251x200 = 50200 pixels, more than the limit of 50000");
            assertThat(List.of(refused.width(), refused.height(), refused.limit()))
                    .containsExactly(251L, 200L, 50_000L);
            assertThat(strict.image(atLimit).resized().getWidth()).isEqualTo(W); // 250x200 is the limit, allowed
        }
    }

    @Test
    void imagesOfEveryKindDecode() throws IOException {
        try (Inspector inspector = model()) {
            for (String name : List.of("cmyk_100x100.jpg", "gray_hopper_128.jpg", "gray_camera_512.png",
                    "tiger_cutout_rgba_alpha.png", "exif_orientation6_landscape.jpg")) {
                Path photo = Shared.require("images/" + name);
                assertThat(inspector.image(photo).activations()).as(name).hasSize(2);
            }
        }
    }

    @Test
    void sixteenBitSamplesKeepTheirHighByte() throws IOException {
        BufferedImage gray16 = new BufferedImage(W, H, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                gray16.getRaster().setSample(x, y, 0, (x * 20 + y) * 257 + 100);
            }
        }
        Path file = write("gray16.png", encode(gray16, "png"));
        try (Inspector inspector = model()) {
            BufferedImage seen = inspector.image(file).resized();
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int expected = ((x * 20 + y) * 257 + 100) >> 8;
                    assertThat(seen.getRGB(x, y) & 0xFFFFFF).isEqualTo(expected * 0x010101);
                }
            }
        }
    }

    @Test
    void transparentPixelsAreCompositedOverWhite() {
        BufferedImage argb = new BufferedImage(W, H, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int alpha = x * 255 / (W - 1);
                argb.setRGB(x, y, alpha << 24 | 0x200040);
            }
        }
        try (Inspector inspector = model()) {
            BufferedImage seen = inspector.image(argb).resized();
            for (int x = 0; x < W; x++) {
                int a = x * 255 / (W - 1);
                int r = (0x20 * a + 255 * (255 - a) + 127) / 255;
                int b = (0x40 * a + 255 * (255 - a) + 127) / 255;
                int g = (255 * (255 - a) + 127) / 255;
                assertThat(seen.getRGB(x, 3) & 0xFFFFFF).as("alpha %d", a).isEqualTo(r << 16 | g << 8 | b);
            }
        }
    }

    /**
     * TIFFs of float and 32-bit integer gray samples used to decode to wrong pictures (floats as 0 or 1, integers by
     * their top byte); their scale is not agreed (Pillow clips to 0..255, Java2D reads floats as 0..1), so they are
     * refused by name.
     */
    @Test
    void imageWithFloatOrThirtyTwoBitSamples() throws IOException {
        java.awt.color.ColorSpace gray = java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY);
        for (int type : new int[] {java.awt.image.DataBuffer.TYPE_FLOAT, java.awt.image.DataBuffer.TYPE_INT}) {
            java.awt.image.ComponentColorModel model = new java.awt.image.ComponentColorModel(gray, false, false,
                    java.awt.Transparency.OPAQUE, type);
            BufferedImage image = new BufferedImage(model, model.createCompatibleWritableRaster(W, H), false, null);
            Path tiff = write("samples" + type + ".tif", encode(image, "tiff"));
            try (Inspector inspector = model()) {
                assertThatThrownBy(() -> inspector.image(tiff).inspect()).isExactlyInstanceOf(ImageException.class)
                        .hasMessageContainingAll(type == java.awt.image.DataBuffer.TYPE_FLOAT ? "32-bit float samples"
                                : "32-bit integer samples", "no agreed scale", "convert it to 8- or 16-bit");
            }
        }
    }

    /**
     * A PNG whose zTXt chunk of 1 MB inflates to 1 GB of text: reading the PNG's metadata (for an EXIF orientation
     * PNGs do not have) inflated it whole and ran a 256 MB heap out of memory. Decoded in a child JVM of that heap.
     */
    @Test
    void pngWithACompressedTextBomb() throws Exception {
        assertThat(ChildJvm.run(TextBomb.class, 256)).contains("decoded 10x12");
    }

    /** Builds the zTXt bomb and decodes it; see {@link #pngWithACompressedTextBomb}. */
    static final class TextBomb {
        public static void main(String[] args) throws IOException {
            byte[] png = encode(rgb(), "png");
            java.util.zip.Deflater deflater = new java.util.zip.Deflater(9);
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            text.write("Comment\0\0".getBytes(StandardCharsets.ISO_8859_1));
            byte[] zeros = new byte[1 << 20];
            byte[] buffer = new byte[1 << 16];
            for (int mb = 0; mb < 1024; mb++) {
                deflater.setInput(zeros);
                while (!deflater.needsInput()) {
                    text.write(buffer, 0, deflater.deflate(buffer));
                }
            }
            deflater.finish();
            while (!deflater.finished()) {
                text.write(buffer, 0, deflater.deflate(buffer));
            }
            ByteBuffer bomb = ByteBuffer.allocate(png.length + 12 + text.size());
            bomb.put(png, 0, 33); // the signature and IHDR
            chunk(bomb, "zTXt", text.toByteArray());
            bomb.put(png, 33, png.length - 33);
            try (Inspector inspector = model()) {
                Inspection inspection = inspector.image(bomb.array()).inspect();
                System.out.println("decoded " + W + "x" + H + ", " + inspection.activations().size() + " layers");
            }
        }
    }

    // ---- LayerNotFoundException ----

    @Test
    void unknownLayerNameListsTheNearestNames() {
        try (Inspector inspector = model()) {
            LayerNotFoundException e = catchThrowableOfType(LayerNotFoundException.class,
                    () -> inspector.image(rgb()).layers("conv3"));
            assertThat(e).isExactlyInstanceOf(LayerNotFoundException.class)
                    .hasMessageStartingWith("no layer matches 'conv3'; closest: conv1, conv2")
                    .hasMessageContaining("Inspector.layers() lists all 5");
            assertThat(e.query()).isEqualTo("conv3");
            assertThat(e.candidates()).startsWith("conv1", "conv2").isSubsetOf(LAYERS);
        }
    }

    @Test
    void unknownLayerPattern() {
        try (Inspector inspector = model()) {
            LayerNotFoundException e = catchThrowableOfType(LayerNotFoundException.class,
                    () -> inspector.image(rgb()).layers("conv1", "dense_*"));
            assertThat(e).isExactlyInstanceOf(LayerNotFoundException.class)
                    .hasMessageStartingWith("no layer matches 'dense_*'; closest: ");
            assertThat(e.query()).isEqualTo("dense_*");
            assertThat(e.candidates()).isNotEmpty().isSubsetOf(LAYERS);
        }
    }

    @Test
    void layerIndexOutOfRange() {
        try (Inspector inspector = model()) {
            for (int index : new int[] {5, -6}) {
                LayerNotFoundException e = catchThrowableOfType(LayerNotFoundException.class,
                        () -> inspector.image(rgb()).layers(0, index));
                assertThat(e).isExactlyInstanceOf(LayerNotFoundException.class).hasMessage("no layer at index "
                        + index + "; the model has 5 layers, 0 to 4 (or -1 to -5 from the end)");
                assertThat(e.query()).isEqualTo(String.valueOf(index));
                assertThat(e.candidates()).isEmpty();
            }
        }
    }

    @Test
    void layerNotInspected() {
        try (Inspector inspector = model()) {
            Inspection conv1Only = inspector.image(rgb()).layers("conv1").inspect();
            LayerNotFoundException e = catchThrowableOfType(LayerNotFoundException.class,
                    () -> conv1Only.activation("conv2"));
            assertThat(e).isExactlyInstanceOf(LayerNotFoundException.class)
                    .hasMessage("layer 'conv2' was not inspected; inspected: [conv1]. Select it with"
                            + " Request.layers(...)");
            assertThat(e.candidates()).containsExactly("conv1");
        }
    }

    // ---- InferenceException ----

    @Test
    void onnxRuntimeFailingDuringARun() {
        // a dynamic input size, but a Reshape to the element count of a 224x224 input, as a PyTorch export of
        // x.view(1, -1) traced at 224x224 has: any other size fails inside ONNX Runtime
        Onnx.TensorProto shape = Onnx.TensorProto.newBuilder().setName("shape").setDataType(INT64).addDims(2)
                .addAllInt64Data(List.of(1L, 2L * 224 * 224)).build();
        byte[] fixedReshape = model(List.of(conv("x", "c"), node("Reshape", List.of("c", "shape"), "y")),
                List.of(weight(FLOAT, 3), shape), List.of(tensor("x", FLOAT, 1, 3, -1, -1)),
                tensor("y", FLOAT, 1, 2 * 224 * 224));
        try (Inspector inspector = Inspector.of(fixedReshape)) {
            assertThat(inspector.image(rgb()).size(224, 224).outputs()).hasSize(1);
            assertThatThrownBy(() -> inspector.image(rgb()).size(64, 32).inspect())
                    .isExactlyInstanceOf(InferenceException.class)
                    .hasMessageContainingAll("ONNX Runtime failed to run model bytes on an input of shape"
                            + " [1, 3, 32, 64]: ORT_RUNTIME_EXCEPTION", "Reshape", "cannot be reshaped")
                    .hasCauseExactlyInstanceOf(OrtException.class);
        }
    }

    @Test
    void aModelOfDynamicSizeThatRunsAtOneSizeOnlyIsProbedAtTheRequestedSize() {
        // the layers are described from a first run: at the request's size, not at a default 224x224 that this
        // model (x.view(1, -1) traced at 8x8) cannot run
        Onnx.TensorProto shape = Onnx.TensorProto.newBuilder().setName("shape").setDataType(INT64).addDims(2)
                .addAllInt64Data(List.of(1L, 2L * 8 * 8)).build();
        byte[] fixedReshape = model(List.of(conv("x", "c"), node("Reshape", List.of("c", "shape"), "y")),
                List.of(weight(FLOAT, 3), shape), List.of(tensor("x", FLOAT, 1, 3, -1, -1)),
                tensor("y", FLOAT, 1, 2 * 8 * 8));
        try (Inspector inspector = Inspector.of(fixedReshape)) {
            FeatureMap map = inspector.image(rgb()).size(8, 8).activations().get(0);
            assertThat(new int[] {map.channels(), map.height(), map.width()}).containsExactly(2, 8, 8);
            assertThat(inspector.layers()).extracting(Layer::shape).containsExactly("(2, ?, ?)");
        }
    }

    // ---- sizes: every picture and input within Options.maxPixels, computed without overflow ----

    /**
     * Pictures sized by settings: upscale(64) on a 178x178 layer overflowed an int (ArithmeticException), and larger
     * grids ran out of memory; grid(Integer.MAX_VALUE) gave a negative size. Now each picture is checked against
     * Options.maxPixels before it is drawn, and the message says which setting made it and how to raise the limit.
     */
    @Test
    void picturesLargerThanTheLimitAreRefusedBeforeDrawing() {
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(178, 178)).bytes())) {
            Request request = inspector.image(InspectorTest.rgbImage(178, 178, 1)).layers("conv1");
            assertThatThrownBy(() -> request.upscale(64).grid(16)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContainingAll("the grid of conv1 (4 channels of 178x178) at 16 per row and upscale 64",
                            "45571x11392 = 519144832 pixels", "more than the limit of 50000000 (Options.maxPixels)",
                            "raise the limit with Options.maxPixels(...)");
            assertThatThrownBy(() -> request.upscale(64).channel("conv1", 0))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("channel 0 of conv1 at upscale 64 makes a picture of 11392x11392");
            assertThat(request.grid(Integer.MAX_VALUE).get(0).getWidth()).isEqualTo(4 * 179 - 1);
        }
        Options roomy = Options.defaults().maxPixels(600_000_000L);
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(178, 178)).bytes(), roomy)) {
            assertThat(inspector.image(InspectorTest.rgbImage(178, 178, 1)).layers("conv1").upscale(2).grid(1)
                    .get(0).getHeight()).isEqualTo(4 * 357 - 1); // the limit raised, the same settings draw
        }
    }

    @Test
    void inputSizesLargerThanTheLimitAreRefused() {
        try (Inspector dynamic = Inspector.of(new TestModels(TestModels.Spec.rgb(H, W).withDynamicSize()).bytes())) {
            assertThatThrownBy(() -> dynamic.image(rgb()).size(100_000, 100_000))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContainingAll("size(100000, 100000) makes a picture of 100000x100000", "Options.maxPixels");
            assertThatThrownBy(() -> dynamic.patterns("conv2").size(100_000, 100_000))
                    .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("Options.maxPixels");
        }
        // a model whose fixed input alone would take 43 GB for one run
        assertThatThrownBy(() -> Inspector.of(new TestModels(TestModels.Spec.rgb(60_000, 60_000)).bytes()))
                .isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessageContainingAll("takes a fixed input of 60000x60000 = 3600000000 pixels",
                        "more than the limit of 50000000 (Options.maxPixels)");
        // a BufferedImage gets the limit files get (it used to be accepted whatever its size)
        BufferedImage binary = new BufferedImage(8000, 8000, BufferedImage.TYPE_BYTE_BINARY); // 8 MB, 64 M pixels
        try (Inspector inspector = model()) {
            ImageTooLargeException e = catchThrowableOfType(ImageTooLargeException.class,
                    () -> inspector.image(binary).inspect());
            assertThat(e).hasMessageContainingAll("declares 8000x8000 = 64000000 pixels",
                    "more than the limit of 50000000");
            assertThat(e.limit()).isEqualTo(Options.DEFAULT_MAX_PIXELS);
        }
    }

    /**
     * The values a run returns are counted from their shapes before any is copied into the Java heap: a run over
     * Options.maxActivations is refused with the count, and a smaller size brings it under.
     */
    @Test
    void activationsOverTheLimitAreRefusedBeforeTheyAreRead() {
        byte[] model = new TestModels(TestModels.Spec.rgb(H, W).withDynamicSize()).bytes();
        try (Inspector inspector = Inspector.of(model, Options.defaults().maxActivations(100_000))) {
            // the run that learns the layers' shapes: conv1 4x200x200, pool1 4x100x100, conv2 6x98x98, the pool 6, fc 2
            assertThatThrownBy(() -> inspector.image(rgb()).size(200, 200).grid(8))
                    .isExactlyInstanceOf(InferenceException.class)
                    .hasMessageContainingAll(
                            "at an input of shape [1, 3, 200, 200] hold 257632 values (1.0 MB as floats)",
                            "more than the limit of 100000 (Options.maxActivations)", "ask for fewer layers");
            assertThat(inspector.image(rgb()).size(100, 100).grid(8)).hasSize(2); // 64,032 values
        }
        assertThatThrownBy(() -> Options.defaults().maxActivations(0))
                .isExactlyInstanceOf(IllegalArgumentException.class);
    }

    /**
     * An input under Options.maxPixels that the heap cannot hold: 7000x7000 on a model of dynamic size is 49 M
     * pixels, 588 MB as a float tensor, in this matrix's 512 MB heap.
     */
    @Test
    void anInputLargerThanTheHeapIsRefused() throws IOException {
        BufferedImage big = new BufferedImage(7000, 7000, BufferedImage.TYPE_BYTE_GRAY);
        Path file = write("big.png", encode(big, "png"));
        big = null;
        byte[] model = new TestModels(TestModels.Spec.rgb(H, W).withDynamicSize()).bytes();
        try (Inspector inspector = Inspector.of(model)) {
            Request request = inspector.image(file).size(7000, 7000);
            if (Runtime.getRuntime().maxMemory() > 4L << 30) {
                return; // a heap this large holds it; the matrix runs in 512 MB
            }
            assertThatThrownBy(() -> request.grid(8)).isExactlyInstanceOf(InferenceException.class)
                    .hasMessageContainingAll("the Java heap of", "ran out", "ask for a smaller size(w, h)");
            assertThat(request.size(700, 700).grid(8)).hasSize(2); // the inspector still works
        }
    }

    /** Activations that the heap cannot hold, under the limit: the same error, not an OutOfMemoryError. */
    @Test
    void activationsLargerThanTheHeapAreRefused() throws Exception {
        assertThat(ChildJvm.run(LargeActivations.class, 160)).contains("more than the Java heap holds");
    }

    /** See {@link #activationsLargerThanTheHeapAreRefused}. */
    static final class LargeActivations {
        public static void main(String[] args) {
            byte[] model = new TestModels(TestModels.Spec.rgb(H, W).withDynamicSize()).bytes();
            try (Inspector inspector = Inspector.of(model)) {
                inspector.image(rgb()).size(2500, 2500).grid(8); // conv1 alone is 100 MB of floats
            } catch (InferenceException e) {
                System.out.println(e.getMessage());
            }
        }
    }

    // ---- CancelledException: long work stops when its thread is interrupted ----

    @Test
    void anInterruptedThreadRunsNothing() {
        try (Inspector inspector = model()) {
            Request request = inspector.image(InspectorTest.rgbImage(W, H, 1));
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> request.heatmap(HeatmapMethod.SCORE_CAM))
                        .isExactlyInstanceOf(CancelledException.class).hasMessageContaining("interrupted");
                assertThat(Thread.currentThread().isInterrupted()).as("the interrupt status stays set").isTrue();
            } finally {
                Thread.interrupted();
            }
        }
    }

    /**
     * Occlusion with a 1-pixel patch and stride on a 224x224 input: 50,176 occluded inputs, which used to be built
     * all at once (tens of gigabytes) before the first run. Now each batch is built when it runs, and an interrupt
     * stops the work at its next run.
     */
    @Test
    void occlusionOfEveryPixelStreamsAndStopsWhenInterrupted() throws InterruptedException {
        try (Inspector inspector = Inspector.of(new TestModels(TestModels.Spec.rgb(224, 224)).bytes())) {
            Request request = inspector.image(InspectorTest.rgbImage(224, 224, 1));
            Throwable[] thrown = new Throwable[1];
            Thread worker = new Thread(() -> {
                try {
                    request.heatmap(HeatmapMethod.OCCLUSION, HeatmapOptions.defaults().occlusion(1, 1));
                } catch (Throwable t) {
                    thrown[0] = t;
                }
            });
            worker.start();
            Thread.sleep(500); // well into the runs; an earlier interrupt ends the same way
            worker.interrupt();
            worker.join(60_000);
            assertThat(worker.isAlive()).as("stopped").isFalse();
            assertThat(thrown[0]).isExactlyInstanceOf(CancelledException.class);
        }
    }

    @Test
    void patternsStopWhenInterrupted() throws InterruptedException {
        try (Inspector inspector = model()) {
            Patterns patterns = inspector.patterns("conv2").channels(0).steps(1_000_000, 1);
            Throwable[] thrown = new Throwable[1];
            Thread worker = new Thread(() -> {
                try {
                    patterns.list();
                } catch (Throwable t) {
                    thrown[0] = t;
                }
            });
            worker.start();
            Thread.sleep(500);
            worker.interrupt();
            worker.join(60_000);
            assertThat(worker.isAlive()).as("stopped").isFalse();
            assertThat(thrown[0]).isExactlyInstanceOf(CancelledException.class);
        }
    }

    // ---- programming errors: the JDK's exceptions ----

    @Test
    void nullArguments() {
        try (Inspector inspector = model()) {
            assertThatThrownBy(() -> Inspector.of((Path) null)).isExactlyInstanceOf(NullPointerException.class)
                    .hasMessage("model");
            assertThatThrownBy(() -> Inspector.of(new byte[1], null)).isExactlyInstanceOf(NullPointerException.class)
                    .hasMessage("options");
            assertThatThrownBy(() -> inspector.image((BufferedImage) null))
                    .isExactlyInstanceOf(NullPointerException.class).hasMessage("image");
            assertThatThrownBy(() -> inspector.image(rgb()).colormap(null))
                    .isExactlyInstanceOf(NullPointerException.class).hasMessage("colormap");
            assertThatThrownBy(() -> inspector.image(rgb()).preprocessing(null))
                    .isExactlyInstanceOf(NullPointerException.class).hasMessage("preprocessing");
            assertThatThrownBy(() -> inspector.image(rgb()).layers((String[]) null))
                    .isExactlyInstanceOf(NullPointerException.class).hasMessage("names");
        }
    }

    @Test
    void valuesOutOfRange() {
        try (Inspector inspector = model()) {
            Request request = inspector.image(rgb());
            assertThatThrownBy(() -> request.grid(0)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("perRow must be at least 1, was 0");
            assertThatThrownBy(() -> request.inspect().grid(-1)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("perRow must be at least 1, was -1");
            assertThatThrownBy(() -> request.upscale(0)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("upscale factor must be 1 to 64, was 0");
            assertThatThrownBy(() -> request.size(W + 1, H)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the model's input is fixed at 10x12 (width x height); size(11, 12) cannot apply");
            assertThatThrownBy(() -> request.size(0, H)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("size must be positive, was 0x12");
            assertThatThrownBy(() -> Options.defaults().maxPixels(0))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxPixels must be positive, was 0");
        }
    }

    @Test
    void useAfterClose() {
        Inspector inspector = model();
        Request request = inspector.image(rgb());
        inspector.close();
        assertThatThrownBy(() -> request.grid(4)).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("Inspector is closed");
        assertThatThrownBy(inspector::layers).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("Inspector is closed");
        assertThatThrownBy(() -> inspector.image(rgb())).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("Inspector is closed");
        inspector.close(); // closing twice is harmless
    }

    // ---- helpers ----

    private static BufferedImage rgb() {
        return InspectorTest.rgbImage(W, H, 1);
    }

    private static Onnx.NodeProto node(String op, List<String> in, String out) {
        return Onnx.NodeProto.newBuilder().setOpType(op).setName(op + "_" + out).addAllInput(in).addOutput(out).build();
    }

    /** A 1x1 Conv with the weight {@link #weight}, 2 output channels. */
    private static Onnx.NodeProto conv(String in, String out) {
        return node("Conv", List.of(in, "w"), out);
    }

    private static Onnx.NodeProto cast(String in, String out, int type) {
        return node("Cast", List.of(in), out).toBuilder().addAttribute(Onnx.AttributeProto.newBuilder().setName("to")
                .setType(Onnx.AttributeProto.AttributeType.INT).setI(type)).build();
    }

    /** The weight "w" of {@link #conv}: zeros of shape [2, channels, 1, 1]. */
    private static Onnx.TensorProto weight(int type, int channels) {
        int bytes = type == DOUBLE ? Double.BYTES : Float.BYTES;
        return Onnx.TensorProto.newBuilder().setName("w").setDataType(type)
                .addAllDims(List.of(2L, (long) channels, 1L, 1L))
                .setRawData(ByteString.copyFrom(new byte[2 * channels * bytes])).build();
    }

    /** A tensor's name, element type and shape; a negative dimension is dynamic. */
    private static Onnx.ValueInfoProto tensor(String name, int type, long... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (long d : dims) {
            Onnx.TensorShapeProto.Dimension.Builder dim = Onnx.TensorShapeProto.Dimension.newBuilder();
            shape.addDim(d < 0 ? dim.setDimParam("d" + shape.getDimCount()) : dim.setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
    }

    private static byte[] model(List<Onnx.NodeProto> nodes, List<Onnx.TensorProto> weights,
                                List<Onnx.ValueInfoProto> inputs, Onnx.ValueInfoProto output) {
        return Onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(Onnx.GraphProto.newBuilder().setName("g").addAllNode(nodes).addAllInitializer(weights)
                        .addAllInput(inputs).addOutput(output))
                .build().toByteArray();
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

    /**
     * A PNG of signature, IHDR declaring a size, and IEND: a well-formed file without any pixel data, which no
     * decoder can turn into an image. Declaring a huge size, it is a decompression bomb's header.
     */
    private static byte[] pngWithoutPixels(int width, int height) {
        ByteBuffer png = ByteBuffer.allocate(8 + 25 + 12)
                .put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        byte[] header = ByteBuffer.allocate(13).putInt(width).putInt(height).put(new byte[] {8, 2, 0, 0, 0}).array();
        chunk(png, "IHDR", header);
        chunk(png, "IEND", new byte[0]);
        return png.array();
    }

    private static void chunk(ByteBuffer png, String type, byte[] data) {
        byte[] typeAndData = ByteBuffer.allocate(4 + data.length).put(type.getBytes(StandardCharsets.US_ASCII))
                .put(data).array();
        CRC32 crc = new CRC32();
        crc.update(typeAndData);
        png.putInt(data.length).put(typeAndData).putInt((int) crc.getValue());
    }
}
