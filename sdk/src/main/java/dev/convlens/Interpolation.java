package dev.convlens;

/** How an image is resized to the model's input size. Both give the same pixels as Pillow's resize. */
public enum Interpolation {
    /** Pillow's NEAREST: what Keras {@code load_img} uses unless told otherwise, and ConvLens's default. */
    NEAREST,
    /**
     * Pillow's BILINEAR: a triangle filter that widens when downscaling, so it also antialiases, as torchvision's
     * {@code Resize} does on PIL images.
     */
    BILINEAR
}
