#!/usr/bin/env python3
"""Writes matplotlib's own colormap lookup tables, as floats, for ConvLens's colormap tests (run once; the output
is committed).

Each line is a colormap name followed by its 256 RGBA entries, matplotlib.colormaps[name](np.arange(256)): the
float64 rows of the colormap's lookup table, printed with repr so that they parse back to the same doubles. The
tests turn them into bytes as cmap(..., bytes=True) does, (lut * 255).astype(np.uint8), and compare every entry
with what ConvLens draws. This is deliberately not sdk/tools/colormaps.py, which writes the 8-bit tables the
library itself reads.

Usage (Debian: apt-get install python3-matplotlib):
  /usr/bin/python3 sdk/tools/colormap_references.py
"""
import os

import matplotlib
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "test", "resources", "dev", "convlens", "render", "colormap_references.tsv")
NAMES = ["viridis", "magma", "inferno", "plasma", "turbo", "gray", "jet"]


def main():
    lines = [f"# matplotlib {matplotlib.__version__}: colormaps[name](np.arange(256)), float64 RGBA, repr;"
             " written by sdk/tools/colormap_references.py",
             "# name\t256 entries r,g,b,a separated by spaces"]
    for name in NAMES:
        rgba = matplotlib.colormaps[name](np.arange(256))
        assert rgba.dtype == np.float64 and rgba.shape == (256, 4)
        lines.append(name + "\t" + " ".join(",".join(repr(float(v)) for v in entry) for entry in rgba))
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
