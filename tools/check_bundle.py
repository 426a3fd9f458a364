"""Check a built bundle (``make bundle``) against its bars: at most ``--max-mb`` MiB (as
``du -sh`` counts) and, on Linux, no shared library at the top of ``_internal/`` that
``freeze/bundle-libraries.txt`` does not list (no GTK or other toolkit picked up from the
build machine). Prints the figures; exits 1 when a bar is missed.

    python3 tools/check_bundle.py dist/agent-assistant --max-mb 350
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MANIFEST = REPO / "freeze" / "bundle-libraries.txt"


def allowed_libraries(manifest: Path = MANIFEST) -> set[str]:
    return {line.strip() for line in manifest.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}


def library_stem(filename: str) -> str | None:
    """``libxcb-shm.so.0`` -> ``libxcb-shm``; ``libgomp-6a29c32d.so.1.0.0`` -> ``libgomp``;
    None for Python extension modules and for anything that is not a shared library."""
    if ".so" not in filename or ".cpython-" in filename or filename.endswith(".abi3.so"):
        return None
    stem = filename.split(".so", 1)[0]
    return re.sub(r"(-[0-9a-f]{8})+$", "", stem)


def size_bytes(folder: Path) -> int:
    """Disk usage as du counts it (blocks, symlinks not followed)."""
    total = 0
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            st = os.lstat(os.path.join(root, name))
            total += st.st_blocks * 512
    return total + os.lstat(folder).st_blocks * 512


def unexpected_libraries(internal: Path, allowed: set[str]) -> list[str]:
    found = []
    for path in sorted(internal.iterdir()):
        stem = library_stem(path.name)
        if stem is not None and stem not in allowed:
            found.append(path.name)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--max-mb", type=float, default=350)
    args = parser.parse_args(argv)
    internal = args.bundle / "_internal"
    mib = size_bytes(args.bundle) / 2**20
    ok = mib <= args.max_mb
    print(f"bundle size: {mib:.1f} MiB (bar: {args.max_mb:.0f}) {'ok' if ok else 'TOO BIG'}")
    biggest = sorted(((size_bytes(p) if p.is_dir() else os.lstat(p).st_blocks * 512, p.name)
                      for p in internal.iterdir()), reverse=True)[:8]
    print("largest: " + ", ".join(f"{name} {size / 2**20:.0f}" for size, name in biggest))
    if sys.platform.startswith("linux"):
        dangling = [p.name for p in internal.iterdir() if p.is_symlink() and not p.exists()]
        extra = unexpected_libraries(internal, allowed_libraries())
        print(f"top-level libraries: {len([p for p in internal.iterdir() if library_stem(p.name)])}, "
              f"not in {MANIFEST.relative_to(REPO)}: {', '.join(extra) or 'none'}; "
              f"dangling links: {', '.join(dangling) or 'none'}")
        ok = ok and not extra and not dangling
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
