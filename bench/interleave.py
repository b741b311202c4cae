#!/usr/bin/env python3
"""Compares builds of csae by interleaving their runs of one command.

    bench/interleave.py N 'COMMAND' BINARY...

COMMAND is a shell command in which {b} stands for a binary and {o} for an output folder of
that binary's own (emptied before each run). Each round runs every binary once, in turn, so a
machine that slows down or speeds up during the comparison affects them alike. Prints each
binary's median, minimum and quartiles of wall time.

    bench/interleave.py 11 '{b} report ds --out {o} --disclosure internal' ./csae-before ./csae-after
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def main() -> None:
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    n, template, binaries = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    work = tempfile.mkdtemp(prefix="csae-interleave-")
    times = {b: [] for b in binaries}
    try:
        for _ in range(n):
            for i, b in enumerate(binaries):
                out = os.path.join(work, f"out{i}")
                shutil.rmtree(out, ignore_errors=True)
                start = time.perf_counter()
                subprocess.run(template.format(b=b, o=out), shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
                times[b].append(time.perf_counter() - start)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for b in binaries:
        t = sorted(times[b])
        print(f"{b}: median {statistics.median(t):.3f} s  min {t[0]:.3f}  q1 {t[len(t) // 4]:.3f}  q3 {t[3 * len(t) // 4]:.3f}")


if __name__ == "__main__":
    main()
