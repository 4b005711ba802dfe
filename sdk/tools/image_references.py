#!/usr/bin/env python3
"""Writes Pillow's answers for ConvLens's image tests (run once; the outputs are committed).

1. decode_reference.tsv: for each photo in ../shared/images, the size and SHA-256 of the RGB bytes Pillow decodes,
   after EXIF orientation (ImageOps.exif_transpose) and alpha composited over white, plus the channel means.
   Only these digests are committed, never the photos.
2. resize_source.png (and tiny.webp, the same pixels as lossless WebP, a format ConvLens refuses) and resize_<filter>_<mode>_<W>x<H>.png: a synthetic image of our own and Pillow's NEAREST and
   BILINEAR resizes of it, in RGB and L, to sizes smaller, larger and mixed.

Usage (Debian: apt-get install python3-pil python3-numpy):
  /usr/bin/python3 sdk/tools/image_references.py [--shared ../shared]
"""
import argparse
import hashlib
import os

import numpy as np
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "test", "resources", "dev", "convlens", "image")
PHOTOS = ["cat_1000x1000.jpg", "dog_1080x1080.jpg", "cat_chelsea_451x300.png", "cmyk_100x100.jpg",
          "gray_hopper_128.jpg", "gray_camera_512.png", "exif_orientation6_landscape.jpg",
          "tiger_cutout_rgba_alpha.png", "kitten_224_rgba_opaque.png", "kitten_jpeg_data_with_png_ext.png",
          "face_grace_hopper_517x606.jpg", "text_ocr_sample_800x533.jpg", "large_kimono_1828x1264.jpg"]
SIZES = [(16, 10), (80, 50), (37, 11), (9, 23), (180, 180)]


def upright_rgb(path):
    im = ImageOps.exif_transpose(Image.open(path))
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        im = Image.alpha_composite(Image.new("RGBA", im.size, (255, 255, 255, 255)), im.convert("RGBA"))
    return im.convert("RGB")


def decode_reference(shared):
    rows = ["# Pillow's decoding of ../shared/images (written by sdk/tools/image_references.py)",
            "# file\twidth\theight\tsha256 of RGB bytes\tmean R\tmean G\tmean B"]
    for name in PHOTOS:
        im = upright_rgb(os.path.join(shared, "images", name))
        a = np.asarray(im)
        means = a.reshape(-1, 3).mean(0)
        rows.append(f"{name}\t{im.width}\t{im.height}\t{hashlib.sha256(a.tobytes()).hexdigest()}\t"
                    + "\t".join(f"{m:.4f}" for m in means))
    with open(os.path.join(OUT, "decode_reference.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")


def resize_references():
    rng = np.random.RandomState(20261128)
    h, w = 23, 37
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255 // (w - 1), y * 255 // (h - 1), (x * y) % 256], -1)
    noise = rng.randint(-40, 41, size=(h, w, 3))
    src = Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), "RGB")
    src.save(os.path.join(OUT, "resize_source.png"))
    src.save(os.path.join(OUT, "tiny.webp"), "WEBP", lossless=True)
    for mode in ("RGB", "L"):
        im = src.convert(mode)
        for filt, name in ((Image.NEAREST, "nearest"), (Image.BILINEAR, "bilinear")):
            for size in SIZES:
                im.resize(size, filt).save(os.path.join(OUT, f"resize_{name}_{mode}_{size[0]}x{size[1]}.png"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shared", default=os.path.join(HERE, "..", "..", "..", "shared"))
    args = p.parse_args()
    os.makedirs(OUT, exist_ok=True)
    decode_reference(args.shared)
    resize_references()


if __name__ == "__main__":
    main()
