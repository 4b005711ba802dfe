#!/usr/bin/env python3
"""Writes the references TorchvisionGradientsTest compares ConvLens's gradients to the input with: for the smallest
member of each classification family of torchvision, its ONNX exports and the gradient of its top logit with respect
to its input, computed by torch.autograd.

For each model (random weights, seeded; no download):
  NAME_op13.onnx, NAME_op17.onnx   the export at opsets 13 and 17 (input "input", output "logits", batch dynamic)
  NAME.grad                        d logits[target] / d input, float32 little-endian, shape 1x3x224x224
  NAME.tsv                         a header line (this script, its SHA-256, torch's and torchvision's versions), then
                                   "target<TAB>logit<TAB>float64 error": the class with the largest logit, that logit,
                                   and how far NAME.grad is from the same gradient computed in float64
                                   (max |float32 - float64| / max |float64|)
  NAME.cam                         for resnet18 and densenet121 only: Grad-CAM of the same class on the tensor their
                                   global pooling reads (ResNet's layer4 output, after its last residual Add and
                                   ReLU; DenseNet's features after the final ReLU), float32 little-endian, 7x7
and, shared by all of them:
  input.f32                        the input, float32 little-endian, 1x3x224x224: examples/images/chelsea.png through
                                   torchvision's ImageNet preprocessing (resize to 256, center crop 224, normalize)
  input.png                        the same photo resized and cropped, before normalizing: 8-bit pixels, so that
                                   ConvLens given it with Preprocessing.IMAGENET feeds input.f32
NAME.tsv is written last, so a run cut short leaves no model looking complete.

The float64 error says how much of ConvLens's difference from torch is float32 rounding alone. A ReLU input or a
MaxPool window within rounding of its kink sends the gradient another way after a different rounding; the deeper
that happens, the more pixels it moves: up to 2e-2 of the gradient for torch's own float32 against float64.

With torchvision's initialization alone, BatchNorm layers in eval mode are identities (running mean 0, variance 1),
so signals fade through the deeper families (EfficientNet-B0's logits are 1e-14, GoogLeNet's input gradient 1e-15).
Their running statistics are therefore set, as training would set them, from the input itself (one pass with the
BatchNorm layers alone in training mode, cumulative averages), so that every layer's activations keep their scale.

Usage (Debian: apt-get install python3-torch python3-torchvision python3-pil):
  /usr/bin/python3 sdk/tools/input_gradient_references.py OUTPUT_FOLDER [MODEL ...]
"""
import hashlib
import os
import sys

import torch
import torchvision
from PIL import Image
from torchvision import transforms

HERE = os.path.dirname(os.path.abspath(__file__))
PHOTO = os.path.join(HERE, "..", "..", "examples", "images", "chelsea.png")
MODELS = ["resnet18", "vgg11", "densenet121", "googlenet", "mobilenet_v2", "mobilenet_v3_small", "efficientnet_b0",
          "shufflenet_v2_x0_5", "regnet_y_400mf", "convnext_tiny", "squeezenet1_1"]
OPSETS = [13, 17]


def photo():
    preprocessing = transforms.Compose([
        transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    return preprocessing(Image.open(PHOTO).convert("RGB")).unsqueeze(0)


def model(name, x):
    torch.manual_seed(0)  # per model, so that each one's weights do not depend on which others are made
    options = {"aux_logits": False, "init_weights": True} if name == "googlenet" else {}
    net = getattr(torchvision.models, name)(weights=None, **options).eval()
    norms = [m for m in net.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a cumulative average: after one pass, the statistics of that pass
        m.train()
    with torch.no_grad():
        net(x)
    return net.eval()


def resnet_head(net, x):
    """ResNet's forward, returning the tensor its global pooling reads (layer4's output) and the logits."""
    x = net.maxpool(net.relu(net.bn1(net.conv1(x))))
    a = net.layer4(net.layer3(net.layer2(net.layer1(x))))
    return a, net.fc(torch.flatten(net.avgpool(a), 1))


def densenet_head(net, x):
    """DenseNet's forward, returning the tensor its global pooling reads (the features after the final ReLU)."""
    a = torch.relu(net.features(x))
    return a, net.classifier(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(a, (1, 1)), 1))


POOLED = {"resnet18": resnet_head, "densenet121": densenet_head}


def grad_cam(net, name, x, target):
    """Grad-CAM by its definition: ReLU of the channels weighted by their mean gradient, on the pooled tensor."""
    a, logits = POOLED[name](net, x)
    a.retain_grad()
    logits[0, target].backward()
    g = a.grad[0].double()
    a = a.detach()[0].double()
    return torch.relu((g.mean(dim=(1, 2))[:, None, None] * a).sum(0))


def write(path, data):
    """Writes through a temporary file, so that a file either is complete or is not there."""
    with open(path + ".part", "wb") as f:
        f.write(data)
    os.replace(path + ".part", path)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    names = sys.argv[2:] or MODELS
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)  # one summation order, whatever the machine
    with open(os.path.abspath(__file__), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    header = (f"# written by sdk/tools/input_gradient_references.py (sha256 {digest}) with torch {torch.__version__},"
              f" torchvision {torchvision.__version__}\n")
    x = photo()
    write(os.path.join(out, "input.f32"), x.numpy().astype("<f4").tobytes())
    crop = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224)])(
        Image.open(PHOTO).convert("RGB"))
    crop.save(os.path.join(out, "input.png.part"), format="PNG")
    os.replace(os.path.join(out, "input.png.part"), os.path.join(out, "input.png"))
    for name in names:
        net = model(name, x)
        for opset in OPSETS:
            path = os.path.join(out, f"{name}_op{opset}.onnx")
            torch.onnx.export(net, x, path + ".part", opset_version=opset, input_names=["input"],
                              output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
            os.replace(path + ".part", path)
        leaf = x.clone().requires_grad_(True)
        logits = net(leaf)
        target = int(logits.argmax())
        logits[0, target].backward()
        gradient = leaf.grad
        exact = x.double().requires_grad_(True)
        net.double()(exact)[0, target].backward()
        error = float((gradient.double() - exact.grad).abs().max() / exact.grad.abs().max())
        write(os.path.join(out, f"{name}.grad"), gradient.numpy().astype("<f4").tobytes())
        if name in POOLED:
            net.float()
            cam = grad_cam(net, name, x.clone(), target)
            write(os.path.join(out, f"{name}.cam"), cam.numpy().astype("<f4").tobytes())
        write(os.path.join(out, f"{name}.tsv"),
              (header + f"{target}\t{float(logits[0, target])!r}\t{error!r}\n").encode())
        print(f"{name}: class {target}, logit {float(logits[0, target]):.4f},"
              f" largest |gradient| {float(gradient.abs().max()):.3g}, float64 error {error:.1e}", flush=True)


if __name__ == "__main__":
    main()
