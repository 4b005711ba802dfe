package dev.convlens.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Parameters;

/** A model and the images to run it on: files, folders and globs. */
class ImageOptions extends ModelOptions {
    @Parameters(index = "1..*", arity = "1..*", paramLabel = "IMAGE",
            description = "image files, folders or globs ('photos/*.jpg')")
    List<String> images;

    /** The image files, each folder and glob expanded; see {@link Inputs#images}. */
    List<Path> files() {
        return Inputs.images(images);
    }
}
