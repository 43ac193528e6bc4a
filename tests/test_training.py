import itertools
import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from forge_utils.training import cross_entropy_loss, fit


def _regression(n=64, generator=None):
    # y = x · w_true + 0.5, exactly linear: a linear model can reach loss 0
    x = torch.randn(n, 3, generator=generator)
    return x, x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.5


def _mse(model, batch):
    x, y = batch
    return F.mse_loss(model(x), y)


def _grad_norm(model):
    return torch.cat([p.grad.reshape(-1) for p in model.parameters() if p.grad is not None]).norm().item()


def test_fit_lowers_the_loss_of_a_tiny_regression(device):
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    model = nn.Linear(3, 1).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    batches = (tuple(t.to(device) for t in _regression(generator=generator)) for _ in range(200))
    losses = fit(model, batches, _mse, optimizer, 200)
    assert len(losses) == 200 and all(isinstance(v, float) for v in losses)
    assert losses[-1] < 1e-3 * losses[0]
    assert torch.allclose(model.weight.detach().cpu(), torch.tensor([[1.0, -2.0, 0.5]]), atol=1e-2)


def test_clip_bounds_the_gradient_the_optimizer_sees():
    # the loss is scaled up so that every raw gradient is far above the clip
    def big_loss(model, batch):
        return 1000 * _mse(model, batch)

    seen = {}
    for clip in (None, 0.5):
        torch.manual_seed(0)
        model = nn.Linear(3, 1)
        before = [p.detach().clone() for p in model.parameters()]
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        norms = []
        optimizer.register_step_pre_hook(lambda *_: norms.append(_grad_norm(model)))
        fit(model, [_regression(generator=torch.Generator().manual_seed(1))], big_loss, optimizer, 1, clip=clip)
        moved = torch.cat([(p.detach() - b).reshape(-1) for p, b in zip(model.parameters(), before)]).norm().item()
        seen[clip] = norms[0], moved
    raw_norm, raw_move = seen[None]
    clipped_norm, clipped_move = seen[0.5]
    assert raw_norm > 100                                        # without clipping: the raw gradient
    assert clipped_norm == pytest.approx(0.5, rel=1e-5)          # with it: scaled down to the clip, before the step
    assert raw_move == pytest.approx(0.01 * raw_norm, rel=1e-4)  # plain SGD moves lr · ‖g‖
    assert clipped_move == pytest.approx(0.01 * 0.5, rel=1e-4)


def test_clip_leaves_small_gradients_alone():
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    norms = []
    optimizer.register_step_pre_hook(lambda *_: norms.append(_grad_norm(model)))
    batch = _regression(generator=torch.Generator().manual_seed(1))
    _mse(model, batch).backward()
    expected = _grad_norm(model)
    fit(model, [batch], _mse, optimizer, 1, clip=expected * 10)
    assert norms == [pytest.approx(expected, rel=1e-6)]


def test_schedule_steps_once_per_step_after_the_optimizer():
    model = nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 1 / (s + 1))
    lrs = []
    optimizer.register_step_pre_hook(lambda *_: lrs.append(optimizer.param_groups[0]["lr"]))
    batches = (_regression(8) for _ in range(4))
    fit(model, batches, _mse, optimizer, 4, schedule=schedule)
    assert lrs == [1.0, 1 / 2, 1 / 3, 1 / 4]                   # step k uses the rate of schedule step k − 1
    assert schedule.last_epoch == 4
    assert optimizer.param_groups[0]["lr"] == 1 / 5


def test_batches_are_drawn_lazily_one_per_step_and_on_step_sees_every_loss():
    events = []

    def batches():
        k = 0
        while True:                                            # endless: fit must stop taking
            k += 1
            events.append(f"draw {k}")
            yield _regression(8, torch.Generator().manual_seed(k))

    model = nn.Linear(3, 1)
    model.eval()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    calls = []

    def on_step(step, loss):
        assert model.training                                 # fit puts the model in training mode
        events.append(f"step {step}")
        calls.append((step, loss.item()))

    losses = fit(model, batches(), _mse, optimizer, 3, on_step=on_step)
    assert events == ["draw 1", "step 1", "draw 2", "step 2", "draw 3", "step 3"]   # no draw after the last step
    assert calls == list(zip([1, 2, 3], losses))


def test_zero_steps_trains_nothing():
    model = nn.Linear(3, 1)
    before = model.weight.detach().clone()

    def never():
        raise AssertionError("no batch should be drawn")
        yield

    assert fit(model, never(), _mse, torch.optim.SGD(model.parameters(), lr=1.0), 0) == []
    assert torch.equal(model.weight, before)


def test_fit_is_the_hand_written_loop():
    # AdamW, a warm-up schedule and clipping: the same numbers as the loop written out
    def run(use_fit):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Dropout(0.2), nn.Linear(8, 1))
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.01)
        schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / 5))
        generator = torch.Generator().manual_seed(1)
        if use_fit:
            losses = fit(model, (_regression(16, generator) for _ in range(12)), _mse, optimizer, 12,
                         schedule=schedule, clip=0.3)
        else:
            losses = []
            for _ in range(12):
                loss = _mse(model, _regression(16, generator))
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), 0.3)
                optimizer.step()
                schedule.step()
                losses.append(loss.item())
        return losses, [p.detach().clone() for p in model.parameters()]

    (fit_losses, fit_params), (loop_losses, loop_params) = run(True), run(False)
    assert fit_losses == loop_losses
    assert all(torch.equal(a, b) for a, b in zip(fit_params, loop_params))


def test_progress_bar_only_when_asked(capsys):
    model = nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    fit(model, [_regression(8)] * 2, _mse, optimizer, 2)
    assert "training" not in capsys.readouterr().err
    fit(model, [_regression(8)] * 2, _mse, optimizer, 2, progress=True, desc="回归")
    assert "回归" in capsys.readouterr().err


@pytest.mark.parametrize("kwargs, message", [
    ({"steps": -1}, "steps 必须是 ≥ 0 的整数"),
    ({"steps": 2.5}, "steps 必须是 ≥ 0 的整数"),
    ({"steps": True}, "steps 必须是 ≥ 0 的整数"),
    ({"clip": 0.0}, "clip 必须是正数"),
    ({"clip": -1.0}, "clip 必须是正数"),
    ({"clip": math.nan}, "clip 必须是正数"),
    ({"steps": 3}, r"batches 只够 2 步就用完了（一共要 3 步）"),
])
def test_bad_arguments_raise_clear_errors(kwargs, message):
    model = nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    arguments = {"steps": 1} | kwargs
    steps = arguments.pop("steps")
    with pytest.raises(ValueError, match=message):
        fit(model, [_regression(8)] * 2, _mse, optimizer, steps, **arguments)


def test_a_schedule_of_another_optimizer_or_a_non_scalar_loss_is_refused():
    model = nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    other = torch.optim.lr_scheduler.LambdaLR(torch.optim.SGD(model.parameters(), lr=0.01), lambda s: 1.0)
    with pytest.raises(ValueError, match="属于另一个优化器"):
        fit(model, [_regression(8)], _mse, optimizer, 1, schedule=other)
    with pytest.raises(ValueError, match=r"标量张量.*收到的形状是 \(8, 1\)"):
        fit(model, [_regression(8)], lambda m, b: (m(b[0]) - b[1]) ** 2, optimizer, 1)


def test_cross_entropy_loss_for_classifiers_and_language_models():
    torch.manual_seed(0)
    classifier = nn.Linear(4, 3)
    x, y = torch.randn(5, 4), torch.tensor([0, 2, 1, 1, 0])
    assert torch.equal(cross_entropy_loss(classifier, (x, y)), F.cross_entropy(classifier(x), y))

    lm = nn.Sequential(nn.Embedding(7, 4), nn.Linear(4, 7))      # ids (B, T) -> logits (B, T, V)
    ids, targets = torch.randint(0, 7, (2, 5)), torch.randint(0, 7, (2, 5))
    expected = F.cross_entropy(lm(ids).permute(0, 2, 1), targets)  # every position, averaged
    assert torch.allclose(cross_entropy_loss(lm, (ids, targets)), expected)

    def two_inputs(a, b):                                       # (*inputs, targets): several inputs
        return classifier(a + b)

    assert torch.equal(cross_entropy_loss(two_inputs, (x, x, y)), F.cross_entropy(classifier(2 * x), y))


def test_memory_does_not_grow_with_the_number_of_steps():
    # Keeping a new tensor per step for its loss held on to freed memory: over steps 50-150 of this
    # model, loss.detach() and even loss.detach().clone() grew the process by about 1,500 MB; one buffer
    # filled in place stays flat (measured: 0 MB). Notebook 11's GPT reached 2 GB that way.
    psutil = pytest.importorskip("psutil")
    process = psutil.Process()
    torch.manual_seed(0)
    model = nn.Embedding(1000, 1000)                       # a logits table: 4,096 × 1,000 logits per step
    batch = (torch.randint(0, 1000, (4096,)), torch.randint(0, 1000, (4096,)))
    rss = {}

    def measure(step, loss):
        if step in (50, 150):
            rss[step] = process.memory_info().rss

    fit(model, itertools.repeat(batch), cross_entropy_loss, torch.optim.SGD(model.parameters(), lr=1e-2), 150,
        on_step=measure)
    grown_mb = (rss[150] - rss[50]) / 2**20
    # the leak grew by ~1,500 MB; 300 MB leaves room for the allocator after other tests (62 MB seen in a full run)
    assert grown_mb < 300, f"memory grew by {grown_mb:.0f} MB over 100 steps"
