import random

import numpy as np
import pytest
import torch

from forge_utils import environment_report, get_device, set_seed
from forge_utils.device import _version


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
    with pytest.raises(RuntimeError, match="Unset FORGE_DEVICE"):
        get_device()


def test_unknown_device_name(monkeypatch):
    monkeypatch.setenv("FORGE_DEVICE", "tpu")
    with pytest.raises(ValueError, match="Unknown device 'tpu'"):
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


def test_one_thread_restores_the_thread_count_even_after_an_error():
    import torch

    from forge_utils.device import one_thread

    before = torch.get_num_threads()
    with pytest.raises(RuntimeError):
        with one_thread():
            assert torch.get_num_threads() == 1
            raise RuntimeError("inside")
    assert torch.get_num_threads() == before
