#!/usr/bin/env python3
"""Writes the faithfulness references of EvaluationTest: deletion and insertion curves as RISE's CausalMetric computes
them (eclique/RISE evaluation.py, re-written here in torch with its blur kernel made by scipy's gaussian_filter, and
the pixels ordered by a stable sort so that ties fall in raster order), and ROAD by pytorch-grad-cam's own
NoisyLinearImputer, RemoveMostRelevantFirst, RemoveLeastRelevantFirst and PerturbationConfidenceMetric (its
metrics/road.py and perturbation_confidence.py, with noise 0: the noise is torch's randn, which Java cannot draw), and
its CamMultImageConfidenceChange (metrics/cam_mult_image.py);
the pointing game and the energy inside three boxes on Chelsea by Quantus's own PointingGame and
AttributionLocalisation, on the seed's Grad-CAM map upsampled to the photo; and noisy linear imputation by Quantus's
own noisy_linear_imputation (quantus/functions/perturb_func.py, numpy and
scipy's spsolve, noise 0 for the same reason) on the small ResNet's input, with the pixels of its Grad-CAM map at or
above the 30th and the 70th percentile removed.

The maps are the Grad-CAM references of cam_references.py (seed: conv2d_4, 7x7; resnet: layer3, 16x16), upsampled to
the input with torch's bilinear interpolation (align_corners=False) in float64, as ConvLens's MapMath.resize, and
scaled to 0..1 by their minimum and maximum for ROAD, as pytorch-grad-cam's metrics receive its heatmaps.

Quantus is not on Debian either: its package folder goes beside pytorch_grad_cam's and ttach's (`git archive HEAD
quantus | tar -x -C DIR` in a checkout of understandable-machine-intelligence-lab/Quantus); its perturbation and
localisation modules are loaded alone, without the package __init__ (which imports every metric), and need Debian's
python3-opencv and python3-skimage; sklearn, which its base metric imports and evaluate_batch never calls, is stood
in for.

Usage (Debian: apt-get install python3-torch python3-scipy python3-pil python3-opencv python3-skimage):
  /usr/bin/python3 sdk/tools/faithfulness_references.py /path/holding/pytorch_grad_cam_ttach_and_quantus
"""
import importlib
import os
import sys
import types

import numpy as np
import torch
import torch.nn.functional as F
from scipy.ndimage import gaussian_filter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cam_references as ref  # noqa: E402
import pytorch_grad_cam_references as pgc  # noqa: E402  loads pytorch-grad-cam's modules alone

STEPS = 20
PERCENTILES = [10, 20, 30, 40, 50, 60, 70, 80, 90]


def rise_kernel(klen=11, nsig=5):
    """RISE's gkern: gaussian_filter of a centred impulse, one kernel a channel."""
    impulse = np.zeros((klen, klen))
    impulse[klen // 2, klen // 2] = 1
    k = gaussian_filter(impulse, nsig)
    kern = np.zeros((3, 3, klen, klen))
    for c in range(3):
        kern[c, c] = k
    return torch.from_numpy(kern.astype("float32")), k


def causal(score, image, substrate, saliency, mode):
    """RISE's CausalMetric.single_run: NCHW image, the score after each step of ceil(HW / STEPS) pixels."""
    hw = saliency.size
    step = -(-hw // STEPS)
    n_steps = (hw + step - 1) // step
    order = np.argsort(-saliency.reshape(-1), kind="stable")
    start, finish = (image.clone(), substrate) if mode == "del" else (substrate.clone(), image.clone())
    scores = []
    for i in range(n_steps + 1):
        with torch.no_grad():
            scores.append(float(score(start)))
        if i < n_steps:
            coords = order[step * i:step * (i + 1)]
            flat_start = start.reshape(1, 3, hw)
            flat_start[0, :, coords] = finish.reshape(1, 3, hw)[0, :, coords]
    return scores


def road(metrics, model, image, cam01, target):
    """pytorch-grad-cam's ROAD changes at each percentile, most and least relevant first, noise 0."""
    imputer = metrics.NoisyLinearImputer(noise=0)
    out = {}
    for name, remove in (("MORF", metrics.RemoveMostRelevantFirst), ("LERF", metrics.RemoveLeastRelevantFirst)):
        changes = []
        for p in PERCENTILES:
            metric = metrics.PerturbationConfidenceMetric(remove(p, imputer))
            changes.append(float(metric(image, cam01[None], [target], model)[0]))
        out[name] = changes
    return out


def confidence(metrics, model, image, up, target):
    """pytorch-grad-cam's CamMultImageConfidenceChange: the score of the input times the map, scaled by its own
    scale_cam_image, minus the input's."""
    cam = pgc.SCALE_CAM_IMAGE(up[None])
    return [float(metrics.CamMultImageConfidenceChange()(image, cam, [target], model)[0])]


def upsampled(m, h, w):
    up = F.interpolate(torch.from_numpy(m)[None, None], size=(h, w), mode="bilinear", align_corners=False)
    return up[0, 0].numpy().astype(np.float32)


def scaled(m):
    m = m.astype(np.float64)
    return ((m - m.min()) / (m.max() - m.min())).astype(np.float32)


def grad_cam(model):
    with open(os.path.join(ref.OUT, model + "_reference.tsv")) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if fields[0] == "GRAD_CAM":
                h, w = int(fields[3]), int(fields[4])
                return int(fields[1]), np.array([float(v) for v in fields[5].split()]).reshape(h, w)
    raise ValueError("no GRAD_CAM row")


def quantus(folder, module):
    """One of Quantus's modules, loaded without the package __init__ (which imports every metric); sklearn, which its
    base metric imports for batching and evaluate_batch never calls, is stood in for."""
    for name in ("sklearn", "sklearn.utils"):
        if name not in sys.modules:
            sys.modules[name] = types.ModuleType(name)
    sys.modules["sklearn.utils"].gen_batches = None
    for package in ("quantus", "quantus.helpers", "quantus.helpers.model", "quantus.functions", "quantus.metrics",
                    "quantus.metrics.localisation"):
        if package not in sys.modules:
            stand_in = types.ModuleType(package)
            stand_in.__path__ = [os.path.join(folder, *package.split("."))]
            sys.modules[package] = stand_in
    return importlib.import_module(module)


# boxes on Chelsea (451x300), x, y, width, height: the lower left, where the seed's Grad-CAM peaks, the upper right,
# and the middle
BOXES = [(0, 150, 200, 150), (250, 0, 201, 150), (150, 75, 150, 150)]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: faithfulness_references.py FOLDER (the folder that holds pytorch_grad_cam/, ttach/ and"
                 " quantus/)")
    methods, targets = pgc.load(sys.argv[1])
    stub_metrics = importlib.import_module("pytorch_grad_cam.metrics.road")
    pert = importlib.import_module("pytorch_grad_cam.metrics.perturbation_confidence")
    mult = importlib.import_module("pytorch_grad_cam.metrics.cam_mult_image")
    metrics = type("Metrics", (), {"NoisyLinearImputer": stub_metrics.NoisyLinearImputer,
                                   "CamMultImageConfidenceChange": mult.CamMultImageConfidenceChange,
                                   "RemoveMostRelevantFirst": pert.RemoveMostRelevantFirst,
                                   "RemoveLeastRelevantFirst": pert.RemoveLeastRelevantFirst,
                                   "PerturbationConfidenceMetric": pert.PerturbationConfidenceMetric})
    torch.set_num_threads(2)
    kern, k = rise_kernel()
    rows = [("KERNEL", [float(v) for v in k.reshape(-1)])]

    # the shipped convnet: NHWC raw pixels in; the metrics see NCHW
    net = ref.ConvNet()
    net.load_state_dict(torch.load(os.path.join(ref.ROOT, "models", "cats_vs_dogs_small.pt")))
    keras = ref.KerasLayout(net.eval()).eval()
    nchw = torch.nn.Sequential()
    nchw.forward = lambda x: keras(x.permute(0, 2, 3, 1))
    x = ref.seed_input().permute(0, 3, 1, 2).contiguous()
    target, cam = grad_cam("seed")
    sign = 1 if target == 1 else -1

    def seed_score(z):  # ConvLens's score: the sigmoid for class 1, 1 - it for class 0
        s = float(nchw(z).reshape(-1)[0])
        return s if sign == 1 else 1 - s

    up = upsampled(cam, 180, 180)
    blurred = F.conv2d(x, kern, padding=5)
    rows.append(("seed DELETION", causal(seed_score, x, torch.zeros_like(x), up, "del")))
    rows.append(("seed INSERTION", causal(seed_score, x, blurred, up, "ins")))
    # a change of 1 - s is a change of -s: pytorch-grad-cam's BinaryClassifierOutputTarget(0)
    changes = road(metrics, nchw, x, scaled(up), targets.BinaryClassifierOutputTarget(target))
    rows += [("seed ROAD_" + name, v) for name, v in changes.items()]
    rows.append(("seed CONFIDENCE_CHANGE", confidence(metrics, nchw, x, up, targets.BinaryClassifierOutputTarget(target))))

    res = ref.small_resnet()
    x = ref.resnet_input()
    target, cam = grad_cam("resnet")
    up = upsampled(cam, 64, 64)
    blurred = F.conv2d(x, kern, padding=5)

    def resnet_score(z):
        return float(res(z)[0, target])

    rows.append(("resnet DELETION", causal(resnet_score, x, torch.zeros_like(x), up, "del")))
    rows.append(("resnet INSERTION", causal(resnet_score, x, blurred, up, "ins")))
    changes = road(metrics, res, x, scaled(up), targets.ClassifierOutputTarget(target))
    rows += [("resnet ROAD_" + name, v) for name, v in changes.items()]
    rows.append(("resnet CONFIDENCE_CHANGE", confidence(metrics, res, x, up, targets.ClassifierOutputTarget(target))))
    pointing = quantus(sys.argv[1], "quantus.metrics.localisation.pointing_game").PointingGame(disable_warnings=True)
    localisation = quantus(sys.argv[1], "quantus.metrics.localisation.attribution_localisation") \
        .AttributionLocalisation(disable_warnings=True)
    target, cam = grad_cam("seed")
    image = upsampled(cam, 300, 451).astype(np.float64)[None, None]
    for x0, y0, w, h in BOXES:
        s = np.zeros((1, 1, 300, 451))
        s[..., y0:y0 + h, x0:x0 + w] = 1
        hit = pointing.evaluate_batch(a_batch=image, s_batch=s)[0]
        energy = localisation.evaluate_batch(x_batch=np.zeros((1, 3, 300, 451)), a_batch=image, s_batch=s)[0]
        rows.append((f"seed LOCALISATION {x0} {y0} {w} {h}", [float(hit), float(energy)]))
    impute = quantus(sys.argv[1], "quantus.functions.perturb_func").noisy_linear_imputation
    keys = scaled(up).reshape(-1)
    rows.append(("resnet QUANTUS_INPUT", x[0].double().numpy().reshape(-1)))
    for p in (30, 70):
        removed = np.flatnonzero(keys >= np.percentile(keys, p))
        rows.append((f"resnet QUANTUS_REMOVED_{p}", removed))
        rows.append((f"resnet QUANTUS_IMPUTED_{p}", impute(x[0].double().numpy(), removed, noise=0).reshape(-1)))

    with open(os.path.join(ref.OUT, "faithfulness_reference.tsv"), "w") as f:
        f.write(f"# RISE's deletion and insertion (re-written in torch {torch.__version__}) and pytorch-grad-cam's ROAD,"
                f" noise 0, written by sdk/tools/faithfulness_references.py;\n# the small ResNet's input (CHW), the pixels removed"
                f" (at or above a percentile of its Grad-CAM map) and Quantus's noisy_linear_imputation of them, noise 0\n")
        f.write(f"# steps {STEPS}; percentiles {PERCENTILES}; the Grad-CAM maps of *_reference.tsv\n")
        f.write("# row\tvalues\n")
        for name, values in rows:
            f.write(name + "\t" + " ".join(f"{v:.9g}" for v in values) + "\n")
    for name, values in rows[1:]:
        print(name, np.round(values, 4).tolist()[:12])


if __name__ == "__main__":
    main()
