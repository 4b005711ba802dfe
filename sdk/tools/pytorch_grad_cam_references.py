#!/usr/bin/env python3
"""Writes reference heatmaps computed by pytorch-grad-cam's own code (jacobgil/pytorch-grad-cam), for the methods
ConvLens takes from it: GradCAM (a check of the harness against cam_references.py's definition), XGradCAM, HiResCAM,
LayerCAM and EigenGradCAM, some with eigen_smooth, and AblationCAM with its AblationLayer on a layer with negative
values (HeatmapOptions.ablateBelowMinimum), GradCAM, XGradCAM and LayerCAM with aug_smooth (HeatmapOptions.augSmooth,
through the ttach library's own transforms), and GradCAM and LayerCAM on two target_layers at once
(HeatmapOptions.averageLayers), and FullGrad (its own scaling, at the input's size), on the two models of cam_references.py (the shipped convnet on chelsea.png at conv2d_4 and
conv2d_2; the small ResNet at layer3, its last block, as pytorch-grad-cam users name model.layer3[-1]).

pytorch-grad-cam is not on Debian and there is no PyPI here: give the folder that holds its pytorch_grad_cam package
and ttach's (qubvel/ttach, pure Python: the test-time augmentation that aug_smooth runs), checkouts of both (e.g. `git
archive HEAD pytorch_grad_cam | tar -x -C DIR` in one, `git archive HEAD ttach | tar -x -C DIR` in the other). The
package's __init__ imports every method and its dependencies; this script loads the modules it uses alone, and stands
in for the modules Debian lacks that those methods never call: scipy.ndimage and matplotlib (utils/image.py's drawing
and resizing) and sklearn.decomposition (KernelPCA, only for KPCA-CAM); and tqdm, AblationCAM's progress bar, by the
identity. Its scale_cam_image (a min-max scaling and cv2.resize to the input's size) is replaced by the identity, so
that the maps are compared at the layer's size, before any resize, as every ConvLens heatmap test compares them;
everything else (the hooks, the target, the backward pass, get_cam_image, the ReLU) is pytorch-grad-cam's. The
aug_smooth rows average min-max scaled maps, so there scale_cam_image is pytorch-grad-cam's own without a target size:
the scaling without the resize; the rows of two target_layers are at the input's size, with scale_cam_image whole (its
min-max scaling and cv2.resize: Debian's python3-opencv). ttach flips a batch of NCHW images along axis 3; the shipped
convnet takes NHWC, so its aug_smooth and target_layers rows run it behind a permutation to NCHW, as a PyTorch user
would (pytorch-grad-cam also reads the input's size from its last two axes).

An SVD's sign is arbitrary: EigenGradCAM's and eigen_smooth's projections are taken by pytorch-grad-cam as numpy
returns them, ConvLens signs them to agree with the sum they replace (as Eigen-CAM). Where the two differ the row is
pytorch-grad-cam's get_cam_image negated before its ReLU, and the header says so.

A row's method is METHOD[@LAYER][#OPTION]: the layer where it is not the default, the option eigen-smooth,
below-minimum, aug-smooth or average-layers (then LAYER is two, joined by +).

Usage (Debian: apt-get install python3-torch python3-pil python3-opencv):
  /usr/bin/python3 sdk/tools/pytorch_grad_cam_references.py /path/holding/pytorch_grad_cam_and_ttach
"""
import importlib
import os
import sys
import types

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cam_references as ref  # noqa: E402  the models, the photo and the output folder

STUBBED = []
GRADIENT_METHODS = ("GRAD_CAM", "XGRAD_CAM", "HIRES_CAM", "LAYER_CAM", "EIGEN_GRAD_CAM")


def stub(name, **attributes):
    """A module Debian lacks, which the methods used never call."""
    try:
        importlib.import_module(name)
        return
    except ImportError:
        pass
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    sys.modules[name] = module
    STUBBED.append(name)
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)


class Unused:
    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        raise RuntimeError("a stand-in for a module Debian lacks was called")


def load(folder):
    """pytorch-grad-cam's modules, without its package __init__, and ttach."""
    sys.path.insert(0, folder)
    importlib.import_module("ttach")  # its own code: aug_smooth calls it
    stub("scipy")
    stub("scipy.ndimage", zoom=Unused())
    stub("matplotlib")
    stub("matplotlib.pyplot")
    stub("matplotlib.lines", Line2D=Unused)
    stub("sklearn")
    stub("sklearn.decomposition", KernelPCA=Unused)
    stub("tqdm", tqdm=lambda iterable, *args, **kwargs: iterable)  # AblationCAM's progress bar, passed through
    for package in ("pytorch_grad_cam", "pytorch_grad_cam.utils"):
        module = types.ModuleType(package)
        module.__path__ = [os.path.join(folder, *package.split("."))]
        sys.modules[package] = module
    base = importlib.import_module("pytorch_grad_cam.base_cam")
    global SCALE_CAM_IMAGE
    SCALE_CAM_IMAGE = base.scale_cam_image
    base.scale_cam_image = AT_LAYER_SIZE
    names = {"GRAD_CAM": ("grad_cam", "GradCAM"), "XGRAD_CAM": ("xgrad_cam", "XGradCAM"),
             "ABLATION_CAM": ("ablation_cam", "AblationCAM"),
             "HIRES_CAM": ("hirescam", "HiResCAM"), "LAYER_CAM": ("layer_cam", "LayerCAM"),
             "EIGEN_GRAD_CAM": ("eigen_grad_cam", "EigenGradCAM"), "FULL_GRAD": ("fullgrad_cam", "FullGrad")}
    methods = {m: getattr(importlib.import_module("pytorch_grad_cam." + f), c) for m, (f, c) in names.items()}
    targets = importlib.import_module("pytorch_grad_cam.utils.model_targets")
    return methods, targets


SCALE_CAM_IMAGE = None


def AT_LAYER_SIZE(cam, target_size=None):
    """scale_cam_image in the plain rows: the identity, so that maps are compared at the layer's size."""
    return cam


def maps(methods, model, layer, x, target, flips, names=GRADIENT_METHODS, eigen_smooth=False, suffix="",
         aug_smooth=False, layers=None):
    """Some methods' maps on one layer, as pytorch-grad-cam computes them, at the layer's size; or on several
    layers, combined as it combines them, at the input's size."""
    out = {}
    base = sys.modules["pytorch_grad_cam.base_cam"]
    # aug_smooth averages scaled maps: pytorch-grad-cam's own min-max scaling, at the layer's size; several layers
    # are resized to the input and averaged: its own scale_cam_image, whole
    base.scale_cam_image = SCALE_CAM_IMAGE if layers else (
        (lambda cam, target_size=None: SCALE_CAM_IMAGE(cam)) if aug_smooth else AT_LAYER_SIZE)
    for name in names:
        cam = methods[name](model=model, target_layers=layers or [layer])
        m = cam(input_tensor=x, targets=[target], eigen_smooth=eigen_smooth,
                aug_smooth=aug_smooth)[0].astype(np.float64)
        if name == "EIGEN_GRAD_CAM" or eigen_smooth:
            # a projection: signed as ConvLens signs it, to agree with the sum it replaces
            a = cam.activations_and_grads.activations[0].numpy()
            g = cam.activations_and_grads.gradients[0].numpy()
            raw = cam.get_cam_image(x, layer, [target], a, g, True)[0].astype(np.float64)
            total = (g * a)[0].sum(0) if name == "EIGEN_GRAD_CAM" else cam.get_cam_image(x, layer, [target], a, g,
                                                                                          False)[0]
            if (raw * total).sum() < 0:
                m = np.maximum(-raw, 0)
                flips.append(name + suffix)
        out[name + suffix] = m
        cam.activations_and_grads.release()
    return out


def full_grad(methods, model, x, target):
    """FullGrad's map, at the input's size: it takes every Conv2d and BatchNorm2d with a bias, and no target layer."""
    cam = methods["FULL_GRAD"](model=model, target_layers=[])
    m = cam(input_tensor=x, targets=[target])[0].astype(np.float64)
    cam.activations_and_grads.release()
    return m


class ChannelsFirst(nn.Module):
    """The convnet in Keras layout behind a permutation to NCHW: ttach flips axis 3, and pytorch-grad-cam reads the
    input's size from the last two axes."""

    def __init__(self, keras):
        super().__init__()
        self.keras = keras

    def forward(self, image):
        return self.keras(image.permute(0, 2, 3, 1))


def seed_with_hooks():
    """The shipped convnet in Keras layout, with ReLU modules to hook at conv2d_2 and conv2d_4 (the ONNX model's
    layers end after their ReLUs): (keras, relu_2, relu_4)."""
    net = ref.ConvNet()
    net.load_state_dict(torch.load(os.path.join(ref.ROOT, "models", "cats_vs_dogs_small.pt")))
    net.eval()
    keras = ref.KerasLayout(net).eval()
    relu_4, relu_2 = nn.ReLU(), nn.ReLU()

    def features(x):
        x = net.max_pooling2d(F.relu(net.conv2d(x)))
        x = net.max_pooling2d_1(F.relu(net.conv2d_1(x)))
        x = net.max_pooling2d_2(relu_2(net.conv2d_2(x)))
        x = net.max_pooling2d_3(F.relu(net.conv2d_3(x)))
        return relu_4(net.conv2d_4(x))

    net.features = features
    return keras, relu_2, relu_4


def main():
    if len(sys.argv) != 2 or not os.path.isdir(os.path.join(sys.argv[1], "pytorch_grad_cam")):
        sys.exit("usage: pytorch_grad_cam_references.py FOLDER (the folder that holds pytorch_grad_cam/)")
    methods, targets = load(sys.argv[1])
    torch.set_num_threads(2)

    keras, relu_2, relu_4 = seed_with_hooks()
    x = ref.seed_input()
    with torch.no_grad():
        p = float(keras(x).reshape(-1)[0])
    target = 1 if p >= 0.5 else 0
    score = p if target == 1 else 1 - p
    # one sigmoid unit: pytorch-grad-cam's BinaryClassifierOutputTarget, -output for class 0, whose gradient is that
    # of ConvLens's score 1 - output
    flips = []
    seed = maps(methods, keras, relu_4, x, targets.BinaryClassifierOutputTarget(target), flips)
    seed.update(maps(methods, keras, relu_2, x, targets.BinaryClassifierOutputTarget(target), flips,
                     suffix="@conv2d_2"))
    seed.update(maps(methods, keras, relu_4, x, targets.BinaryClassifierOutputTarget(target), flips,
                     ("GRAD_CAM", "XGRAD_CAM", "HIRES_CAM", "LAYER_CAM"), True, "#eigen-smooth"))
    channels_first = ChannelsFirst(keras).eval()
    seed.update(maps(methods, channels_first, relu_4, x.permute(0, 3, 1, 2),
                     targets.BinaryClassifierOutputTarget(target), flips, ("GRAD_CAM", "LAYER_CAM"),
                     suffix="#aug-smooth", aug_smooth=True))
    seed.update(maps(methods, channels_first, None, x.permute(0, 3, 1, 2),
                     targets.BinaryClassifierOutputTarget(target), flips, ("GRAD_CAM", "LAYER_CAM"),
                     suffix="@conv2d_2+conv2d_4#average-layers", layers=[relu_2, relu_4]))
    seed["FULL_GRAD"] = full_grad(methods, channels_first, x.permute(0, 3, 1, 2),
                                  targets.BinaryClassifierOutputTarget(target))
    write("seed", target, score, seed, flips)

    # the small ResNet, its weights as cam_references.py made them (it exported resnet_small.onnx)
    res = ref.small_resnet()
    x = ref.resnet_input()
    with torch.no_grad():
        logits = res(x)[0]
    target = int(logits.argmax())
    flips = []
    resnet = maps(methods, res, res.layer3, x, targets.ClassifierOutputTarget(target), flips)
    resnet.update(maps(methods, res, res.layer2, x, targets.ClassifierOutputTarget(target), flips, suffix="@layer2"))
    resnet.update(maps(methods, res, res.layer3, x, targets.ClassifierOutputTarget(target), flips,
                       ("GRAD_CAM", "LAYER_CAM"), True, "#eigen-smooth"))
    # Ablation-CAM on the last block's second conv and its BatchNorm, whose output is negative in places:
    # pytorch-grad-cam's AblationLayer sets a channel below the minimum there, which ConvLens's ablateBelowMinimum does
    resnet.update(maps(methods, res, res.layer3.bn2, x, targets.ClassifierOutputTarget(target), flips,
                       ("ABLATION_CAM",), suffix="@layer3.conv2#below-minimum"))
    resnet.update(maps(methods, res, res.layer3, x, targets.ClassifierOutputTarget(target), flips,
                       ("GRAD_CAM", "XGRAD_CAM"), suffix="#aug-smooth", aug_smooth=True))
    resnet.update(maps(methods, res, None, x, targets.ClassifierOutputTarget(target), flips, ("GRAD_CAM",),
                       suffix="@layer2+layer3#average-layers", layers=[res.layer2, res.layer3]))
    resnet["FULL_GRAD"] = full_grad(methods, res, x, targets.ClassifierOutputTarget(target))
    write("resnet", target, float(logits[target]), resnet, flips)


def write(name, target, score, maps, flips):
    ref.write(name, target, score, maps, "pytorch_grad_cam",
              f"pytorch-grad-cam's own code on PyTorch {torch.__version__}, written by"
              f" sdk/tools/pytorch_grad_cam_references.py\n"
              f"stand-ins for modules Debian lacks, which these methods never call (tqdm, AblationCAM's progress"
              f" bar, is passed through): {', '.join(STUBBED) or 'none'}\n"
              f"projections whose SVD sign was flipped to agree with the sum they replace: {', '.join(flips)}")
    print(f"{name}: signs flipped: {flips}; stand-ins: {STUBBED}")


if __name__ == "__main__":
    main()
