/**
 * Runs models with ONNX Runtime: one plain session for predictions, one rewritten session that also returns every
 * layer's output, and the conversion of ONNX Runtime's tensors and errors into plain arrays and ConvLens
 * exceptions. The only package that imports {@code ai.onnxruntime}. Not API: this package is not exported and may
 * change in any release.
 */
package dev.convlens.runtime;
