#!/usr/bin/env python3
"""Writes the EXIF orientation photos of ConvLens's image tests and Pillow's upright pixels of them (run once; the
outputs are committed).

exif_orientation_<n>.jpg, n = 1..8: a small photo (examples/images/chelsea.png, scaled down to 32x24: asymmetric,
so that every wrong flip or turn shows) stored turned the way EXIF orientation n describes, as a camera would,
at quality 95, with the orientation tag n. exif_reference.tsv: for each, the size and the RGB bytes (hex) of
ImageOps.exif_transpose(Image.open(file)), Pillow's decoding turned upright, which is the same 32x24 picture for
every n up to the JPEG compression.

Usage (Debian: apt-get install python3-pil):
  /usr/bin/python3 sdk/tools/exif_references.py
"""
import os

import PIL
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "test", "resources", "dev", "convlens", "image")
PHOTO = os.path.join(HERE, "..", "..", "examples", "images", "chelsea.png")
ORIENTATION = 0x0112
# how to store the upright picture so that orientation n turns it back: the inverse of exif_transpose's method
STORED = {1: None, 2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
          4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90,
          7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270}


def main():
    upright = Image.open(PHOTO).convert("RGB").resize((32, 24), Image.Resampling.LANCZOS)
    rows = [f"# Pillow {PIL.__version__}: ImageOps.exif_transpose of exif_orientation_<n>.jpg, RGB bytes;"
            " written by sdk/tools/exif_references.py",
            "# file\twidth\theight\tRGB bytes, row by row, hex"]
    for n, method in STORED.items():
        name = f"exif_orientation_{n}.jpg"
        stored = upright if method is None else upright.transpose(method)
        exif = Image.Exif()
        exif[ORIENTATION] = n
        stored.save(os.path.join(OUT, name), "JPEG", quality=95, exif=exif.tobytes())
        with Image.open(os.path.join(OUT, name)) as im:
            assert im.getexif()[ORIENTATION] == n
            seen = ImageOps.exif_transpose(im).convert("RGB")
        rows.append(f"{name}\t{seen.width}\t{seen.height}\t{seen.tobytes().hex()}")
    with open(os.path.join(OUT, "exif_reference.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
