package dev.convlens.image;

/**
 * The size an image is about to be resized to with nearest neighbours, told to the decoder: a JPEG whose sides are
 * whole multiples of it is decoded straight to those pixels, reading every {@code k}-th pixel from {@code k / 2} on,
 * which is exactly what the resize would pick (Pillow's rule, {@code floor((x + 0.5) * k)}).
 *
 * @param width the width after the resize
 * @param height the height after the resize
 */
public record NearestResize(int width, int height) {
    /**
     * The steps of a decode that gives this resize of an image of the given size: every {@code step[0]}-th column
     * and {@code step[1]}-th row; null where the sides are not whole multiples, or the resize keeps the size.
     */
    int[] steps(long imageWidth, long imageHeight) {
        if (width <= 0 || height <= 0 || imageWidth % width != 0 || imageHeight % height != 0) {
            return null;
        }
        int[] steps = {(int) (imageWidth / width), (int) (imageHeight / height)};
        return steps[0] > 1 || steps[1] > 1 ? steps : null;
    }
}
