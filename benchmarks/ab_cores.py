#!/usr/bin/env python3
"""Compare two builds of `bench` on a noisy 2-core machine: both at the same time, one per core.

Alternating runs of two builds see different minutes of the host; on a shared VM the host's drift
between them (up to 1.5x here) is larger than most changes worth measuring. Running build A pinned to
core 0 and build B pinned to core 1 at the same time exposes both to the same minutes; the next pair
swaps the cores, so a slower core counts against each build equally. Each side runs one model on one
thread (`--replicas 1 --threads 1`); the figure per side is bench's median of its timed passes, and
the result is the median over pairs of B's figure over A's. The audio parts (`--only mfcc` or
`clean`) compare their one-thread rows; their two-core rows would make the sides fight for cores.

Usage: benchmarks/ab_cores.py BENCH_A BENCH_B [--pairs N] [--only cnn|rnn|mfcc|clean] [--repeats R]
[--batch-size B]
(release builds, e.g. `EARMARK_NATIVE=1 swift build -c release --product bench`, copied aside).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

FIGURE = re.compile(r"^(CNN|RNN) (training|inference)\b.*?\s([\d.]+)\s+windows/s")
AUDIO = re.compile(r"^(MFCC|Cleaning) (.*?)\s{2,}([\d.]+)\s+(?:windows/s|audio s/s)")


def figures(text):
    """{('CNN', 'training'): windows/s, ('Cleaning', '16 kHz ...'): audio s/s, ...} from bench's table:
    the model rows and the audio rows of one thread."""
    found = {}
    for line in text.splitlines():
        match = FIGURE.match(line) or AUDIO.match(line)
        if match and not re.search(r"2 threads|at once", line):
            found[(match.group(1), match.group(2))] = float(match.group(3))
    return found


def run_pair(first, second, cores, args):
    """Runs `first` on cores[0] and `second` on cores[1] at once; returns their figures."""
    command = ["--only", args.only, "--repeats", str(args.repeats), "--replicas", "1", "--threads", "1",
               "--batch-size", str(args.batch_size)]
    processes = [subprocess.Popen(["taskset", "-c", str(core), binary] + command, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
                 for binary, core in ((first, cores[0]), (second, cores[1]))]
    outputs = [p.communicate()[0] for p in processes]
    for p, out in zip(processes, outputs):
        if p.returncode != 0:
            sys.exit(f"ab_cores: {p.args[3]} exited with {p.returncode}:\n{out}")
    return [figures(out) for out in outputs]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("bench_a")
    parser.add_argument("bench_b")
    parser.add_argument("--pairs", type=int, default=6, help="pairs of concurrent runs (cores swapped each pair)")
    parser.add_argument("--only", default="cnn", choices=["cnn", "rnn", "mfcc", "clean"])
    parser.add_argument("--repeats", type=int, default=10, help="timed passes per run (bench's median)")
    parser.add_argument("--batch-size", type=int, default=32,
                        help="bench's batch; 16 is one replica's rows of `make bench`'s 2-replica batch of 32")
    args = parser.parse_args()
    if (os.cpu_count() or 1) < 2:
        sys.exit("ab_cores: needs two cores")
    ratios = {}
    for pair in range(args.pairs):
        cores = (0, 1) if pair % 2 == 0 else (1, 0)
        a, b = run_pair(args.bench_a, args.bench_b, cores, args)
        row = []
        for key in sorted(a.keys() & b.keys()):
            ratios.setdefault(key, []).append(b[key] / a[key])
            row.append(f"{key[1]} A {a[key]:,.0f} B {b[key]:,.0f} ({b[key] / a[key]:.3f})")
        print(f"pair {pair + 1}, A on core {cores[0]}: " + "; ".join(row), flush=True)
    for key, values in sorted(ratios.items()):
        print(f"{key[0]} {key[1]}: B / A median {statistics.median(values):.3f} "
              f"(pairs {min(values):.3f}-{max(values):.3f}, {len(values)} pairs)")


if __name__ == "__main__":
    main()
