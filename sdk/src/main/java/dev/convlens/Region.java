package dev.convlens;

import java.util.Arrays;
import java.util.Objects;

/**
 * Where the object is in an image, for the localisation metrics of {@link Heatmap#localisation(Region)}: a box or a
 * mask, in the pixels of the image as it was given (before any resizing for the model). Immutable.
 *
 * <pre>{@code
 * Localisation l = heatmap.localisation(Region.box(40, 10, 300, 280)); // x, y, width, height
 * }</pre>
 */
public final class Region {
    private final int x;
    private final int y;
    private final int width;
    private final int height;
    private final boolean[] mask;
    private final int maskWidth;

    private Region(int x, int y, int width, int height, boolean[] mask, int maskWidth) {
        this.x = x;
        this.y = y;
        this.width = width;
        this.height = height;
        this.mask = mask;
        this.maskWidth = maskWidth;
    }

    /**
     * Returns a box: the pixels from (x, y), its top left corner, to (x + width - 1, y + height - 1). A box that
     * reaches past the image keeps its part inside.
     *
     * @param x the left column
     * @param y the top row
     * @param width the columns, at least 1
     * @param height the rows, at least 1
     * @return the region
     * @throws IllegalArgumentException if x or y is negative, or width or height less than 1
     */
    public static Region box(int x, int y, int width, int height) {
        if (x < 0 || y < 0 || width < 1 || height < 1) {
            throw new IllegalArgumentException("a box needs x and y of 0 or more and a width and height of 1 or more,"
                    + " was x " + x + ", y " + y + ", " + width + "x" + height);
        }
        return new Region(x, y, width, height, null, 0);
    }

    /**
     * Returns a mask: the pixels where it is true, row by row (a segmentation's object), of the image's size.
     *
     * @param inside {@code width * height} values, true where the object is
     * @param width the image's width
     * @param height the image's height
     * @return the region
     * @throws IllegalArgumentException if the mask does not hold {@code width * height} values
     * @throws NullPointerException if inside is null
     */
    public static Region mask(boolean[] inside, int width, int height) {
        Objects.requireNonNull(inside, "inside");
        if (width < 1 || height < 1 || inside.length != (long) width * height) {
            throw new IllegalArgumentException("a mask of " + width + "x" + height + " holds " + (long) width * height
                    + " values, and this one holds " + inside.length);
        }
        return new Region(0, 0, width, height, inside.clone(), width);
    }

    /** Whether the pixel is inside, for an image of this size. */
    boolean contains(int px, int py) {
        return mask != null ? mask[py * maskWidth + px]
                : px >= x && px < x + width && py >= y && py < y + height;
    }

    /**
     * Checks that the region fits an image.
     *
     * @throws IllegalArgumentException if a mask is of another size, or a box lies wholly outside
     */
    void requireFits(int imageWidth, int imageHeight) {
        if (mask != null && (width != imageWidth || height != imageHeight)) {
            throw new IllegalArgumentException("the mask is " + width + "x" + height + " and the image "
                    + imageWidth + "x" + imageHeight + ": give a mask of the image's size, in its pixels");
        }
        if (mask == null && (x >= imageWidth || y >= imageHeight)) {
            throw new IllegalArgumentException(this + " lies outside the " + imageWidth + "x" + imageHeight
                    + " image: give it in the image's pixels, from its top left corner");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Region r && r.x == x && r.y == y && r.width == width && r.height == height
                && Arrays.equals(r.mask, mask);
    }

    @Override
    public int hashCode() {
        return Objects.hash(x, y, width, height, Arrays.hashCode(mask));
    }

    @Override
    public String toString() {
        return mask != null ? "mask " + width + "x" + height : "box at (" + x + ", " + y + "), " + width + "x" + height;
    }
}
