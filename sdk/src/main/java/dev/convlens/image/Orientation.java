package dev.convlens.image;

/** EXIF orientation (TIFF tag 274): how the stored pixels must be turned to stand upright. */
final class Orientation {
    private Orientation() {
    }

    /**
     * Returns the pixels turned upright for an EXIF orientation value; values other than 2..8 leave them as
     * they are.
     */
    static Pixels apply(Pixels p, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return p;
        }
        boolean transpose = orientation >= 5; // 5..8 swap width and height
        int w = p.width();
        int h = p.height();
        int outW = transpose ? h : w;
        int outH = transpose ? w : h;
        byte[] out = new byte[p.rgb().length];
        byte[] in = p.rgb();
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                // (sx, sy): the stored pixel shown at (x, y)
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }              // mirrored
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }      // rotated 180
                    case 4 -> { sx = x; sy = h - 1 - y; }              // mirrored vertically
                    case 5 -> { sx = y; sy = x; }                      // transposed
                    case 6 -> { sx = y; sy = h - 1 - x; }              // rotate 90 clockwise to view
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }      // transversed
                    default -> { sx = w - 1 - y; sy = x; }             // 8: rotate 90 counter-clockwise
                }
                int s = (sy * w + sx) * 3;
                int d = (y * outW + x) * 3;
                out[d] = in[s];
                out[d + 1] = in[s + 1];
                out[d + 2] = in[s + 2];
            }
        }
        return new Pixels(outW, outH, out);
    }
}
