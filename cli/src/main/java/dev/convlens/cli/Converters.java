package dev.convlens.cli;

import dev.convlens.AttributionMethod;
import dev.convlens.ExplanationMethod;
import dev.convlens.HeatmapMethod;
import dev.convlens.Preprocessing;
import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option values as people type them: {@code 224x224}, {@code grad-cam}, {@code imagenet; resize=bilinear}. */
final class Converters {
    private Converters() {
    }

    /**
     * A width and a height, as {@code --size WxH} gives them: one value, not an array, which picocli would fill
     * element by element.
     */
    record Dimensions(int width, int height) {
    }

    /** {@code WxH}, both at least 1. */
    static final class Size implements ITypeConverter<Dimensions> {
        @Override
        public Dimensions convert(String value) {
            String[] parts = value.toLowerCase(Locale.ROOT).split("x");
            try {
                if (parts.length == 2) {
                    Dimensions size = new Dimensions(Integer.parseInt(parts[0].trim()),
                            Integer.parseInt(parts[1].trim()));
                    if (size.width() > 0 && size.height() > 0) {
                        return size;
                    }
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new TypeConversionException("'" + value + "' is not a size: give WIDTHxHEIGHT, e.g. 224x224");
        }
    }

    /** A preprocessing as {@link Preprocessing#parse} reads it. */
    static final class PreprocessingText implements ITypeConverter<Preprocessing> {
        @Override
        public Preprocessing convert(String value) {
            try {
                return Preprocessing.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A heatmap method by its name in lower case with dashes: {@code grad-cam}. */
    static final class Heatmap implements ITypeConverter<HeatmapMethod> {
        @Override
        public HeatmapMethod convert(String value) {
            return parse(HeatmapMethod.class, value);
        }
    }

    /** An attribution method by its name in lower case with dashes: {@code integrated-gradients}. */
    static final class Attribution implements ITypeConverter<AttributionMethod> {
        @Override
        public AttributionMethod convert(String value) {
            return parse(AttributionMethod.class, value);
        }
    }

    /** A heatmap or attribution method by its name: {@code grad-cam}, {@code gradient}. */
    static final class Explanation implements ITypeConverter<ExplanationMethod> {
        @Override
        public ExplanationMethod convert(String value) {
            String wanted = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (Enum<?> constant : methods()) {
                if (constant.name().equals(wanted)) {
                    return (ExplanationMethod) constant;
                }
            }
            throw new TypeConversionException("'" + value + "' is not one of " + methods().stream()
                    .map(Converters::name).toList());
        }
    }

    /** The heatmap and attribution methods' names, for help and completion. */
    static final class ExplanationNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return methods().stream().map(Converters::name).iterator();
        }
    }

    private static java.util.List<Enum<?>> methods() {
        java.util.List<Enum<?>> all = new java.util.ArrayList<>(Arrays.asList(HeatmapMethod.values()));
        all.addAll(Arrays.asList(AttributionMethod.values()));
        return all;
    }

    /** The heatmap methods' names, for help and completion. */
    static final class HeatmapNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Arrays.stream(HeatmapMethod.values()).map(Converters::name).iterator();
        }
    }

    /** The attribution methods' names, for help and completion. */
    static final class AttributionNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Arrays.stream(AttributionMethod.values()).map(Converters::name).iterator();
        }
    }

    /** The name of a constant as typed on the command line. */
    static String name(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value) {
        String wanted = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(wanted)) {
                return constant;
            }
        }
        throw new TypeConversionException("'" + value + "' is not one of " + Arrays.stream(type.getEnumConstants())
                .map(Converters::name).toList());
    }
}
