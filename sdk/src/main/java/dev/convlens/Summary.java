package dev.convlens;

import dev.convlens.image.InputSpec;
import java.util.List;

/** The table {@link Inspector#summary()} returns, laid out like Keras's {@code model.summary()}. */
final class Summary {
    private Summary() {
    }

    /**
     * @param preprocessing the model's own ({@code convlens.preprocessing} in its metadata), or null: then the raw
     *     pixels a request feeds are said to be assumed, since an ImageNet model fed them explains nonsense
     */
    static String of(String source, String producer, InputSpec input, String preprocessing, List<Layer> layers,
                     List<String> outputs) {
        int nameWidth = Math.max(5, layers.stream().mapToInt(l -> l.name().length()).max().orElse(0));
        int typeWidth = Math.max(4, layers.stream().mapToInt(l -> String.join("+", l.opTypes()).length()).max()
                .orElse(0));
        String row = "%3s  %-" + nameWidth + "s  %-" + typeWidth + "s  %-18s %12s%n";
        String nl = System.lineSeparator();
        StringBuilder out = new StringBuilder("Model: ").append(source);
        if (!producer.isEmpty()) {
            out.append(" (").append(producer).append(')');
        }
        out.append(nl).append("Input: ").append(input.name()).append(' ')
                .append(input.float16() ? "float16" : "float32").append(' ').append(input.layout()).append(' ')
                .append(shape(input)).append(nl);
        out.append("Preprocessing: ").append(preprocessing != null ? preprocessing + " (the model's own, from its"
                + " metadata)" : "raw 0..255 RGB, nearest (assumed: the model names none in its metadata; an ImageNet"
                + " model usually wants imagenet or caffe)").append(nl);
        out.append(String.format(row, "#", "Layer", "Type", "Output shape", "Param #"));
        long total = 0;
        boolean unknown = false;
        for (Layer l : layers) {
            out.append(String.format(row, l.index(), l.name(), String.join("+", l.opTypes()), l.shape(),
                    l.parameters() < 0 ? "?" : String.format("%,d", l.parameters())));
            total += Math.max(0, l.parameters());
            unknown |= l.parameters() < 0;
        }
        out.append(String.format("Parameters in these layers: %,d%s%n", total, unknown ? " (and some unknown)" : ""));
        return out.append("Outputs: ").append(outputs).append(nl).toString();
    }

    /** The input's shape in its layout, {@code ?} for a dynamic dimension. */
    private static String shape(InputSpec input) {
        String h = input.height() < 0 ? "?" : String.valueOf(input.height());
        String w = input.width() < 0 ? "?" : String.valueOf(input.width());
        String c = String.valueOf(input.channels());
        return input.layout() == Layout.NCHW ? "[N, " + c + ", " + h + ", " + w + "]"
                : "[N, " + h + ", " + w + ", " + c + "]";
    }
}
