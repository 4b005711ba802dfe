#!/usr/bin/env python3
"""Writes a copy of an ONNX model with the given tensors added as graph outputs, with the onnx package alone: the
floor the benchmark report compares ConvLens's activations() with (ONNX Runtime returning the same layers, no Java
copy). The report passes the tensors ConvLens exposes.

Usage (Debian: apt-get install python3-onnx):
  /usr/bin/python3 benchmarks/expose.py model.onnx exposed.onnx tensor [tensor...]
"""
import sys

import onnx


def main(source, target, tensors):
    model = onnx.load(source)
    present = {o.name for o in model.graph.output}
    for name in tensors:
        if name not in present:
            model.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    onnx.save(model, target)
    print(f"wrote {target}: {len(tensors)} tensors exposed")


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
