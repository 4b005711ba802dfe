/**
 * Decodes images and turns them into model input tensors.
 *
 * <p>{@link dev.convlens.image.Decoder} checks an image's size before decoding it, decodes it with
 * {@code javax.imageio} (or Apache Commons Imaging for the formats ImageIO lacks), applies its EXIF orientation
 * and flattens it to 8-bit RGB {@link dev.convlens.image.Pixels}. {@link dev.convlens.image.InputSpec} reads what
 * the model takes, and {@link dev.convlens.image.TensorBuilder} resizes, scales and lays the pixels out as that
 * tensor. Not API: this package is not exported and may change in any release.
 */
package dev.convlens.image;
