#!/usr/bin/env python3
"""Score-CAM and Ablation-CAM by pytorch-grad-cam's own code, timed, for the benchmark report to set beside
ConvLens's: on the shipped convnet (models/cats_vs_dogs_small.pt, behind a permutation to NCHW, at conv2d_4 after its
ReLU) and on the benchmark's ResNet-18 (benchmarks/resnet18.py's weights, at layer4, its last block), on the shipped
photo, for the predicted class, with pytorch-grad-cam's default batches (Score-CAM 16 masked inputs, Ablation-CAM 32
channels), torch on the CPU with two threads. After one call that warms up, prints each method's median of three
calls: `SCORE_CAM seed 1.234 s`.

pytorch-grad-cam is not on Debian and there is no PyPI here: give the folder that holds its pytorch_grad_cam package
(and ttach's), as for sdk/tools/pytorch_grad_cam_references.py, whose loader this uses.

Usage (Debian: apt-get install python3-torch python3-pil python3-opencv):
  /usr/bin/python3 benchmarks/cam_torch.py /path/holding/pytorch_grad_cam
"""
import importlib
import os
import statistics
import sys
import time

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, os.path.join(ROOT, "sdk", "tools"))
sys.path.insert(0, HERE)
import pytorch_grad_cam_references as pgc  # noqa: E402
import resnet18  # noqa: E402



def seconds(method, model, layer, x, target):
    cam = method(model=model, target_layers=[layer])
    cam(input_tensor=x, targets=[target])  # warms up
    times = []
    for _ in range(3):
        start = time.perf_counter()
        cam(input_tensor=x, targets=[target])
        times.append(time.perf_counter() - start)
    cam.activations_and_grads.release()
    return statistics.median(times)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: cam_torch.py FOLDER (the folder that holds pytorch_grad_cam/)")
    torch.set_num_threads(2)
    pgc.load(sys.argv[1])
    score_cam = importlib.import_module("pytorch_grad_cam.score_cam").ScoreCAM
    ablation_cam = importlib.import_module("pytorch_grad_cam.ablation_cam").AblationCAM
    targets = importlib.import_module("pytorch_grad_cam.utils.model_targets")

    keras, _, relu_4 = pgc.seed_with_hooks()
    seed = pgc.ChannelsFirst(keras).eval()
    photo = Image.open(pgc.ref.PHOTO).convert("RGB")
    x = pgc.ref.seed_input().permute(0, 3, 1, 2).contiguous()
    with torch.no_grad():
        p = float(seed(x).reshape(-1)[0])
    seed_target = targets.BinaryClassifierOutputTarget(1 if p >= 0.5 else 0)

    res = resnet18.model()
    y = torch.from_numpy(np.asarray(photo.resize((224, 224), Image.BILINEAR), dtype=np.float32) / 255)
    y = ((y.permute(2, 0, 1) - pgc.ref.IMAGENET_MEAN) / pgc.ref.IMAGENET_STD)[None]
    with torch.no_grad():
        res_target = targets.ClassifierOutputTarget(int(res(y).argmax()))

    for name, method in (("SCORE_CAM", score_cam), ("ABLATION_CAM", ablation_cam)):
        print(f"{name} seed {seconds(method, seed, relu_4, x, seed_target):.3f} s", flush=True)
        print(f"{name} resnet18 {seconds(method, res, res.layer4, y, res_target):.3f} s", flush=True)


if __name__ == "__main__":
    main()
