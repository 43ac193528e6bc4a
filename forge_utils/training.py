"""The one training loop of the course: every model differs only in its batches and its loss.

    >>> batches = (random_windows(stream, 64, 32, generator) for _ in range(300))     # (x, y), each (64, 32)
    >>> losses = fit(model, batches, cross_entropy_loss, optimizer, 300, schedule=schedule, clip=1.0)

One step, in this order (``step`` counts from 1):

    batch = next(batches)                         # drawn before the forward pass
    loss = loss_fn(model, batch)                  # a scalar tensor
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    clip_grad_norm_(model.parameters(), clip)     # if clip is given: the gradient's norm ≤ clip
    optimizer.step()
    schedule.step()                               # if a schedule is given: once per step
    on_step(step, loss.detach())                  # if given: logging, evaluation

``forge_utils.lm.train_lm``, ``translation.train_seq2seq``, ``sequence.train_memory_reader`` and
``sequence.train_review_rnn`` are this loop with their own data and loss, and so are notebook 10's
pre-training and fine-tuning.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TypeVar

import torch
from torch import nn
from torch.nn import functional as F

Model = TypeVar("Model", bound=nn.Module)
Batch = TypeVar("Batch")


def fit(
    model: Model,
    batches: Iterable[Batch],
    loss_fn: Callable[[Model, Batch], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    steps: int,
    *,
    schedule: torch.optim.lr_scheduler.LRScheduler | None = None,
    clip: float | None = None,
    progress: bool = False,
    desc: str = "训练",
    on_step: Callable[[int, torch.Tensor], None] | None = None,
) -> list[float]:
    """Train ``model`` for ``steps`` steps, one batch each; returns the loss of every step (``steps`` floats).

    ``batches`` gives at least ``steps`` batches and is read lazily, one batch per step (an endless
    generator is fine; no batch is drawn after the last step). ``loss_fn(model, batch)`` returns the
    scalar loss (shape ``()``). ``optimizer`` (and ``schedule``, if given, which must belong to it)
    are built by the caller. ``clip`` limits the norm of all gradients together
    (``nn.utils.clip_grad_norm_``). The model is put in training mode and left in it.
    ``progress`` shows a tqdm bar labelled ``desc``. ``steps=0`` trains nothing and returns ``[]``.
    ``on_step`` gets the step's loss as a detached scalar tensor: call ``.item()`` only on the steps it
    logs, because on a GPU every ``.item()`` waits for the device. The losses become floats once, at the end.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps 必须是 ≥ 0 的整数，收到的是 {steps!r}")
    if clip is not None and not (clip > 0 and math.isfinite(clip)):
        raise ValueError(f"clip 必须是正数（梯度范数的上限），不想裁剪就传 None，收到的是 {clip!r}")
    if schedule is not None and schedule.optimizer is not optimizer:
        raise ValueError("schedule 属于另一个优化器：请在传给 fit 的那个 optimizer 上创建它")
    from tqdm.auto import tqdm

    model.train()
    batch_iterator = iter(batches)
    losses: torch.Tensor | None = None  # one buffer for every step's loss, filled in place
    for step in tqdm(range(1, steps + 1), desc=desc, disable=not progress, leave=False, mininterval=1.0):
        try:
            batch = next(batch_iterator)
        except StopIteration:
            raise ValueError(f"batches 只够 {step - 1} 步就用完了（一共要 {steps} 步）：请至少给 {steps} 个批") from None
        loss = loss_fn(model, batch)
        if loss.dim() != 0:
            raise ValueError(f"loss_fn 必须返回标量张量（形状为 ()），收到的形状是 {tuple(loss.shape)}；"
                             "请先取平均，例如 loss.mean()")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        if schedule is not None:
            schedule.step()
        if losses is None:
            # Keeping a new small tensor per step (loss.detach(), even a clone) made the process grow by
            # MBs every step: each one, allocated amid the step's large buffers, kept freed memory from
            # being returned. One buffer, allocated once, does not; .item() every step would wait on a GPU.
            losses = torch.empty(steps, dtype=loss.dtype, device=loss.device)
        losses[step - 1] = loss.detach()
        if on_step is not None:
            on_step(step, losses[step - 1])
    return losses.tolist() if losses is not None else []


def cross_entropy_loss(model: Callable[..., torch.Tensor], batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
    """The usual ``loss_fn``: a batch ``(*inputs, targets)`` → mean cross-entropy of ``model(*inputs)``.

    Logits ``(B, C)`` with targets ``(B,)`` (a classifier), or ``(B, T, V)`` with ``(B, T)`` (a language
    model: every position counts).
    """
    *inputs, targets = batch
    logits = model(*inputs)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
