#!/usr/bin/env python3
"""The seed's route to feature-map pictures, timed: what ConvLens replaces.

On the shipped cats-vs-dogs convnet (the PyTorch weights models/cats_vs_dogs_small.pt) and one image, per image:
load_img-style loading (Pillow, nearest resize to 180x180), forward hooks on the five conv layers, the seed's
grid loop ("Deep Learning with Python" 9.4: per-channel standardization in numpy), then matplotlib imshow with
viridis and savefig, one PNG per layer. Prints the median time per image.

Usage (Debian: apt-get install python3-torch python3-matplotlib python3-pil):
  /usr/bin/python3 benchmarks/seed_route.py [--image examples/images/chelsea.png] [--runs 10] [--out DIR]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "models"))
from cats_vs_dogs import ConvNet  # noqa: E402


def feature_maps(net, image_path, out_dir):
    img = Image.open(image_path).convert("RGB").resize((180, 180), Image.NEAREST)
    x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255).permute(2, 0, 1).unsqueeze(0)
    layer_names = ["conv2d", "conv2d_1", "conv2d_2", "conv2d_3", "conv2d_4"]
    activations = []
    hooks = [getattr(net, name).register_forward_hook(lambda m, i, o: activations.append(torch.relu(o)))
             for name in layer_names]
    with torch.no_grad():
        net(x)
    for h in hooks:
        h.remove()
    images_per_row = 16
    for layer_name, act in zip(layer_names, activations):
        layer_activation = act.permute(0, 2, 3, 1).numpy()  # NHWC, as Keras returns it
        n_features = layer_activation.shape[-1]
        size = layer_activation.shape[1]
        n_cols = n_features // images_per_row
        display_grid = np.zeros(((size + 1) * n_cols - 1, images_per_row * (size + 1) - 1))
        for col in range(n_cols):
            for row in range(images_per_row):
                channel_index = col * images_per_row + row
                channel_image = layer_activation[0, :, :, channel_index].copy()
                if channel_image.sum() != 0:
                    channel_image -= channel_image.mean()
                    channel_image /= channel_image.std()
                    channel_image *= 64
                    channel_image += 128
                channel_image = np.clip(channel_image, 0, 255).astype("uint8")
                display_grid[col * (size + 1): (col + 1) * size + col,
                             row * (size + 1): (row + 1) * size + row] = channel_image
        scale = 1. / size
        plt.figure(figsize=(scale * display_grid.shape[1], scale * display_grid.shape[0]))
        plt.title(layer_name)
        plt.grid(False)
        plt.axis("off")
        plt.imshow(display_grid, aspect="auto", cmap="viridis")
        plt.savefig(os.path.join(out_dir, layer_name + ".png"))
        plt.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--image", default=os.path.join(ROOT, "examples", "images", "chelsea.png"))
    p.add_argument("--weights", default=os.path.join(ROOT, "models", "cats_vs_dogs_small.pt"))
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--out", default=None)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    net = ConvNet()
    net.load_state_dict(torch.load(args.weights))
    net.eval()
    out = args.out or tempfile.mkdtemp(prefix="seed_route_")
    os.makedirs(out, exist_ok=True)
    feature_maps(net, args.image, out)  # warm-up
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        feature_maps(net, args.image, out)
        times.append((time.perf_counter() - start) * 1000)
    print(f"seed route: median {statistics.median(times):.1f} ms per image over {args.runs} runs "
          f"(min {min(times):.1f}, max {max(times):.1f}); PNGs in {out}")


if __name__ == "__main__":
    main()
