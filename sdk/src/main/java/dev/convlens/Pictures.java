package dev.convlens;

import dev.convlens.render.Raster;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.DirectColorModel;
import java.awt.image.WritableRaster;
import java.util.Locale;

/**
 * Where pictures leave ConvLens: the one place that turns the pixels {@code render} draws into a
 * {@code BufferedImage}, so that everything before it works on plain arrays and runs without AWT.
 */
final class Pictures {
    private static final DirectColorModel RGB = new DirectColorModel(24, 0xFF0000, 0xFF00, 0xFF);

    private Pictures() {
    }

    /**
     * Refuses a picture over the pixel limit before anything is drawn (sizes come from user settings and from the
     * model, multiplied in floating point so that they cannot overflow).
     *
     * @param what what makes the picture, for the message
     * @throws IllegalArgumentException if width times height is over the limit
     */
    static void checkSize(String what, double width, double height, long maxPixels) {
        if (width * height > maxPixels) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s makes a picture of %.0fx%.0f = %.0f"
                    + " pixels, more than the limit of %d (Options.maxPixels); ask for a smaller one, or raise the"
                    + " limit with Options.maxPixels(...) if this machine has the memory", what, width, height,
                    width * height, maxPixels));
        }
    }

    /** A {@code TYPE_INT_RGB} image over the raster's pixels, without copying them. */
    static BufferedImage of(Raster r) {
        DataBufferInt buffer = new DataBufferInt(r.rgb(), r.rgb().length);
        WritableRaster raster = java.awt.image.Raster.createPackedRaster(buffer, r.width(), r.height(), r.width(),
                RGB.getMasks(), null);
        return new BufferedImage(RGB, raster, false, null);
    }
}
