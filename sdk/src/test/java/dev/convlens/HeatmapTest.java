package dev.convlens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every heatmap method against PyTorch on the same weights and input (sdk/tools/cam_references.py): the shipped
 * convnet and a small ResNet with BatchNorm and residual Adds. Pearson correlation of at least 0.99 per map.
 */
class HeatmapTest {
    static final Path SEED = Path.of("../models/cats_vs_dogs_small.onnx");
    static final Path PHOTO = Path.of("../examples/images/chelsea.png");

    /** A map PyTorch computed; {@code layer} is null for the default target layer. */
    record Reference(String model, HeatmapMethod method, String layer, int target, float score, int height,
                     int width, double[] values) {
    }

    static List<Reference> references(String model) throws IOException {
        List<Reference> rows = new ArrayList<>();
        try (InputStream in = HeatmapTest.class.getResourceAsStream("cam/" + model + "_reference.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t");
                double[] values = Stream.of(f[5].split(" ")).mapToDouble(Double::parseDouble).toArray();
                String[] methodAndLayer = f[0].split("@");
                rows.add(new Reference(model, HeatmapMethod.valueOf(methodAndLayer[0]),
                        methodAndLayer.length > 1 ? methodAndLayer[1] : null, Integer.parseInt(f[1]),
                        Float.parseFloat(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]), values));
            }
        }
        return rows;
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> all = new ArrayList<>();
        for (String model : List.of("seed", "resnet")) {
            for (Reference r : references(model)) {
                all.add(Arguments.of(model, r.method() + (r.layer() == null ? "" : " on " + r.layer()), r));
            }
        }
        return all.stream();
    }

    private static Inspector open(String model) throws IOException {
        if (model.equals("seed")) {
            return Inspector.of(SEED);
        }
        try (InputStream in = HeatmapTest.class.getResourceAsStream("cam/resnet_small.onnx")) {
            return Inspector.of(in);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesPytorch(String model, String name, Reference reference) throws IOException {
        HeatmapMethod method = reference.method();
        try (Inspector inspector = open(model)) {
            Request request = inspector.image(PHOTO)
                    .preprocessing(model.equals("seed") ? Preprocessing.RAW : Preprocessing.IMAGENET);
            if (reference.layer() != null) {
                request = request.layers(reference.layer());
            }
            request.heatmap(method); // the first run builds derived models; time the second
            long start = System.nanoTime();
            Heatmap heatmap = request.heatmap(method);
            double ms = (System.nanoTime() - start) / 1e6;
            assertThat(heatmap.targetClass()).isEqualTo(reference.target());
            assertThat(heatmap.score()).isCloseTo(reference.score(), within(1e-4f));
            assertThat(heatmap.height()).isEqualTo(reference.height());
            assertThat(heatmap.width()).isEqualTo(reference.width());
            double r = correlation(heatmap.values(), reference.values());
            System.out.printf("heatmap %-6s %-30s %2dx%-2d class %d: correlation with PyTorch %.6f, %7.1f ms%n", model,
                    name, heatmap.width(), heatmap.height(), heatmap.targetClass(), r, ms);
            assertThat(r).as("Pearson correlation with PyTorch").isGreaterThanOrEqualTo(0.99);
        }
    }

    static double correlation(float[] a, double[] b) {
        assertThat(a).hasSameSizeAs(b);
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= a.length;
        mb /= b.length;
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (a[i] - ma) * (b[i] - mb);
            aa += (a[i] - ma) * (a[i] - ma);
            bb += (b[i] - mb) * (b[i] - mb);
        }
        return aa == 0 && bb == 0 ? 1 : ab / Math.sqrt(aa * bb);
    }

    @Test
    void camNeedsAPooledDenseHeadAndSaysWhatElseWorks() {
        try (Inspector inspector = Inspector.of(SEED)) {
            assertThatThrownBy(() -> inspector.image(PHOTO).heatmap(HeatmapMethod.CAM))
                    .isInstanceOf(UnsupportedModelException.class)
                    .hasMessageContaining("global average pooling").hasMessageContaining("GRAD_CAM");
        }
    }

    @Test
    void theComplementClassOfASigmoidAndAnExplicitLayer() {
        try (Inspector inspector = Inspector.of(SEED)) {
            Request request = inspector.image(PHOTO);
            Heatmap predicted = request.heatmap(HeatmapMethod.GRAD_CAM);
            Heatmap other = request.target(1 - predicted.targetClass()).heatmap(HeatmapMethod.GRAD_CAM);
            assertThat(other.score()).isCloseTo(1 - predicted.score(), within(1e-6f));
            Heatmap early = request.layers("conv2d_2").heatmap(HeatmapMethod.GRAD_CAM);
            assertThat(early.layer().name()).isEqualTo("conv2d_2");
            assertThat(early.width()).isEqualTo(41); // gradients through MaxPool and Conv back to conv2d_2
            assertThatThrownBy(() -> request.target(2).heatmap(HeatmapMethod.GRAD_CAM))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one sigmoid output");
        }
    }

    @Test
    void overlaysAreThePhotosSizeAndFollowTheSeedsFormula() throws IOException {
        try (Inspector inspector = Inspector.of(SEED)) {
            Heatmap heatmap = inspector.image(PHOTO).heatmap(HeatmapMethod.GRAD_CAM);
            BufferedImage overlay = heatmap.overlay();
            assertThat(overlay.getWidth()).isEqualTo(451);
            assertThat(overlay.getHeight()).isEqualTo(300);
            BufferedImage blend = heatmap.overlay(0f);
            BufferedImage photo = javax.imageio.ImageIO.read(PHOTO.toFile());
            assertThat(blend.getRGB(200, 100)).isEqualTo(photo.getRGB(200, 100)); // alpha 0: the photo itself
            assertThat(heatmap.image(Colormap.JET).getWidth()).isEqualTo(451);
        }
    }
}
