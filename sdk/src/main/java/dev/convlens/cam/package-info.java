/**
 * Class activation heatmaps: where in the image the model looked for a class. {@link dev.convlens.cam.CamRunner}
 * runs the model as each method needs (forward, with appended backward nodes, masked or occluded inputs, or the
 * network's tail), and {@link dev.convlens.cam.MapMath} turns activations and weights into maps, on plain arrays.
 * Not API: this package is not exported and may change in any release.
 */
package dev.convlens.cam;
