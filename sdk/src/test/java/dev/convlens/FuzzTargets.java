package dev.convlens;

import dev.convlens.image.Decoder;
import dev.convlens.image.InputSpec;
import dev.convlens.image.NearestResize;
import dev.convlens.image.Pixels;
import dev.convlens.image.TensorBuilder;
import dev.convlens.onnx.Declaration;
import dev.convlens.onnx.LayerCatalog;
import dev.convlens.onnx.LayerInfo;
import dev.convlens.onnx.ModelFile;
import dev.convlens.onnx.Onnx;
import dev.convlens.onnx.Rewriter;
import dev.convlens.onnx.TinyModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the fuzz tests call: the ONNX reader and rewriter, and image loading. Each may throw only its documented
 * exceptions (ModelException and its subclass for models, ImageException and its subclass for images); anything
 * else escapes to the fuzzer as a finding.
 */
final class FuzzTargets {
    /** Images larger than this are refused, so the fuzzer cannot ask for gigabytes. */
    static final long MAX_PIXELS = 1 << 20;

    private FuzzTargets() {
    }

    /** Parses, catalogs and rewrites a model; checks the rewrite adds exactly the layer outputs. */
    static void model(byte[] data) {
        ModelFile file;
        LayerCatalog catalog;
        try {
            file = ModelFile.of(data);
            catalog = LayerCatalog.of(file);
            for (Declaration input : file.inputs()) {
                InputSpec.of(input.name(), input.dims(), input.elemType(), null);
            }
        } catch (ModelException expected) {
            return;
        }
        List<Rewriter.Output> outputs = new ArrayList<>();
        for (LayerInfo layer : catalog.layers()) {
            outputs.add(new Rewriter.Output(layer.output(), layer.elemType(), 4));
        }
        byte[] rewritten = TinyModel.array(Rewriter.expose(data, outputs));
        try {
            int before = file.proto().getGraph().getOutputCount();
            int after = Onnx.ModelProto.parseFrom(rewritten).getGraph().getOutputCount();
            if (after != before + outputs.size()) {
                throw new AssertionError("rewrite added " + (after - before) + " outputs, not " + outputs.size());
            }
        } catch (IOException e) {
            throw new AssertionError("a model that parsed no longer parses after rewriting", e);
        }
    }

    /**
     * Decodes an image and builds a 16x16 tensor from it with both filters; an image of even sides is decoded again
     * for a nearest resize to half its size, which must give the whole image's resize byte for byte (a JPEG comes
     * back decoded at that size).
     */
    static void image(byte[] data) {
        Pixels pixels;
        try {
            pixels = Decoder.decode(data, "fuzz", MAX_PIXELS);
        } catch (ImageException expected) {
            return;
        }
        for (Interpolation filter : Interpolation.values()) {
            InputSpec spec = new InputSpec("x", Layout.NCHW, 3, 16, 16, false);
            TensorBuilder.build(pixels, spec, 16, 16, Preprocessing.RAW.withInterpolation(filter));
        }
        int w = pixels.width() / 2;
        int h = pixels.height() / 2;
        if (w > 0 && h > 0 && pixels.width() % 2 == 0 && pixels.height() % 2 == 0) {
            Pixels half = Decoder.decode(data, "fuzz", MAX_PIXELS, new NearestResize(w, h));
            if (!Arrays.equals(TensorBuilder.resize(half, 3, w, h, Interpolation.NEAREST),
                    TensorBuilder.resize(pixels, 3, w, h, Interpolation.NEAREST))) {
                throw new AssertionError("decoded for a resize to " + w + "x" + h + " (at " + half.width() + "x"
                        + half.height() + "), the pixels differ from the whole image's resize");
            }
        }
    }

    /** The files under a folder of ../shared, smallest first; empty if ../shared is absent. */
    static List<Path> shared(String folder, long maxBytes) throws IOException {
        java.util.Optional<Path> dir = Shared.optional(folder);
        if (dir.isEmpty()) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir.get())) {
            return files.filter(Files::isRegularFile).filter(p -> {
                try {
                    return Files.size(p) <= maxBytes;
                } catch (IOException e) {
                    return false;
                }
            }).sorted().toList();
        }
    }
}
