package dev.convlens;

/**
 * The part of the model's input that one position of a layer sees, in pixels of the input as the model takes it
 * (the image after resizing, as {@link Request#resized()} returns it). Positions that reach over the border see
 * padding there, so a region may start before 0 or end past the input.
 *
 * <pre>{@code
 * ReceptiveField field = inspector.receptiveField("conv2d_2").orElseThrow();
 * int left = field.left(x), top = field.top(y);   // the field of map position (x, y)
 * BufferedImage crop = resized.getSubimage(...);   // clamp to the picture first
 * }</pre>
 *
 * @param width the field's width in input pixels
 * @param height the field's height in input pixels
 * @param strideX input columns between horizontally neighbouring positions
 * @param strideY input rows between vertically neighbouring positions
 * @param centerX the input column at the centre of column 0's field
 * @param centerY the input row at the centre of row 0's field
 */
public record ReceptiveField(int width, int height, int strideX, int strideY, double centerX, double centerY) {
    /**
     * Returns the first input column that map column {@code x} sees.
     *
     * @param x a column of the layer's map
     * @return an input column, negative where the field starts in the padding
     */
    public int left(int x) {
        return (int) Math.round(centerX + (double) x * strideX - (width - 1) / 2.0);
    }

    /**
     * Returns the first input row that map row {@code y} sees.
     *
     * @param y a row of the layer's map
     * @return an input row, negative where the field starts in the padding
     */
    public int top(int y) {
        return (int) Math.round(centerY + (double) y * strideY - (height - 1) / 2.0);
    }
}
