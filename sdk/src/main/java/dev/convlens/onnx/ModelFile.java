package dev.convlens.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import dev.convlens.CancelledException;
import dev.convlens.ModelException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An ONNX model as read from a file or from bytes: the original bytes, their parsed form, and the folder that
 * external weight files are resolved against.
 *
 * <p>The parsed weights are views of the bytes, not copies, and the models derived from a large one are written to
 * direct buffers ({@link #allocate}): the Java heap holds a model's weights once, whatever ConvLens derives from it.
 */
public final class ModelFile {
    /** Above this size a serialized model is kept outside the Java heap. */
    static final int LARGE = 64 << 20;

    private final String source;
    private final byte[] bytes;
    private final Onnx.ModelProto proto;
    private final Path directory;
    private final boolean externalData;
    private final List<String> outputs;
    private final Set<String> outputSet;
    /** {@link #inFloat32()}, once asked for. */
    private volatile ModelFile float32;

    private ModelFile(String source, byte[] bytes, Onnx.ModelProto proto, Path directory, boolean externalData) {
        this.source = source;
        this.bytes = bytes;
        this.proto = proto;
        this.directory = directory;
        this.externalData = externalData;
        this.outputs = proto.getGraph().getOutputList().stream().map(Onnx.ValueInfoProto::getName).toList();
        this.outputSet = Set.copyOf(outputs);
    }

    /**
     * Reads and parses a model file; external weight files are looked up next to it.
     *
     * @throws ModelException if the file is missing, empty, not ONNX, truncated, or its external data is missing
     */
    public static ModelFile read(Path path) {
        byte[] bytes;
        try {
            if (Files.isDirectory(path)) {
                throw new ModelException("model path is a folder, not an .onnx file: " + path);
            }
            bytes = readAll(path);
        } catch (NoSuchFileException e) {
            throw new ModelException("model file not found: " + path.toAbsolutePath(), e);
        } catch (ClosedByInterruptException e) {
            throw new CancelledException("the thread was interrupted while ConvLens read " + path
                    + " (the interrupt status is still set)");
        } catch (IOException | OutOfMemoryError e) {
            throw new ModelException("cannot read model file " + path + ": " + e, e);
        }
        Path folder = path.toAbsolutePath().getParent();
        return parse(path.toString(), bytes, folder);
    }

    /**
     * Reads a file a megabyte at a time: the JDK reads into a heap array through a temporary direct buffer as large
     * as the read, and keeps that buffer for the thread, so {@code Files.readAllBytes} of a 300 MB model would hold
     * 300 MB of direct memory for good.
     */
    private static byte[] readAll(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw new ModelException("model file " + path + " has " + size + " bytes, over protobuf's 2 GB"
                        + " limit for one ONNX file; save it with its weights as external data");
            }
            byte[] bytes = new byte[(int) size];
            ByteBuffer into = ByteBuffer.wrap(bytes);
            while (into.position() < bytes.length) {
                into.limit(Math.min(bytes.length, into.position() + (1 << 20)));
                if (channel.read(into) < 0) {
                    throw new ModelException("model file " + path + " ended while it was read; was it being written?");
                }
            }
            return bytes;
        }
    }

    /**
     * Parses a model held in memory. A model whose weights live in external files cannot be loaded this way,
     * since there is no folder to find them in.
     *
     * @param bytes the serialized ModelProto; not copied, so the caller must not change it afterwards
     * @throws ModelException if the bytes are not a usable ONNX model
     */
    public static ModelFile of(byte[] bytes) {
        return parse("model bytes", bytes, null);
    }

    private static ModelFile parse(String source, byte[] bytes, Path folder) {
        if (bytes.length == 0) {
            throw new ModelException("model is empty (0 bytes): " + source);
        }
        String other = otherFormat(bytes);
        if (other != null) {
            throw new ModelException("not an ONNX model: " + source + " looks like " + other
                    + ". Export the model to ONNX first (tf2onnx for Keras/TensorFlow, torch.onnx.export for"
                    + " PyTorch).");
        }
        Onnx.ModelProto proto;
        try {
            // raw weights stay views of `bytes` instead of copies: protobuf aliases only bytes it may take as
            // immutable, which a plain newInstance(byte[]) are not
            CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
            in.enableAliasing(true);
            proto = Onnx.ModelProto.parseFrom(in);
        } catch (IOException e) { // InvalidProtocolBufferException, which the stream API declares as IOException
            String why = e.getMessage() != null && e.getMessage().contains("ended unexpectedly")
                    ? "the file is truncated" : "it is not valid ONNX protobuf";
            throw new ModelException("not an ONNX model: " + source + " cannot be parsed (" + why + ": "
                    + e.getMessage() + "). Check that the file was copied completely and is an .onnx export.", e);
        } catch (RuntimeException e) { // protobuf reports some malformed input as IllegalArgumentException
            throw new ModelException("not an ONNX model: " + source + " cannot be parsed: " + e, e);
        }
        if (!proto.hasIrVersion() || !proto.hasGraph() || proto.getGraph().getNodeCount() == 0
                || proto.getGraph().getInputCount() == 0 || proto.getGraph().getOutputCount() == 0) {
            throw new ModelException("not an ONNX model: " + source + " parses as protobuf but has "
                    + (!proto.hasIrVersion() ? "no ir_version"
                    : !proto.hasGraph() || proto.getGraph().getNodeCount() == 0 ? "no graph nodes"
                    : "no graph inputs or outputs") + ". Check that it is an .onnx export.");
        }
        boolean external = checkExternalData(source, proto.getGraph(), folder);
        return new ModelFile(source, bytes, proto, folder, external);
    }

    /**
     * A buffer for a serialized model of this many bytes: in the Java heap, or for a large one in direct memory,
     * which the heap then does not have to hold beside the model it came from.
     *
     * @throws ModelException if the memory cannot be had, saying how to get more
     */
    static ByteBuffer allocate(long size) {
        if (size > Integer.MAX_VALUE - 16) {
            throw new ModelException("a model derived from this one would have " + size + " bytes, over protobuf's"
                    + " 2 GB limit");
        }
        try {
            return size > LARGE ? ByteBuffer.allocateDirect((int) size) : ByteBuffer.allocate((int) size);
        } catch (OutOfMemoryError e) {
            throw new ModelException("not enough memory for a model of " + (size >> 20) + " MB derived from this"
                    + " one (" + e.getMessage() + "); raise -XX:MaxDirectMemorySize or -Xmx", e);
        }
    }

    /** A model serialized into a buffer from {@link #allocate}, ready to read. */
    static ByteBuffer serialize(Onnx.ModelProto proto) {
        ByteBuffer buffer = allocate(proto.getSerializedSize());
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(buffer);
            proto.writeTo(out);
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return buffer.flip();
    }

    /** Names formats people often pass by mistake, from their magic bytes. */
    private static String otherFormat(byte[] b) {
        if (starts(b, 0x89, 'H', 'D', 'F')) {
            return "a Keras HDF5 file (.h5)";
        }
        if (starts(b, 'P', 'K', 3, 4)) {
            return "a zip archive (a PyTorch .pt or a Keras .keras file)";
        }
        if (b.length >= 8 && b[4] == 'T' && b[5] == 'F' && b[6] == 'L' && b[7] == '3') {
            return "a TensorFlow Lite model (.tflite)";
        }
        if (b.length >= 8 && b[4] == 'O' && b[5] == 'R' && b[6] == 'T' && b[7] == 'M') {
            return "an ONNX Runtime format model (.ort); ConvLens needs the .onnx file it was made from";
        }
        if (starts(b, 0xFF, 0xD8, 0xFF) || starts(b, 0x89, 'P', 'N', 'G')) {
            return "an image (were the model and the image swapped?)";
        }
        if (starts(b, 0x80) && b.length > 1 && b[1] >= 2 && b[1] <= 5) {
            return "a Python pickle (a PyTorch checkpoint)";
        }
        return null;
    }

    private static boolean starts(byte[] b, int... prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Checks that every external weight file exists inside the model's folder and is long enough. */
    private static boolean checkExternalData(String source, Onnx.GraphProto graph, Path folder) {
        List<Onnx.TensorProto> tensors = new ArrayList<>(graph.getInitializerList());
        for (Onnx.NodeProto node : graph.getNodeList()) {
            for (Onnx.AttributeProto a : node.getAttributeList()) {
                if (a.hasT()) {
                    tensors.add(a.getT());
                }
            }
        }
        boolean any = false;
        for (Onnx.TensorProto t : tensors) {
            if (t.getDataLocation() != Onnx.TensorProto.DataLocation.EXTERNAL) {
                continue;
            }
            any = true;
            String location = null;
            long offset = 0;
            long length = -1;
            for (Onnx.StringStringEntryProto e : t.getExternalDataList()) {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = parseLong(source, t, e);
                    case "length" -> length = parseLong(source, t, e);
                    default -> { }
                }
            }
            if (location == null || location.isEmpty()) {
                throw new ModelException("invalid ONNX model " + source + ": initializer '" + t.getName()
                        + "' is marked external but names no location");
            }
            if (folder == null) {
                throw new ModelException("the model keeps its weights in external files ('" + location
                        + "'), which cannot be found from bytes alone; load it with Inspector.of(Path) from the"
                        + " folder that holds both");
            }
            Path file = folder.resolve(location).normalize();
            if (!file.startsWith(folder) || Path.of(location).isAbsolute()) {
                throw new ModelException("invalid ONNX model " + source + ": external data location '" + location
                        + "' of initializer '" + t.getName() + "' points outside the model's folder " + folder);
            }
            long size;
            try {
                size = Files.size(file);
            } catch (IOException e) {
                throw new ModelException("external data file missing: initializer '" + t.getName() + "' of "
                        + source + " keeps its values in '" + location + "', expected at " + file
                        + ". Copy that file next to the model.", e);
            }
            if (length >= 0 && offset + length > size || offset > size) {
                throw new ModelException("external data file too short: initializer '" + t.getName()
                        + "' needs bytes " + offset + ".." + (offset + Math.max(length, 0)) + " of " + file
                        + ", which has " + size + " bytes. Was it copied completely?");
            }
        }
        return any;
    }

    private static long parseLong(String source, Onnx.TensorProto t, Onnx.StringStringEntryProto e) {
        try {
            return Long.parseLong(e.getValue());
        } catch (NumberFormatException x) {
            throw new ModelException("invalid ONNX model " + source + ": external data " + e.getKey() + " '"
                    + e.getValue() + "' of initializer '" + t.getName() + "' is not a number", x);
        }
    }

    /** Where the model came from, for messages: its path, or "model bytes". */
    public String source() {
        return source;
    }

    /** The bytes as read; shared, not copied, so callers must not change them. */
    public byte[] bytes() {
        return bytes;
    }

    /** The parsed model. */
    public Onnx.ModelProto proto() {
        return proto;
    }

    /** The folder holding the model file, where external data is resolved; empty for a model from bytes. */
    public Optional<Path> directory() {
        return Optional.ofNullable(directory);
    }

    /** Whether some weights live in external files. */
    public boolean hasExternalData() {
        return externalData;
    }

    /** The graph inputs that are not initializers (older models list their weights among the inputs). */
    public List<Declaration> inputs() {
        Set<String> weights = proto.getGraph().getInitializerList().stream().map(Onnx.TensorProto::getName)
                .collect(Collectors.toSet());
        return proto.getGraph().getInputList().stream().filter(v -> !weights.contains(v.getName()))
                .map(Declaration::of).toList();
    }

    /** The names of the graph's outputs, in order. */
    public List<String> outputs() {
        return outputs;
    }

    /**
     * This model with float16 replaced by float32 throughout ({@link Float32}): what the models derived from it are
     * built from, since ConvLens feeds them and reads them in float32. This very model if it has no float16. Made on
     * the first call and kept.
     *
     * @throws ModelException if float16 weights kept in an external file cannot be read
     */
    public ModelFile inFloat32() {
        ModelFile result = float32;
        if (result == null) {
            synchronized (this) {
                result = float32;
                if (result == null) {
                    if (Float32.needed(proto)) { // parsed back, so that its weights are views of its bytes
                        result = parse(source, Float32.of(proto, directory).toByteArray(), directory);
                    } else {
                        result = this;
                    }
                    float32 = result;
                }
            }
        }
        return result;
    }

    /** Whether a tensor is one of the graph's outputs. */
    public boolean isOutput(String tensor) {
        return outputSet.contains(tensor);
    }

    /** A value of the model's {@code metadata_props}, if the model has that key. */
    public Optional<String> metadata(String key) {
        return proto.getMetadataPropsList().stream().filter(e -> e.getKey().equals(key))
                .map(Onnx.StringStringEntryProto::getValue).findFirst();
    }

    /** The producer recorded in the model, e.g. "pytorch 1.13" or "tf2onnx 1.16.1"; empty if none. */
    public String producer() {
        String name = proto.getProducerName();
        String version = proto.getProducerVersion();
        return (name + " " + version).trim();
    }
}
