#!/usr/bin/env bash
# Draws the figures of the README and docs/ from the shipped model and photo, with the command line as built by
# `mvn -q -B install -DskipTests`. FiguresTest (cli) draws them again and compares them with these files, pixel by
# pixel, so a figure that no longer matches the code fails the build.
set -euo pipefail
cd "$(dirname "$0")/.."
convlens() { java -jar cli/target/convlens.jar "$@"; }
model=models/cats_vs_dogs_small.onnx
photo=examples/images/chelsea.png
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
convlens grids "$model" "$photo" --labels cat,dog --out "$work/grids"
for layer in conv2d conv2d_1 conv2d_2 conv2d_3 conv2d_4; do
  cp "$work"/grids/*_"$layer".png "docs/$layer.png"
done
convlens heatmap "$model" "$photo" --method grad-cam --labels cat,dog --out "$work"
cp "$work/chelsea_grad-cam.png" docs/heatmap.png
convlens attribution "$model" "$photo" --method integrated-gradients --labels cat,dog --out "$work"
cp "$work/chelsea_integrated-gradients.png" docs/integrated_gradients.png
convlens patterns "$model" --layer conv2d_3 --channels 0,5,17,18,19,21,26,31 --per-row 8 --out docs/patterns_conv2d_3.png
