#!/usr/bin/env python3
"""Two Loupe configurations timed side by side, for the new / old ratios in BENCHMARKS.md.

Starts two processes of Loupe's bench in serve mode (each a shell command, so a system property
in JAVA_OPTS or another jar can tell them apart), then asks both for the same rows round after
round, alternating which goes first, and prints each row's medians and the median of the per-round
ratios B / A. Both processes live through the whole run, so each keeps its JIT state, as a user's
long-running JVM would. Needs only the Python standard library.

    /usr/bin/python3 bench/python/ab_serve.py \\
        --a 'JAVA_OPTS=-Dloupe.even-chunks=false ./loupe bench --serve true' \\
        --b './loupe bench --serve true' --rounds 12 saliency:20:30 forward:10:40

A row is NAME:WARMUP:ITERS, as the serve protocol takes it (see Bench.serve).
"""
import argparse
import statistics
import subprocess
import sys


def start(cmd):
    p = subprocess.Popen(cmd, shell=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    for line in p.stdout:
        if line.startswith("ready"):
            return p
    sys.exit(f"ab_serve: '{cmd}' stopped before it was ready")


def ask(p, name, warm, iters):
    p.stdin.write(f"{name} {warm} {iters}\n")
    p.stdin.flush()
    reply = p.stdout.readline().split()
    if len(reply) != 3 or reply[0] != "row":
        sys.exit(f"ab_serve: unexpected reply to row {name}: {' '.join(reply) or 'end of output'}")
    return float(reply[2])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--a", required=True, help="command of the first (old) configuration")
    ap.add_argument("--b", required=True, help="command of the second (new) configuration")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("rows", nargs="+", help="NAME:WARMUP:ITERS")
    args = ap.parse_args()
    rows = []
    for r in args.rows:
        parts = r.split(":")
        if len(parts) != 3:
            sys.exit(f"ab_serve: row '{r}' is not NAME:WARMUP:ITERS")
        rows.append((parts[0], int(parts[1]), int(parts[2])))
    procs = {"A": start(args.a), "B": start(args.b)}
    times = {(name, tag): [] for name, _, _ in rows for tag in "AB"}
    try:
        for rnd in range(args.rounds):
            order = "AB" if rnd % 2 == 0 else "BA"
            for name, warm, iters in rows:
                for tag in order:
                    times[(name, tag)].append(ask(procs[tag], name, warm, iters))
            print(f"round {rnd + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        for p in procs.values():
            try:
                p.stdin.write("quit\n")
                p.stdin.flush()
            except BrokenPipeError:
                pass
            p.wait(timeout=60)
    for name, _, _ in rows:
        a = times[(name, "A")]
        b = times[(name, "B")]
        ratios = [y / x for x, y in zip(a, b)]
        print(f"{name:22s} A {statistics.median(a):9.2f} ms  B {statistics.median(b):9.2f} ms  "
              f"B/A median {statistics.median(ratios):.3f} (range {min(ratios):.3f}-{max(ratios):.3f})")


if __name__ == "__main__":
    main()
