package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.convlens.onnx.Onnx;
import dev.convlens.render.ColormapReferences;
import dev.convlens.render.GridRenderer;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A broken model's NaN and infinite activations are drawn magenta, counted, and kept out of the contrast. */
class NonFiniteTest {
    private static final int H = 6;
    private static final int W = 5;

    /** input -> Sub 128 -> Log -> Conv 1x1 (channel 0 copied): red below 128 gives NaN, exactly 128 gives -Inf. */
    private static byte[] brokenModel() {
        ByteBuffer w = ByteBuffer.allocate(3 * 4).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(0).putFloat(0);
        ByteBuffer c = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(128);
        Onnx.GraphProto graph = Onnx.GraphProto.newBuilder().setName("broken")
                .addInitializer(Onnx.TensorProto.newBuilder().setName("w").setDataType(1)
                        .addAllDims(List.of(1L, 3L, 1L, 1L)).setRawData(ByteString.copyFrom(w.array())))
                .addInitializer(Onnx.TensorProto.newBuilder().setName("c").setDataType(1)
                        .setRawData(ByteString.copyFrom(c.array())))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Sub").addInput("x").addInput("c").addOutput("s"))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Log").addInput("s").addOutput("l"))
                .addNode(Onnx.NodeProto.newBuilder().setName("/conv/Conv").setOpType("Conv").addInput("l")
                        .addInput("w").addOutput("y"))
                .addInput(Onnx.ValueInfoProto.newBuilder().setName("x").setType(Onnx.TypeProto.newBuilder()
                        .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(
                                Onnx.TensorShapeProto.newBuilder()
                                        .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(1))
                                        .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(3))
                                        .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(H))
                                        .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(W))))))
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName("y"))
                .build();
        return Onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph).build().toByteArray();
    }

    /**
     * A heatmap of NaN values used to come out as a blank picture (scaled by a NaN maximum); now it is refused with
     * the count. The same model on an input that keeps it finite gives a heatmap.
     */
    @Test
    void aHeatmapWithNonFiniteValuesIsRefused() {
        try (Inspector inspector = Inspector.of(brokenModel())) {
            BufferedImage dark = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB); // red 0: NaN everywhere
            assertThatThrownBy(() -> inspector.image(dark).heatmap(HeatmapMethod.EIGEN_CAM))
                    .isExactlyInstanceOf(InferenceException.class)
                    .hasMessageContainingAll("EIGEN_CAM for class", "is not finite", "nonFiniteCount()");
            BufferedImage bright = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int level = 130 + x + y; // every channel over 128: Log stays finite
                    bright.setRGB(x, y, level << 16 | level << 8 | level);
                }
            }
            float[] map = inspector.image(bright).heatmap(HeatmapMethod.EIGEN_CAM).values();
            assertThat(map).isNotEmpty().doesNotContain(Float.NaN);
        }
    }

    @Test
    void nonFiniteValuesAreMagentaCountedAndLeftOutOfTheStatistics() {
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        int expectedNonFinite = 0;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int red = 100 + 10 * ((x + y * W) % 7); // 100..160: below, at and above 128
                image.setRGB(x, y, red << 16 | 200 << 8 | 200); // green and blue stay finite
                if (red <= 128) {
                    expectedNonFinite++;
                }
            }
        }
        try (Inspector inspector = Inspector.of(brokenModel())) {
            Inspection result = inspector.image(image).inspect();
            FeatureMap map = result.activations().get(0);
            assertThat(map.nonFiniteCount()).isEqualTo(expectedNonFinite).isPositive();
            assertThat(map.toString()).contains(expectedNonFinite + " non-finite");

            // the seed's standardization over the finite values only
            float[] v = map.values();
            double sum = 0;
            int n = 0;
            for (float x : v) {
                if (Float.isFinite(x)) {
                    sum += x;
                    n++;
                }
            }
            double mean = sum / n;
            double var = 0;
            for (float x : v) {
                if (Float.isFinite(x)) {
                    var += (x - mean) * (x - mean);
                }
            }
            double std = Math.sqrt(var / n);
            int[] viridis = ColormapReferences.table(Colormap.VIRIDIS);
            BufferedImage grid = result.grid(1).get(0);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    float value = v[y * W + x];
                    int expected = Float.isFinite(value)
                            ? viridis[(int) Math.max(0, Math.min(255, (value - mean) / std * 64 + 128))]
                            : GridRenderer.NON_FINITE;
                    assertThat(grid.getRGB(x, y) & 0xFFFFFF).as("pixel %d,%d (%f)", x, y, value).isEqualTo(expected);
                }
            }
        }
    }
}
