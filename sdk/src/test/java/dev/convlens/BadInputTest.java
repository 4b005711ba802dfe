package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.convlens.onnx.Onnx;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input matrix: every row a test asserting the exception type and what its message tells the user.
 * Rows that need ../shared skip without it; the rest build their input here.
 */
class BadInputTest {
    private static final int H = 12;
    private static final int W = 10;

    @TempDir
    Path dir;

    private Inspector model() {
        return Inspector.of(new TestModels(TestModels.Spec.rgb(H, W)).bytes());
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    // ---- models ----

    @Test
    void modelFileMissing() {
        assertThatThrownBy(() -> Inspector.of(dir.resolve("nothing.onnx"))).isExactlyInstanceOf(ModelException.class)
                .hasMessageContaining("model file not found").hasMessageContaining("nothing.onnx");
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
                .hasMessageContaining("not an ONNX model");
    }

    @Test
    void modelFileOfAnotherFormatSaysWhich() throws IOException {
        Path keras = write("model.h5", new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'});
        assertThatThrownBy(() -> Inspector.of(keras)).isExactlyInstanceOf(ModelException.class)
                .hasMessageContaining("Keras HDF5").hasMessageContaining("tf2onnx");
        Path photo = write("photo.onnx", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0});
        assertThatThrownBy(() -> Inspector.of(photo)).isExactlyInstanceOf(ModelException.class)
                .hasMessageContaining("an image (were the model and the image swapped?)");
    }

    @Test
    void modelFileTruncated() throws IOException {
        byte[] full = new TestModels(TestModels.Spec.rgb(H, W)).bytes();
        Path half = write("half.onnx", Arrays.copyOf(full, full.length / 2));
        assertThatThrownBy(() -> Inspector.of(half)).isExactlyInstanceOf(ModelException.class)
                .hasMessageContaining("the file is truncated");
    }

    @Test
    void modelWithoutConvolution() {
        byte[] relu = model(List.of(node("Relu", List.of("x"), "y")), List.of(input("x", 1, 1, 3, 8, 8)), "y");
        assertThatThrownBy(() -> Inspector.of(relu)).isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("no convolution layer");
    }

    @Test
    void modelWithSeveralInputs() {
        byte[] two = model(List.of(node("Add", List.of("a", "b"), "y")),
                List.of(input("a", 1, 1, 3, 8, 8), input("b", 1, 1, 3, 8, 8)), "y");
        assertThatThrownBy(() -> Inspector.of(two)).isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("has 2 inputs [a, b]").hasMessageContaining("one image");
    }

    @Test
    void modelWithANonImageInput() {
        Path flat = Shared.require("models/wild/cat_vs_dog_flat_input_pytorch_op14.onnx");
        assertThatThrownBy(() -> Inspector.of(flat)).isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("input 'input' has shape [150528], not an image")
                .hasMessageContaining("[N,C,H,W] or [N,H,W,C]");
    }

    @Test
    void modelWithAnInputOfSixChannels() {
        byte[] six = model(List.of(node("Relu", List.of("x"), "y")), List.of(input("x", 1, 1, 6, 8, 8)), "y");
        assertThatThrownBy(() -> Inspector.of(six)).isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("cannot tell whether the channels come first");
    }

    @Test
    void modelWithAnOpOnnxRuntimeHasNoKernelFor() {
        // Conv on float64 is valid ONNX, but ONNX Runtime's CPU provider has no such kernel
        Onnx.TensorProto w = Onnx.TensorProto.newBuilder().setName("w").setDataType(11).addAllDims(List.of(2L, 3L, 1L, 1L))
                .setRawData(ByteString.copyFrom(new byte[6 * 8])).build();
        byte[] bytes = Onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(Onnx.GraphProto.newBuilder().setName("g").addInitializer(w)
                        .addNode(node("Conv", List.of("x", "w"), "y"))
                        .addInput(input("x", 11, 1, 3, 8, 8)).addOutput(input("y", 11, 1, 2, 8, 8)))
                .build().toByteArray();
        assertThatThrownBy(() -> Inspector.of(bytes)).isInstanceOf(ModelException.class)
                .hasMessageContaining("float64"); // refused by ConvLens before ONNX Runtime: float input
        byte[] unknownOp = model(List.of(node("NoSuchOp", List.of("x"), "y")), List.of(input("x", 1, 1, 3, 8, 8)), "y");
        byte[] withConv = withConv(unknownOp);
        assertThatThrownBy(() -> Inspector.of(withConv)).isInstanceOf(ModelException.class)
                .hasMessageContaining("ONNX Runtime cannot load").hasMessageContaining("NoSuchOp");
    }

    @Test
    void modelWithACycleIsRefusedWithoutHanging() {
        // found by fuzzing: a node that reads its own output sent the layer search round forever
        Onnx.TensorProto w = Onnx.TensorProto.newBuilder().setName("w").setDataType(1).addAllDims(List.of(2L, 3L, 1L, 1L))
                .setRawData(ByteString.copyFrom(new byte[6 * 4])).build();
        byte[] cyclic = Onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(Onnx.GraphProto.newBuilder().setName("g").addInitializer(w)
                        .addNode(node("Conv", List.of("x", "w"), "c"))
                        .addNode(node("Relu", List.of("c"), "d"))
                        .addNode(node("Relu", List.of("d"), "c"))
                        .addInput(input("x", 1, 1, 3, 8, 8)).addOutput(Onnx.ValueInfoProto.newBuilder().setName("z")))
                .build().toByteArray();
        assertThatThrownBy(() -> Inspector.of(cyclic)).isInstanceOf(ModelException.class)
                .hasMessageContaining("ONNX Runtime cannot load");
    }

    @Test
    void externalDataMissing() throws IOException {
        Path file = new TestModels(TestModels.Spec.rgb(H, W)).writeWithExternalData(dir);
        Files.delete(dir.resolve("weights.bin"));
        assertThatThrownBy(() -> Inspector.of(file)).isExactlyInstanceOf(ModelException.class)
                .hasMessageContaining("external data file missing")
                .hasMessageContaining("initializer 'conv1.weight'").hasMessageContaining("weights.bin");
    }

    // ---- images ----

    @Test
    void imageMissing() {
        try (Inspector inspector = model()) {
            assertThatThrownBy(() -> inspector.image(dir.resolve("gone.jpg"))).isExactlyInstanceOf(ImageException.class)
                    .hasMessageContaining("image file not found");
        }
    }

    @Test
    void imageEmpty() throws IOException {
        Path empty = write("empty.jpg", new byte[0]);
        try (Inspector inspector = model()) {
            assertThatThrownBy(() -> inspector.image(empty).inspect()).isExactlyInstanceOf(ImageException.class)
                    .hasMessageContaining("image is empty (0 bytes)");
        }
    }

    @Test
    void imageTruncated() throws IOException {
        Path broken = Shared.require("images/corrupt_truncated.jpg");
        byte[] photo = Files.readAllBytes(Shared.require("images/cat_1000x1000.jpg"));
        Path half = write("half.jpg", Arrays.copyOf(photo, photo.length / 2));
        try (Inspector inspector = model()) {
            assertThatThrownBy(() -> inspector.image(broken).inspect()).isExactlyInstanceOf(ImageException.class)
                    .hasMessageContaining("JPEG").hasMessageContaining("corrupt or truncated");
            assertThatThrownBy(() -> inspector.image(half).inspect()).isExactlyInstanceOf(ImageException.class)
                    .hasMessageContaining("is truncated");
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
    void imageOfAnUnsupportedFormat() throws IOException {
        byte[] webp;
        try (var in = BadInputTest.class.getResourceAsStream("image/tiny.webp")) {
            webp = in.readAllBytes();
        }
        try (Inspector inspector = model()) {
            assertThatThrownBy(() -> inspector.image(webp).inspect()).isExactlyInstanceOf(ImageException.class)
                    .hasMessageContaining("WEBP").hasMessageContaining("Convert it to PNG or JPEG");
            byte[] text = "plain words".getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> inspector.image(text).inspect()).isExactlyInstanceOf(ImageException.class)
                    .hasMessageContaining("is not an image format ConvLens reads");
        }
    }

    @Test
    void imageDeclaringFiftyThousandSquaredPixelsIsRefusedBeforeDecoding() throws IOException {
        Path bomb = write("bomb.png", pngHeader(50_000, 50_000));
        assertThat(Files.size(bomb)).isLessThan(100);
        try (Inspector inspector = model()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> inspector.image(bomb).inspect()).isExactlyInstanceOf(ImageTooLargeException.class)
                    .hasMessageContaining("declares 50000x50000 = 2500000000 pixels")
                    .hasMessageContaining("Options.maxPixels")
                    .satisfies(e -> assertThat(((ImageTooLargeException) e).limit())
                            .isEqualTo(Options.DEFAULT_MAX_PIXELS));
            assertThat((System.nanoTime() - start) / 1e6).as("ms to refuse").isLessThan(1000);
        }
        Path big = write("big.png", png(new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB)));
        try (Inspector strict = Inspector.of(new TestModels(TestModels.Spec.rgb(H, W)).bytes(),
                Options.defaults().maxPixels(50_000))) {
            assertThatThrownBy(() -> strict.image(big).inspect()).isExactlyInstanceOf(ImageTooLargeException.class)
                    .hasMessageContaining("300x200 = 60000 pixels, more than the limit of 50000");
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
        Path file = write("gray16.png", png(gray16));
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

    // ---- API misuse ----

    @Test
    void unknownLayerListsTheNearestNames() {
        try (Inspector inspector = model()) {
            assertThatThrownBy(() -> inspector.image(rgb()).layers("conv3"))
                    .isExactlyInstanceOf(LayerNotFoundException.class)
                    .hasMessageStartingWith("no layer matches 'conv3'; closest: conv1, conv2");
        }
    }

    @Test
    void gridOfZeroOrNegativeColumns() {
        try (Inspector inspector = model()) {
            assertThatThrownBy(() -> inspector.image(rgb()).grid(0)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("perRow must be at least 1, was 0");
            assertThatThrownBy(() -> inspector.image(rgb()).inspect().grid(-1))
                    .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("perRow must be at least 1, was -1");
        }
    }

    @Test
    void useAfterClose() {
        Inspector inspector = model();
        Request request = inspector.image(rgb());
        inspector.close();
        assertThatThrownBy(() -> request.grid(4)).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("Inspector is closed");
        assertThatThrownBy(inspector::layers).isExactlyInstanceOf(IllegalStateException.class);
    }

    @Test
    void nullArguments() {
        try (Inspector inspector = model()) {
            assertThatThrownBy(() -> Inspector.of((Path) null)).isExactlyInstanceOf(NullPointerException.class)
                    .hasMessage("model");
            assertThatThrownBy(() -> inspector.image((BufferedImage) null)).isExactlyInstanceOf(NullPointerException.class)
                    .hasMessage("image");
            assertThatThrownBy(() -> inspector.image(rgb()).colormap(null)).isExactlyInstanceOf(NullPointerException.class)
                    .hasMessage("colormap");
            assertThatThrownBy(() -> inspector.image(rgb()).layers((String[]) null))
                    .isExactlyInstanceOf(NullPointerException.class).hasMessage("names");
        }
    }

    // ---- helpers ----

    private static BufferedImage rgb() {
        return InspectorTest.rgbImage(W, H, 1);
    }

    private static Onnx.NodeProto node(String op, List<String> in, String out) {
        return Onnx.NodeProto.newBuilder().setOpType(op).setName(op).addAllInput(in).addOutput(out).build();
    }

    private static Onnx.ValueInfoProto input(String name, int type, long... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
    }

    private static byte[] model(List<Onnx.NodeProto> nodes, List<Onnx.ValueInfoProto> inputs, String output) {
        return Onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(Onnx.GraphProto.newBuilder().setName("g").addAllNode(nodes).addAllInput(inputs)
                        .addOutput(Onnx.ValueInfoProto.newBuilder().setName(output)))
                .build().toByteArray();
    }

    /** Adds a 1x1 Conv after the graph's first node, so the model passes ConvLens's own checks. */
    private static byte[] withConv(byte[] model) {
        try {
            Onnx.ModelProto m = Onnx.ModelProto.parseFrom(model);
            Onnx.TensorProto w = Onnx.TensorProto.newBuilder().setName("w").setDataType(1)
                    .addAllDims(List.of(2L, 3L, 1L, 1L)).setRawData(ByteString.copyFrom(new byte[6 * 4])).build();
            Onnx.GraphProto g = m.getGraph().toBuilder().addInitializer(w)
                    .addNode(node("Conv", List.of("y", "w"), "z"))
                    .setOutput(0, Onnx.ValueInfoProto.newBuilder().setName("z")).build();
            return m.toBuilder().setGraph(g).build().toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** A PNG signature and IHDR chunk declaring a size, and nothing else: a decompression bomb's header. */
    static byte[] pngHeader(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        return ByteBuffer.allocate(8 + 4 + 17 + 4)
                .put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
                .putInt(13).put(ihdr.array()).putInt((int) crc.getValue()).array();
    }
}
