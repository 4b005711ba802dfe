package dev.convlens.cli;

import dev.convlens.ExplanationMethod;
import dev.convlens.Heatmap;
import dev.convlens.HeatmapMethod;
import dev.convlens.Request;
import dev.convlens.Target;
import dev.convlens.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --target}: what a heatmap explains. A class ({@code 3}); one value of any output by its index, batch first
 * ({@code scores[0,4271,1]}); or the largest value along some axes of an output ({@code scores[0,*,1]}: the most
 * confident box for class 1; {@code map[0,0,*,*]}: a map's peak), found on each image. Without it, the predicted
 * class, which only an output of class scores has.
 */
final class TargetOption {
    @Option(names = "--target", paramLabel = "TARGET", converter = Text.class,
            description = "what to explain: a class (3), one value of any output by its index, batch first"
                    + " ('scores[0,4271,1]'), or the largest along the axes given as * ('scores[0,*,1]',"
                    + " 'map[0,0,*,*]'); default: the predicted class")
    Choice choice;

    /**
     * What {@code --target} said: a target as it is, or an output's index whose {@code stars} axes are searched for
     * the largest value.
     */
    record Choice(Target fixed, String output, int[] index, boolean[] stars, String text) {
        /** The target for one image: for {@code *}, the position of the largest value over those axes. */
        Target resolve(Request request) {
            if (fixed != null) {
                return fixed;
            }
            List<Tensor> outputs = request.outputs();
            Tensor tensor = outputs.stream().filter(t -> t.name().equals(output)).findFirst().orElseThrow(() ->
                    new ConvLens.UsageException("--target " + text + ": the model has no output '" + output
                            + "'; its outputs: " + list(outputs)));
            long[] shape = tensor.shape();
            if (shape.length != index.length) {
                throw new ConvLens.UsageException("--target " + text + " gives " + index.length + " indexes, and the"
                        + " output '" + output + "' has " + shape.length + " axes: " + Arrays.toString(shape));
            }
            for (int axis = 0; axis < shape.length; axis++) {
                if (!stars[axis] && index[axis] >= shape[axis]) {
                    throw new ConvLens.UsageException("--target " + text + ": index " + index[axis] + " is out of"
                            + " range for axis " + axis + " of the output '" + output + "' " + Arrays.toString(shape));
                }
            }
            float[] values = tensor.values();
            int[] at = new int[shape.length];
            int[] best = null;
            float top = Float.NEGATIVE_INFINITY;
            for (int flat = 0; flat < values.length; flat++) { // row-major, so the first of equal maxima wins
                boolean inside = true;
                for (int axis = shape.length - 1, rest = flat; axis >= 0; axis--) {
                    at[axis] = (int) (rest % shape[axis]);
                    rest /= (int) shape[axis];
                    inside &= stars[axis] || at[axis] == index[axis];
                }
                if (inside && (best == null || values[flat] > top)) {
                    best = at.clone();
                    top = values[flat];
                }
            }
            return Target.output(output, best);
        }
    }

    /** Reads {@code 3}, {@code scores[0,4271,1]} and {@code scores[0,*,1]}. */
    static final class Text implements ITypeConverter<Choice> {
        @Override
        public Choice convert(String value) {
            String text = value.replace(" ", "");
            try {
                if (text.matches("\\d+")) {
                    return new Choice(Target.classIndex(Integer.parseInt(text)), null, null, null, text);
                }
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(.+)\\[([\\d*,]+)]").matcher(text);
                if (m.matches()) {
                    String[] parts = m.group(2).split(",", -1);
                    int[] index = Arrays.stream(parts).mapToInt(p -> p.equals("*") ? 0 : Integer.parseInt(p))
                            .toArray();
                    boolean[] stars = new boolean[parts.length];
                    for (int i = 0; i < parts.length; i++) {
                        stars[i] = parts[i].equals("*");
                    }
                    return !m.group(2).contains("*")
                            ? new Choice(Target.output(m.group(1), index), null, null, null, text)
                            : new Choice(null, m.group(1), index, stars, text);
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new TypeConversionException("'" + value + "' is not a target: give a class (3), an output's value"
                    + " by its index, batch first ('scores[0,4271,1]'), or * for the largest along those axes"
                    + " ('scores[0,*,1]', 'map[0,0,*,*]')");
        }
    }

    /** The request aimed at the target for its image; as it is without {@code --target}. */
    Request aim(Request request) {
        return choice == null ? request : request.target(choice.resolve(request));
    }

    /** {@code cat (class 0)}, or {@code scores[0, 37, 1] (the largest of scores[0,*,1])}: what a map explains. */
    String explained(Heatmap heatmap, Labels labels) {
        if (heatmap.target().output() == null) {
            return labels.name(heatmap.targetClass());
        }
        return heatmap.target() + (choice != null && choice.fixed() == null ? " (the largest of " + choice.text()
                + ")" : "");
    }

    /**
     * Why there is no predicted class to explain, with what to give instead: without {@code --target}, the model's
     * first output must be class scores. Null when there is one (or a target was given).
     */
    String noClass(List<Tensor> outputs) {
        Tensor first = outputs.get(0);
        if (choice != null || Labels.classScores(first)) {
            return null;
        }
        return "the model's first output '" + first.name() + "' " + Arrays.toString(first.shape()) + " is not class"
                + " scores, so there is no predicted class to explain: give --target with a value of an output, by"
                + " its index or the largest along some axes, e.g. --target '" + example(first) + "'; its outputs: "
                + list(outputs);
    }

    /**
     * Whether a method explains a class (Eigen-CAM explains none: it is the layer's first principal component; nor
     * does the random baseline).
     */
    static boolean needsClass(ExplanationMethod method) {
        return method != HeatmapMethod.EIGEN_CAM && method != HeatmapMethod.RANDOM_CAM;
    }

    /** Whether a method's map is taken at a layer (occlusion, FullGrad and the attributions work on the input). */
    static boolean usesLayer(ExplanationMethod method) {
        return method instanceof HeatmapMethod m && m.takesLayer();
    }

    /**
     * {@code scores[0,*,1]}, {@code map[0,0,*,*]}: the long axes (boxes, rows, columns) searched, a short one (classes,
     * channels) at its last index.
     */
    private static String example(Tensor t) {
        long[] shape = t.shape();
        StringBuilder text = new StringBuilder(t.name()).append("[0");
        for (int axis = 1; axis < shape.length; axis++) {
            text.append(',').append(shape[axis] > 32 ? "*" : String.valueOf(shape[axis] - 1));
        }
        return text.append(']').toString();
    }

    private static String list(List<Tensor> outputs) {
        return outputs.stream().map(t -> t.name() + " " + Arrays.toString(t.shape()).replace(" ", ""))
                .collect(Collectors.joining(", "));
    }
}
