#!/usr/bin/env python3
"""Writes Pillow's answers for ConvLens's image tests (run once; the outputs are committed).

0. nearest_reference.tsv: Pillow's NEAREST resize of some photos to sizes that divide theirs, as SHA-256 digests.
1. decode_reference.tsv: for each photo in ../shared/images, the size and SHA-256 of the RGB bytes Pillow decodes,
   after EXIF orientation (ImageOps.exif_transpose) and alpha composited over white, plus the channel means.
   Only these digests are committed, never the photos.
2. resize_source.png (and tiny.webp, the same pixels as lossless WebP) and resize_<filter>_<mode>_<W>x<H>.png: a
   synthetic image of our own and Pillow's NEAREST and BILINEAR resizes of it, in RGB and L, to sizes smaller, larger
   and mixed.
3. webp_<kind>.webp and webp_<kind>.png: the synthetic image with an alpha gradient as lossless and lossy WebP (and
   lossless with EXIF orientation 6), and Pillow's decoding of each (libwebp's, with its default fancy upsampling of
   lossy chroma), upright and over white. The PNGs name the Pillow and libwebp versions in their Software text.
4. decode_<format>_<kind>.<ext> and decode_<format>_<kind>.pillow.png: the synthetic image in the layouts and
   formats that take other paths through the decoder, and Pillow's decoding of each, upright and over white: a
   palette PNG with transparent entries (tRNS), 16-bit RGB, RGBA and gray+alpha PNGs (written here, since Pillow
   writes none; their low bytes are noise, which Pillow drops), RGB and CMYK TIFFs, a TIFF with EXIF orientation 6,
   a binary PPM and a JPEG whose embedded ICC profile is invalid.

Usage (Debian: apt-get install python3-pil python3-numpy):
  /usr/bin/python3 sdk/tools/image_references.py [--shared ../shared]
"""
import argparse
import hashlib
import os
import struct
import zlib

import numpy as np
import PIL
from PIL import Image, ImageOps, features
from PIL.PngImagePlugin import PngInfo

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "test", "resources", "dev", "convlens", "image")
PHOTOS = ["cat_1000x1000.jpg", "dog_1080x1080.jpg", "cat_chelsea_451x300.png", "cmyk_100x100.jpg",
          "gray_hopper_128.jpg", "gray_camera_512.png", "exif_orientation6_landscape.jpg",
          "tiger_cutout_rgba_alpha.png", "kitten_224_rgba_opaque.png", "kitten_jpeg_data_with_png_ext.png",
          "face_grace_hopper_517x606.jpg", "text_ocr_sample_800x533.jpg", "large_kimono_1828x1264.jpg"]
SIZES = [(16, 10), (80, 50), (37, 11), (9, 23), (180, 180)]


def upright_rgb(path):
    return over_white(ImageOps.exif_transpose(Image.open(path)))


def over_white(im):
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


# photos and the nearest-neighbour sizes whose sides divide theirs: ConvLens decodes such a JPEG straight to them
NEAREST = [("dog_1080x1080.jpg", 180, 180), ("dog_1080x1080.jpg", 360, 360), ("dog_1080x1080.jpg", 540, 270),
           ("cat_1000x1000.jpg", 200, 200), ("cat_1000x1000.jpg", 250, 125), ("large_kimono_1828x1264.jpg", 457, 316),
           ("face_grace_hopper_517x606.jpg", 517, 303), ("gray_hopper_128.jpg", 64, 32), ("cmyk_100x100.jpg", 50, 50),
           ("exif_orientation6_landscape.jpg", None, None)]


def nearest_reference(shared):
    """nearest_reference.tsv: Pillow's NEAREST resize of the upright photo, as a SHA-256 of its RGB bytes."""
    rows = ["# Pillow's NEAREST resizes of ../shared/images (written by sdk/tools/image_references.py)",
            "# file\twidth\theight\tsha256 of RGB bytes"]
    for name, w, h in NEAREST:
        im = upright_rgb(os.path.join(shared, "images", name))
        if w is None:  # a turned photo: a third of its upright size
            w, h = im.width // 3, im.height // 3
        a = np.asarray(im.resize((w, h), Image.NEAREST))
        rows.append(f"{name}\t{w}\t{h}\t{hashlib.sha256(a.tobytes()).hexdigest()}")
    with open(os.path.join(OUT, "nearest_reference.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")


def synthetic():
    """A 37x23 RGB image of our own: gradients and a product pattern, plus noise."""
    rng = np.random.RandomState(20261128)
    h, w = 23, 37
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255 // (w - 1), y * 255 // (h - 1), (x * y) % 256], -1)
    noise = rng.randint(-40, 41, size=(h, w, 3))
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), "RGB")


def resize_references():
    src = synthetic()
    src.save(os.path.join(OUT, "resize_source.png"))
    src.save(os.path.join(OUT, "tiny.webp"), "WEBP", lossless=True)
    for mode in ("RGB", "L"):
        im = src.convert(mode)
        for filt, name in ((Image.NEAREST, "nearest"), (Image.BILINEAR, "bilinear")):
            for size in SIZES:
                im.resize(size, filt).save(os.path.join(OUT, f"resize_{name}_{mode}_{size[0]}x{size[1]}.png"))


def webp_references():
    src = synthetic()
    y, x = np.mgrid[0:src.height, 0:src.width]
    # transparent at the top left corner, opaque at the bottom right, every level between
    src.putalpha(Image.fromarray((255 * (x + y) // (src.width + src.height - 2)).astype(np.uint8), "L"))
    exif = Image.Exif()
    exif[274] = 6  # orientation: rotate 90 degrees clockwise to view
    kinds = {"lossless": dict(lossless=True), "lossy": dict(quality=80),
             "lossless_exif6": dict(lossless=True, exif=exif.tobytes())}
    info = PngInfo()
    info.add_text("Software", f"sdk/tools/image_references.py, Pillow {PIL.__version__}, "
                              f"libwebp {features.version('webp')}")
    for kind, options in kinds.items():
        path = os.path.join(OUT, f"webp_{kind}.webp")
        src.save(path, "WEBP", **options)
        upright_rgb(path).save(os.path.join(OUT, f"webp_{kind}.png"), pnginfo=info)


def png16(path, samples):
    """Writes an H x W x C array of 16-bit samples as a PNG: gray+alpha (C = 2), RGB (3) or RGBA (4)."""
    h, w, c = samples.shape
    color_type = {2: 4, 3: 2, 4: 6}[c]
    raw = b"".join(b"\0" + row.astype(">u2").tobytes() for row in samples)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, color_type, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def pillow_rgb(path):
    """Pillow's decoding, upright and over white. Its TIFF reader turns the pixels upright as it loads them and keeps
    the orientation tag, so exif_transpose would turn a TIFF twice."""
    im = Image.open(path)
    return over_white(im) if im.format == "TIFF" else upright_rgb(path)


def decode_references():
    src = synthetic()
    rgb = np.asarray(src).astype(np.uint16)
    h, w = rgb.shape[:2]
    y, x = np.mgrid[0:h, 0:w]
    alpha = (255 * (x + y) // (w + h - 2)).astype(np.uint16)[..., None]
    rng = np.random.RandomState(20261201)

    def wide(samples):  # 16-bit samples whose high byte is the 8-bit image, the low byte noise
        return samples << 8 | rng.randint(0, 256, size=samples.shape).astype(np.uint16)

    palette = src.quantize(colors=16)
    opacity = bytes(range(0, 256, 17))  # entry 0 transparent, entry 15 opaque, levels between
    # the synthetic image's samples as C, M and Y, and black rising from none at the left to full at the right
    cmyk = Image.fromarray(np.concatenate([rgb, x[..., None] * 255 // (w - 1)], -1).astype(np.uint8), "CMYK")
    exif = Image.Exif()
    exif[274] = 6  # orientation: rotate 90 degrees clockwise to view
    files = {"png_palette_trns.png": lambda p: palette.save(p, transparency=opacity),
             "png_rgb16.png": lambda p: png16(p, wide(rgb)),
             "png_rgba16.png": lambda p: png16(p, wide(np.concatenate([rgb, alpha], -1))),
             "png_gray_alpha16.png": lambda p: png16(p, wide(np.concatenate([rgb[..., :1], alpha], -1))),
             "tiff_rgb.tiff": lambda p: src.save(p),
             "tiff_cmyk.tiff": lambda p: cmyk.save(p),
             "tiff_orientation6.tiff": lambda p: src.save(p, exif=exif),
             "ppm_rgb.ppm": lambda p: src.save(p),
             "jpeg_invalid_icc.jpg": lambda p: src.save(p, quality=90, subsampling=0,
                                                        icc_profile=b"not an ICC profile")}
    info = PngInfo()
    info.add_text("Software", f"sdk/tools/image_references.py, Pillow {PIL.__version__}")
    for name, write in files.items():
        path = os.path.join(OUT, "decode_" + name)
        write(path)
        pillow_rgb(path).save(os.path.join(OUT, "decode_" + name.split(".")[0] + ".pillow.png"), pnginfo=info)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shared", default=os.path.join(HERE, "..", "..", "..", "shared"))
    p.add_argument("--only-nearest", action="store_true", help="write nearest_reference.tsv alone")
    args = p.parse_args()
    os.makedirs(OUT, exist_ok=True)
    nearest_reference(args.shared)
    if args.only_nearest:
        return
    decode_reference(args.shared)
    resize_references()
    webp_references()
    decode_references()


if __name__ == "__main__":
    main()
