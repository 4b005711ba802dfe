#!/usr/bin/env python3
"""Filter patterns in PyTorch, timed: the loop ConvLens runs, on the same weights, for comparison side by side.

On the shipped convnet (models/cats_vs_dogs_small.pt, Keras layout: NHWC raw pixels in), the first N channels of
conv2d_3 in batches of 16, each from its own gray start with a little noise (128 plus uniform 0..20), 40 steps of 10
pixel levels along the gradient of the channel's mean before its ReLU, divided by the gradient's root mean square:
ConvLens's defaults. torch.autograd on the CPU, two threads. Prints the seconds it took.

Usage (Debian: apt-get install python3-torch):
  /usr/bin/python3 benchmarks/patterns_torch.py [--channels 64]
"""
import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "models"))
from cats_vs_dogs import ConvNet  # noqa: E402


def conv2d_3(net, pixels):
    x = (pixels * (1.0 / 255.0)).permute(0, 3, 1, 2)
    x = net.max_pooling2d(F.relu(net.conv2d(x)))
    x = net.max_pooling2d_1(F.relu(net.conv2d_1(x)))
    x = net.max_pooling2d_2(F.relu(net.conv2d_2(x)))
    return net.conv2d_3(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--channels", type=int, default=64)
    args = p.parse_args()
    torch.set_num_threads(2)
    net = ConvNet()
    net.load_state_dict(torch.load(os.path.join(ROOT, "models", "cats_vs_dogs_small.pt")))
    net.eval()
    for param in net.parameters():
        param.requires_grad_(False)
    start = time.perf_counter()
    for first in range(0, args.channels, 16):
        channels = torch.arange(first, min(args.channels, first + 16))
        n = len(channels)
        x = 128 + 20 * torch.rand(n, 180, 180, 3)
        for _ in range(40):
            x.requires_grad_(True)
            a = conv2d_3(net, x)
            objective = a[torch.arange(n), channels].mean(dim=(1, 2)).sum()
            (g,) = torch.autograd.grad(objective, x)
            with torch.no_grad():
                rms = g.pow(2).mean(dim=(1, 2, 3), keepdim=True).sqrt()
                x = x + 10 * g / rms
    print(f"{args.channels} patterns of conv2d_3, 40 steps: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
