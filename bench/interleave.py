#!/usr/bin/env python3
"""Compares builds of csae by interleaving their runs of one command.

    bench/interleave.py N 'COMMAND' BINARY...

COMMAND is a shell command in which {b} stands for a binary and {o} for an output folder of
that binary's own (emptied before each run). Each round runs every binary once, in turn, so a
machine that slows down or speeds up during the comparison affects them alike. Prints each
binary's median, minimum and quartiles of wall time, and the medians of processor time (user
+ system), minor page faults and peak resident memory of the command (from `wait4`).

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
    usage = {b: [] for b in binaries}
    try:
        for _ in range(n):
            for i, b in enumerate(binaries):
                out = os.path.join(work, f"out{i}")
                shutil.rmtree(out, ignore_errors=True)
                start = time.perf_counter()
                child = subprocess.Popen(template.format(b=b, o=out), shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                _, status, ru = os.wait4(child.pid, 0)
                times[b].append(time.perf_counter() - start)
                child.returncode = os.waitstatus_to_exitcode(status)
                if child.returncode != 0:
                    sys.exit(f"{b}: the command failed (exit {child.returncode})")
                usage[b].append((ru.ru_utime + ru.ru_stime, ru.ru_minflt, ru.ru_maxrss / 1024))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for b in binaries:
        t = sorted(times[b])
        cpu, faults, peak = (statistics.median(u[k] for u in usage[b]) for k in range(3))
        print(
            f"{b}: median {statistics.median(t):.3f} s  min {t[0]:.3f}  q1 {t[len(t) // 4]:.3f}  q3 {t[3 * len(t) // 4]:.3f}"
            f"  cpu {cpu:.3f} s  page faults {faults:.0f}  peak {peak:.0f} MB"
        )


if __name__ == "__main__":
    main()
