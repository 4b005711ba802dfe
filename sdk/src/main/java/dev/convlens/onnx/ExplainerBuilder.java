package dev.convlens.onnx;

import dev.convlens.AttributionMethod;
import dev.convlens.ExplanationMethod;
import dev.convlens.HeatmapMethod;
import dev.convlens.Layout;
import dev.convlens.ModelException;
import dev.convlens.Preprocessing;
import dev.convlens.UnsupportedModelException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Writes an explainer: the model, taking the bytes of an RGB picture of any size, with its resize and preprocessing
 * inside the graph ({@link PictureInput}), and returning besides its own outputs the heatmap of a class, that
 * heatmap drawn over the picture ({@link HeatmapGraph}), the class and its score. The class's gradient comes from the
 * backward nodes of {@link GradientBuilder}, its seed picked in the graph from the {@value #TARGET} input. The
 * model's weights are its own initializers, not copied.
 */
public final class ExplainerBuilder {
    /**
     * The picture input: uint8 {@code [H, W, 3]}, RGB. This and the other names of the explainer's own inputs and
     * outputs are prefixed with {@code convlens_} where the model has a tensor of that name already (many name
     * theirs {@code score} or {@code class}): the model's own keep theirs.
     */
    public static final String IMAGE = "image";
    /**
     * The class input: an int64 scalar, -1 for the predicted class. A plain input, not one an initializer backs with
     * a default: ONNX Runtime's Java API, Android's, counts only plain inputs and refuses to feed any other.
     */
    public static final String TARGET = "target";
    /** The map output, {@code [h, w]} float32. */
    public static final String HEATMAP = "heatmap";
    /** The overlay output, uint8 {@code [H, W, 3]}. */
    public static final String OVERLAY = "overlay";
    /** Every class's map, float32 {@code [classes, h, w]}, where {@link Spec#allClasses()} asks for it. */
    public static final String HEATMAPS = "heatmaps";
    /** The methods that give every class's map in one run: CAM and Recipro-CAM. */
    public static final Set<HeatmapMethod> ALL_CLASSES = Set.of(HeatmapMethod.CAM, HeatmapMethod.RECIPRO_CAM);
    /** The explained class, int64 scalar. */
    public static final String CLASS = "class";
    /** The class's score, float32 scalar. */
    public static final String SCORE = "score";
    /** The {@code metadata_props} key that marks an explainer, holding its method. */
    public static final String METHOD_KEY = "convlens.explainer.method";
    /** The methods written in the graph. */
    public static final Set<ExplanationMethod> METHODS = Set.of(HeatmapMethod.CAM, HeatmapMethod.GRAD_CAM,
            HeatmapMethod.GRAD_CAM_PLUS_PLUS, HeatmapMethod.XGRAD_CAM, HeatmapMethod.HIRES_CAM, HeatmapMethod.LAYER_CAM,
            HeatmapMethod.EIGEN_GRAD_CAM, HeatmapMethod.EIGEN_CAM, HeatmapMethod.RECIPRO_CAM,
            AttributionMethod.INTEGRATED_GRADIENTS, AttributionMethod.GUIDED_GRAD_CAM, AttributionMethod.GRADIENT, AttributionMethod.INPUT_X_GRADIENT,
            AttributionMethod.GUIDED_BACKPROP);
    /** The oldest opset with the ops the picture's resize needs (Range, CumSum). */
    static final long OLDEST_OPSET = 11;
    private static final String PREFIX = "convlens/explain/";

    private ExplainerBuilder() {
    }

    /**
     * What the model takes and how a picture becomes it.
     *
     * @param name the model input's name
     * @param width the width the model runs at
     * @param height the height it runs at
     * @param pictureWidth the explainer's picture width, or -1 for any
     * @param pictureHeight its height, or -1 for any
     */
    public record Picture(String name, Layout layout, int channels, int width, int height,
                          Preprocessing preprocessing, int pictureWidth, int pictureHeight) {
    }

    /**
     * An explainer to write.
     *
     * @param layer the tensor the heatmap method weighs ({@link #weighed}), or null (an attribution)
     * @param quantized how an int8 model's layer reads as real values, or null
     * @param output the model output whose class is explained
     * @param shapes the shape of each tensor {@link #tensors} names, from a run at the model's size
     * @param activations tensors returned too, under their own names
     * @param colors 0.4 times each of the 256 jet colors' channels
     * @param metadata entries added to {@code metadata_props}
     * @param allClasses whether to return every class's map too, as {@value #HEATMAPS} (a method of
     *     {@link #ALL_CLASSES})
     * @param integration integrated gradients' steps and baseline, or null for another method
     */
    public record Spec(ExplanationMethod method, String layer, LayerInfo.Quantized quantized, String output,
                       Map<String, long[]> shapes, Picture picture, List<String> activations, float[] colors,
                       Map<String, String> metadata, boolean allClasses, Integration integration) {
    }

    /**
     * Integrated gradients' path, run as one batch after the picture's own input: the shapes of {@link Spec} are
     * then those of a batch of {@code 1 + steps}.
     *
     * @param steps the points of the path, the midpoints of equal intervals
     * @param baseline the model input of a black picture, one value per model channel
     */
    public record Integration(int steps, float[] baseline) {
    }

    /**
     * The tensor a heatmap method weighs for a layer: the maps that enter the global pooling after it for CAM, the
     * layer's output for the others.
     *
     * @throws UnsupportedModelException if CAM finds no head of global average pooling and one dense layer
     */
    public static String weighed(ModelFile model, HeatmapMethod method, String layer, String output) {
        return method == HeatmapMethod.CAM ? DenseHead.require(model, layer, output).pooled() : layer;
    }

    /**
     * The tensors whose shapes {@link #build} needs.
     *
     * @param layer the tensor the method weighs ({@link #weighed}), or null for an attribution
     */
    public static List<String> tensors(ModelFile model, ExplanationMethod method, String layer, String input,
                                       String output, List<String> activations) {
        Set<String> needed = new java.util.LinkedHashSet<>();
        if (gradientFree(method)) {
            needed.addAll(List.of(layer, output));
        } else {
            needed.addAll(GradientBuilder.path(model, method instanceof HeatmapMethod ? layer : input, output));
        }
        if (method == AttributionMethod.GUIDED_GRAD_CAM) { // and Grad-CAM's pass down to the layer
            needed.addAll(GradientBuilder.path(model, layer, output));
        }
        needed.addAll(activations);
        needed.remove(input);
        return List.copyOf(needed);
    }

    /** Whether a method needs no backward pass: CAM, Eigen-CAM and Recipro-CAM read forward passes alone. */
    private static boolean gradientFree(ExplanationMethod method) {
        return method == HeatmapMethod.CAM || method == HeatmapMethod.EIGEN_CAM
                || method == HeatmapMethod.RECIPRO_CAM;
    }

    /**
     * Writes the explainer.
     *
     * @throws UnsupportedModelException if the model's opset is older than 11, or the gradient cannot be taken on
     *     the way to the score
     */
    public static ByteBuffer build(ModelFile model, Spec spec) {
        long opset = Graph.opset(model.proto());
        if (opset < OLDEST_OPSET) {
            throw new UnsupportedModelException(model.source() + " imports ONNX opset " + opset + "; an explainer"
                    + " resizes the picture with Range and CumSum, which opset " + OLDEST_OPSET + " brought. Convert"
                    + " the model first: onnx.version_converter.convert_version(model, 13) in Python");
        }
        Picture picture = spec.picture();
        Set<String> taken = tensors(model.proto().getGraph(), picture.name());
        String image = free(IMAGE, taken);
        String target = free(TARGET, taken);
        String classIndex = free(CLASS, taken);
        String score = free(SCORE, taken);
        boolean attribution = spec.method() instanceof AttributionMethod;
        Integration integration = spec.integration();
        int points = integration == null ? 0 : integration.steps();
        GradientBuilder.Pick pick = new GradientBuilder.Pick(target, classIndex, score, points);
        boolean guidedGradCam = spec.method() == AttributionMethod.GUIDED_GRAD_CAM;
        String gradientTarget = gradientFree(spec.method()) ? null
                : attribution && !guidedGradCam ? picture.name() : spec.layer();
        Onnx.ModelProto gradients;
        try {
            gradients = GradientBuilder.model(model, gradientTarget, spec.output(), spec.shapes(),
                    spec.method() == AttributionMethod.GUIDED_BACKPROP, null, List.of(), pick);
        } catch (UnsupportedModelException e) { // say which explainers need no gradient
            throw new UnsupportedModelException(e.getMessage() + " An explainer without a backward pass: EIGEN_CAM,"
                    + " RECIPRO_CAM, or CAM on a head of global average pooling and one dense layer.", e);
        }
        Onnx.GraphProto.Builder graph = gradients.getGraph().toBuilder();
        String guided = guidedGradCam // its guided pass down to the input, beside Grad-CAM's to the layer
                ? GradientBuilder.guidedToInput(graph, model, picture.name(), spec.output(), spec.shapes()) : null;
        // the model's input becomes a tensor the picture's nodes write; renamed where the picture takes its name
        String input = picture.name().equals(image) ? PREFIX + "input" : picture.name();
        if (!input.equals(picture.name())) {
            renameInput(graph, picture.name(), input);
        }
        List<Onnx.ValueInfoProto> outputs = new ArrayList<>(model.inFloat32().proto().getGraph().getOutputList());
        // with integrated gradients the model runs on a batch, the picture first: its outputs are that row
        Set<String> batched = new java.util.LinkedHashSet<>();
        if (integration != null) {
            outputs.forEach(o -> batched.add(o.getName()));
            batched.addAll(spec.activations());
            batched.forEach(name -> renameTensor(graph, name, PREFIX + "batch/" + name));
        }

        Onnx.GraphProto.Builder front = Onnx.GraphProto.newBuilder();
        GraphWriter frontWriter = new GraphWriter(front, opset, PREFIX + "picture/");
        String own = integration == null ? input : frontWriter.fresh("input"); // the picture's own model input
        new PictureInput(frontWriter).write(image, own, picture.layout(), picture.channels(), picture.width(),
                picture.height(), picture.preprocessing());
        String baseline = null;
        if (integration != null) { // the batch: the picture, then baseline + alpha (picture - baseline)
            long[] perChannel = picture.layout() == Layout.NCHW ? new long[] {1, picture.channels(), 1, 1}
                    : new long[] {1, 1, 1, picture.channels()};
            baseline = frontWriter.floats(java.util.Arrays.copyOf(integration.baseline(), picture.channels()),
                    perChannel);
            float[] alphas = new float[points];
            for (int k = 0; k < points; k++) {
                alphas[k] = (k + 0.5f) / points; // as Attributions: the midpoints, in float
            }
            String path = frontWriter.add(baseline, frontWriter.mul(frontWriter.floats(alphas, points, 1, 1, 1),
                    frontWriter.sub(own, baseline)));
            frontWriter.emitAs("Concat", List.of(own, path), input, GraphWriter.int1("axis", 0));
        }
        List<Onnx.NodeProto> nodes = new ArrayList<>(front.getNodeList());
        nodes.addAll(graph.getNodeList());
        graph.clearNode().addAllNode(nodes).addAllInitializer(front.getInitializerList());

        GraphWriter w = new GraphWriter(graph, opset, PREFIX);
        HeatmapGraph maps = new HeatmapGraph(w);
        String gradient = GradientBuilder.gradientOf(attribution && !guidedGradCam ? picture.name() : spec.layer());
        long h;
        long wide;
        String map;
        String reciproOutputs = null;
        String everyClass = null; // [classes, h * w], for allClasses
        if (attribution) {
            h = picture.height();
            wide = picture.width();
            if (guidedGradCam) {
                long[] shape = spec.shapes().get(spec.layer());
                String cam = w.reshape(maps.cam(HeatmapMethod.GRAD_CAM, spec.layer(), gradient), shape[2], shape[3]);
                map = maps.guidedGradCam(guided, cam, shape[2], shape[3], h, wide, picture.layout());
            } else {
                map = integration != null
                        ? maps.integratedGradients(own, baseline, gradient, points, picture.layout())
                        : maps.attribution((AttributionMethod) spec.method(), input, gradient, picture.layout());
            }
        } else {
            long[] shape = spec.shapes().get(spec.layer());
            h = shape[2];
            wide = shape[3];
            long values = java.util.Arrays.stream(spec.shapes().get(spec.output())).skip(1)
                    .reduce(1, Math::multiplyExact);
            String activations = spec.layer();
            LayerInfo.Quantized q = spec.quantized();
            if (q != null && spec.method() == HeatmapMethod.RECIPRO_CAM) {
                throw new UnsupportedModelException("RECIPRO_CAM feeds a layer's masked activations to the rest of"
                        + " the network, and this int8 model's layer " + spec.layer() + " holds integers; use"
                        + " EIGEN_CAM, or GRAD_CAM where its gradient passes");
            }
            if (q != null) { // integers: read as (q - zero) * scale, the gradient per integer step divided by it
                activations = w.mul(w.sub(w.cast(activations, GraphWriter.FLOAT), w.scalar((float) q.zeroPoint())),
                        w.scalar(q.scale()));
                gradient = w.emit("Div", gradient, w.scalar(q.scale()));
            }
            map = switch ((HeatmapMethod) spec.method()) {
                case CAM -> maps.cam(DenseHead.require(model, spec.layer(), spec.output()), activations, classIndex);
                case EIGEN_CAM -> maps.eigenCam(activations, shape[1], h, wide);
                case EIGEN_GRAD_CAM -> maps.eigenCam(w.mul(activations, gradient), shape[1], h, wide);
                case RECIPRO_CAM -> {
                    String constant = values == 1
                            ? w.sub(w.scalar(1f), w.cast(classIndex, GraphWriter.FLOAT)) : null;
                    reciproOutputs = maps.reciproOutputs(model.inFloat32().proto().getGraph(), activations, h,
                            wide, spec.output(), values);
                    yield maps.reciproCam(reciproOutputs, values, GradientBuilder.SEED, constant);
                }
                default -> maps.cam((HeatmapMethod) spec.method(), activations, gradient);
            };
            if (spec.allClasses()) {
                everyClass = spec.method() == HeatmapMethod.CAM
                        ? maps.camAll(DenseHead.require(model, spec.layer(), spec.output()), activations, h * wide)
                        : maps.reciproCamAll(reciproOutputs, values);
            }
        }
        String heatmap = w.emitAs("Reshape", List.of(map, w.int64(h, wide)), free(HEATMAP, taken));
        String overlay = w.emitAs("Identity", List.of(maps.overlay(spec.method(), heatmap, h, wide, image,
                spec.colors())), free(OVERLAY, taken));

        graph.removeInput(indexOf(graph.getInputList(), picture.name()));
        long[] pictureShape = {picture.pictureHeight(), picture.pictureWidth(), 3};
        graph.addInput(0, ValueInfo.of(image, GraphWriter.UINT8, pictureShape));
        graph.addInput(1, ValueInfo.of(target, GraphWriter.INT64, new long[0]));
        graph.clearOutput().addAllOutput(outputs);
        graph.addOutput(ValueInfo.of(heatmap, GraphWriter.FLOAT, new long[] {h, wide}));
        graph.addOutput(ValueInfo.of(overlay, GraphWriter.UINT8, pictureShape));
        graph.addOutput(ValueInfo.of(classIndex, GraphWriter.INT64, new long[0]));
        graph.addOutput(ValueInfo.of(score, GraphWriter.FLOAT, new long[0]));
        if (everyClass != null) {
            String heatmaps = w.emitAs("Reshape", List.of(everyClass, w.int64(-1, h, wide)), free(HEATMAPS, taken));
            graph.addOutput(ValueInfo.of(heatmaps, GraphWriter.FLOAT, new long[] {-1, h, wide}));
        }
        Map<String, Integer> types = new Graph(gradients.getGraph()).elemTypes(model.inFloat32().inputs(),
                GraphWriter.FLOAT);
        for (String name : batched) {
            w.emitAs("Identity", List.of(w.slice(PREFIX + "batch/" + name, 0, 0, 1)), name);
        }
        for (String a : spec.activations()) {
            if (outputs.stream().noneMatch(o -> o.getName().equals(a))) {
                long[] shape = spec.shapes().get(a).clone();
                shape[0] = 1;
                graph.addOutput(ValueInfo.of(a, types.getOrDefault(a, GraphWriter.FLOAT), shape));
            }
        }
        GradientBuilder.prune(graph);
        keepFloat16Weights(graph, model.proto().getGraph());
        Onnx.ModelProto.Builder result = gradients.toBuilder().setGraph(graph).clearMetadataProps();
        for (Onnx.StringStringEntryProto e : gradients.getMetadataPropsList()) {
            if (!spec.metadata().containsKey(e.getKey())) {
                result.addMetadataProps(e);
            }
        }
        spec.metadata().forEach((k, v) -> result.addMetadataProps(
                Onnx.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return ModelFile.serialize(result.build());
    }

    /**
     * Puts a float16 model's own weights back where the float32 copy has them: each stays float16 under a new name,
     * and a Cast at the front of the graph gives its float32 values (exactly the copy's: every float16 value is a
     * float32 value) the weight's name, so the explainer is the model's size, not twice it. Weights kept in external
     * files stay in float32.
     */
    private static void keepFloat16Weights(Onnx.GraphProto.Builder graph, Onnx.GraphProto original) {
        Set<String> inputs = new java.util.HashSet<>(); // older models list their weights as inputs too: left alone
        original.getInputList().forEach(v -> inputs.add(v.getName()));
        Map<String, Onnx.TensorProto> halves = new java.util.HashMap<>();
        for (Onnx.TensorProto t : original.getInitializerList()) {
            if (t.getDataType() == Onnx.TensorProto.DataType.FLOAT16_VALUE && !inputs.contains(t.getName())
                    && t.getDataLocation() != Onnx.TensorProto.DataLocation.EXTERNAL) {
                halves.put(t.getName(), t);
            }
        }
        if (halves.isEmpty()) {
            return;
        }
        List<Onnx.NodeProto> casts = new ArrayList<>();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            Onnx.TensorProto half = halves.get(graph.getInitializer(i).getName());
            if (half != null) {
                String name = PREFIX + "float16/" + half.getName();
                graph.setInitializer(i, half.toBuilder().setName(name));
                casts.add(Onnx.NodeProto.newBuilder().setOpType("Cast").setName(name + "/Cast").addInput(name)
                        .addOutput(half.getName()).addAttribute(GraphWriter.int1("to", GraphWriter.FLOAT)).build());
            }
        }
        List<Onnx.NodeProto> nodes = new ArrayList<>(casts);
        nodes.addAll(graph.getNodeList());
        graph.clearNode().addAllNode(nodes);
    }

    /** Every tensor name of a graph but its input's, which the explainer replaces. */
    private static Set<String> tensors(Onnx.GraphProto graph, String input) {
        Set<String> names = new java.util.HashSet<>();
        graph.getNodeList().forEach(n -> names.addAll(n.getOutputList()));
        graph.getInitializerList().forEach(t -> names.add(t.getName()));
        graph.getInputList().forEach(v -> names.add(v.getName()));
        graph.getOutputList().forEach(v -> names.add(v.getName()));
        names.remove(input);
        return names;
    }

    /** A name of the explainer's own, prefixed where the model has a tensor of that name. */
    private static String free(String name, Set<String> taken) {
        String prefixed = "convlens_" + name;
        if (!taken.contains(name)) {
            return name;
        }
        if (taken.contains(prefixed)) {
            throw new UnsupportedModelException("the model has tensors named both '" + name + "' and '" + prefixed
                    + "', the names an explainer gives its own; rename one of them");
        }
        return prefixed;
    }

    private static int indexOf(List<Onnx.ValueInfoProto> values, String name) {
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i).getName().equals(name)) {
                return i;
            }
        }
        throw new IllegalStateException("no graph input " + name);
    }

    /** Renames a tensor everywhere a node writes or reads it. */
    private static void renameTensor(Onnx.GraphProto.Builder graph, String from, String to) {
        renameInput(graph, from, to);
        for (Onnx.NodeProto.Builder n : graph.getNodeBuilderList()) {
            for (int i = 0; i < n.getOutputCount(); i++) {
                if (n.getOutput(i).equals(from)) {
                    n.setOutput(i, to);
                }
            }
        }
    }

    /** Renames a model input where nodes read it: its name is one the explainer gives its own input or outputs. */
    private static void renameInput(Onnx.GraphProto.Builder graph, String from, String to) {
        for (Onnx.NodeProto.Builder n : graph.getNodeBuilderList()) {
            for (int i = 0; i < n.getInputCount(); i++) {
                if (n.getInput(i).equals(from)) {
                    n.setInput(i, to);
                }
            }
        }
    }

    /**
     * The ops a model runs, in ONNX Runtime's reduced-operator configuration format ({@code domain;opset;ops}, one
     * line per domain), for a custom minimal build that runs it.
     *
     * @throws ModelException if the bytes are not an ONNX model
     */
    public static String operators(byte[] model) {
        Onnx.ModelProto proto = ModelFile.of(model).proto();
        Map<String, Set<String>> ops = new TreeMap<>();
        for (Onnx.NodeProto n : proto.getGraph().getNodeList()) {
            String domain = n.getDomain().isEmpty() ? "ai.onnx" : n.getDomain();
            ops.computeIfAbsent(domain, d -> new TreeSet<>()).add(n.getOpType());
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Set<String>> e : ops.entrySet()) {
            long version = proto.getOpsetImportList().stream()
                    .filter(o -> (o.getDomain().isEmpty() ? "ai.onnx" : o.getDomain()).equals(e.getKey()))
                    .mapToLong(Onnx.OperatorSetIdProto::getVersion).findFirst().orElse(1);
            text.append(e.getKey()).append(';').append(version).append(';').append(String.join(",", e.getValue()))
                    .append('\n');
        }
        return text.toString();
    }
}
