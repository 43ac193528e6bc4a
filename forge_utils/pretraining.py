"""Pre-training with masked language modelling (MLM) and fine-tuning (notebook 10).

    >>> windows = cut_windows(streams["train"], 32)                           # (N, 32) character ids
    >>> batch = mask_tokens(windows, mask_id=1000, vocab_size=1000, num_special=1)   # 15 % / 80-10-10
    >>> model = MLMModel(TransformerEncoderModel(1002, d_model=64, pad_id=1001))
    >>> loss, acc = mlm_loss(model, batch.inputs, batch.labels)

Ids below ``num_special`` (e.g. ``<unk>``) are never chosen for prediction; ``mask_id`` is an id
outside the ordinary range, so the model's embedding table needs room for it (and for padding).
Labels follow PyTorch's convention: ``-100`` (``IGNORE``) where a token was not selected, so
``F.cross_entropy(..., ignore_index=-100)`` scores only the selected positions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import nn
from torch.nn import functional as F

if TYPE_CHECKING:
    from forge_utils.transformer import TransformerEncoderModel

IGNORE = -100


def cut_windows(stream: torch.Tensor, length: int) -> torch.Tensor:
    """Cut a 1-D stream of ids into consecutive, non-overlapping windows: (N,) → (N // length, length).

    The incomplete tail is dropped.
    """
    if stream.dim() != 1:
        raise ValueError(f"stream must be 1-D (one long sequence of ids), got shape {tuple(stream.shape)}")
    if length < 2 or len(stream) < length:
        raise ValueError(f"length must be at least 2 and at most the stream's {len(stream)} ids, got {length}")
    n = len(stream) // length
    return stream[: n * length].reshape(n, length)


@dataclass
class MaskedBatch:
    """Output of ``mask_tokens``; every tensor has the shape of the input ids (B, L)."""

    inputs: torch.Tensor  # what the model sees
    labels: torch.Tensor  # the original id where selected, IGNORE (-100) elsewhere
    selected: torch.Tensor  # bool: chosen for prediction (≈15 % of the ordinary tokens)
    masked: torch.Tensor  # bool: selected and replaced by mask_id (≈80 % of selected)
    randomised: torch.Tensor  # bool: selected and replaced by a random ordinary id (≈10 %)
    kept: torch.Tensor  # bool: selected but left unchanged (≈10 %)


def mask_tokens(
    ids: torch.Tensor,
    mask_id: int,
    vocab_size: int,
    num_special: int = 0,
    select_prob: float = 0.15,
    mask_prob: float = 0.8,
    random_prob: float = 0.1,
    generator: torch.Generator | None = None,
) -> MaskedBatch:
    """BERT's masking: select ``select_prob`` of the ordinary tokens; of those, 80 % → ``mask_id``,
    10 % → a random ordinary id, 10 % unchanged. The model must predict every selected token.

    Ordinary ids are ``num_special .. vocab_size-1``; ids outside that range (``<unk>``, padding,
    ``[MASK]``) are never selected, and ``mask_id`` must be one of them. Random numbers come from
    ``generator`` on the CPU, so a seeded generator gives the same batch on every device.
    """
    if ids.dim() != 2 or ids.dtype != torch.long:
        raise ValueError(f"ids must be a LongTensor of shape (B, L), got {tuple(ids.shape)} {ids.dtype}")
    if not 0 < select_prob < 1 or mask_prob < 0 or random_prob < 0 or mask_prob + random_prob > 1:
        raise ValueError(
            f"need 0 < select_prob < 1 and mask_prob + random_prob <= 1, got {select_prob}, {mask_prob}, {random_prob}"
        )
    if not 0 <= num_special < vocab_size:
        raise ValueError(f"need 0 <= num_special ({num_special}) < vocab_size ({vocab_size})")
    if num_special <= mask_id < vocab_size:
        raise ValueError(
            f"mask_id ({mask_id}) is an ordinary id ({num_special}..{vocab_size - 1}); give [MASK] its own id, "
            f"e.g. vocab_size ({vocab_size}), and size the embedding table for it"
        )
    device = ids.device
    cpu = ids.cpu()
    ordinary = (cpu >= num_special) & (cpu < vocab_size)
    selected = (torch.rand(cpu.shape, generator=generator) < select_prob) & ordinary
    roll = torch.rand(cpu.shape, generator=generator)
    masked = selected & (roll < mask_prob)
    randomised = selected & (roll >= mask_prob) & (roll < mask_prob + random_prob)
    kept = selected & ~masked & ~randomised
    inputs = cpu.clone()
    inputs[masked] = mask_id
    inputs[randomised] = torch.randint(num_special, vocab_size, (int(randomised.sum()),), generator=generator)
    labels = torch.where(selected, cpu, torch.full_like(cpu, IGNORE))
    return MaskedBatch(*(t.to(device) for t in (inputs, labels, selected, masked, randomised, kept)))


class MLMModel(nn.Module):
    """Encoder + a linear MLM head: ids (B, L) → hidden (B, L, d) → logits over the encoder's vocabulary.

    ``forward(ids, positions=None)``: with a boolean ``positions`` (B, L) only those positions get
    logits, shape (n_selected, vocab) — much cheaper than scoring every token.
    """

    def __init__(self, encoder: TransformerEncoderModel) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.d_model, encoder.vocab_size)

    def forward(self, ids: torch.Tensor, positions: torch.Tensor | None = None) -> torch.Tensor:
        hidden = self.encoder(ids)
        if positions is not None:
            hidden = hidden[positions]
        return self.head(hidden)


def mlm_loss(model: MLMModel, inputs: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, float]:
    """Cross-entropy and accuracy on the selected positions (``labels != -100``) only."""
    positions = labels != IGNORE
    if not positions.any():
        raise ValueError("labels select no token (all are -100); mask some tokens first")
    logits = model(inputs, positions)
    targets = labels[positions]
    loss = F.cross_entropy(logits, targets)
    accuracy = (logits.argmax(-1) == targets).float().mean().item()
    return loss, accuracy


class SequenceClassifier(nn.Module):
    """A new task head on an encoder: mean of the real tokens' hidden states → Linear → class logits.

    ids (B, L) → hidden (B, L, d) → pooled (B, d) → logits (B, num_classes); padding (the
    encoder's ``pad_id``) is left out of the mean.
    """

    def __init__(self, encoder: TransformerEncoderModel, num_classes: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.d_model, num_classes)

    def pooled(self, ids: torch.Tensor) -> torch.Tensor:
        """Mean hidden state of the real tokens: (B, L) → (B, d)."""
        hidden = self.encoder(ids)
        keep = (ids != self.encoder.pad_id).unsqueeze(-1).to(hidden.dtype)
        return (hidden * keep).sum(1) / keep.sum(1).clamp(min=1)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.head(self.pooled(ids))


def freeze(module: nn.Module) -> nn.Module:
    """Stop gradients to every parameter of ``module`` (returns it, for chaining)."""
    for parameter in module.parameters():
        parameter.requires_grad_(False)
    return module


def count_trainable(module: nn.Module) -> int:
    """Number of parameters that an optimizer would update."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
