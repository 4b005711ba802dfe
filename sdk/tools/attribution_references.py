#!/usr/bin/env python3
"""Writes the pixel attributions ConvLens's attribution tests compare with, computed by PyTorch on the same weights
and input, each method by its definition with autograd (README, "Pixel attributions"):

  GRADIENT              max over channels of |d score / d input|
  INPUT_X_GRADIENT      sum over channels of input * d score / d input
  INTEGRATED_GRADIENTS  sum over channels of (input - baseline) * the mean gradient at the midpoints of 50 equal
                        steps from the baseline (a black image, preprocessed) to the input
  GUIDED_BACKPROP       max over channels of |gradient|, every ReLU passing back only positive gradients
  GUIDED_GRAD_CAM       GUIDED_BACKPROP times the Grad-CAM of the heatmap layer, resized with bilinear interpolation
  SMOOTH_GRAD           max over channels of the mean |gradient| over 500 copies of the input with Gaussian noise of
                        0.15 times the input's range: with PyTorch's own noise, so the Java test, with its own, asks
                        for the two averages to agree as far as 500 samples let them

on the two models of sdk/tools/cam_references.py (the shipped convnet on Chelsea, and the small ResNet it exports).
Each map goes to sdk/src/test/resources/dev/convlens/attribution/<model>_<METHOD>.bin (float32, little-endian, row
by row), the class, its score and the baseline's score to <model>.tsv.

Usage (Debian: apt-get install python3-torch python3-pil):
  /usr/bin/python3 sdk/tools/attribution_references.py
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
OUT = os.path.join(HERE, "..", "src", "test", "resources", "dev", "convlens", "attribution")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "models"))
import cam_references as refs  # noqa: E402
from cats_vs_dogs import ConvNet, KerasLayout  # noqa: E402

STEPS = 50
SAMPLES = 500
NOISE = 0.15


class GuidedRelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g.clamp(min=0) * (x > 0)


def guided(fn):
    """Runs fn with every ReLU the models call (torch.relu, F.relu) guided."""
    plain = (torch.relu, F.relu)
    torch.relu = F.relu = lambda x, inplace=False: GuidedRelu.apply(x)
    try:
        return fn()
    finally:
        torch.relu, F.relu = plain


def gradient(model, x, target):
    x = x.clone().requires_grad_(True)
    score = refs.score_of(model(x), target).sum()
    (g,) = torch.autograd.grad(score, x)
    return g.detach()


def maps(model, x, baseline, target, channels_last, cam):
    axis = -1 if channels_last else 1
    g = gradient(model, x, target)
    out = {
        "GRADIENT": g.abs().amax(axis),
        "INPUT_X_GRADIENT": (x * g).sum(axis),
    }
    alphas = (torch.arange(STEPS, dtype=torch.float64) + 0.5) / STEPS
    path = baseline + alphas.float()[:, None, None, None] * (x - baseline)
    mean = gradient(model, path, target).mean(0, keepdim=True)
    out["INTEGRATED_GRADIENTS"] = ((x - baseline) * mean).sum(axis)
    guided_map = guided(lambda: gradient(model, x, target)).abs().amax(axis)
    out["GUIDED_BACKPROP"] = guided_map
    size = guided_map.shape[-2:]
    up = F.interpolate(torch.from_numpy(cam)[None, None].float(), size=tuple(size), mode="bilinear",
                       align_corners=False)[0, 0]
    out["GUIDED_GRAD_CAM"] = guided_map * up
    torch.manual_seed(0)
    sigma = NOISE * float(x.max() - x.min())
    noisy = x + sigma * torch.randn((SAMPLES,) + tuple(x.shape[1:]))
    out["SMOOTH_GRAD"] = gradient(model, noisy, target).abs().mean(0, keepdim=True).amax(axis)
    with torch.no_grad():
        completeness = (refs.score_of(model(x), target)[0].item(), refs.score_of(model(baseline), target)[0].item())
    return {k: v[0].numpy().astype("<f4") for k, v in out.items()}, completeness


def write(name, target, score, baseline_score, ms):
    os.makedirs(OUT, exist_ok=True)
    for method, m in ms.items():
        m.tofile(os.path.join(OUT, f"{name}_{method}.bin"))
    with open(os.path.join(OUT, name + ".tsv"), "w") as f:
        f.write(f"# PyTorch {torch.__version__} attributions, written by sdk/tools/attribution_references.py\n")
        f.write("# target class\tscore\tbaseline's score\theight\twidth\n")
        h, w = next(iter(ms.values())).shape
        f.write(f"{target}\t{score:.8f}\t{baseline_score:.8f}\t{h}\t{w}\n")
    print(f"{name}: class {target}, score {score:.6f}, baseline {baseline_score:.6f}, "
          f"integrated gradients sum {ms['INTEGRATED_GRADIENTS'].astype(np.float64).sum():.6f}")


def main():
    torch.set_num_threads(2)
    net = ConvNet()
    net.load_state_dict(torch.load(os.path.join(ROOT, "models", "cats_vs_dogs_small.pt")))
    net.eval()
    keras = KerasLayout(net).eval()
    x = refs.seed_input()
    target, _, cam = seed_cam(net, keras, x)
    ms, (score, base) = maps(keras, x, torch.zeros_like(x), target, True, cam)
    write("seed", target, score, base, ms)

    res = refs.small_resnet()
    x = refs.resnet_input()
    baseline = ((torch.zeros_like(x) - refs.IMAGENET_MEAN) / refs.IMAGENET_STD)
    block = refs.Probe(res.layer3)  # the default heatmap layer: the last block's output, which the pooling reads
    target, _, cam_maps = refs.methods(res, block, x, channels_last=False, pooled_probe=block, fc=res.fc)
    ms, (score, base) = maps(res, x, baseline, target, False, cam_maps["GRAD_CAM"])
    write("resnet", target, score, base, ms)


def seed_cam(net, keras, x):
    """The seed's Grad-CAM on conv2d_4 (after its ReLU, as the ONNX layer's output is)."""
    relu = torch.nn.ReLU()
    probe = refs.Probe(relu)
    original = net.features

    def features(t):
        t = net.max_pooling2d(F.relu(net.conv2d(t)))
        t = net.max_pooling2d_1(F.relu(net.conv2d_1(t)))
        t = net.max_pooling2d_2(F.relu(net.conv2d_2(t)))
        t = net.max_pooling2d_3(F.relu(net.conv2d_3(t)))
        return relu(net.conv2d_4(t))

    net.features = features
    try:
        target, _, ms = refs.methods(keras, probe, x, channels_last=True)
    finally:
        net.features = original
    return target, None, ms["GRAD_CAM"]


if __name__ == "__main__":
    main()
