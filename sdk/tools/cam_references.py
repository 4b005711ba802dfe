#!/usr/bin/env python3
"""Writes the reference heatmaps ConvLens's heatmap tests compare with, computed by PyTorch on the same weights and
input, each method by its definition (Grad-CAM and Grad-CAM++ with autograd).

Two models:
  seed    models/cats_vs_dogs_small.pt (the shipped convnet, Keras layout: NHWC raw pixels in), on
          examples/images/chelsea.png resized to 180x180 with nearest neighbours; target layer conv2d_4.
  resnet  a small ResNet with BatchNorm and residual Adds, random weights, exported here to
          sdk/src/test/resources/dev/convlens/cam/resnet_small.onnx; input the same photo resized to 64x64 with
          Pillow's bilinear filter and torchvision's ImageNet normalization; target layers the last block's output
          (after its residual Add and ReLU: ConvLens's default, the tensor the global pooling reads) and, as
          layer3.conv2, the last block's second conv (with its BatchNorm, which the export folds into it).

Usage (Debian: apt-get install python3-torch python3-onnx python3-pil):
  /usr/bin/python3 sdk/tools/cam_references.py
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
OUT = os.path.join(HERE, "..", "src", "test", "resources", "dev", "convlens", "cam")
sys.path.insert(0, os.path.join(ROOT, "models"))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
from cats_vs_dogs import ConvNet, KerasLayout  # noqa: E402
from resnet18 import Block  # noqa: E402  the benchmark's ResNet block: conv, BN, ReLU, conv, BN, residual Add, ReLU

PHOTO = os.path.join(ROOT, "examples", "images", "chelsea.png")


class SmallResNet(nn.Module):
    def __init__(self, classes=5):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.pool = nn.MaxPool2d(2)
        self.layer1 = Block(16, 16, 1)
        self.layer2 = Block(16, 32, 2)
        self.layer3 = Block(32, 32, 1)
        self.fc = nn.Linear(32, classes)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def small_resnet():
    torch.manual_seed(3)
    net = SmallResNet()
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    return net.eval()


IMAGENET_MEAN = torch.tensor([0.485, 0.456, 0.406])[:, None, None]
IMAGENET_STD = torch.tensor([0.229, 0.224, 0.225])[:, None, None]


def seed_input():
    """The shipped convnet's input: the photo resized to 180x180 with nearest neighbours, raw pixels, NHWC."""
    img = Image.open(PHOTO).convert("RGB").resize((180, 180), Image.NEAREST)
    return torch.from_numpy(np.asarray(img, dtype=np.float32))[None]


def resnet_input():
    """The small ResNet's input: the photo resized to 64x64 with Pillow's bilinear filter, ImageNet's normalization."""
    img = Image.open(PHOTO).convert("RGB").resize((64, 64), Image.BILINEAR)
    x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255).permute(2, 0, 1)[None]
    return (x - IMAGENET_MEAN) / IMAGENET_STD


class Probe:
    """Captures a module's output, and optionally replaces it (for ablation)."""

    def __init__(self, module):
        self.output = None
        self.replace = None
        module.register_forward_hook(self.hook)

    def hook(self, module, inputs, output):
        if self.replace is not None:
            return self.replace
        if output.requires_grad:
            output.retain_grad()
        self.output = output
        return None


def score_of(out, target):
    out = out.reshape(out.shape[0], -1)
    if out.shape[1] == 1:
        return out[:, 0] if target == 1 else 1 - out[:, 0]
    return out[:, target]


def methods(model, probe, x, channels_last, pooled_probe=None, fc=None):
    """Every method's map, by its definition. x: the model input (batch 1)."""
    out = model(x)
    flat = out.reshape(-1)
    target = (1 if flat[0] >= 0.5 else 0) if flat.numel() == 1 else int(flat.argmax())
    score = score_of(out, target)[0]
    a = probe.output
    model.zero_grad()
    score.backward()
    g = a.grad.detach()[0].numpy().astype(np.float64)
    a = a.detach()[0].numpy().astype(np.float64)
    y = float(score)
    maps = {}
    maps["GRAD_CAM"] = np.maximum((g.mean(axis=(1, 2))[:, None, None] * a).sum(0), 0)
    g2, g3 = g ** 2, g ** 3
    aij = np.where(g != 0, g2 / (2 * g2 + a.sum(axis=(1, 2))[:, None, None] * g3 + 1e-6), 0)
    w = (np.maximum(g, 0) * aij).sum(axis=(1, 2))
    maps["GRAD_CAM_PLUS_PLUS"] = np.maximum((w[:, None, None] * a).sum(0), 0)
    # Eigen-CAM
    c, h, wd = a.shape
    m = a.reshape(c, -1).T
    m = m - m.mean(axis=0)
    _, _, vt = np.linalg.svd(m, full_matrices=False)
    p = m @ vt[0]
    if (p * a.sum(0).reshape(-1)).sum() < 0:
        p = -p
    maps["EIGEN_CAM"] = np.maximum(p.reshape(h, wd), 0)
    with torch.no_grad():
        # Score-CAM: every channel, upsampled with corners aligned, scaled to 0..1, masking the input
        size = x.shape[1:3] if channels_last else x.shape[2:4]
        up = F.interpolate(torch.from_numpy(a[None]).float(), size=tuple(size), mode="bilinear", align_corners=True)[0]
        mins = up.reshape(c, -1).min(1)[0][:, None, None]
        maxs = up.reshape(c, -1).max(1)[0][:, None, None]
        masks = (up - mins) / (maxs - mins + 1e-8)
        scores = []
        for k in range(c):
            mask = masks[k][None, :, :, None] if channels_last else masks[k][None, None]
            scores.append(float(score_of(model(x * mask), target)[0]))
        weights = torch.softmax(torch.tensor(scores, dtype=torch.float64), 0).numpy()
        maps["SCORE_CAM"] = np.maximum((weights[:, None, None] * a).sum(0), 0)
        # Ablation-CAM: each channel set to zero, the rest of the network run again
        ablated = []
        original = torch.from_numpy(a).float()[None]  # the activations of x itself, not of the last masked input
        for k in range(c):
            changed = original.clone()
            changed[0, k] = 0
            probe.replace = changed
            ablated.append(float(score_of(model(x), target)[0]))
            probe.replace = None
        wts = np.array([(y - s) / y if abs(y) > 1e-12 else y - s for s in ablated])
        maps["ABLATION_CAM"] = np.maximum((wts[:, None, None] * a).sum(0), 0)
        # Recipro-CAM: the maps kept at one position alone (a one-hot spatial mask over every channel), the rest of
        # the network run on each; the scores scaled by their minimum and maximum (the paper's code; OpenVINO XAI's
        # embedded scaling, with its 1e-12)
        kept = []
        for k in range(h * wd):
            mask = torch.zeros(1, 1, h * wd)
            mask[0, 0, k] = 1
            probe.replace = original * mask.reshape(1, 1, h, wd)
            kept.append(float(score_of(model(x), target)[0]))
            probe.replace = None
        kept = np.array(kept)
        maps["RECIPRO_CAM"] = ((kept - kept.min()) / (kept.max() - kept.min() + 1e-12)).reshape(h, wd)
        # Occlusion: a patch of zeros, an eighth of the input, moved by half its size
        hh, ww = size
        patch = max(1, min(hh, ww) // 8)
        stride = max(1, patch // 2)
        rows, cols = (hh - patch) // stride + 1, (ww - patch) // stride + 1
        occ = np.zeros((rows, cols))
        for r in range(rows):
            for q in range(cols):
                z = x.clone()
                if channels_last:
                    z[0, r * stride:r * stride + patch, q * stride:q * stride + patch, :] = 0
                else:
                    z[0, :, r * stride:r * stride + patch, q * stride:q * stride + patch] = 0
                occ[r, q] = y - float(score_of(model(z), target)[0])
        maps["OCCLUSION"] = occ
        if pooled_probe is not None:
            model(x)
            pooled = pooled_probe.output.detach()[0].numpy().astype(np.float64)
            wc = fc.weight.detach().numpy().astype(np.float64)[target]
            maps["CAM"] = np.maximum((wc[:, None, None] * pooled).sum(0), 0)
    return target, y, maps


def write(name, target, score, maps, source="reference",
          header=f"PyTorch {torch.__version__} heatmaps, written by sdk/tools/cam_references.py"):
    """The rows HeatmapTest reads, to cam/NAME_SOURCE.tsv; header: the file's first comment lines."""
    with open(os.path.join(OUT, name + "_" + source + ".tsv"), "w") as f:
        f.write("".join(f"# {line}\n" for line in header.split("\n")))
        f.write(f"# method\ttarget class\tscore\theight\twidth\tvalues row by row\n")
        for method, m in sorted(maps.items()):
            f.write(f"{method}\t{target}\t{score:.8f}\t{m.shape[0]}\t{m.shape[1]}\t"
                    + " ".join(f"{v:.8g}" for v in m.reshape(-1)) + "\n")
    print(f"{name}: class {target}, score {score:.4f}, methods {sorted(maps)}")


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(2)
    # the shipped convnet in Keras layout
    net = ConvNet()
    net.load_state_dict(torch.load(os.path.join(ROOT, "models", "cats_vs_dogs_small.pt")))
    net.eval()
    keras = KerasLayout(net).eval()
    # conv2d_4's output in the ONNX model is after its ReLU: run the features with a ReLU module to hook
    original = net.features

    def features(x):
        x = net.max_pooling2d(F.relu(net.conv2d(x)))
        x = net.max_pooling2d_1(F.relu(net.conv2d_1(x)))
        x = net.max_pooling2d_2(relu_2(net.conv2d_2(x)))
        x = net.max_pooling2d_3(F.relu(net.conv2d_3(x)))
        return relu_layer(net.conv2d_4(x))

    relu_layer = nn.ReLU()
    relu_2 = nn.ReLU()
    probe = Probe(relu_layer)
    probe_2 = Probe(relu_2)
    net.features = features
    x = seed_input()
    target, score, maps = methods(keras, probe, x, channels_last=True)
    # an earlier layer too, so the gradient goes back through MaxPool and Conv
    out = keras(x)
    keras.zero_grad()
    score_of(out, target)[0].backward()
    a2 = probe_2.output.detach()[0].numpy().astype(np.float64)
    g2 = probe_2.output.grad.detach()[0].numpy().astype(np.float64)
    maps["GRAD_CAM@conv2d_2"] = np.maximum((g2.mean(axis=(1, 2))[:, None, None] * a2).sum(0), 0)
    write("seed", target, score, maps)
    net.features = original

    # the small ResNet, exported for the Java test
    res = small_resnet()
    torch.onnx.export(res, torch.randn(1, 3, 64, 64), os.path.join(OUT, "resnet_small.onnx"), opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    x = resnet_input()
    # the default layer: the last block's output, after its residual Add and ReLU, which the global pooling reads
    # (pytorch-grad-cam's model.layer3[-1]); then the last block's second conv, as a named layer
    block = Probe(res.layer3)
    target, score, maps = methods(res, block, x, channels_last=False, pooled_probe=block, fc=res.fc)
    conv = Probe(res.layer3.bn2)
    block.replace = None
    _, _, conv_maps = methods(res, conv, x, channels_last=False)
    for method, m in conv_maps.items():
        maps[method + "@layer3.conv2"] = m
    write("resnet", target, score, maps)


if __name__ == "__main__":
    main()
