// The README's chain in JShell, on the shipped model and photo. From the repository root, after
// `mvn -q install -DskipTests`:
//   jshell --class-path "$(cat examples/target/classpath.txt)" examples/jshell/featuremaps.jsh
import dev.convlens.*;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

try (Inspector inspector = Inspector.of(Path.of("models/cats_vs_dogs_small.onnx"))) {
    List<BufferedImage> grids = inspector.image(Path.of("examples/images/chelsea.png"))
                                         .layers("conv2d", "conv2d_1")
                                         .grid(16);
    for (int i = 0; i < grids.size(); i++) {
        BufferedImage grid = grids.get(i);
        java.io.File file = new java.io.File("out/jshell_" + i + ".png");
        file.getParentFile().mkdirs();
        ImageIO.write(grid, "png", file);
        System.out.println("wrote " + file + " " + grid.getWidth() + "x" + grid.getHeight());
    }
    // what four channels of conv2d_2 respond to most, and which pixels made it say "cat"
    BufferedImage patterns = inspector.patterns("conv2d_2").channels(0, 1, 2, 3).grid(4);
    ImageIO.write(patterns, "png", new java.io.File("out/jshell_patterns.png"));
    Heatmap pixels = inspector.image(Path.of("examples/images/chelsea.png")).attribution(AttributionMethod.GRADIENT);
    ImageIO.write(pixels.overlay(), "png", new java.io.File("out/jshell_attribution.png"));
    System.out.println("wrote out/jshell_patterns.png and out/jshell_attribution.png");
}
/exit
