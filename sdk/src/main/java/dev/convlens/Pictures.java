package dev.convlens;

import dev.convlens.render.Raster;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.DirectColorModel;
import java.awt.image.WritableRaster;

/**
 * Where pictures leave ConvLens: the one place that turns the pixels {@code render} draws into a
 * {@code BufferedImage}, so that everything before it works on plain arrays and runs without AWT.
 */
final class Pictures {
    private static final DirectColorModel RGB = new DirectColorModel(24, 0xFF0000, 0xFF00, 0xFF);

    private Pictures() {
    }

    /** A {@code TYPE_INT_RGB} image over the raster's pixels, without copying them. */
    static BufferedImage of(Raster r) {
        DataBufferInt buffer = new DataBufferInt(r.rgb(), r.rgb().length);
        WritableRaster raster = java.awt.image.Raster.createPackedRaster(buffer, r.width(), r.height(), r.width(),
                RGB.getMasks(), null);
        return new BufferedImage(RGB, raster, false, null);
    }
}
