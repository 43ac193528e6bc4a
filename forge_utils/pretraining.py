"""Pre-training with masked language modelling (MLM) and fine-tuning (notebook 10).

    >>> batch = mask_tokens(ids, mask_id=4, vocab_size=len(vocab), num_special=5)   # BERT's 15 % / 80-10-10
    >>> model = MLMModel(TransformerEncoderModel(len(vocab), d_model=64))
    >>> loss, acc = mlm_loss(model, batch.inputs, batch.labels)

Labels follow PyTorch's convention: ``-100`` (``IGNORE``) where a token was not selected, so
``F.cross_entropy(..., ignore_index=-100)`` scores only the selected positions.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from forge_utils.text import Vocab

IGNORE = -100
MASK = "[MASK]"
MLM_SPECIALS: tuple[str, ...] = ("<pad>", "<unk>", "<bos>", "<eos>", MASK)


def build_mlm_vocab(documents: Sequence[Sequence[str]], min_freq: int = 2) -> Vocab:
    """A ``Vocab`` with ``<pad> <unk> <bos> <eos> [MASK]`` at ids 0–4, then words by frequency."""
    return Vocab.build(documents, min_freq=min_freq, specials=MLM_SPECIALS)


def chunk_windows(documents: Sequence[Sequence[str]], vocab: Vocab, length: int = 32) -> torch.Tensor:
    """Cut each tokenized document into windows of ``length`` ids, the last one padded: (N, length)."""
    if length < 2:
        raise ValueError(f"length must be at least 2 tokens, got {length}")
    rows = []
    for doc in documents:
        if isinstance(doc, str):
            raise TypeError("chunk_windows wants tokenized documents (lists of tokens), got a str; tokenize first")
        ids = vocab.encode(doc)
        for start in range(0, len(ids), length):
            window = ids[start : start + length]
            rows.append(window + [vocab.pad_id] * (length - len(window)))
    return torch.tensor(rows, dtype=torch.long).reshape(-1, length)


@dataclass
class MaskedBatch:
    """Output of ``mask_tokens``; every tensor has the shape of the input ids (B, L)."""

    inputs: torch.Tensor  # what the model sees
    labels: torch.Tensor  # the original id where selected, IGNORE (-100) elsewhere
    selected: torch.Tensor  # bool: chosen for prediction (≈15 % of the real tokens)
    masked: torch.Tensor  # bool: selected and replaced by [MASK] (≈80 % of selected)
    randomised: torch.Tensor  # bool: selected and replaced by a random word (≈10 %)
    kept: torch.Tensor  # bool: selected but left unchanged (≈10 %)


def mask_tokens(
    ids: torch.Tensor,
    mask_id: int,
    vocab_size: int,
    num_special: int = len(MLM_SPECIALS),
    select_prob: float = 0.15,
    mask_prob: float = 0.8,
    random_prob: float = 0.1,
    generator: torch.Generator | None = None,
) -> MaskedBatch:
    """BERT's masking: select ``select_prob`` of the real tokens; of those, 80 % → ``[MASK]``,
    10 % → a random ordinary word, 10 % unchanged. The model must predict every selected token.

    Ids below ``num_special`` (``<pad>``, ``<unk>``, ``[MASK]``, ...) are never selected, and random
    replacements are drawn from the ordinary words ``num_special .. vocab_size-1``.
    """
    if ids.dim() != 2 or ids.dtype != torch.long:
        raise ValueError(f"ids must be a LongTensor of shape (B, L), got {tuple(ids.shape)} {ids.dtype}")
    if not 0 < select_prob < 1 or mask_prob < 0 or random_prob < 0 or mask_prob + random_prob > 1:
        raise ValueError(
            f"need 0 < select_prob < 1 and mask_prob + random_prob <= 1, got {select_prob}, {mask_prob}, {random_prob}"
        )
    if not 0 <= mask_id < num_special <= vocab_size:
        raise ValueError(f"mask_id ({mask_id}) must be a special id below num_special ({num_special}) <= vocab_size ({vocab_size})")
    device = ids.device
    cpu = ids.cpu()
    selected = (torch.rand(cpu.shape, generator=generator) < select_prob) & (cpu >= num_special)
    roll = torch.rand(cpu.shape, generator=generator)
    masked = selected & (roll < mask_prob)
    randomised = selected & (roll >= mask_prob) & (roll < mask_prob + random_prob)
    kept = selected & ~masked & ~randomised
    inputs = cpu.clone()
    inputs[masked] = mask_id
    inputs[randomised] = torch.randint(num_special, vocab_size, (int(randomised.sum()),), generator=generator)
    labels = torch.where(selected, cpu, torch.full_like(cpu, IGNORE))
    return MaskedBatch(*(t.to(device) for t in (inputs, labels, selected, masked, randomised, kept)))


def unigram_distribution(ids: torch.Tensor, vocab_size: int, num_special: int = len(MLM_SPECIALS)) -> torch.Tensor:
    """Word frequencies of the ordinary tokens in ``ids`` as probabilities (vocab_size,); specials get 0."""
    words = ids[ids >= num_special].cpu()
    counts = torch.bincount(words, minlength=vocab_size).double()
    if counts.sum() == 0:
        raise ValueError("ids hold no ordinary tokens to count")
    return counts / counts.sum()


def unigram_scores(probs: torch.Tensor, labels: torch.Tensor) -> tuple[float, float]:
    """(accuracy, cross-entropy) of a model that ignores context and always uses the unigram ``probs``.

    It always guesses the most frequent word; its loss is ``−mean log p(word)`` over the selected labels.
    """
    targets = labels[labels != IGNORE].cpu()
    if targets.numel() == 0:
        raise ValueError("labels select no token (all are -100)")
    accuracy = (targets == probs.argmax()).double().mean().item()
    loss = -probs[targets].clamp(min=1e-12).log().mean().item()
    return accuracy, loss


class MLMModel(nn.Module):
    """Encoder + a linear MLM head: ids (B, L) → hidden (B, L, d) → word logits.

    ``forward(ids, positions=None)``: with a boolean ``positions`` (B, L) only those positions get
    logits, shape (n_selected, vocab) — much cheaper than scoring every token.
    """

    def __init__(self, encoder: nn.Module):
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
    """A new task head on an encoder: mean of the real tokens' hidden states → Linear → class logits."""

    def __init__(self, encoder: nn.Module, num_classes: int, pad_id: int = 0):
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.d_model, num_classes)
        self.pad_id = pad_id

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(ids)  # (B, L, d)
        keep = (ids != self.pad_id).unsqueeze(-1).float()
        pooled = (hidden * keep).sum(1) / keep.sum(1).clamp(min=1)  # (B, d)
        return self.head(pooled)  # (B, num_classes)


def freeze(module: nn.Module) -> nn.Module:
    """Stop gradients to every parameter of ``module`` (returns it, for chaining)."""
    for parameter in module.parameters():
        parameter.requires_grad_(False)
    return module


def count_trainable(module: nn.Module) -> int:
    """Number of parameters that an optimizer would update."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


# Keyword lists that give some lee_background news articles a topic label (notebook 10's
# fine-tuning task). An article is labelled only when one topic clearly dominates.
LEE_TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {
    "conflict": ("taliban", "afghanistan", "laden", "qaeda", "kabul", "israeli", "palestinian", "arafat",
                 "israel", "hamas", "sharon"),
    "fire": ("fire", "fires", "bushfire", "bushfires", "firefighters", "blaze"),
    "sport": ("cricket", "wickets", "test", "match", "wicket", "innings", "game", "cup", "players"),
    "economy": ("economy", "market", "shares", "dollar", "rates", "bank", "company"),
}


def lee_topic(tokens: Sequence[str], min_hits: int = 3) -> str | None:
    """The dominant topic of an article by keyword counts, or ``None`` when no topic clearly wins
    (fewer than ``min_hits`` hits, or the runner-up has more than half as many)."""
    hits = {topic: sum(tokens.count(w) for w in words) for topic, words in LEE_TOPIC_KEYWORDS.items()}
    ranked = sorted(hits.values(), reverse=True)
    best = max(hits, key=hits.get)
    if ranked[0] < min_hits or 2 * ranked[1] >= ranked[0]:
        return None
    return best
