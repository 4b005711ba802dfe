#!/usr/bin/env python3
"""Writes int8 copies of the shipped convnet for ConvLens's int8 tests (no quantizer is installable here, so they are
built with onnx.helper, in the layouts ONNX Runtime's quantizer writes).

From models/cats_vs_dogs_small.pt (the weights of models/cats_vs_dogs_small_nchw.onnx: NCHW input of pixels scaled to
0..1, output the probability of "dog"):

  cats_vs_dogs_qoperator.onnx   QOperator: QuantizeLinear -> QLinearConv (ReLU folded: uint8 outputs, zero point 0)
                                -> MaxPool on uint8 -> ... -> DequantizeLinear -> Flatten -> Gemm -> Sigmoid (the dense
                                head stays float)
  cats_vs_dogs_qdq.onnx         QDQ: float Conv, Relu and MaxPool between QuantizeLinear/DequantizeLinear pairs, the
                                kernels int8 behind DequantizeLinear

Kernels are quantized per output channel, symmetric int8 (scale max|w| / 127), biases int32 at input scale times
kernel scale; activations uint8 with zero point 0, scales calibrated as the largest value each layer reaches on 100
training photos (the first 50 cats and 50 dogs of ../shared/data/cats_vs_dogs/train), divided by 255. Both models
carry metadata convlens.preprocessing = scaled.

Usage (Debian: apt-get install python3-torch python3-onnx python3-pil):
  /usr/bin/python3 sdk/tools/int8_models.py OUTPUT_FOLDER TRAIN_FOLDER
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "models"))
from cats_vs_dogs import ConvNet, SIZE  # noqa: E402

CONVS = ["conv2d", "conv2d_1", "conv2d_2", "conv2d_3", "conv2d_4"]
POOLS = ["max_pooling2d", "max_pooling2d_1", "max_pooling2d_2", "max_pooling2d_3"]


def photos(train):
    """The first 50 cats and 50 dogs, as the shipped model takes them: RGB, 180x180 NEAREST, 0..1, NCHW."""
    images = []
    for sub in ("cats", "dogs"):
        names = sorted(os.listdir(os.path.join(train, sub)))[:50]
        for name in names:
            with Image.open(os.path.join(train, sub, name)) as im:
                images.append(np.asarray(im.convert("RGB").resize((SIZE, SIZE), Image.NEAREST), dtype=np.float32))
    return torch.from_numpy(np.stack(images) / 255.0).permute(0, 3, 1, 2).contiguous()


def calibrate(net, x):
    """The largest value of each conv layer's output (after its ReLU)."""
    top = {}
    with torch.no_grad():
        for i, name in enumerate(CONVS):
            x = F.relu(getattr(net, name)(x))
            top[name] = float(x.max())
            if i < len(POOLS):
                x = getattr(net, POOLS[i])(x)
    return top


def quantize_kernel(w):
    """Per output channel, symmetric int8: the int8 kernel and its scales."""
    scale = np.maximum(np.abs(w).reshape(w.shape[0], -1).max(axis=1), 1e-12) / 127.0
    q = np.clip(np.round(w / scale[:, None, None, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def build(net, top, qdq):
    nodes, inits = [], []

    def init(array, name):
        inits.append(numpy_helper.from_array(array, name))
        return name

    x_scale = 1.0 / 255.0
    init(np.array(x_scale, np.float32), "input_scale")
    init(np.array(0, np.uint8), "zero_u8")
    nodes.append(helper.make_node("QuantizeLinear", ["input", "input_scale", "zero_u8"], ["input_q"], name="quantize"))
    current, current_scale = "input_q", x_scale
    for i, name in enumerate(CONVS):
        conv = getattr(net, name)
        w = conv.weight.detach().numpy().astype(np.float32)
        b = conv.bias.detach().numpy().astype(np.float32)
        qw, w_scale = quantize_kernel(w)
        y_scale = top[name] / 255.0
        init(qw, f"{name}.weight_q")
        init(w_scale, f"{name}.weight_scale")
        init(np.zeros(w.shape[0], np.int8), f"{name}.weight_zero")
        init(np.array(y_scale, np.float32), f"{name}.output_scale")
        bias_q = np.round(b / (current_scale * w_scale)).astype(np.int32)
        init(bias_q, f"{name}.bias_q")
        out = f"{name}/output_q"
        if not qdq:
            nodes.append(helper.make_node(
                "QLinearConv", [current, "input_scale" if i == 0 else f"{CONVS[i - 1]}.output_scale", "zero_u8",
                                f"{name}.weight_q", f"{name}.weight_scale", f"{name}.weight_zero",
                                f"{name}.output_scale", "zero_u8", f"{name}.bias_q"],
                [out], name=f"{name}/QLinearConv", kernel_shape=[3, 3]))
        else:
            prev_scale = "input_scale" if i == 0 else f"{CONVS[i - 1]}.output_scale"
            nodes.append(helper.make_node("DequantizeLinear", [current, prev_scale, "zero_u8"], [f"{name}/x"],
                                          name=f"{name}/dequantize_x"))
            nodes.append(helper.make_node("DequantizeLinear", [f"{name}.weight_q", f"{name}.weight_scale",
                                                              f"{name}.weight_zero"],
                                          [f"{name}/w"], name=f"{name}/dequantize_w", axis=0))
            init(np.array(current_scale, np.float32) * w_scale, f"{name}.bias_scale")
            init(np.zeros(w.shape[0], np.int32), f"{name}.bias_zero")
            nodes.append(helper.make_node("DequantizeLinear", [f"{name}.bias_q", f"{name}.bias_scale",
                                                              f"{name}.bias_zero"],
                                          [f"{name}/b"], name=f"{name}/dequantize_b", axis=0))
            nodes.append(helper.make_node("Conv", [f"{name}/x", f"{name}/w", f"{name}/b"], [f"{name}/Conv"],
                                          name=f"{name}/Conv", kernel_shape=[3, 3]))
            nodes.append(helper.make_node("Relu", [f"{name}/Conv"], [f"{name}/Relu"], name=f"{name}/Relu"))
            nodes.append(helper.make_node("QuantizeLinear", [f"{name}/Relu", f"{name}.output_scale", "zero_u8"],
                                          [out], name=f"{name}/quantize"))
        current, current_scale = out, y_scale
        if i < len(POOLS):
            pooled = f"{POOLS[i]}/output_q"
            nodes.append(helper.make_node("MaxPool", [current], [pooled], name=f"{POOLS[i]}/MaxPool",
                                          kernel_shape=[2, 2], strides=[2, 2]))
            current = pooled
    nodes.append(helper.make_node("DequantizeLinear", [current, f"{CONVS[-1]}.output_scale", "zero_u8"],
                                  ["features"], name="dequantize"))
    nodes.append(helper.make_node("Flatten", ["features"], ["flat"], name="flatten", axis=1))
    init(net.dense.weight.detach().numpy().astype(np.float32), "dense.weight")
    init(net.dense.bias.detach().numpy().astype(np.float32), "dense.bias")
    nodes.append(helper.make_node("Gemm", ["flat", "dense.weight", "dense.bias"], ["logit"], name="dense/Gemm",
                                  transB=1))
    nodes.append(helper.make_node("Sigmoid", ["logit"], ["score"], name="dense/Sigmoid"))
    graph = helper.make_graph(nodes, "cats_vs_dogs_int8",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, SIZE, SIZE])],
                              [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["N", 1])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="convlens int8_models.py")
    model.ir_version = 7
    entry = model.metadata_props.add()
    entry.key, entry.value = "convlens.preprocessing", "scaled"
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    out, train = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    net = ConvNet()
    net.load_state_dict(torch.load(os.path.join(ROOT, "models", "cats_vs_dogs_small.pt")))
    net.eval()
    top = calibrate(net, photos(train))
    for qdq, name in ((False, "cats_vs_dogs_qoperator.onnx"), (True, "cats_vs_dogs_qdq.onnx")):
        path = os.path.join(out, name)
        onnx.save(build(net, top, qdq), path + ".part")
        os.replace(path + ".part", path)
    print("calibrated output maxima: " + ", ".join(f"{k} {v:.3f}" for k, v in top.items()))


if __name__ == "__main__":
    main()
