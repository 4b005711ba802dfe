package dev.convlens.onnx;

/**
 * A graph input or output as the model declares it.
 *
 * @param name the tensor's name
 * @param elemType its ONNX element type (1 float32, 10 float16, ...), 0 if not declared
 * @param dims its dimensions, -1 where dynamic or unknown; empty if no shape is declared
 */
public record Declaration(String name, int elemType, long[] dims) {
    /** Copies the dimensions. */
    public Declaration {
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    static Declaration of(Onnx.ValueInfoProto v) {
        Onnx.TypeProto.Tensor type = v.getType().getTensorType();
        long[] dims = new long[type.getShape().getDimCount()];
        for (int i = 0; i < dims.length; i++) {
            Onnx.TensorShapeProto.Dimension d = type.getShape().getDim(i);
            dims[i] = d.hasDimValue() && d.getDimValue() > 0 ? d.getDimValue() : -1;
        }
        return new Declaration(v.getName(), type.getElemType(), dims);
    }
}
