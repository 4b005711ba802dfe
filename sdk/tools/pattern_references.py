#!/usr/bin/env python3
"""Writes the filter patterns ConvLens's pattern tests compare with: the same gradient ascent in PyTorch, with
autograd, on the shipped convnet's weights (models/cats_vs_dogs_small.pt, Keras layout: NHWC raw pixels in), from the
same start picture (examples/images/chelsea.png resized to 180x180 with Pillow's nearest neighbours).

For each case, 40 steps of: the channel's mean (of conv2d_2's output after its Relu for the book's settings, before
it for ConvLens's default), its gradient with respect to the pixels divided by the gradient's root mean square (plus
1e-5 for the book), times the step, added to the pixels. The final pixels (NHWC, float32, little-endian) go to
sdk/src/test/resources/dev/convlens/patterns/<case>.bin.

Usage (Debian: apt-get install python3-torch python3-pil):
  /usr/bin/python3 sdk/tools/pattern_references.py
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
OUT = os.path.join(HERE, "..", "src", "test", "resources", "dev", "convlens", "patterns")
sys.path.insert(0, os.path.join(ROOT, "models"))
from cats_vs_dogs import ConvNet  # noqa: E402

CHANNEL = 44  # the channel of conv2d_2 the photo excites most (a mean activation of 0.146)
CASES = {  # name: (after the Relu, step, epsilon)
    "book_conv2d_2_44": (True, 1.0, 1e-5),
    "default_conv2d_2_44": (False, 10.0, 0.0),
}
STEPS = 40


def conv2d_2(net, pixels):
    """conv2d_2's output before its Relu, for NHWC raw pixels, as the Keras-layout export computes it."""
    x = (pixels * (1.0 / 255.0)).permute(0, 3, 1, 2)
    x = net.max_pooling2d(F.relu(net.conv2d(x)))
    x = net.max_pooling2d_1(F.relu(net.conv2d_1(x)))
    return net.conv2d_2(x)


def main():
    torch.set_num_threads(2)
    net = ConvNet()
    net.load_state_dict(torch.load(os.path.join(ROOT, "models", "cats_vs_dogs_small.pt")))
    net.eval()
    photo = Image.open(os.path.join(ROOT, "examples", "images", "chelsea.png")).convert("RGB")
    start = np.asarray(photo.resize((180, 180), Image.NEAREST), dtype=np.float32)[None]
    os.makedirs(OUT, exist_ok=True)
    for name, (after_relu, step, epsilon) in CASES.items():
        x = torch.from_numpy(start.copy())
        for _ in range(STEPS):
            x.requires_grad_(True)
            a = conv2d_2(net, x)[0, CHANNEL]
            objective = (F.relu(a) if after_relu else a).mean()
            (g,) = torch.autograd.grad(objective, x)
            with torch.no_grad():
                x = x + step * g / (g.pow(2).mean().sqrt() + epsilon)
        with torch.no_grad():
            score = F.relu(conv2d_2(net, x)[0, CHANNEL]).mean().item()
        x.detach().numpy().astype("<f4").tofile(os.path.join(OUT, name + ".bin"))
        print(f"{name}: channel {CHANNEL} of conv2d_2, mean activation {score:.6f}")


if __name__ == "__main__":
    main()
