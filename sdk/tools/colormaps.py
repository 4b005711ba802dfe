#!/usr/bin/env python3
"""Writes matplotlib's 256-entry colormap tables as ConvLens reads them.

Each line of the output is a colormap name followed by 256 RRGGBB values: matplotlib's own 8-bit lookup,
cmap(range(256), bytes=True), which is what imshow shows for a uint8 image with vmin 0 and vmax 255.

Usage (Debian: apt-get install python3-matplotlib):
  /usr/bin/python3 sdk/tools/colormaps.py > sdk/src/main/resources/dev/convlens/render/colormaps.txt
"""
import matplotlib
import numpy as np
from matplotlib import cm

NAMES = ["viridis", "magma", "inferno", "plasma", "turbo", "gray", "jet"]

print(f"# matplotlib {matplotlib.__version__} colormaps, cmap(range(256), bytes=True); written by sdk/tools/colormaps.py")
for name in NAMES:
    rgba = matplotlib.colormaps[name](np.arange(256), bytes=True)
    print(name, " ".join(f"{r:02x}{g:02x}{b:02x}" for r, g, b, _ in rgba))
