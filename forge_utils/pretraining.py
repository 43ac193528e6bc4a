"""Pre-training with masked language modelling (MLM) and fine-tuning (notebook 10).

The course's own small Chinese encoder is pre-trained once by the long-run tier (``python -m longrun
mlm_zh``): ``pretraining_data()`` (People's Daily's train split without its segmentation and the review
train texts without their labels, one character stream), ``new_mlm(...)`` at the ``ENCODER`` sizes,
``pretrain_mlm`` (resumable). Fine-tuning with a validation set that decides when to stop: ``fine_tune``.

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

import copy
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from forge_utils.lm import CharVocab, warmup_cosine
from forge_utils.training import fit
from forge_utils.transformer import TransformerEncoderModel

IGNORE = -100
VOCAB_SIZE = 4000  # characters (with <unk> and the line end): 99.8 % of the news and review test characters
# The pre-trained encoder: 2 pre-norm layers, d 128, ALiBi's distance prior on the attention scores.
ENCODER = dict(d_model=128, num_heads=4, num_layers=2, d_ff=512, max_len=64, norm_first=True, alibi=True)


def cut_windows(stream: torch.Tensor, length: int) -> torch.Tensor:
    """Cut a 1-D stream of ids into consecutive, non-overlapping windows: (N,) → (N // length, length).

    The incomplete tail is dropped.
    """
    if stream.dim() != 1:
        raise ValueError(f"stream 必须是一维的（一条长长的 id 序列），收到的形状是 {tuple(stream.shape)}")
    if length < 2 or len(stream) < length:
        raise ValueError(f"length 至少要是 2，最多是 stream 的 id 个数 {len(stream)}，收到的是 {length}")
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
        raise ValueError(f"ids 必须是形状为 (B, L) 的 LongTensor，收到的是 {tuple(ids.shape)} {ids.dtype}")
    if not 0 < select_prob < 1 or mask_prob < 0 or random_prob < 0 or mask_prob + random_prob > 1:
        raise ValueError(
            f"必须满足 0 < select_prob < 1 且 mask_prob + random_prob <= 1（两者都不能为负），收到的是 {select_prob}、{mask_prob}、{random_prob}"
        )
    if not 0 <= num_special < vocab_size:
        raise ValueError(f"必须满足 0 <= num_special（{num_special}）< vocab_size（{vocab_size}）")
    if num_special <= mask_id < vocab_size:
        raise ValueError(
            f"mask_id（{mask_id}）是一个普通的 id（{num_special}..{vocab_size - 1}）：请给 [MASK] 一个单独的 id，"
            f"例如 vocab_size（{vocab_size}），并让嵌入表为它多留一行"
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
    ``tied=True`` makes the head's weight the embedding table itself (as in the Transformer paper and
    BERT): the table is drawn afresh with standard deviation d^-½, so that both of its uses, input
    (× √d) and output, start at scale 1.
    """

    def __init__(self, encoder: TransformerEncoderModel, tied: bool = False) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.d_model, encoder.vocab_size)
        if tied:
            table = encoder.embed.embedding.weight
            with torch.no_grad():
                nn.init.normal_(table, std=encoder.d_model ** -0.5)
                table[encoder.pad_id].zero_()
            self.head.weight = table

    def forward(self, ids: torch.Tensor, positions: torch.Tensor | None = None) -> torch.Tensor:
        hidden = self.encoder(ids)
        if positions is not None:
            hidden = hidden[positions]
        return self.head(hidden)


def mlm_loss(model: MLMModel, inputs: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, float]:
    """Cross-entropy and accuracy on the selected positions (``labels != -100``) only."""
    positions = labels != IGNORE
    if not positions.any():
        raise ValueError("labels 没有选中任何词元（全是 -100）：请先遮住一些词元")
    logits = model(inputs, positions)
    targets = labels[positions]
    loss = F.cross_entropy(logits, targets)
    accuracy = (logits.argmax(-1) == targets).float().mean().item()
    return loss, accuracy


def mean_of_real_tokens(hidden: torch.Tensor, ids: torch.Tensor, pad_id: int) -> torch.Tensor:
    """Mean of hidden (B, L, d) over the positions where ids (B, L) is not ``pad_id`` → (B, d)."""
    keep = (ids != pad_id).unsqueeze(-1).to(hidden.dtype)
    return (hidden * keep).sum(1) / keep.sum(1).clamp(min=1)


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
        return mean_of_real_tokens(self.encoder(ids), ids, self.encoder.pad_id)

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


class TokenTagger(nn.Module):
    """A tag for every position: ids (B, L) → hidden (B, L, d) → Linear → logits (B, L, num_tags)."""

    def __init__(self, encoder: TransformerEncoderModel, num_tags: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.d_model, num_tags)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(ids))


# --- the course's pre-trained Chinese encoder ----------------------------------------------------------


class PretrainingData(NamedTuple):
    """``pretraining_data()``: the vocabulary, the unlabelled training stream and held-out news."""

    vocab: CharVocab
    train: torch.Tensor  # (N,) ids: People's Daily train lines, then the review train texts, each line ended by \n
    news_test: torch.Tensor  # (M,) ids: People's Daily's test lines
    mask_id: int  # len(vocab): outside the ordinary ids
    pad_id: int  # len(vocab) + 1


def pretraining_data(vocab_size: int = VOCAB_SIZE) -> PretrainingData:
    """Unlabelled text for pre-training: People's Daily's train split with its word boundaries removed and
    the review train texts with their labels removed, as one stream of character ids (``CharVocab`` built on
    both: the ``vocab_size − 2`` most frequent characters)."""
    from forge_utils.data import load_online_reviews, load_peoples_daily

    news = load_peoples_daily("train", "char")
    reviews = [list(text) for text, _ in load_online_reviews("train")]
    vocab = CharVocab.build(news + reviews, vocab_size)
    train = torch.cat([vocab.encode_lines(news), vocab.encode_lines(reviews)])
    test = vocab.encode_lines(load_peoples_daily("test", "char"))
    return PretrainingData(vocab, train, test, len(vocab), len(vocab) + 1)


def new_mlm(vocab_size: int, pad_id: int, seed: int, **sizes: Any) -> MLMModel:
    """A fresh tied MLM model over ``vocab_size`` ids + [MASK] + <pad> (``ENCODER``'s sizes unless given)."""
    torch.manual_seed(seed)
    encoder = TransformerEncoderModel(vocab_size + 2, pad_id=pad_id, **{**ENCODER, **sizes})
    return MLMModel(encoder, tied=True)


def masked_batches(
    windows: torch.Tensor, batch_size: int, mask_id: int, vocab_size: int, generator: torch.Generator,
    device: torch.device | str = "cpu",
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Endless: ``batch_size`` random windows (rows of ``windows``), masked afresh every time →
    (inputs, labels), each (batch_size, L). Id 0 (``<unk>``) is never selected."""
    while True:
        picked = windows[torch.randint(0, len(windows), (batch_size,), generator=generator)]
        batch = mask_tokens(picked, mask_id, vocab_size, num_special=1, generator=generator)
        yield batch.inputs.to(device), batch.labels.to(device)


def mlm_step_loss(model: MLMModel, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """``fit``'s loss: the MLM cross-entropy of one (inputs, labels) batch."""
    return mlm_loss(model, *batch)[0]


def pretrain_mlm(
    model: MLMModel,
    windows: torch.Tensor,
    steps: int,
    *,
    batch_size: int,
    lr: float,
    warmup: int,
    mask_id: int,
    vocab_size: int,
    seed: int = 0,
    device: torch.device | str = "cpu",
    stop_at: Sequence[int] = (),
    on_stop: Callable[[int], dict[str, Any]] | None = None,
    checkpoint: Path | None = None,
    progress: bool = True,
    stop_after: int | None = None,
) -> list[dict[str, Any]]:
    """Pre-train ``model`` with MLM for ``steps`` AdamW steps (warm-up, cosine decay, gradients clipped at 1;
    the loop is ``forge_utils.training.fit``). At every step in ``stop_at`` (and at the end) ``on_stop(step)``
    returns figures to log; the history is one dict per stop with ``step``, ``seconds`` (training time so
    far), ``loss`` (mean training loss since the previous stop) and those figures.

    ``checkpoint``: a file to save the run to at every stop and to resume from if it exists (same model,
    optimizer, schedule, random state and history: a resumed run continues step for step).
    ``stop_after``: train only the first ``stop_after`` steps of the ``steps``-step schedule."""
    last = steps if stop_after is None else stop_after
    if isinstance(last, bool) or not isinstance(last, int) or not 0 < last <= steps:
        raise ValueError(f"stop_after 必须是 1..steps（{steps}）之间的整数，收到的是 {stop_after!r}")
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: warmup_cosine(s, steps, warmup))
    history: list[dict[str, Any]] = []
    done, seconds = 0, 0.0
    if checkpoint is not None and checkpoint.exists():
        state = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        generator.set_state(state["generator"])
        history, done, seconds = state["history"], state["step"], state["seconds"]
    batches = masked_batches(windows, batch_size, mask_id, vocab_size, generator, device)
    stops = sorted({s for s in stop_at if done < s < last} | {last})
    for stop in stops:
        if stop <= done:
            continue
        start = time.perf_counter()
        losses = fit(model, batches, mlm_step_loss, optimizer, stop - done, schedule=schedule, clip=1.0,
                     progress=progress, desc=f"MLM 第 {done + 1}–{stop} 步")
        seconds += time.perf_counter() - start
        done = stop
        history.append({"step": stop, "seconds": seconds, "loss": float(np.mean(losses)),
                        **(on_stop(stop) if on_stop else {})})
        if checkpoint is not None:
            checkpoint.parent.mkdir(parents=True, exist_ok=True)
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "schedule": schedule.state_dict(), "generator": generator.get_state(),
                        "history": history, "step": done, "seconds": seconds}, checkpoint)
    model.eval()
    return history


@torch.no_grad()
def evaluate_mlm(model: MLMModel, test: MaskedBatch, device: torch.device | str = "cpu", batch_size: int = 256) -> dict[str, float]:
    """Held-out figures on a fixed masked batch: ``test_loss`` and masked accuracy ``acc`` over every selected
    position, and ``acc_masked`` / ``acc_randomised`` / ``acc_kept`` on each kind (80 / 10 / 10 %).
    Scored ``batch_size`` windows at a time: the logits of all selected positions at once would take
    n_selected × vocabulary floats."""
    was_training = model.training
    model.eval()
    total, right = 0.0, []
    for start in range(0, len(test.inputs), batch_size):
        inputs = test.inputs[start : start + batch_size].to(device)
        labels = test.labels[start : start + batch_size].to(device)
        chosen = labels != IGNORE
        logits, targets = model(inputs, chosen), labels[chosen]
        total += F.cross_entropy(logits, targets, reduction="sum").item()
        right.append((logits.argmax(-1) == targets).cpu())
    model.train(was_training)
    hits = torch.cat(right)
    figures = {"test_loss": total / len(hits), "acc": hits.float().mean().item()}
    for kind in ("masked", "randomised", "kept"):
        figures[f"acc_{kind}"] = hits[getattr(test, kind)[test.selected]].float().mean().item()
    return figures


def fill_guesses(train: torch.Tensor, inputs: torch.Tensor, selected: torch.Tensor, vocab_size: int,
                 pad_id: int) -> dict[str, np.ndarray]:
    """The counting baselines' guess for every selected position of masked ``inputs`` (B, L), in the order
    of ``torch.nonzero(selected)``: ``copy`` (the visible input itself), ``unigram`` (the most frequent
    character), ``left`` (the character most often after the left neighbour) and ``both`` (the character
    most often between the two neighbours; falls back to ``left``, then ``unigram``) and ``copy_or_both``
    (the input where it is a character, ``both`` where it is [MASK]). Counts come from the
    stream ``train``; a neighbour that is masked, padding or outside the window is not used."""
    rows, cols = torch.nonzero(selected, as_tuple=True)
    padded = F.pad(inputs.cpu(), (1, 1), value=pad_id)
    left, right = padded[rows, cols].numpy(), padded[rows, cols + 2].numpy()
    ids = train.numpy()
    a, c, b = ids[:-2], ids[1:-1], ids[2:]
    keep = c >= 1  # the character to guess is never <unk>
    width = vocab_size + 2  # ids including [MASK] and <pad>
    unigram = np.bincount(c[keep], minlength=vocab_size).argmax()
    pairs = np.bincount(a[keep] * vocab_size + c[keep], minlength=vocab_size * vocab_size).reshape(vocab_size, vocab_size)
    after = np.where(pairs.sum(1) > 0, pairs.argmax(1), unigram)
    guess_left = np.where(left < vocab_size, after[np.minimum(left, vocab_size - 1)], unigram)
    triples, counts = np.unique((a[keep] * width + b[keep]) * vocab_size + c[keep], return_counts=True)
    order = np.lexsort((counts, triples // vocab_size))  # by (left, right), most frequent middle last
    context, middle = triples[order] // vocab_size, triples[order] % vocab_size
    last = np.r_[context[1:] != context[:-1], True]
    known, best = context[last], middle[last]
    key = left * width + right
    spot = np.searchsorted(known, key).clip(max=len(known) - 1)
    hit = (known[spot] == key) & (left < vocab_size) & (right < vocab_size)
    copy_rule, both = inputs.cpu()[rows, cols].numpy(), np.where(hit, best[spot], guess_left)
    return {"copy": copy_rule, "unigram": np.full(len(rows), unigram), "left": guess_left, "both": both,
            "copy_or_both": np.where(copy_rule >= vocab_size, both, copy_rule)}


# --- fine-tuning ---------------------------------------------------------------------------------------


class FineTuned(NamedTuple):
    """``fine_tune``'s result: the best validation score, the step it came at, the steps run, the curve."""

    score: float
    step: int
    steps: int
    curve: list[tuple[int, float]]  # (step, validation score)


def fine_tune(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    validate: Callable[[nn.Module], float],
    *,
    lr: float,
    batch_size: int = 32,
    max_steps: int = 600,
    every: int = 50,
    patience: int = 3,
    seed: int = 0,
    device: torch.device | str = "cpu",
) -> FineTuned:
    """Train every parameter of ``model`` that requires a gradient on random batches of (inputs, targets)
    with AdamW at a constant ``lr``, checking ``validate(model)`` (higher is better) every ``every`` steps;
    stop after ``patience`` checks without a new best, or at ``max_steps``, and leave ``model`` at its best
    check. The loss is the cross-entropy of ``model(inputs)`` (B, C) or (B, L, C) against targets (B,) or
    (B, L); targets equal to IGNORE (-100) are left out."""
    if len(inputs) != len(targets) or len(inputs) == 0:
        raise ValueError(f"targets 和 inputs 的个数必须相同（并且至少有一个），收到的是 {len(inputs)} 和 {len(targets)}")
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    picks = (torch.randint(0, len(inputs), (batch_size,), generator=generator) for _ in range(max_steps))
    batches = ((inputs[p].to(device), targets[p].to(device)) for p in picks)

    def loss_fn(net: nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        logits = net(batch[0])
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[1].reshape(-1), ignore_index=IGNORE)

    best, best_step, best_state, waited, step = -np.inf, 0, copy.deepcopy(model.state_dict()), 0, 0
    curve: list[tuple[int, float]] = []
    while step < max_steps and waited < patience:
        n = min(every, max_steps - step)
        fit(model, batches, loss_fn, optimizer, n)
        step += n
        model.eval()
        score = float(validate(model))
        curve.append((step, score))
        if score > best:
            best, best_step, best_state, waited = score, step, copy.deepcopy(model.state_dict()), 0
        else:
            waited += 1
    model.load_state_dict(best_state)
    model.eval()
    return FineTuned(best, best_step, step, curve)


@torch.no_grad()
def encoder_features(encoder: TransformerEncoderModel, ids: torch.Tensor, pooled: bool = False,
                     batch_size: int = 512, device: torch.device | str = "cpu") -> torch.Tensor:
    """A frozen encoder's outputs as fixed features: ids (N, L) → (N, L, d), or with ``pooled`` the mean over
    the real (non-padding) tokens, (N, d). Computed in batches, returned on the CPU."""
    encoder.eval()
    out = []
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size].to(device)
        hidden = encoder(chunk)
        out.append((mean_of_real_tokens(hidden, chunk, encoder.pad_id) if pooled else hidden).cpu())
    return torch.cat(out)
