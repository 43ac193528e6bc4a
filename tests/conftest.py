import pytest
import torch


@pytest.fixture
def one_thread():
    """Run a test on one torch thread: for tiny tensors thread synchronisation costs more than it
    saves (and a lot on a busy machine)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
