package dev.convlens;

import dev.convlens.image.Decoder;
import dev.convlens.image.NearestResize;
import dev.convlens.image.Pixels;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a request's image comes from; decoded only when the request runs. */
sealed interface Source {
    /** Decodes the image, refusing one larger than {@code maxPixels}. */
    default Pixels decode(long maxPixels) {
        return decode(maxPixels, null);
    }

    /**
     * Decodes the image that is about to be resized with nearest neighbours, refusing one larger than
     * {@code maxPixels}: it may come back at the new size already ({@link Decoder#read(Path, long, NearestResize)}).
     *
     * @param resize the resize to come, or null
     */
    Pixels decode(long maxPixels, NearestResize resize);

    static Source of(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new ImageException((Files.isDirectory(path) ? "image path is a folder, not a file: "
                    : "image file not found: ") + path.toAbsolutePath());
        }
        return new File(path);
    }

    static Source of(byte[] bytes) {
        return new Bytes(bytes);
    }

    static Source of(BufferedImage image) {
        return new Image(image);
    }

    record File(Path path) implements Source {
        @Override
        public Pixels decode(long maxPixels, NearestResize resize) {
            return Decoder.read(path, maxPixels, resize);
        }
    }

    record Bytes(byte[] bytes) implements Source {
        @Override
        public Pixels decode(long maxPixels, NearestResize resize) {
            return Decoder.decode(bytes, "in memory", maxPixels, resize);
        }
    }

    record Image(BufferedImage image) implements Source {
        @Override
        public Pixels decode(long maxPixels, NearestResize resize) {
            Decoder.checkPixels("(a BufferedImage)", image.getWidth(), image.getHeight(), maxPixels);
            return Decoder.fromImage(image);
        }
    }
}
