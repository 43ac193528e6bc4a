"""The language-modelling thread (文字接龙): one vocabulary, one test set, one metric for every model.

Every language model of the course (02's unigram and bigram, 06's RNN, 07's LSTM, 11's GPT) reads
People's Daily as one stream of characters, lines joined by ``"\\n"``, over the same character
vocabulary, and is scored by **bits per character on the test split, over every character**:

    bpc = − (1/N) Σ_i log2 p(c_i | c_<i)            (= log2 of the per-character perplexity)

A character outside the vocabulary is predicted as ``<unk>`` and then named: its probability is
p(<unk> | c_<i) · p(c_i | <unk>), where p(c | <unk>) comes from the training set's own out-of-vocabulary
characters (``CharVocab.unk_bits``). That second factor is the same for every model; ``load_thread_data``
returns it per position (``unk_nats``) and every scorer adds it, so no model is flattered by ``<unk>``.

Neural models see at most ``CONTEXT`` characters of history: the test stream is cut into windows of
``CONTEXT + 1`` characters that overlap by one, and every character but the first is predicted exactly
once (``evaluation_windows``). The n-gram models are scored on exactly the same characters.

    >>> vocab, streams, unk_nats = load_thread_data()           # streams["test"]: (N,) int64 ids
    >>> bigram = BigramLM.fit(streams["train"], len(vocab)).tune(streams["val"])
    >>> bigram.bpc(streams["test"], unk_nats=unk_nats["test"])
"""
from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from forge_utils.training import cross_entropy_loss, fit

UNK_CHAR, LINE_END = "<unk>", "\n"
CONTEXT = 64  # the longest history any model of the thread is given, in characters
VOCAB_SIZE = 1000  # the thread's shared vocabulary: the 1,000 most frequent training characters (with <unk>, \n)
NEW_CHAR_CHOICES = 65_536  # a character never seen in training: any code point of Unicode's Basic Multilingual Plane


class CharVocab:
    """Characters ↔ ids: ``<unk>`` is id 0, the line end ``"\\n"`` id 1, then characters by frequency.

    ``unk_counts`` are the training characters left out of the vocabulary, with their counts: they
    price a character that a model can only call ``<unk>`` (``unk_bits``)."""

    def __init__(self, chars: Sequence[str], unk_counts: Mapping[str, int] | None = None) -> None:
        self.itos: list[str] = [UNK_CHAR, LINE_END] + [c for c in chars if c not in (UNK_CHAR, LINE_END)]
        self.stoi: dict[str, int] = {c: i for i, c in enumerate(self.itos)}
        if len(self.stoi) != len(self.itos):
            raise ValueError("CharVocab 收到了重复的字：chars 里每个字只能出现一次")
        self.unk_counts: Counter[str] = Counter({c: n for c, n in (unk_counts or {}).items() if c not in self.stoi})
        self.unk_total = self.unk_counts.total()  # T: out-of-vocabulary occurrences in training
        self.unk_once = max(1, sum(n == 1 for n in self.unk_counts.values()))  # n1 (at least 1)

    @classmethod
    def build(cls, lines: Iterable[Sequence[str]], size: int = VOCAB_SIZE) -> "CharVocab":
        """The ``size − 2`` most frequent characters of ``lines`` (ties: first seen first), plus ``<unk>``, ``\\n``."""
        if size < 3:
            raise ValueError(f"size 至少要是 3（<unk>、换行符，再加至少一个字），收到的是 {size}")
        counts: Counter[str] = Counter()
        for line in lines:
            counts.update(line)
        kept = [c for c, _ in counts.most_common(size - 2)]
        return cls(kept, counts)  # the characters not kept become unk_counts

    def __len__(self) -> int:
        return len(self.itos)

    def encode_lines(self, lines: Iterable[Sequence[str]]) -> torch.Tensor:
        """Lines of characters → one stream of ids (N,), every line followed by the line end."""
        unk, end = self.stoi[UNK_CHAR], self.stoi[LINE_END]
        ids: list[int] = []
        for line in lines:
            ids.extend(self.stoi.get(c, unk) for c in line)
            ids.append(end)
        return torch.tensor(ids, dtype=torch.long)

    def decode(self, ids: Iterable[int]) -> str:
        """Ids → text; ``<unk>`` shows as □."""
        return "".join("□" if i == 0 else self.itos[i] for i in (int(i) for i in ids))

    def unk_bits(self, char: str) -> float:
        """Bits it costs to name ``char`` after a model has said ``<unk>``: −log2 p(char | <unk>).

        Among the T out-of-vocabulary characters of the training text, a character seen n times gets
        p = n / (T + n1), where n1 counts those seen exactly once; the rest, n1 / (T + n1) (Good–Turing's
        estimate of how often a new character turns up), is shared evenly by ``NEW_CHAR_CHOICES`` code
        points, so a character never seen costs log2((T + n1) / n1) + 16 bits. 0 for a vocabulary character."""
        if char in self.stoi:
            return 0.0
        total, once = self.unk_total, self.unk_once
        if char in self.unk_counts:
            return math.log2((total + once) / self.unk_counts[char])
        return math.log2((total + once) / once) + math.log2(NEW_CHAR_CHOICES)

    def unk_nats(self, lines: Iterable[Sequence[str]]) -> torch.Tensor:
        """The naming cost of every position of ``encode_lines(lines)``, in nats (N,) float64: ``unk_bits`` · ln 2
        at an out-of-vocabulary character, 0 at a vocabulary character and at each line end."""
        cost: dict[str, float] = {}
        nats: list[float] = []
        for line in lines:
            for c in line:
                if c not in cost:
                    cost[c] = self.unk_bits(c) * math.log(2)
                nats.append(cost[c])
            nats.append(0.0)
        return torch.tensor(nats, dtype=torch.float64)

    def coverage(self, lines: Iterable[Sequence[str]]) -> float:
        """Share of the characters of ``lines`` that are in the vocabulary (not ``<unk>``)."""
        total = known = 0
        for line in lines:
            total += len(line)
            known += sum(c in self.stoi for c in line)
        return known / max(total, 1)


# --- the metric ------------------------------------------------------------------------------------


def bits_per_char(total_nats: float, n_chars: int) -> float:
    """Total negative log-likelihood in nats over ``n_chars`` characters → bits per character."""
    if n_chars <= 0:
        raise ValueError(f"n_chars 必须大于 0（要除以它），收到的是 {n_chars}")
    return total_nats / n_chars / math.log(2)


def perplexity_to_bpc(perplexity: float, tokens_per_char: float = 1.0) -> float:
    """A per-token perplexity → bits per character: log2(ppl) × tokens per character.

    A word model with perplexity 300 on text of 1.6 characters per word spends
    log2(300) / 1.6 ≈ 5.1 bits per character.
    """
    return math.log2(perplexity) * tokens_per_char


def evaluation_windows(stream: torch.Tensor, context: int = CONTEXT) -> tuple[torch.Tensor, torch.Tensor]:
    """Cut a stream (N,) into inputs and targets (W, context): window w reads
    ``stream[w·context : (w+1)·context]`` and predicts the same positions shifted by one.
    The tail that does not fill a window is dropped, so every model is scored on the same
    ``W · context`` characters: ``stream[1 : 1 + W·context]``."""
    n_windows = (len(stream) - 1) // context
    if n_windows < 1:
        raise ValueError(
            f"这条 id 流只有 {len(stream)} 个 id，不够一个窗口（{context + 1} 个 id）：请用更长的 id 流，或者更小的 context"
        )
    used = stream[: n_windows * context + 1]
    return used[:-1].view(n_windows, context), used[1:].view(n_windows, context)


def unk_charge(stream: torch.Tensor, unk_nats: torch.Tensor | None, positions: torch.Tensor) -> float:
    """Total nats of naming the ``<unk>`` characters among ``stream[positions]``: the part of every
    character's cost that no model of the thread can change (``CharVocab.unk_nats``).

    Without ``unk_nats`` a scored ``<unk>`` (id 0) would count as a character of its own, which flatters
    every model by a different amount: that is an error, not a silent 0."""
    if unk_nats is None:
        n_unk = int((stream[positions] == 0).sum())
        if n_unk:
            raise ValueError(f"要打分的字里有 {n_unk} 个是 <unk>（id 0）：请传入 unk_nats（load_thread_data 返回的"
                             "第三个值，或 vocab.unk_nats(lines)），这样每个字都算在内（字表外的字要付命名费用）")
        return 0.0
    if unk_nats.shape != stream.shape:
        raise ValueError(
            f"unk_nats 的形状是 {tuple(unk_nats.shape)}，id 流的形状却是 {tuple(stream.shape)}：每个 id 要有一个命名费用"
            "（用同一份数据的 unk_nats，比如 unk_nats['test'] 配 streams['test']）"
        )
    return float(unk_nats[positions].sum())


@torch.no_grad()
def nats_per_character(
    model: Callable[[torch.Tensor], torch.Tensor],
    stream: torch.Tensor,
    context: int = CONTEXT,
    batch_size: int = 256,
    device: torch.device | str = "cpu",
    *,
    unk_nats: torch.Tensor | None = None,
) -> torch.Tensor:
    """The cost in nats of every character ``evaluation_windows`` scores, ``stream[1 : 1 + W·context]``:
    (W·context,) float64, each ``<unk>`` charged its naming cost ``unk_nats`` (N,). For the figures of a
    subset of characters (say, the ones a model could copy from far back)."""
    module = model if isinstance(model, nn.Module) and model.training else None  # switched back below
    if module is not None:
        module.eval()
    inputs, targets = evaluation_windows(stream, context)
    positions = torch.arange(1, 1 + targets.numel())
    unk_charge(stream, unk_nats, positions)  # refuses an uncharged <unk>
    nats = torch.zeros(targets.numel(), dtype=torch.float64) if unk_nats is None else unk_nats[positions].clone()
    for start in range(0, len(inputs), batch_size):
        logits = model(inputs[start : start + batch_size].to(device))
        y = targets[start : start + batch_size].to(device)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="none")
        nats[start * context : start * context + y.numel()] += loss.double().cpu()
    if module is not None:
        module.train()
    return nats


def evaluate_bpc(
    model: Callable[[torch.Tensor], torch.Tensor],
    stream: torch.Tensor,
    context: int = CONTEXT,
    batch_size: int = 256,
    device: torch.device | str = "cpu",
    *,
    unk_nats: torch.Tensor | None = None,
) -> float:
    """Bits per character of a neural model, ``model(ids (B, T)) → logits (B, T, V)``, on the characters
    ``evaluation_windows`` scores, every ``<unk>`` charged its naming cost ``unk_nats`` (N,)."""
    nats = nats_per_character(model, stream, context, batch_size, device, unk_nats=unk_nats)
    return bits_per_char(float(nats.sum()), len(nats))


def repeat_distance(stream: torch.Tensor, context: int = CONTEXT) -> torch.Tensor:
    """For every character ``evaluation_windows`` scores (W·context,) int64: how many positions back the
    same character last occurred inside the history its window shows the model, or 0 if it does not occur
    there (and for ``<unk>``, which stands for many characters). A character with distance ≥ d can be
    copied only by a model that reads at least d characters back."""
    inputs, targets = evaluation_windows(stream, context)
    distance = torch.zeros(targets.numel(), dtype=torch.long)
    for w, (row_in, row_out) in enumerate(zip(inputs.tolist(), targets.tolist())):
        last: dict[int, int] = {}  # id -> its latest position in the window so far
        for j, (seen, target) in enumerate(zip(row_in, row_out)):
            last[seen] = j
            if target != 0 and target in last:
                distance[w * context + j] = j + 1 - last[target]
    return distance


CONTEXTS = (1, 2, 4, 8, 16, 32, 64)  # the histories of the context curve, in characters


@torch.no_grad()
def bpc_by_context(
    model: Callable[[torch.Tensor], torch.Tensor],
    stream: torch.Tensor,
    contexts: Sequence[int] = CONTEXTS,
    *,
    unk_nats: torch.Tensor | None = None,
    n_targets: int = 4096,
    batch_size: int = 256,
    device: torch.device | str = "cpu",
    min_history: int | None = None,
) -> dict[int, float]:
    """Bits per character when the model is shown only the last k characters, for each k of ``contexts``.

    The same ``n_targets`` characters, spread evenly over ``stream[min_history:]`` (default
    ``max(contexts)``), are predicted for every k, each from exactly the k characters before it:
    ``model(ids (B, k)) → logits (B, k, V)``, the last position predicts. A model that uses nothing but
    the previous character draws a flat line. Pass the same ``min_history`` to score a short context on
    the characters of a longer curve."""
    if not contexts or min(contexts) < 1:
        raise ValueError(f"contexts 应该是一组正整数长度，比如 (1, 2, 4, 8)，收到的是 {tuple(contexts)}")
    if min_history is not None and min_history < max(contexts):
        raise ValueError(
            f"min_history={min_history} 比最长的上下文 {max(contexts)} 还短：min_history 至少要等于 max(contexts)"
        )
    longest = max(contexts) if min_history is None else min_history
    if len(stream) <= longest:
        raise ValueError(
            f"这条 id 流只有 {len(stream)} 个 id，不够给出 {longest} 个字的历史：请用更长的 id 流，或者更短的 contexts（或 min_history）"
        )
    module = model if isinstance(model, nn.Module) and model.training else None
    if module is not None:
        module.eval()
    positions = torch.linspace(longest, len(stream) - 1, n_targets).round().long().unique()  # (n,)
    charge = unk_charge(stream, unk_nats, positions)
    curve = {}
    for k in contexts:
        total = charge
        for start in range(0, len(positions), batch_size):
            at = positions[start : start + batch_size]
            x = stream[at[:, None] - k + torch.arange(k)].to(device)  # (b, k): the k characters before each target
            logits = model(x)[:, -1]
            total += F.cross_entropy(logits, stream[at].to(device), reduction="sum").item()
        curve[k] = bits_per_char(total, len(positions))
    if module is not None:
        module.train()
    return curve


# --- counting models (chapter 02) ------------------------------------------------------------------


def unigram_probs(stream: torch.Tensor, vocab_size: int, add: float = 1.0) -> np.ndarray:
    """Add-``add`` smoothed character frequencies (V,) of a training stream."""
    counts = np.bincount(stream.numpy(), minlength=vocab_size).astype(np.float64) + add
    return counts / counts.sum()


class BigramLM:
    """Interpolated bigram: p(c | b) = λ · count(b, c) / count(b) + (1 − λ) · p_unigram(c).

    With λ = 1 it is the unsmoothed maximum-likelihood bigram, which gives probability 0 (infinite
    bits) to every pair never seen in training. λ is chosen on the validation split by ``tune``.
    """

    def __init__(self, pair_counts: np.ndarray, unigram: np.ndarray, lam: float = 0.9) -> None:
        self.pair_counts = pair_counts  # (V, V): pair_counts[b, c] = how often c followed b
        self.row_totals = pair_counts.sum(axis=1)  # (V,)
        self.unigram = unigram  # (V,)
        self.lam = lam

    @classmethod
    def fit(cls, stream: torch.Tensor, vocab_size: int, lam: float = 0.9) -> "BigramLM":
        ids = stream.numpy()
        pairs = np.bincount(ids[:-1] * vocab_size + ids[1:], minlength=vocab_size * vocab_size)
        return cls(pairs.reshape(vocab_size, vocab_size).astype(np.float64), unigram_probs(stream, vocab_size), lam)

    def probs(self, previous: np.ndarray, current: np.ndarray) -> np.ndarray:
        """p(current | previous) for arrays of ids (N,) → (N,)."""
        totals = self.row_totals[previous]
        seen = np.divide(self.pair_counts[previous, current], totals, out=np.zeros(len(previous)), where=totals > 0)
        lam = np.where(totals > 0, self.lam, 0.0)  # a never-seen previous character: unigram alone
        return lam * seen + (1 - lam) * self.unigram[current]

    def bpc(self, stream: torch.Tensor, context: int = CONTEXT, *, unk_nats: torch.Tensor | None = None) -> float:
        """Bits per character on exactly the characters ``evaluate_bpc`` scores (``evaluation_windows``),
        every ``<unk>`` charged its naming cost ``unk_nats`` (N,)."""
        inputs, targets = evaluation_windows(stream, context)
        charge = unk_charge(stream, unk_nats, torch.arange(1, 1 + targets.numel()))
        p = self.probs(inputs.reshape(-1).numpy(), targets.reshape(-1).numpy())
        with np.errstate(divide="ignore"):
            return float(-np.log(p).sum() + charge) / targets.numel() / math.log(2)

    def tune(self, val_stream: torch.Tensor, grid: Sequence[float] = tuple(np.linspace(0.05, 0.95, 19))) -> "BigramLM":
        """Set λ to the grid value with the lowest validation bits per character; returns self. (The cost of
        naming ``<unk>`` characters is the same for every λ, so it is left out of the choice.)"""
        no_charge = torch.zeros(len(val_stream), dtype=torch.float64)
        scores = {}
        for lam in grid:
            self.lam = float(lam)
            scores[float(lam)] = self.bpc(val_stream, unk_nats=no_charge)
        self.lam = min(scores, key=scores.__getitem__)
        return self

    def logits(self, previous: torch.Tensor) -> torch.Tensor:
        """Log-probabilities of the next character given the last one: ids (...,) → (..., V)."""
        prev = previous.cpu().numpy().reshape(-1)
        totals = self.row_totals[prev][:, None]
        seen = np.divide(self.pair_counts[prev], totals, out=np.zeros((len(prev), len(self.unigram))), where=totals > 0)
        lam = np.where(totals > 0, self.lam, 0.0)
        p = lam * seen + (1 - lam) * self.unigram[None, :]
        return torch.from_numpy(np.log(p)).float().view(*previous.shape, -1)

    def __call__(self, ids: torch.Tensor) -> torch.Tensor:
        """The neural models' interface: ids (B, T) → logits (B, T, V); only the last character counts."""
        return self.logits(ids).to(ids.device)


# --- training neural language models (chapters 06, 07, 11) -----------------------------------------


def random_windows(
    stream: torch.Tensor, batch_size: int, context: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch of random training windows: inputs and next-character targets, both (B, context)."""
    starts = torch.randint(0, len(stream) - context - 1, (batch_size,), generator=generator)
    idx = starts[:, None] + torch.arange(context + 1)
    window = stream[idx]
    return window[:, :-1], window[:, 1:]


def unigram_output_bias(linear: nn.Linear, stream: torch.Tensor) -> None:
    """Start the output layer at the unigram model: bias = log p(c), so step 0 already scores the
    unigram's bits per character instead of log2 V."""
    with torch.no_grad():
        linear.bias.copy_(torch.from_numpy(np.log(unigram_probs(stream, linear.out_features))).float())


def warmup_cosine(step: int, total: int, warmup: int) -> float:
    """Learning-rate multiplier: linear warm-up over ``warmup`` steps, then cosine decay to 0."""
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def train_lm(
    model: nn.Module,
    stream: torch.Tensor,
    steps: int,
    *,
    batch_size: int = 64,
    context: int = CONTEXT,
    lr: float = 1e-2,
    warmup: int = 50,
    weight_decay: float = 0.01,
    clip: float = 1.0,
    seed: int = 0,
    device: torch.device | str = "cpu",
    eval_stream: torch.Tensor | None = None,
    eval_unk_nats: torch.Tensor | None = None,
    eval_every: int = 0,
    progress: bool = True,
    stop_after: int | None = None,
) -> list[dict[str, float]]:
    """Train ``model(ids (B, T)) → logits (B, T, V)`` on random windows of ``stream`` with AdamW,
    warm-up and cosine decay, gradient clipping (the loop is ``forge_utils.training.fit``). Returns the
    history: one dict per logged step with ``step``, ``seconds`` (wall time so far), ``chars`` (characters
    seen), ``loss`` (train, nats) and, every ``eval_every`` steps when ``eval_stream`` is given, ``bpc`` on it
    (``<unk>`` charged ``eval_unk_nats``, as in ``evaluate_bpc``).

    ``stop_after`` trains only the first ``stop_after`` steps of the ``steps``-step schedule: the start of
    the full run, step for step (a notebook retraces the start of a run the long-run tier finished)."""
    run_steps = steps if stop_after is None else stop_after
    if isinstance(run_steps, bool) or not isinstance(run_steps, int) or not 0 <= run_steps <= steps:
        raise ValueError(f"stop_after 必须是 0 到 steps（{steps}）之间的整数，收到的是 {stop_after!r}")
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: warmup_cosine(s, steps, warmup))
    windows = (random_windows(stream, batch_size, context, generator) for _ in range(run_steps))  # one per step
    on_device = ((x.to(device), y.to(device)) for x, y in windows)
    history: list[dict[str, float]] = []
    start = time.perf_counter()

    def log(step: int, loss: torch.Tensor) -> None:
        last = step == run_steps
        if eval_stream is not None and eval_every and (step % eval_every == 0 or last):
            row = {"step": step, "loss": loss.item(), "bpc": evaluate_bpc(model, eval_stream, context, device=device,
                                                                     unk_nats=eval_unk_nats)}
        elif (step - 1) % 10 == 0 or last:
            row = {"step": step, "loss": loss.item()}
        else:
            return
        row["seconds"] = time.perf_counter() - start
        row["chars"] = float(step * batch_size * context)
        history.append(row)

    fit(model, on_device, cross_entropy_loss, optimizer, run_steps, schedule=schedule, clip=clip, progress=progress,
        on_step=log)
    model.eval()
    return history


def sample(
    model: Callable[[torch.Tensor], torch.Tensor],
    vocab: CharVocab,
    prompt: str,
    length: int = 60,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    context: int = CONTEXT,
    seed: int = 0,
    device: torch.device | str = "cpu",
) -> str:
    """文字接龙: extend ``prompt`` by ``length`` characters, one at a time, each drawn from
    softmax(logits / temperature) restricted to the ``top_k`` most likely (``None``: no limit; ``top_k`` < 1
    is a ``ValueError``). Stops at a line end.
    ``<unk>`` (id 0) is never drawn: it is not a character one could print."""
    if temperature <= 0:
        raise ValueError(f"temperature 必须大于 0，收到的是 {temperature}（想几乎总选最可能的字，就用 0.1 这样的小值）")
    if top_k is not None and top_k < 1:
        raise ValueError(f"top_k 必须是 ≥ 1 的整数（只在最可能的 top_k 个字里抽），收到的是 {top_k!r}；不想限制就传 top_k=None（不是 0）")
    generator = torch.Generator().manual_seed(seed)
    ids = vocab.encode_lines([prompt])[:-1].tolist()  # drop the line end the encoder appends
    if not ids:
        ids = [vocab.stoi[LINE_END]]  # an empty prompt starts a new line
    out = []
    for _ in range(length):
        x = torch.tensor([ids[-context:]], device=device)
        logits = model(x)[0, -1].float().cpu() / temperature
        logits[vocab.stoi[UNK_CHAR]] = float("-inf")
        if top_k is not None:
            kth = torch.topk(logits, min(top_k, len(logits))).values[-1]
            logits = logits.masked_fill(logits < kth, float("-inf"))
        nxt = int(torch.multinomial(F.softmax(logits, dim=-1), 1, generator=generator))
        if nxt == vocab.stoi[LINE_END]:
            break
        ids.append(nxt)
        out.append(nxt)
    return prompt + vocab.decode(out)


def load_thread_data(
    size: int = VOCAB_SIZE,
) -> tuple[CharVocab, dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """The thread's vocabulary (built on the train split), the three splits as id streams (N,) int64 and,
    for each split, the cost of naming its ``<unk>`` characters (N,) float64 nats (``CharVocab.unk_nats``)."""
    from forge_utils.data import SPLITS, load_peoples_daily

    lines = {split: load_peoples_daily(split, "char") for split in SPLITS}
    vocab = CharVocab.build(lines["train"], size)
    streams = {split: vocab.encode_lines(lines[split]) for split in SPLITS}
    return vocab, streams, {split: vocab.unk_nats(lines[split]) for split in SPLITS}
