"""The README's list of system packages is what .ci/run installs: one list, said twice."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def ci_packages() -> set[str]:
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8").replace("\\\n", " ")
    command = next(line for line in script.splitlines() if "apt-get install" in line)
    words = command.split("--no-install-recommends", 1)[1].split(">")[0].split()
    return set(words)


def readme_packages() -> set[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("installs exactly these (Debian)")
    passage = text[start:text.index("Without a display", start)]
    return {word for group in re.findall(r"`([^`]+)`", passage) for word in group.split()}


def test_the_readme_names_exactly_what_ci_installs():
    assert "xdotool" in ci_packages() and "openbox" in ci_packages()  # the X11 global-shortcut tests
    assert readme_packages() == ci_packages()
