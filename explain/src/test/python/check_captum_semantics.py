"""Plain-torch checks of the Captum 0.8 conventions Loupe's explain module reproduces.

There is no Captum here; these reimplement the few conventions our Java code depends on and print
the numbers the Java unit tests hard-code. Run with Debian's PyTorch: /usr/bin/python3 check_captum_semantics.py
"""
import math

import torch
import torch.nn.functional as F


def captum_trapezoid(n):
    # Captum riemann_trapezoid: alphas = linspace(0, 1, n) (float32), step sizes 1/n, ends halved.
    alphas = torch.linspace(0, 1, n).tolist()
    steps = [1 / n] * n
    steps[0] /= 2
    steps[-1] /= 2
    return alphas, steps


def occlusion_windows(size, window, stride):
    # Captum Occlusion: shift count per axis = ceil((size - window) / stride) + 1; the mask of the
    # last window is padded with a negative amount, i.e. cut at the border.
    count = math.ceil((size - window) / stride) + 1
    spans = []
    for k in range(count):
        start = k * stride
        right = size - (start + window)
        mask = F.pad(torch.ones(window), (start, right))
        idx = mask.nonzero().flatten().tolist()
        spans.append((idx[0], idx[-1] + 1))
    return spans


if __name__ == "__main__":
    a, w = captum_trapezoid(5)
    print("trapezoid n=5 alphas", a, "weights sum", sum(w))  # 0.8 = (n-1)/n
    print("occlusion 10/4/4 windows", occlusion_windows(10, 4, 4))  # 3 windows, last cut to [8, 10)
    print("occlusion 32/8/4 count", len(occlusion_windows(32, 8, 4)))  # 7
    t = torch.tensor([[[[1., 2.], [3., 4.]]]])
    print("bilinear", F.interpolate(t, size=(4, 4), mode="bilinear", align_corners=False).flatten().tolist())
    print("nearest", F.interpolate(t, size=(4, 4), mode="nearest").flatten().tolist())
