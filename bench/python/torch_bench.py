#!/usr/bin/env python3
"""PyTorch peer timings for BENCHMARKS.md: plain autograd, 2 threads, batch 1, 224x224.

Runs torchvision's ResNet-18 architecture (weights do not change the work) and times the same
computations Loupe's bench command times: saliency, guided backprop, deconvnet, Grad-CAM and
guided Grad-CAM at layer4's output, occlusion window 32 stride 16 with zero fill (plain batched
occlusion, batch 16), SmoothGrad 50 samples, IG 50 steps (trapezoid, zero baseline), Score-CAM
over all 512 layer4 channels (batch 16), RISE with 1000 masks (7x7 cells, p = 0.5, batch 16), and
batch-8 forward throughput. Prints one JSON object. Needs Debian's python3-torch
and python3-torchvision; it is a measuring script, not a dependency of the build.

    /usr/bin/python3 bench/python/torch_bench.py --threads 2 --iters 20

With --paired CMD it starts CMD (Loupe's bench in serve mode) and times each row on both sides
in turn, Loupe then PyTorch, --reps times, so that both see the same machine; it prints every
pair and, per row, the median of the per-pair ratios Loupe / PyTorch:

    /usr/bin/python3 bench/python/torch_bench.py --paired "./loupe bench --serve true" --reps 5
"""
import argparse
import json
import shlex
import statistics
import subprocess
import sys
import time

import torch
import torchvision


def median_ms(fn, warmup, iters):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--skip", default="", help="comma-separated row names not to time, e.g. score-cam,rise")
    ap.add_argument("--paired", default="", help="command of Loupe's bench in serve mode, to alternate with row by row")
    ap.add_argument("--reps", type=int, default=5, help="alternations per row with --paired")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torchvision.models.resnet18().eval()
    for p in model.parameters():
        p.requires_grad_(False)  # input gradients only, like Loupe
    x = torch.randn(args.batch, 3, 224, 224)
    target = 3

    def forward():
        with torch.no_grad():
            model(x)

    def saliency():
        xi = x.clone().requires_grad_(True)
        out = model(xi)
        out[:, target].sum().backward()
        return xi.grad

    relus = [m for m in model.modules() if isinstance(m, torch.nn.ReLU)]

    def with_relu_rule(rule):
        # Guided backprop and deconvnet replace the ReLU's backward; a module hook is how plain
        # PyTorch code does it. Torchvision's ReLUs are in-place, so switch that off first.
        def hook(module, grad_in, grad_out):
            return (rule(module, grad_in[0], grad_out[0]),)
        for m in relus:
            m.inplace = False
        handles = [m.register_full_backward_hook(hook) for m in relus]
        try:
            return saliency()
        finally:
            for h in handles:
                h.remove()

    def guided():
        return with_relu_rule(lambda m, gi, go: torch.clamp(gi, min=0.0))

    def deconvnet():
        return with_relu_rule(lambda m, gi, go: torch.clamp(go, min=0.0))

    def occlusion(window=32, stride=16, batch=16):
        with torch.no_grad():
            base = model(x)[0, target]
            h = x.shape[2]
            n = (h - window) // stride + 1
            boxes = [(i * stride, j * stride) for i in range(n) for j in range(n)]
            drops = []
            for k in range(0, len(boxes), batch):
                chunk = boxes[k:k + batch]
                xs = x.repeat(len(chunk), 1, 1, 1)
                for b, (r, c) in enumerate(chunk):
                    xs[b, :, r:r + window, c:c + window] = 0.0
                drops.append(base - model(xs)[:, target])
            return torch.cat(drops)

    def smoothgrad(samples=50, noise=0.15, batch=10):
        sigma = noise * (x.max() - x.min())
        total = torch.zeros_like(x)
        for k in range(0, samples, batch):
            m = min(batch, samples - k)
            xs = (x.repeat(m, 1, 1, 1) + sigma * torch.randn(m, *x.shape[1:])).requires_grad_(True)
            model(xs)[:, target].sum().backward()
            total += xs.grad.sum(0, keepdim=True)
        return total / samples

    def integrated_gradients(steps=50, batch=10):
        alphas = torch.linspace(0, 1, steps)
        weights = torch.full((steps,), 1.0 / (steps - 1))
        weights[0] = weights[-1] = 0.5 / (steps - 1)
        total = torch.zeros_like(x)
        for k in range(0, steps, batch):
            a = alphas[k:k + batch].view(-1, 1, 1, 1)
            xs = (a * x).requires_grad_(True)
            model(xs)[:, target].sum().backward()
            total += (xs.grad * weights[k:k + batch].view(-1, 1, 1, 1)).sum(0, keepdim=True)
        return total * x

    feats = {}
    model.layer4.register_forward_hook(lambda m, i, o: feats.__setitem__("layer4", o))

    def gradcam_map_input():
        # Activations need a graph to differentiate: route the gradient through the input.
        xi = x.clone().requires_grad_(True)
        out = model(xi)
        a = feats["layer4"]
        g, = torch.autograd.grad(out[:, target].sum(), a)
        w = g.mean(dim=(2, 3), keepdim=True)
        return torch.relu((w * a).sum(1, keepdim=True))

    def guided_gradcam():
        cam = gradcam_map_input().detach()
        up = torch.nn.functional.interpolate(cam, size=x.shape[2:], mode="bilinear", align_corners=False)
        return guided() * up

    def score_cam(batch=16):
        with torch.no_grad():
            model(x)
            a = feats["layer4"][0]
            up = torch.nn.functional.interpolate(a.unsqueeze(1), size=x.shape[2:], mode="bilinear", align_corners=False)
            lo = up.amin(dim=(2, 3), keepdim=True)
            hi = up.amax(dim=(2, 3), keepdim=True)
            masks = torch.where(hi > lo, (up - lo) / (hi - lo), torch.zeros_like(up))
            scores = []
            for k in range(0, masks.shape[0], batch):
                m = masks[k:k + batch]
                scores.append(torch.softmax(model(x * m), dim=1)[:, target])
            w = torch.cat(scores).view(1, -1, 1, 1)
            return torch.relu((w * a.unsqueeze(0)).sum(1, keepdim=True))

    def rise(masks=1000, cell=32, p=0.5, batch=16):
        gen = torch.Generator().manual_seed(1)
        h = x.shape[2]
        cells = (h + cell - 1) // cell
        total = torch.zeros(1, 1, h, h)
        with torch.no_grad():
            for k in range(0, masks, batch):
                m = min(batch, masks - k)
                grid = (torch.rand(m, 1, cells, cells, generator=gen) < p).float()
                big = torch.nn.functional.interpolate(grid, size=((cells + 1) * cell,) * 2, mode="bilinear",
                                                      align_corners=False)
                dy, dx = torch.randint(0, cell, (2,), generator=gen).tolist()
                mk = big[:, :, dy:dy + h, dx:dx + h]
                s = torch.softmax(model(x * mk), dim=1)[:, target]
                total += (s.view(-1, 1, 1, 1) * mk).sum(0, keepdim=True)
        return total / (masks * p)

    x8 = torch.randn(8, 3, 224, 224)

    def forward_batch8():
        with torch.no_grad():
            model(x8)

    slow = max(3, args.iters // 5)
    skip = set(filter(None, args.skip.split(",")))
    rows = [
        ("forward", forward, args.warmup, args.iters),
        ("saliency", saliency, args.warmup, args.iters),
        ("guided-backprop", guided, args.warmup, args.iters),
        ("deconvnet", deconvnet, args.warmup, args.iters),
        ("gradcam", gradcam_map_input, args.warmup, args.iters),
        ("guided-gradcam", guided_gradcam, args.warmup, args.iters),
        # Plain batched occlusion: the peer of both Loupe rows, occlusion (incremental) and occlusion-plain.
        ("occlusion", occlusion, 1, slow),
        ("smoothgrad", smoothgrad, 1, slow),
        ("integrated-gradients", integrated_gradients, 1, slow),
        ("score-cam", score_cam, 0, 1),
        ("rise", rise, 0, 1),
    ]
    if args.paired:
        paired(args, rows, skip)
        return
    results = [{"name": name, "torch_ms": median_ms(fn, warm, n)} for name, fn, warm, n in rows if name not in skip]
    if "forward-batch8" not in skip:
        b8 = median_ms(forward_batch8, 2, max(3, args.iters // 2))
        results.append({"name": "forward-batch8", "torch_ms": b8, "torch_images_per_s": 8000.0 / b8})
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "batch": args.batch,
                      "results": results}, indent=1))


def paired(args, rows, skip):
    """Alternates Loupe (a served bench process) and PyTorch row by row; prints JSON."""
    proc = subprocess.Popen(shlex.split(args.paired), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def read_line(prefix):
        while True:
            line = proc.stdout.readline()
            if not line:
                sys.exit("paired: the Loupe process ended (%s)" % proc.wait())
            if line.startswith("error"):
                sys.exit("paired: " + line.strip())
            if line.startswith(prefix):
                return line.split()

    served = read_line("ready")[1].split(",")
    fast = max(3, args.iters // 4)
    out = []
    for name, fn, _, _ in rows:
        if name in skip or name not in served:
            continue
        slow = name in ("occlusion", "smoothgrad", "integrated-gradients")
        n = 1 if slow else fast
        pairs = []
        for rep in range(args.reps):
            # The first round warms both up (Loupe's JIT needs more than one run of a slow row).
            warm_l = (2 if slow else args.warmup) if rep == 0 else 0
            warm_t = (1 if slow else args.warmup) if rep == 0 else 0
            proc.stdin.write("%s %d %d\n" % (name, warm_l, n))
            proc.stdin.flush()
            loupe = float(read_line("row")[2])
            time.sleep(0.2)  # let either side's spinning workers go idle before the other runs
            torch_ms = median_ms(fn, warm_t, n)
            time.sleep(0.2)
            pairs.append({"loupe_ms": loupe, "torch_ms": torch_ms, "ratio": loupe / torch_ms})
            print("%-22s rep %d: Loupe %9.1f ms, PyTorch %9.1f ms, %.2fx" % (name, rep, loupe, torch_ms, loupe / torch_ms),
                  file=sys.stderr)
        ratios = sorted(p["ratio"] for p in pairs)
        out.append({"name": name, "median_ratio": statistics.median(ratios), "min_ratio": ratios[0],
                    "max_ratio": ratios[-1], "pairs": pairs})
    proc.stdin.write("quit\n")
    proc.stdin.flush()
    proc.wait()
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "reps": args.reps, "paired": out}, indent=1))


if __name__ == "__main__":
    main()
