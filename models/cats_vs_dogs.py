#!/usr/bin/env python3
"""The seed's small cats-vs-dogs convnet (Chollet, "Deep Learning with Python", 5.2 / 8.2), trained from scratch.

Keras is not available here, so the network is built in PyTorch with exactly the Keras architecture,
trained with the seed's augmentation and RMSprop, and exported to ONNX twice:

  cats_vs_dogs_small.onnx        the way tf2onnx exports the Keras model: NHWC input [N,180,180,3] of raw
                                 0..255 pixels, the 1/255 rescaling inside the graph, Keras layer names
                                 (conv2d, max_pooling2d, conv2d_1, ..., flatten, dense)
  cats_vs_dogs_small_nchw.onnx   the same weights as a plain PyTorch export: NCHW input [N,3,180,180]
                                 of pixels scaled to 0..1

Usage (Debian: apt-get install python3-torch python3-onnx python3-pil):
  python3 models/cats_vs_dogs.py train  --data ../shared/data/cats_vs_dogs [--epochs 100]
  python3 models/cats_vs_dogs.py export
  python3 models/cats_vs_dogs.py tag
  python3 models/cats_vs_dogs.py reference --data ../shared/data/cats_vs_dogs

`train` writes cats_vs_dogs_small.pt (the best weights by validation loss) and cats_vs_dogs_small.log.
`export` writes both ONNX files from the .pt and tags them; `tag` writes each file's preprocessing into its
metadata_props (key convlens.preprocessing: raw for the NHWC file, scaled for the NCHW one). `reference` writes the torch scores of every validation image
(the test resource that ConvLens's output is compared with).
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SIZE = 180
WEIGHTS = os.path.join(HERE, "cats_vs_dogs_small.pt")


class ConvNet(nn.Module):
    """Chollet's convnet. Attribute names are the Keras layer names, so they become the ONNX scope names."""

    def __init__(self):
        super().__init__()
        self.conv2d = nn.Conv2d(3, 32, 3)
        self.max_pooling2d = nn.MaxPool2d(2)
        self.conv2d_1 = nn.Conv2d(32, 64, 3)
        self.max_pooling2d_1 = nn.MaxPool2d(2)
        self.conv2d_2 = nn.Conv2d(64, 128, 3)
        self.max_pooling2d_2 = nn.MaxPool2d(2)
        self.conv2d_3 = nn.Conv2d(128, 256, 3)
        self.max_pooling2d_3 = nn.MaxPool2d(2)
        self.conv2d_4 = nn.Conv2d(256, 256, 3)
        self.dropout = nn.Dropout(0.5)
        self.dense = nn.Linear(7 * 7 * 256, 1)
        for m in self.modules():  # Keras defaults: glorot_uniform kernels, zero biases
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)

    def features(self, x):
        """x: NCHW in 0..1; returns the last conv layer's NCHW output."""
        x = self.max_pooling2d(F.relu(self.conv2d(x)))
        x = self.max_pooling2d_1(F.relu(self.conv2d_1(x)))
        x = self.max_pooling2d_2(F.relu(self.conv2d_2(x)))
        x = self.max_pooling2d_3(F.relu(self.conv2d_3(x)))
        return F.relu(self.conv2d_4(x))

    def forward(self, x):
        """NCHW 0..1 in, sigmoid score (probability of 'dog') out. Flatten is in CHW order (PyTorch)."""
        x = torch.flatten(self.features(x), 1)
        return torch.sigmoid(self.dense(self.dropout(x)))


class KerasLayout(nn.Module):
    """The same network as tf2onnx sees a Keras model: NHWC raw pixels in, Rescaling inside, Flatten in HWC order."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        # Keras flattens NHWC, so the dense kernel rows are in (h, w, c) order: permute PyTorch's (c, h, w) rows.
        w = net.dense.weight.detach().reshape(1, 256, 7, 7).permute(0, 2, 3, 1).reshape(1, -1)
        self.dense = nn.Linear(w.shape[1], 1)
        self.dense.weight.data.copy_(w)
        self.dense.bias.data.copy_(net.dense.bias.detach())

    def forward(self, x):
        x = x * (1.0 / 255.0)                      # rescaling
        x = x.permute(0, 3, 1, 2)                  # NHWC -> NCHW, as tf2onnx's Transpose
        x = self.net.features(x).permute(0, 2, 3, 1)  # back to NHWC before Flatten, as Keras
        x = torch.flatten(x, 1)
        return torch.sigmoid(self.dense(x))


def load_folder(root):
    """Every image under root/cats and root/dogs, resized to 180x180 with PIL NEAREST (Keras load_img's default)."""
    images, labels, names = [], [], []
    for label, sub in ((0, "cats"), (1, "dogs")):
        folder = os.path.join(root, sub)
        for name in sorted(os.listdir(folder)):
            with Image.open(os.path.join(folder, name)) as im:
                im = im.convert("RGB").resize((SIZE, SIZE), Image.NEAREST)
                images.append(np.asarray(im, dtype=np.uint8))
            labels.append(label)
            names.append(f"{sub}/{name}")
    x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous()  # uint8 NCHW
    return x, torch.tensor(labels, dtype=torch.float32), names


def augment(x, gen):
    """The seed's ImageDataGenerator on a float batch in 0..1: rotation 40 deg, shifts 0.2, shear 0.2 (radians),
    zoom 0.2, horizontal flip, fill mode nearest (grid_sample's border padding)."""
    n = x.shape[0]
    u = lambda lo, hi: torch.empty(n).uniform_(lo, hi, generator=gen)
    rot = u(-40, 40) * math.pi / 180
    shear = u(-0.2, 0.2)
    zx, zy = u(0.8, 1.2), u(0.8, 1.2)
    tx, ty = u(-0.2, 0.2) * 2, u(-0.2, 0.2) * 2  # normalized coordinates span 2
    flip = torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(rot), torch.sin(rot)
    # output -> input coordinates: rotation @ shear @ zoom, then shift; the flip mirrors the output
    r = torch.stack([torch.stack([cos, -sin], 1), torch.stack([sin, cos], 1)], 1)
    s = torch.stack([torch.stack([torch.ones(n), -torch.sin(shear)], 1),
                     torch.stack([torch.zeros(n), torch.cos(shear)], 1)], 1)
    z = torch.diag_embed(torch.stack([zx * flip, zy], 1))
    m = r @ s @ z
    theta = torch.cat([m, torch.stack([tx, ty], 1).unsqueeze(2)], 2)
    grid = F.affine_grid(theta, x.shape, align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def evaluate(net, x, y, batch=100):
    net.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            p = net((x[i:i + batch].float() / 255).contiguous(memory_format=torch.channels_last)).squeeze(1)
            t = y[i:i + batch]
            loss += F.binary_cross_entropy(p, t, reduction="sum").item()
            correct += ((p > 0.5).float() == t).sum().item()
    return loss / len(x), correct / len(x)


def train(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    t0 = time.time()
    xt, yt, _ = load_folder(os.path.join(args.data, "train"))
    xv, yv, _ = load_folder(os.path.join(args.data, "validation"))
    log = open(os.path.join(HERE, "cats_vs_dogs_small.log"), "w")

    def say(msg):
        print(msg, flush=True)
        log.write(msg + "\n")
        log.flush()

    say(f"loaded {len(xt)} training and {len(xv)} validation images in {time.time() - t0:.0f} s; "
        f"torch {torch.__version__}, {args.threads} threads, seed {args.seed}")
    net = ConvNet().to(memory_format=torch.channels_last)  # oneDNN's fast path on CPU
    # Keras RMSprop: lr 1e-3, rho 0.9, epsilon 1e-7
    opt = torch.optim.RMSprop(net.parameters(), lr=args.lr, alpha=0.9, eps=1e-7)
    best = float("inf")
    start = time.time()
    for epoch in range(1, args.epochs + 1):
        net.train()
        order = torch.randperm(len(xt), generator=gen)
        total, seen = 0.0, 0
        for i in range(0, len(xt), args.batch):
            idx = order[i:i + args.batch]
            xb = augment(xt[idx].float() / 255, gen).contiguous(memory_format=torch.channels_last)
            p = net(xb).squeeze(1)
            loss = F.binary_cross_entropy(p, yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            seen += len(idx)
        vloss, vacc = evaluate(net, xv, yv)
        mark = ""
        if vloss < best:
            best = vloss
            torch.save(net.state_dict(), WEIGHTS)
            mark = "  saved"
        say(f"epoch {epoch:3d}  loss {total / seen:.4f}  val_loss {vloss:.4f}  val_acc {vacc:.4f}  "
            f"elapsed {(time.time() - start) / 60:.1f} min{mark}")
        if (time.time() - start) / 3600 > args.hours:
            say(f"stopping: time budget of {args.hours} h reached")
            break
    net.load_state_dict(torch.load(WEIGHTS))
    vloss, vacc = evaluate(net, xv, yv)
    say(f"best: val_loss {vloss:.4f}  val_acc {vacc:.4f}; training took {(time.time() - start) / 60:.1f} min")


def rename_like_tf2onnx(path, scope):
    """Names nodes, tensors and weights the way tf2onnx names a Keras model's: <scope>/<layer>/<TF op>, tensors
    <node>:0, weights <scope>/<layer>/kernel:0 and bias:0. An activation takes the name of the layer it belongs to."""
    import onnx
    model = onnx.load(path)
    g = model.graph
    tf_op = {"Conv": "BiasAdd", "Relu": "Relu", "MaxPool": "MaxPool", "Mul": "mul", "Transpose": "transpose",
             "Flatten": "Reshape", "Gemm": "BiasAdd", "Sigmoid": "Sigmoid", "Constant": "Const"}
    keep = {i.name for i in g.input} | {o.name for o in g.output}
    layer_of = {}  # tensor name -> the Keras layer that wrote it
    renamed = {}
    weights = {}
    used = set()
    for node in g.node:
        parts = [p for p in node.name.split("/") if p and p != "net"]
        if node.op_type in ("Conv", "MaxPool", "Gemm", "Flatten"):
            layer = parts[-2] if len(parts) >= 2 else node.op_type.lower()
        elif node.op_type in ("Relu", "Sigmoid"):
            layer = layer_of.get(node.input[0], node.op_type.lower())  # Conv2D(activation="relu"), Dense(...)
        elif node.op_type in ("Constant", "Mul"):
            layer = "rescaling"
        elif node.op_type == "Transpose":  # into NCHW for the first conv, back to NHWC for Flatten
            layer = "conv2d" if not any(n.op_type == "Conv" for n in g.node[:list(g.node).index(node)]) else "flatten"
        else:
            layer = node.op_type.lower()
        name = f"{scope}/{layer}/{tf_op.get(node.op_type, node.op_type)}"
        base, k = name, 1
        while name in used:
            name, k = f"{base}_{k}", k + 1
        used.add(name)
        node.name = name
        if node.op_type in ("Conv", "Gemm"):
            for i, suffix in ((1, "kernel"), (2, "bias")):
                if i < len(node.input):
                    weights[node.input[i]] = f"{scope}/{layer}/{suffix}:0"
        for i, out in enumerate(node.output):
            layer_of[out] = layer  # inputs still carry the old names until the end
            if out not in keep:
                renamed[out] = f"{name}:{i}"
                node.output[i] = renamed[out]
    for t in g.initializer:
        if t.name in weights:
            renamed[t.name] = weights[t.name]
            t.name = weights[t.name]
    for node in g.node:
        for i, inp in enumerate(node.input):
            if inp in renamed:
                node.input[i] = renamed[inp]
    model.producer_name = "convlens models/cats_vs_dogs.py (tf2onnx-style names)"
    onnx.checker.check_model(model)
    onnx.save(model, path)


def tag_preprocessing(path, preprocessing):
    """Names the model's preprocessing in its metadata_props, where ConvLens reads its default (README,
    "Preprocessing"), so the NCHW export is fed 0..1 values without being told."""
    import onnx
    model = onnx.load(path)
    onnx.helper.set_model_props(model, {**{p.key: p.value for p in model.metadata_props},
                                        "convlens.preprocessing": preprocessing})
    onnx.save(model, path)


def tag(args):
    tag_preprocessing(os.path.join(HERE, "cats_vs_dogs_small.onnx"), "raw")  # the Rescaling is inside the graph
    tag_preprocessing(os.path.join(HERE, "cats_vs_dogs_small_nchw.onnx"), "scaled")


def export(args):
    import onnx
    net = ConvNet()
    net.load_state_dict(torch.load(WEIGHTS))
    net.eval()
    keras = KerasLayout(net).eval()
    nhwc = os.path.join(HERE, "cats_vs_dogs_small.onnx")
    nchw = os.path.join(HERE, "cats_vs_dogs_small_nchw.onnx")
    x = torch.rand(1, SIZE, SIZE, 3) * 255
    torch.onnx.export(keras, x, nhwc, opset_version=13, input_names=["input_1"], output_names=["dense"],
                      dynamic_axes={"input_1": {0: "N"}, "dense": {0: "N"}})
    rename_like_tf2onnx(nhwc, "sequential")
    torch.onnx.export(net, x.permute(0, 3, 1, 2) / 255, nchw, opset_version=13, input_names=["input"],
                      output_names=["score"], dynamic_axes={"input": {0: "N"}, "score": {0: "N"}})
    tag(args)
    for path in (nhwc, nchw):
        m = onnx.load(path)
        print(path, [(n.name, n.op_type) for n in m.graph.node][:6], "...")
    with torch.no_grad():
        a = keras(x).item()
        b = net(x.permute(0, 3, 1, 2) / 255).item()
    print(f"keras-layout {a:.6f}  pytorch-layout {b:.6f}")


def reference(args):
    """Torch scores for every validation image, preprocessed as ConvLens does by default (nearest resize, raw
    pixels into the NHWC model): the reference for the Java accuracy and agreement test."""
    torch.set_num_threads(args.threads)
    net = ConvNet()
    net.load_state_dict(torch.load(WEIGHTS))
    keras = KerasLayout(net).eval()
    x, y, names = load_folder(os.path.join(args.data, "validation"))
    out = os.path.join(HERE, "..", "sdk", "src", "test", "resources", "dev", "convlens", "cats_vs_dogs_validation_scores.tsv")
    correct = 0
    with torch.no_grad(), open(out, "w") as f:
        f.write("# torch scores of models/cats_vs_dogs_small.pt on Dogs vs. Cats validation images (written by models/cats_vs_dogs.py reference)\n")
        for i in range(0, len(x), 100):
            p = keras(x[i:i + 100].permute(0, 2, 3, 1).float()).squeeze(1)
            for j, s in enumerate(p.tolist()):
                f.write(f"{names[i + j]}\t{s:.8f}\n")
                correct += int((s > 0.5) == bool(y[i + j]))
    print(f"wrote {out}: accuracy {correct / len(x):.4f}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("train", "export", "tag", "reference"):
        s = sub.add_parser(name)
        s.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "cats_vs_dogs"),
                       help="a folder with train/{cats,dogs} and validation/{cats,dogs}")
        s.add_argument("--epochs", type=int, default=100)
        s.add_argument("--batch", type=int, default=32)
        s.add_argument("--lr", type=float, default=1e-3)
        s.add_argument("--hours", type=float, default=4.0, help="stop after this much training time")
        s.add_argument("--threads", type=int, default=os.cpu_count())
        s.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    {"train": train, "export": export, "tag": tag, "reference": reference}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
