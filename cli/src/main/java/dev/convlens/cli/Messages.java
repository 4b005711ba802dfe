package dev.convlens.cli;

import dev.convlens.AttributionMethod;
import dev.convlens.Colormap;
import dev.convlens.HeatmapMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the command line says, in its own words: counts with their nouns, and a failure as a shell user reads it.
 * The SDK's messages speak its Java API ({@code size(w, h)}, {@code GRAD_CAM}), which become the command line's
 * options and names; a file system error says what was wrong with the path rather than the exception's name.
 */
final class Messages {
    /** The SDK's words for its API, and the command line's for the same thing. */
    private static final Map<String, String> API = new LinkedHashMap<>();

    static {
        API.put("Inspector.layers() lists", "convlens summary MODEL lists");
        API.put("raise Options.maxActivations and the heap (-Xmx)", "give java more heap (java -Xmx8g -jar ...)");
        API.put("raise -Xmx", "give java more heap (java -Xmx8g -jar ...)");
        API.put("a smaller size(w, h)", "a smaller --size WxH");
        API.put("size(w, h)", "--size WxH");
        API.put("channels(...)", "--channels");
        API.put("preprocessing(...)", "--preprocessing");
        API.put("target(...)", "--target");
        API.put("layers(...)", "--layers");
    }

    private static final Pattern CONSTANT = Pattern.compile("\\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\\b|\\b[A-Z]{3,}\\b");

    /** The names of the methods and colormaps, as the SDK writes them and as they are typed here. */
    private static final Map<String, String> NAMES = new LinkedHashMap<>();

    static {
        Stream.of(HeatmapMethod.values(), AttributionMethod.values(), Colormap.values()).flatMap(Stream::of)
                .forEach(c -> NAMES.put(c.name(), Converters.name(c)));
    }

    private Messages() {
    }

    /** {@code 1 image}, {@code 3 images}. */
    static String count(long n, String noun) {
        return n + " " + (n == 1 ? noun : noun + "s");
    }

    /** What went wrong, in the command line's words. */
    static String of(Throwable e) {
        String message = e.getMessage();
        if (e instanceof UncheckedIOException && e.getCause() != null) {
            message = message + ": " + reason(e.getCause());
        } else if (e instanceof IOException io) {
            message = reason(io);
        } else if (message == null) {
            message = e.toString();
        }
        return words(message);
    }

    /** The SDK's API names in a message replaced by the command line's. */
    static String words(String message) {
        String text = message;
        for (Map.Entry<String, String> entry : API.entrySet()) {
            text = text.replace(entry.getKey(), entry.getValue());
        }
        Matcher m = CONSTANT.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(NAMES.getOrDefault(m.group(), m.group())));
        }
        return m.appendTail(out).toString();
    }

    /** Why a file operation failed, without the exception's class name. */
    static String reason(Throwable e) {
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + " is a file, where a folder was wanted";
        }
        if (e instanceof NoSuchFileException f) {
            return "no such folder: " + f.getFile();
        }
        if (e instanceof AccessDeniedException f) {
            return "permission denied: " + f.getFile();
        }
        if (e instanceof FileSystemException f) {
            return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : "cannot be written");
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
