package dev.convlens.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.convlens.ModelException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Adds graph outputs to a serialized model without touching anything else.
 *
 * <p>A ModelProto's graph is field 7, and a GraphProto's outputs are its repeated field 12. Protobuf appends
 * repeated fields in the order it meets them, so writing new output entries after the graph's last byte adds them
 * after the existing outputs. Only the graph's length prefix changes; every other byte of the model is copied as
 * it was, unknown fields and field order included. The result is in a buffer of {@link ModelFile#allocate}, outside
 * the Java heap for a large model.
 */
public final class Rewriter {
    private static final int GRAPH_FIELD = 7;
    private static final int OUTPUT_FIELD = 12;

    private Rewriter() {
    }

    /**
     * Returns the model with each tensor added as a graph output, declared with its element type and a rank-only
     * shape, so a saved copy still passes the ONNX checker.
     *
     * @param model the serialized ModelProto
     * @param tensors the outputs to add: name, ONNX element type, rank; none may be a graph output already
     */
    public static ByteBuffer expose(byte[] model, List<Output> tensors) {
        ByteArrayOutputStream extra = new ByteArrayOutputStream();
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(extra);
            for (Output t : tensors) {
                out.writeMessage(OUTPUT_FIELD, t.valueInfo());
            }
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return appendToGraph(model, extra.toByteArray());
    }

    /**
     * A tensor to expose, and how its values read: an int8 model's integer tensor as {@code (q - zero) * scale}.
     *
     * @param name the tensor's name in the graph
     * @param elemType its ONNX element type
     * @param rank its number of dimensions, or -1 if unknown (then no shape is declared)
     * @param quantized the real values of an integer tensor, or null
     */
    public record Output(String name, int elemType, int rank, LayerInfo.Quantized quantized) {
        /** A float tensor, or one read as it is. */
        public Output(String name, int elemType, int rank) {
            this(name, elemType, rank, null);
        }

        Onnx.ValueInfoProto valueInfo() {
            long[] unknown = rank < 0 ? null : new long[rank];
            if (unknown != null) {
                java.util.Arrays.fill(unknown, -1);
            }
            return ValueInfo.of(name, elemType, unknown);
        }
    }

    /**
     * The same rewrite through protobuf's parser, for a file that it parses but the field walk cannot follow (varints
     * over 10 bytes, stray wire types in fields the parser keeps as unknown): every model that opened can be
     * rewritten, though such a file's bytes are not kept as they were.
     */
    private static ByteBuffer throughTheParser(byte[] model, byte[] extra) {
        try {
            Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(model);
            Onnx.GraphProto graph = proto.getGraph().toBuilder().mergeFrom(extra).build();
            return ModelFile.serialize(proto.toBuilder().setGraph(graph).build());
        } catch (IOException e) {
            throw new ModelException("cannot rewrite the model: it is not valid protobuf (" + e.getMessage() + ")", e);
        }
    }

    /** Appends bytes to the payload of the model's last graph field (protobuf merges repeated occurrences). */
    private static ByteBuffer appendToGraph(byte[] model, byte[] extra) {
        int graphStart = -1;
        int payloadStart = -1;
        int payloadEnd = -1;
        try {
            CodedInputStream in = CodedInputStream.newInstance(model);
            while (true) {
                int fieldStart = in.getTotalBytesRead();
                int tag = in.readTag();
                if (tag == 0) {
                    break;
                }
                if (tag == (GRAPH_FIELD << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                    int length = in.readRawVarint32();
                    graphStart = fieldStart;
                    payloadStart = in.getTotalBytesRead();
                    payloadEnd = payloadStart + length;
                    in.skipRawBytes(length);
                } else {
                    in.skipField(tag);
                }
            }
        } catch (IOException e) {
            return throughTheParser(model, extra);
        }
        if (graphStart < 0) {
            throw new ModelException("cannot rewrite the model: it has no graph");
        }
        int payload = payloadEnd - payloadStart;
        long grown = (long) payload + extra.length;
        if (grown > Integer.MAX_VALUE - 16) {
            throw new ModelException("cannot rewrite the model: its graph would exceed protobuf's 2 GB limit");
        }
        byte[] header = new byte[1 + CodedOutputStream.computeUInt32SizeNoTag((int) grown)];
        try {
            CodedOutputStream h = CodedOutputStream.newInstance(header);
            h.writeTag(GRAPH_FIELD, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            h.writeUInt32NoTag((int) grown);
            h.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        ByteBuffer result = ModelFile.allocate((long) graphStart + header.length + payload + extra.length
                + model.length - payloadEnd);
        result.put(model, 0, graphStart).put(header).put(model, payloadStart, payload).put(extra)
                .put(model, payloadEnd, model.length - payloadEnd);
        return result.flip();
    }
}
