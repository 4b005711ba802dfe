package dev.convlens.examples;

import dev.convlens.AttributionMethod;
import dev.convlens.FeatureMap;
import dev.convlens.Heatmap;
import dev.convlens.HeatmapMethod;
import dev.convlens.Inspection;
import dev.convlens.Inspector;
import dev.convlens.Request;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;

/**
 * "Visualizing what convnets learn" (Chollet, Deep Learning with Python, 5.4 / 9.4) step by step on the shipped
 * cats-vs-dogs convnet: intermediate activations, class activation heatmaps, filter patterns, and pixel attributions. Each step prints what it does and writes its picture to {@code out/walkthrough}.
 *
 * <pre>
 * mvn -q -pl examples exec:java -Dexec.mainClass=dev.convlens.examples.Walkthrough [-Dexec.args="photo.jpg"]
 * </pre>
 */
public final class Walkthrough {
    private Walkthrough() {
    }

    /**
     * Runs the walk-through.
     *
     * @param args optionally an image to use instead of the shipped photo
     * @throws IOException if a PNG cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path image = Path.of(args.length > 0 ? args[0] : FeatureMaps.DEFAULT_IMAGE);
        Path out = Files.createDirectories(Path.of("out", "walkthrough"));

        // 1. The model: Keras's model.summary(), from the ONNX file alone.
        try (Inspector inspector = Inspector.of(Path.of(FeatureMaps.DEFAULT_MODEL))) {
            System.out.println(inspector.summary());

            // 2. The test image, as the network receives it: resized to 180x180 with nearest neighbours, as Keras's
            //    load_img does. The model rescales the 0..255 pixels itself.
            Request request = inspector.image(image);
            write(request.resized(), out.resolve("0_input.png"));

            // 3. One run gives the activations of every conv layer and the prediction.
            Inspection result = request.inspect();
            FeatureMap first = result.activations().get(0);
            System.out.printf("first layer: %s, %d channels of %dx%d%n", first.layer().name(), first.channels(),
                    first.width(), first.height());

            // 4. Single channels of the first layer, drawn like matshow: some detect edges, some colors.
            for (int channel : new int[] {0, 5, 11, 24}) {
                write(result.channel(first.layer().name(), channel),
                        out.resolve("1_" + first.layer().name() + "_channel_" + channel + ".png"));
            }

            // 5. Every channel of every conv layer, 16 per row: deeper layers grow sparser and more abstract.
            for (Path file : result.writeGrids(out.resolve("grids"), 16)) {
                System.out.println("wrote " + file);
            }

            // 6. What the model concluded from all this.
            System.out.println(FeatureMaps.prediction(result.output(), List.of("cat", "dog")));

            // 7. And where it looked to conclude it (9.4.3): Grad-CAM on the last conv layer, over the photo.
            Heatmap heatmap = request.heatmap(HeatmapMethod.GRAD_CAM);
            write(heatmap.overlay(), out.resolve("3_grad_cam.png"));

            // 8. Which pixels decided, at the input's resolution: integrated gradients from a black image.
            write(request.attribution(AttributionMethod.INTEGRATED_GRADIENTS).overlay(),
                    out.resolve("4_integrated_gradients.png"));

            // 9. What a channel wants to see (5.4.2): gradient ascent from a gray picture, 16 channels of conv2d_2.
            write(inspector.patterns("conv2d_2").channels(IntStream.range(0, 16).toArray()).grid(8),
                    out.resolve("5_patterns_conv2d_2.png"));
        }
    }

    private static void write(BufferedImage image, Path file) throws IOException {
        ImageIO.write(image, "png", file.toFile());
        System.out.printf("wrote %s (%dx%d)%n", file, image.getWidth(), image.getHeight());
    }
}
