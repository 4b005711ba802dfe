package dev.convlens.cam;

import dev.convlens.image.InputSpec;
import dev.convlens.onnx.GradientBuilder;
import dev.convlens.onnx.ModelFile;
import dev.convlens.onnx.Rewriter;
import dev.convlens.runtime.Engine;
import dev.convlens.runtime.Values;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A model derived from this one that returns, besides some tensors of the forward pass, the gradient of a seed-weighted
 * sum of one tensor (the objective) with respect to the model's input, for a batch of inputs of one shape: what
 * filter patterns and pixel attributions follow. Shapes come from one forward run; the model is built when the engine
 * first needs it, and its session is cached by the engine.
 */
final class InputGradient {
    /** The key under which {@link #run} returns the input's gradient. */
    static final String GRADIENT = "convlens/input-gradient";

    private final Engine engine;
    private final String input;
    private final String objective;
    private final String key;
    private final Supplier<ByteBuffer> model;
    private final long[] inputShape;
    private final Map<String, long[]> shapes;
    private final List<String> returned;

    private InputGradient(Engine engine, String input, String objective, String key, Supplier<ByteBuffer> model,
                          long[] inputShape, Map<String, long[]> shapes, List<String> returned) {
        this.engine = engine;
        this.input = input;
        this.objective = objective;
        this.key = key;
        this.model = model;
        this.inputShape = inputShape;
        this.shapes = shapes;
        this.returned = returned;
    }

    /**
     * Prepares the gradient model for one input shape.
     *
     * @param objective the tensor whose seed-weighted sum is differentiated: a model output or an inner tensor
     * @param returned tensors of the forward pass to return too (the objective's shape is always known)
     * @param inputShape the input's shape, batch first
     * @param guided whether Relus pass back only positive gradients (guided backpropagation)
     */
    static InputGradient of(ModelFile model, Engine engine, InputSpec spec, String objective, List<String> returned,
                            long[] inputShape, boolean guided) {
        String input = spec.name();
        Set<String> wanted = new LinkedHashSet<>(GradientBuilder.path(model, input, objective));
        wanted.remove(input);
        List<Rewriter.Output> exposed = new ArrayList<>();
        for (String t : wanted) {
            if (!model.isOutput(t)) {
                exposed.add(engine.output(t));
            }
        }
        float[] blank = new float[(int) Arrays.stream(inputShape).reduce(1, Math::multiplyExact)];
        Map<String, Values> forward = engine.runDerived("expose " + wanted,
                () -> Rewriter.expose(model.inFloat32().bytes(), exposed),
                Map.of(input, new Engine.Feed(blank, inputShape)),
                wanted);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        forward.forEach((name, v) -> shapes.put(name, v.shape()));
        shapes.put(input, inputShape);
        // the model returns only what is asked: ONNX Runtime then leaves out the layers past the objective
        Supplier<ByteBuffer> built = () -> GradientBuilder.build(model, input, objective, shapes, guided, returned);
        String key = (guided ? "guided " : "gradient ") + objective + " to the input " + Arrays.toString(inputShape)
                + " returning " + returned;
        return new InputGradient(engine, input, objective, key, built, inputShape, shapes, List.copyOf(returned));
    }

    /** The shape of a tensor on the path, or of the input, in this batch. */
    long[] shape(String tensor) {
        return shapes.get(tensor).clone();
    }

    /** The batch size. */
    int batch() {
        return (int) inputShape[0];
    }

    /**
     * The returned tensors and, under {@link #GRADIENT}, the input's gradient, for inputs and a seed.
     *
     * @param seed the weight of each value of the objective, of its shape
     */
    Map<String, float[]> run(float[] inputs, float[] seed) {
        Set<String> outputs = new LinkedHashSet<>(returned);
        outputs.add(GradientBuilder.gradientOf(input));
        Map<String, Values> out = engine.runDerived(key, model, Map.of(input, new Engine.Feed(inputs, inputShape),
                GradientBuilder.SEED, new Engine.Feed(seed, shapes.get(objective))), outputs);
        Map<String, float[]> flat = new LinkedHashMap<>();
        for (String t : returned) {
            flat.put(t, out.get(t).planes()[0]);
        }
        flat.put(GRADIENT, out.get(GradientBuilder.gradientOf(input)).planes()[0]);
        return flat;
    }
}
