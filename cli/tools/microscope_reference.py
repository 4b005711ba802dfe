#!/usr/bin/env python3
"""The microscope's reference: each channel's top images over a set of photos, computed with PyTorch.

For the shipped convnet (models/cats_vs_dogs.py, weights models/cats_vs_dogs_small.pt), every image is read with
Pillow (EXIF orientation applied, RGB, resized to 180x180 with NEAREST as Keras's load_img does), run through the
network in PyTorch up to the named layer (after its ReLU), and each channel's spatial maximum and its first position
(row-major) are kept; per channel, the K highest, an earlier image first among equal scores. `unique` says whether the
maximum stands out from the channel's second-highest value by more than 1e-4, so that its position is well defined.

Usage: microscope_reference.py LAYER K IMAGE... > reference.json   (ConvLens's MicroscopeTest runs it)
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "models"))
from cats_vs_dogs import ConvNet, WEIGHTS, SIZE  # noqa: E402

LAYERS = ["conv2d", "conv2d_1", "conv2d_2", "conv2d_3", "conv2d_4"]


def layer_output(net, x, layer):
    """NCHW 0..1 in; the layer's output after its ReLU."""
    for i, name in enumerate(LAYERS):
        x = F.relu(getattr(net, name)(x))
        if name == layer:
            return x
        x = getattr(net, "max_pooling2d" + ("" if i == 0 else "_%d" % i))(x)
    raise ValueError(layer)


def main():
    layer, k, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    net = ConvNet()
    net.load_state_dict(torch.load(WEIGHTS))
    net.eval()
    tops = None
    with torch.no_grad():
        for index, path in enumerate(paths):
            image = ImageOps.exif_transpose(Image.open(path)).convert("RGB").resize((SIZE, SIZE), Image.NEAREST)
            x = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0).permute(2, 0, 1)[None]
            out = layer_output(net, x, layer)[0]  # C, H, W
            c, h, w = out.shape
            flat = out.reshape(c, -1).numpy()
            if tops is None:
                tops = [[] for _ in range(c)]
            order = np.argsort(-flat, axis=1, kind="stable")
            for ch in range(c):
                best = int(order[ch, 0])
                score = float(flat[ch, best])
                unique = flat.shape[1] < 2 or score - float(flat[ch, order[ch, 1]]) > 1e-4
                tops[ch].append((-score, index, best % w, best // w, unique))
    result = {"layer": layer, "channels": []}
    for ch, entries in enumerate(tops):
        entries.sort(key=lambda e: (e[0], e[1]))  # highest score, then earliest image
        result["channels"].append({"channel": ch, "top": [
            {"image": paths[i], "score": -s, "x": x, "y": y, "unique": u} for s, i, x, y, u in entries[:k]]})
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
