#!/usr/bin/env python3
"""Writes the committed seeds of ConvLens's fuzz tests: small ONNX models and images made here, not copied.

The fuzz tests add ../shared's real models and images to these when it is present (see README, "Fuzzing").

Usage (Debian: apt-get install python3-onnx python3-pil python3-numpy):
  /usr/bin/python3 sdk/tools/fuzz_seeds.py
"""
import io
import os
import struct

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
RES = os.path.join(HERE, "..", "src", "test", "resources", "dev", "convlens")
MODELS = os.path.join(RES, "ModelFuzzTestInputs", "model")
IMAGES = os.path.join(RES, "ImageFuzzTestInputs", "image")
rng = np.random.RandomState(7)


def weight(name, *shape, dtype=np.float32):
    return numpy_helper.from_array((rng.randn(*shape) * 0.1).astype(dtype), name)


def save(model, name):
    onnx.checker.check_model(model)
    with open(os.path.join(MODELS, name), "wb") as f:
        f.write(model.SerializeToString())


def conv_relu_pool():
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="/conv1/Conv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"], name="/conv1/Relu"),
             helper.make_node("MaxPool", ["r"], ["y"], name="/pool/MaxPool", kernel_shape=[2, 2], strides=[2, 2])]
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 4, 4])],
                          [weight("w", 4, 3, 3, 3), weight("b", 4)])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def nhwc_fp16_silu():
    nodes = [helper.make_node("Transpose", ["x"], ["t"], perm=[0, 3, 1, 2]),
             helper.make_node("Conv", ["t", "w"], ["c"], name="model/conv2d/BiasAdd"),
             helper.make_node("Sigmoid", ["c"], ["s"], name="model/conv2d/Sigmoid"),
             helper.make_node("Mul", ["c", "s"], ["y"], name="model/conv2d/mul")]
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT16, ["N", 6, 6, 1])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT16, ["N", 2, 4, 4])],
                          [weight("w", 2, 1, 3, 3, dtype=np.float16)])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def dynamic_bn_residual():
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
             helper.make_node("BatchNormalization", ["c", "s", "b", "m", "v"], ["n"]),
             helper.make_node("Add", ["n", "x"], ["a"]),
             helper.make_node("GlobalAveragePool", ["a"], ["y"])]
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3, 1, 1])],
                          [weight("w", 3, 3, 3, 3), weight("s", 3), weight("b", 3), weight("m", 3),
                           numpy_helper.from_array(np.ones(3, np.float32), "v")])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def top_down_bmp(image):
    """A BMP with rows stored top first, which a negative height declares (Pillow writes bottom-up)."""
    buf = io.BytesIO()
    image.save(buf, "BMP")
    bmp = bytearray(buf.getvalue())
    offset = struct.unpack_from("<I", bmp, 10)[0]
    w, h = struct.unpack_from("<ii", bmp, 18)
    row = (w * 3 + 3) // 4 * 4
    rows = [bytes(bmp[offset + i * row:offset + (i + 1) * row]) for i in range(h)]
    struct.pack_into("<i", bmp, 22, -h)
    bmp[offset:] = b"".join(reversed(rows))
    return bytes(bmp)


def images():
    h, w = 12, 16
    y, x = np.mgrid[0:h, 0:w]
    rgb = Image.fromarray(np.stack([x * 16, y * 20, (x * y) % 256], -1).astype(np.uint8), "RGB")
    rgba = rgb.copy()
    rgba.putalpha(Image.fromarray((x * 16).astype(np.uint8), "L"))
    exif = Image.Exif()
    exif[274] = 6  # orientation: rotate 90 degrees clockwise to view
    outputs = {
        "rgb.png": lambda f: rgb.save(f, "PNG"),
        "rgba.png": lambda f: rgba.save(f, "PNG"),
        "gray16.png": lambda f: Image.fromarray((x * 4000 + y).astype(np.uint16)).save(f, "PNG"),
        "palette.gif": lambda f: rgb.convert("P").save(f, "GIF"),
        "rgb.bmp": lambda f: rgb.save(f, "BMP"),
        "rgb.tif": lambda f: rgb.save(f, "TIFF"),
        "rgb.ppm": lambda f: rgb.save(f, "PPM"),
        "rotated.jpg": lambda f: rgb.save(f, "JPEG", quality=90, exif=exif),
        "progressive.jpg": lambda f: rgb.save(f, "JPEG", quality=80, progressive=True),
        "cmyk.jpg": lambda f: rgb.convert("CMYK").save(f, "JPEG"),
        "gray.jpg": lambda f: rgb.convert("L").save(f, "JPEG"),
        "lossless.webp": lambda f: rgb.save(f, "WEBP", lossless=True),
        "lossy_alpha.webp": lambda f: rgba.save(f, "WEBP", quality=80),
        "icon.ico": lambda f: rgba.save(f, "ICO", sizes=[(16, 12), (8, 6)]),
        "topdown.bmp": lambda f: f.write(top_down_bmp(rgb)),
        "float.tif": lambda f: Image.fromarray((x * 10.5 + y).astype(np.float32), "F").save(f, "TIFF"),
    }
    for name, write in outputs.items():
        buf = io.BytesIO()
        write(buf)
        with open(os.path.join(IMAGES, name), "wb") as f:
            f.write(buf.getvalue())


def main():
    os.makedirs(MODELS, exist_ok=True)
    os.makedirs(IMAGES, exist_ok=True)
    save(conv_relu_pool(), "conv_relu_pool.onnx")
    save(nhwc_fp16_silu(), "nhwc_fp16_silu.onnx")
    save(dynamic_bn_residual(), "dynamic_bn_residual.onnx")
    images()


if __name__ == "__main__":
    main()
