import random
from pathlib import Path

import numpy as np
import pytest
import torch

from forge_utils import environment_report, get_device, set_seed
from forge_utils.device import REPORTED_PACKAGES, _version

ROOT = Path(__file__).resolve().parent.parent
# The packages of requirements.txt that notebook 00's table leaves out: helpers the reader meets only in passing.
NOT_REPORTED = {"tqdm", "scipy", "pyarrow", "snownlp", "tokenizers", "safetensors", "noto-cjk-sans-otc"}


def test_auto_device_is_available(monkeypatch):
    monkeypatch.delenv("FORGE_DEVICE", raising=False)
    device = get_device()
    assert device.type in {"cpu", "cuda", "mps"}
    torch.zeros(1, device=device)  # usable


def test_forge_device_forces_cpu(monkeypatch):
    monkeypatch.setenv("FORGE_DEVICE", "cpu")
    assert get_device() == torch.device("cpu")


def test_argument_beats_environment(monkeypatch):
    monkeypatch.setenv("FORGE_DEVICE", "nonsense")
    assert get_device("cpu").type == "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_gpu_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("FORGE_DEVICE", "cuda")
    with pytest.raises(RuntimeError, match="去掉环境变量 FORGE_DEVICE"):
        get_device()


def test_unknown_device_name(monkeypatch):
    monkeypatch.setenv("FORGE_DEVICE", "tpu")
    with pytest.raises(ValueError, match="未知的设备 'tpu'"):
        get_device()


def test_set_seed_makes_every_generator_repeat():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()

    set_seed(123)
    first = draw()
    set_seed(123)
    assert draw() == first
    set_seed(124)
    assert draw() != first


def test_environment_report_names_device_and_versions():
    report = environment_report()
    for key in ("python", "device", "torch", "numpy", "gensim"):
        assert report[key]
    assert report["device"] == str(get_device())
    assert report["torch"] != "未安装" and _version("no-such-package-forge") == "未安装"  # shown to students in 00


def test_reported_packages_are_those_of_requirements_txt(requirements):
    """Adding a package to requirements.txt, or removing one, means deciding whether notebook 00 shows it."""
    required = set(requirements)
    extra = set(REPORTED_PACKAGES) - required
    assert not extra, f"reported but not in requirements.txt: {extra}"
    unsorted = required - set(REPORTED_PACKAGES) - NOT_REPORTED
    assert not unsorted, f"{unsorted}: add to REPORTED_PACKAGES (forge_utils/device.py) or to NOT_REPORTED here"
    assert not NOT_REPORTED - required, f"{NOT_REPORTED - required} left requirements.txt: drop from NOT_REPORTED"
    assert not NOT_REPORTED & set(REPORTED_PACKAGES)


def test_one_thread_restores_the_thread_count_even_after_an_error():
    import torch

    from forge_utils.device import one_thread

    before = torch.get_num_threads()
    with pytest.raises(RuntimeError):
        with one_thread():
            assert torch.get_num_threads() == 1
            raise RuntimeError("inside")
    assert torch.get_num_threads() == before
