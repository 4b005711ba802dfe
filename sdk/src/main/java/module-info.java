/**
 * ConvLens: shows what a convolutional neural network sees, from Java, on any ONNX model. Only
 * {@code dev.convlens} is exported; the packages below it are implementation.
 */
module dev.convlens {
    requires transitive java.desktop; // BufferedImage is part of the API
    requires com.microsoft.onnxruntime;
    requires com.google.protobuf;
    requires org.apache.commons.imaging;
    // No requires for com.twelvemonkeys.imageio.webp: it provides an ImageReaderSpi, the service ImageIO uses, so
    // service binding resolves it on the module path.

    exports dev.convlens;
}
