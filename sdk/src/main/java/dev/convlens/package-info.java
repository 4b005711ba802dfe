/**
 * ConvLens: shows what a convolutional neural network sees, from Java, on any ONNX model.
 *
 * <pre>{@code
 * try (Inspector inspector = Inspector.of(Path.of("model.onnx"))) {
 *     List<BufferedImage> grids = inspector.image(Path.of("dog.jpg"))
 *                                          .layers("conv2d", "conv2d_1")
 *                                          .grid(16);
 * }
 * }</pre>
 *
 * <p>{@link dev.convlens.Inspector} is the only way in. It reads the model and keeps its ONNX Runtime sessions;
 * {@link dev.convlens.Inspector#image(java.nio.file.Path)} starts an immutable {@link dev.convlens.Request}, whose
 * terminal methods run the model on the image and return pictures ({@code grid}, {@code channel}), values
 * ({@code activations}, {@code outputs}) or both ({@code inspect}).
 *
 * <p>Arguments and results are never null unless a method says so. Failures are unchecked
 * {@link dev.convlens.ConvLensException}s; null arguments throw {@link java.lang.NullPointerException}, values out of
 * range {@link java.lang.IllegalArgumentException}, and use of a closed inspector
 * {@link java.lang.IllegalStateException}.
 */
package dev.convlens;
