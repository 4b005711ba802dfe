/**
 * Reads ONNX models and rewrites them so that ONNX Runtime returns the outputs of their layers.
 *
 * <p>{@link dev.convlens.onnx.ModelFile} parses a model with ConvLens's own proto2 subset of {@code onnx.proto},
 * {@link dev.convlens.onnx.LayerCatalog} finds its layers, and {@link dev.convlens.onnx.Rewriter} adds graph outputs
 * to the original bytes. Not API: this package is not exported and may change in any release.
 */
package dev.convlens.onnx;
