package dev.convlens.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** The images a command was given: files, folders (every image in them, sorted) and globs ({@code photos/*.jpg}). */
final class Inputs {
    private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff", "webp",
            "ico", "pnm", "ppm", "pgm", "pbm", "psd", "tga");

    private Inputs() {
    }

    /**
     * Expands the arguments into image files, in the order given, each folder's and glob's files sorted.
     *
     * @throws ConvLens.UsageException if a file does not exist, or a folder or glob holds no image
     */
    static List<Path> images(List<String> arguments) {
        List<Path> images = new ArrayList<>();
        for (String argument : arguments) {
            Path path = Path.of(argument);
            if (argument.contains("*") || argument.contains("?") || argument.contains("[")) {
                images.addAll(nonEmpty(argument, glob(argument)));
            } else if (Files.isDirectory(path)) {
                images.addAll(nonEmpty(argument, walk(path, p -> isImage(p))));
            } else if (Files.isRegularFile(path)) {
                images.add(path);
            } else {
                throw new ConvLens.UsageException("no image file " + argument);
            }
        }
        return images;
    }

    private static List<Path> nonEmpty(String argument, List<Path> found) {
        if (found.isEmpty()) {
            throw new ConvLens.UsageException("no images in " + argument + " (looked for " + EXTENSIONS.stream()
                    .sorted().toList() + ")");
        }
        return found;
    }

    /** A glob's files: the folder before the first wildcard is walked, and the rest matched against each path. */
    private static List<Path> glob(String pattern) {
        String normalized = pattern.replace('\\', '/');
        int wildcard = normalized.length();
        for (char c : new char[] {'*', '?', '['}) {
            int at = normalized.indexOf(c);
            if (at >= 0) {
                wildcard = Math.min(wildcard, at);
            }
        }
        int slash = normalized.lastIndexOf('/', wildcard);
        Path base = Path.of(slash < 0 ? "." : normalized.substring(0, Math.max(slash, 1)));
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + normalized.substring(slash + 1));
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        return walk(base, p -> matcher.matches(base.relativize(p)));
    }

    private static List<Path> walk(Path folder, java.util.function.Predicate<Path> keep) {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).filter(keep).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
