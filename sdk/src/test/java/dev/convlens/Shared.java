package dev.convlens;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test material beside the repository ({@code ../shared}: wild models, photos, Dogs vs. Cats), which the
 * repository never copies. Tests that need it skip, saying why, where it is absent.
 */
public final class Shared {
    private static final Path ROOT = find();

    private Shared() {
    }

    private static Path find() {
        String configured = System.getProperty("convlens.shared");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("models"))) {
                return candidate.normalize();
            }
        }
        return null;
    }

    /** A path under ../shared if it is there. */
    public static java.util.Optional<Path> optional(String relative) {
        return java.util.Optional.ofNullable(ROOT).map(r -> r.resolve(relative)).filter(Files::exists);
    }

    /** A path under ../shared; skips the calling test, with the reason printed, if it is not there. */
    public static Path require(String relative) {
        Path path = ROOT == null ? null : ROOT.resolve(relative);
        if (path == null || !Files.exists(path)) {
            String reason = "skipped: " + relative + " not found (../shared, the test material beside the"
                    + " repository, is absent; set -Dconvlens.shared=DIR to point at it)";
            System.out.println(reason);
            assumeTrue(false, reason);
        }
        return path;
    }
}
