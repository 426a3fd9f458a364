"""Run a module or script as ``python -m``/``python SCRIPT`` would, and at exit write this
process's peak resident memory (VmHWM, MB) to the file named first. For benchmarks that
measure a child process: ``wait4``'s ru_maxrss also counts the parent's peak at fork.

    python benchmarks/_peak.py OUT -m assistant pack validate FILE
    python benchmarks/_peak.py OUT SCRIPT.py ARGS...
"""

from __future__ import annotations

import atexit
import runpy
import sys


def _write_peak(out: str) -> None:
    try:
        with open("/proc/self/status") as status:  # Linux
            peak = next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        peak = float("nan")
    with open(out, "w") as handle:
        handle.write(f"{peak:.1f}\n")


def main() -> None:
    out, *rest = sys.argv[1:]
    atexit.register(_write_peak, out)
    if rest[0] == "-m":
        sys.argv = [rest[1]] + rest[2:]
        runpy.run_module(rest[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = rest
        runpy.run_path(rest[0], run_name="__main__")


if __name__ == "__main__":
    main()
