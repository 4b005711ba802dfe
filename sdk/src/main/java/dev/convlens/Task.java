package dev.convlens;

import dev.convlens.onnx.LayerInfo;
import java.util.List;

/**
 * What a {@link Request} asks for, as plain values: the image, the layers, how the image is prepared and how maps are
 * drawn. The pipeline carries it out; Request only builds it.
 *
 * @param source the image
 * @param layers the selected layers, or null for the default set
 * @param preprocessing how pixels become input values, or null for the model's own
 * @param width the input width asked for a model of dynamic size, or 0 for the image's
 * @param height the input height asked for, or 0
 * @param colormap the colors maps are drawn in
 * @param contrast how values map to colors, or null for each picture's default
 * @param upscale the integer enlargement of every value
 * @param target the score a heatmap explains, or null for the predicted class
 * @param progress hears how far long work has got
 */
record Task(Source source, List<LayerInfo> layers, Preprocessing preprocessing, int width, int height,
            Colormap colormap, Contrast contrast, int upscale, Target target, ProgressListener progress) {
    static Task of(Source source) {
        return new Task(source, null, null, 0, 0, Colormap.VIRIDIS, null, 1, null, ProgressListener.none());
    }

    Task withLayers(List<LayerInfo> l) {
        return new Task(source, l, preprocessing, width, height, colormap, contrast, upscale, target, progress);
    }

    Task withPreprocessing(Preprocessing p) {
        return new Task(source, layers, p, width, height, colormap, contrast, upscale, target, progress);
    }

    Task withSize(int w, int h) {
        return new Task(source, layers, preprocessing, w, h, colormap, contrast, upscale, target, progress);
    }

    Task withColormap(Colormap c) {
        return new Task(source, layers, preprocessing, width, height, c, contrast, upscale, target, progress);
    }

    Task withContrast(Contrast c) {
        return new Task(source, layers, preprocessing, width, height, colormap, c, upscale, target, progress);
    }

    Task withUpscale(int factor) {
        return new Task(source, layers, preprocessing, width, height, colormap, contrast, factor, target, progress);
    }

    Task withTarget(Target t) {
        return new Task(source, layers, preprocessing, width, height, colormap, contrast, upscale, t, progress);
    }

    Task withProgress(ProgressListener p) {
        return new Task(source, layers, preprocessing, width, height, colormap, contrast, upscale, target, p);
    }

    @Override
    public String toString() {
        return source + (layers == null ? "" : ", layers " + layers.stream().map(LayerInfo::name).toList())
                + (preprocessing == null ? "" : ", " + preprocessing)
                + (width == 0 ? "" : ", size " + width + "x" + height) + ", " + colormap
                + (contrast == null ? "" : ", " + contrast) + (upscale == 1 ? "" : ", upscale " + upscale)
                + (target == null ? "" : ", target " + target);
    }
}
