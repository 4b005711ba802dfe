package dev.convlens.onnx;

/** Declarations of graph inputs and outputs: a name, an element type and a shape. */
final class ValueInfo {
    private ValueInfo() {
    }

    /**
     * A tensor's declaration.
     *
     * @param elemType the ONNX element type (1 float32, 10 float16, ...)
     * @param dims the dimensions, a negative one for a dimension left unknown; null to declare no shape at all
     */
    static Onnx.ValueInfoProto of(String name, int elemType, long[] dims) {
        Onnx.TypeProto.Tensor.Builder type = Onnx.TypeProto.Tensor.newBuilder().setElemType(elemType);
        if (dims != null) {
            Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
            for (long d : dims) {
                Onnx.TensorShapeProto.Dimension.Builder dim = Onnx.TensorShapeProto.Dimension.newBuilder();
                if (d >= 0) {
                    dim.setDimValue(d);
                }
                shape.addDim(dim);
            }
            type.setShape(shape);
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name)
                .setType(Onnx.TypeProto.newBuilder().setTensorType(type)).build();
    }
}
