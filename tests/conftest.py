import json
import os
from pathlib import Path

import pytest
import torch
from packaging.requirements import Requirement

from forge_utils import get_device
from forge_utils.device import one_thread as one_thread_block


@pytest.fixture
def one_thread():
    """Run a test on one torch thread: for tiny tensors thread synchronisation costs more than it
    saves (and a lot on a busy machine)."""
    with one_thread_block():
        yield


@pytest.fixture(scope="session")
def requirements() -> dict[str, Requirement]:
    """name (lower case) -> requirement, for every line of requirements.txt (the course's one list)."""
    lines = (Path(__file__).resolve().parent.parent / "requirements.txt").read_text(encoding="utf-8").splitlines()
    parsed = [Requirement(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return {req.name.lower(): req for req in parsed}


@pytest.fixture(scope="session")
def device() -> torch.device:
    """The device the tests run on: ``FORGE_DEVICE`` (cpu, cuda, mps) when set, else what the course picks.
    ``FORGE_DEVICE=cuda make test`` runs every test that takes this fixture on the GPU, and fails when
    there is none."""
    return get_device()


def pytest_sessionfinish(session, exitstatus):
    """Under FORGE_DEVICE=cuda, write build/cuda_memory.json: proof that the tests really allocated GPU
    memory (the GPU workflow fails when the peak is 0)."""
    if os.environ.get("FORGE_DEVICE", "").startswith("cuda") and torch.cuda.is_available():
        out = Path(__file__).resolve().parent.parent / "build" / "cuda_memory.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"max_memory_allocated": torch.cuda.max_memory_allocated()}), encoding="utf-8")
