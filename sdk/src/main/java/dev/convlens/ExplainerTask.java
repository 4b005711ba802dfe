package dev.convlens;

import dev.convlens.onnx.LayerInfo;
import java.util.List;

/**
 * What an {@link Explainer} asks for, as plain values.
 *
 * @param method the explanation written in the graph
 * @param layer the heatmap's layer, or null for the default
 * @param activations layers whose outputs the explainer returns too
 * @param preprocessing how pixels become input values, or null for the model's own
 * @param width the width the model runs at, for a model of dynamic size; 0 for the default
 * @param height the height it runs at; 0 for the default
 * @param pictureWidth the fixed width of the explainer's picture, or 0 for any
 * @param pictureHeight its fixed height, or 0 for any
 * @param labels the class names written into the explainer's metadata, or empty
 * @param allClasses whether the explainer returns every class's map too
 * @param steps integrated gradients' points along the path
 */
record ExplainerTask(ExplanationMethod method, LayerInfo layer, List<LayerInfo> activations,
                     Preprocessing preprocessing, int width, int height, int pictureWidth, int pictureHeight,
                     List<String> labels, boolean allClasses, int steps) {
    static ExplainerTask of(ExplanationMethod method) {
        return new ExplainerTask(method, null, List.of(), null, 0, 0, 0, 0, List.of(), false,
                HeatmapOptions.defaults().steps());
    }

    ExplainerTask withSteps(int n) {
        return new ExplainerTask(method, layer, activations, preprocessing, width, height, pictureWidth,
                pictureHeight, labels, allClasses, n);
    }

    ExplainerTask withAllClasses() {
        return new ExplainerTask(method, layer, activations, preprocessing, width, height, pictureWidth,
                pictureHeight, labels, true, steps);
    }

    ExplainerTask withLayer(LayerInfo l) {
        return new ExplainerTask(method, l, activations, preprocessing, width, height, pictureWidth, pictureHeight,
                labels, allClasses, steps);
    }

    ExplainerTask withActivations(List<LayerInfo> a) {
        return new ExplainerTask(method, layer, List.copyOf(a), preprocessing, width, height, pictureWidth,
                pictureHeight, labels, allClasses, steps);
    }

    ExplainerTask withPreprocessing(Preprocessing p) {
        return new ExplainerTask(method, layer, activations, p, width, height, pictureWidth, pictureHeight, labels,
                allClasses, steps);
    }

    ExplainerTask withSize(int w, int h) {
        return new ExplainerTask(method, layer, activations, preprocessing, w, h, pictureWidth, pictureHeight,
                labels, allClasses, steps);
    }

    ExplainerTask withPictureSize(int w, int h) {
        return new ExplainerTask(method, layer, activations, preprocessing, width, height, w, h, labels,
                allClasses, steps);
    }

    ExplainerTask withLabels(List<String> l) {
        return new ExplainerTask(method, layer, activations, preprocessing, width, height, pictureWidth,
                pictureHeight, List.copyOf(l), allClasses, steps);
    }
}
