#!/usr/bin/env python3
"""Per-op times of PyTorch's input-gradient pass (the saliency computation of torch_bench.py).

Runs torchvision's ResNet-18 (random weights, parameters frozen, so only input gradients are
computed) forward and backward from one logit, under torch.profiler, and prints each aten op's
self CPU time per pass, grouped by input shapes, largest first. BENCHMARKS.md compares these
with Loupe's per-op times. Uses Debian's python3-torch and python3-torchvision; not part of the
build.

    /usr/bin/python3 bench/python/torch_profile.py --threads 2 --passes 20
"""
import argparse
import time

import torch
import torchvision
from torch.profiler import ProfilerActivity, profile

OPS = ("aten::mkldnn_convolution", "aten::convolution_backward", "aten::max_pool2d_with_indices",
       "aten::max_pool2d_with_indices_backward", "aten::threshold_backward", "aten::native_batch_norm",
       "aten::native_batch_norm_backward", "aten::clamp_min_", "aten::add", "aten::add_")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--passes", type=int, default=20)
    ap.add_argument("--target", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torchvision.models.resnet18().eval()
    for p in model.parameters():
        p.requires_grad_(False)
    x = torch.randn(1, 3, 224, 224)

    def input_gradient():
        xi = x.clone().requires_grad_(True)
        model(xi)[0, args.target].backward()
        return xi.grad

    for _ in range(10):
        input_gradient()
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        for _ in range(args.passes):
            input_gradient()
    rows = []
    for e in prof.key_averages(group_by_input_shape=True):
        if e.key in OPS:
            rows.append((e.self_cpu_time_total / 1000 / args.passes, e.key, e.count // args.passes, str(e.input_shapes)))
    rows.sort(reverse=True)
    total = 0.0
    for ms, key, calls, shapes in rows:
        total += ms
        print(f"{ms:7.2f} ms/pass  {key:40s} x{calls}  {shapes[:100]}")
    print(f"sum of these ops: {total:.1f} ms/pass (profiled)")
    times = []
    for _ in range(30):
        t0 = time.perf_counter()
        input_gradient()
        times.append(time.perf_counter() - t0)
    times.sort()
    print(f"unprofiled pass: median {times[len(times) // 2] * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
