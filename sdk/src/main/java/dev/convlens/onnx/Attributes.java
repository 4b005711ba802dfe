package dev.convlens.onnx;

/** Reads a node's attributes by name, with the defaults ONNX gives an absent one. */
final class Attributes {
    private Attributes() {
    }

    /** The attribute, or null if the node has none of that name. */
    static Onnx.AttributeProto find(Onnx.NodeProto node, String name) {
        for (Onnx.AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    /** An INTS attribute, or null if absent. */
    static long[] ints(Onnx.NodeProto node, String name) {
        Onnx.AttributeProto a = find(node, name);
        return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** A FLOATS attribute, or null if absent. */
    static float[] reals(Onnx.NodeProto node, String name) {
        Onnx.AttributeProto a = find(node, name);
        if (a == null) {
            return null;
        }
        float[] values = new float[a.getFloatsCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = a.getFloats(i);
        }
        return values;
    }

    /** An INT attribute, or {@code otherwise} if absent. */
    static long integer(Onnx.NodeProto node, String name, long otherwise) {
        Onnx.AttributeProto a = find(node, name);
        return a == null ? otherwise : a.getI();
    }

    /** A FLOAT attribute, or {@code otherwise} if absent. */
    static float real(Onnx.NodeProto node, String name, float otherwise) {
        Onnx.AttributeProto a = find(node, name);
        return a == null ? otherwise : a.getF();
    }

    /** A STRING attribute, or the empty string if absent. */
    static String string(Onnx.NodeProto node, String name) {
        Onnx.AttributeProto a = find(node, name);
        return a == null ? "" : a.getS().toStringUtf8();
    }

    /** A TENSOR attribute, or null if absent. */
    static Onnx.TensorProto tensor(Onnx.NodeProto node, String name) {
        Onnx.AttributeProto a = find(node, name);
        return a != null && a.hasT() ? a.getT() : null;
    }
}
