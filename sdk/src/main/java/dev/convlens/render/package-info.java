/**
 * Turns activations into pictures: colormap tables, contrast scaling and grid layout, on plain arrays.
 *
 * <p>Nothing here touches AWT: {@link dev.convlens.render.GridRenderer} fills an {@code int[]} of RGB pixels that
 * the API wraps into a {@code BufferedImage}, so another platform needs only another wrapper. Not API: this
 * package is not exported and may change in any release.
 */
package dev.convlens.render;
