package dev.convlens.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Where a batch writes each image's files. */
final class Outputs {
    private final Path folder;
    private final boolean perImage;
    private final Map<Path, String> names = new LinkedHashMap<>();

    /**
     * One folder for a single image; for several, a folder per image named after the file ({@code chelsea}, then
     * {@code chelsea_2} for a second file of that name elsewhere).
     */
    Outputs(Path folder, List<Path> images) {
        this(folder, images, images.size() > 1);
    }

    /** A folder per image, or for {@code perImage} false, the one folder. */
    Outputs(Path folder, List<Path> images, boolean perImage) {
        this.folder = folder;
        this.perImage = perImage;
        Set<String> taken = new HashSet<>();
        for (Path image : images) {
            String stem = stem(image);
            String name = stem;
            for (int n = 2; !taken.add(name.toLowerCase(Locale.ROOT)); n++) {
                name = stem + "_" + n;
            }
            names.put(image, name);
        }
    }

    /** The folder an image's files go to. */
    Path folder(Path image) {
        return perImage ? folder.resolve(names.get(image)) : folder;
    }

    /** The image's name in file names: its file name without extension, numbered where two are alike. */
    String name(Path image) {
        return names.get(image);
    }

    /** The file name of an image without its extension, made safe: {@code chelsea}. */
    static String stem(Path image) {
        String name = image.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name).replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** Writes a picture as PNG, creating its folder; returns the file. */
    static Path png(java.awt.image.BufferedImage picture, Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            createFolder(parent);
        }
        try {
            javax.imageio.ImageIO.write(picture, "png", file.toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /** Creates a folder and those above it; one that cannot be made is a bad {@code --out}. */
    static void createFolder(Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (java.io.IOException e) {
            throw new ConvLens.UsageException("cannot create the folder " + folder + ": " + Messages.reason(e)
                    + "; give --out a folder that can be made");
        }
    }
}
