"""Word vectors: look them up, compare them, and train them with Word2Vec (notebook 03).

    >>> wv = WordVectors(matrix, vocab)            # matrix (V, d), one row per vocab word
    >>> wv.most_similar("king", k=3)               # [('queen', 0.71), ...]
    >>> wv.analogy("man", "king", "woman")         # man : king :: woman : ?

    >>> corpus = encode_corpus(sentences, vocab)   # flat token ids + sentence index
    >>> model, losses = train_sgns(corpus, dim=50, epochs=5)

Models, with the lecture's shapes (V = vocab_size, d = embedding_dim):
``SkipGram`` and ``CBOW`` use the full softmax with an input matrix ``[V, d]`` and an output
matrix ``[d, V]``; ``SkipGramNS`` (skip-gram with negative sampling, SGNS) keeps its output
matrix as rows ``[V, d]`` (its transpose is the lecture's ``[d, V]``) because it only ever
reads the few rows of the context word and the negatives.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from forge_utils.text import Vocab

if TYPE_CHECKING:
    from gensim.models import KeyedVectors
    from numpy.typing import ArrayLike

# --------------------------------------------------------------------------- similarity


def _as_matrix(x: ArrayLike | torch.Tensor, what: str) -> torch.Tensor:
    tensor = torch.as_tensor(np.asarray(x) if not torch.is_tensor(x) else x).float()
    if tensor.ndim == 1:
        tensor = tensor.unsqueeze(0)
    if tensor.ndim != 2:
        raise ValueError(f"{what} 应该是一个向量 (d,) 或一个矩阵 (n, d)，收到的形状是 {tuple(tensor.shape)}")
    if tensor.shape[0] == 0 or tensor.shape[1] == 0:
        raise ValueError(f"{what} 是空的（形状 {tuple(tensor.shape)}）：请至少传入一个长度 ≥ 1 的向量")
    return tensor


def cosine_similarity(a: ArrayLike | torch.Tensor, b: ArrayLike | torch.Tensor) -> torch.Tensor:
    """Cosine of every row of ``a`` with every row of ``b``: ``(n, d), (m, d) → (n, m)``.

    A 1-D input counts as one row, and that axis is dropped from the result
    (``(d,), (m, d) → (m,)``; ``(d,), (d,) → ()``). All-zero rows get similarity 0, not NaN.
    """
    x = _as_matrix(a, "a")
    y = _as_matrix(b, "b").to(x.device)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"a 的向量长度是 {x.shape[1]}，b 的却是 {y.shape[1]}：两者必须相同")
    sims = F.normalize(x, dim=1) @ F.normalize(y, dim=1).T  # (n, m)
    if np.ndim(a) == 1:
        sims = sims.squeeze(0)
    if np.ndim(b) == 1:
        sims = sims.squeeze(-1)
    return sims


class WordVectors:
    """A matrix of word vectors ``(V, d)`` with its vocabulary: neighbours, similarity, analogies.

    ``vocab`` is a ``forge_utils.text.Vocab`` or a list of words (row ``i`` belongs to word ``i``).
    Special tokens (``<pad>``, ``<unk>``, ...) are never returned as neighbours.
    """

    def __init__(self, vectors: ArrayLike | torch.Tensor, vocab: Vocab | Sequence[str]) -> None:
        self.vectors = _as_matrix(vectors, "vectors")
        if isinstance(vocab, Vocab):
            self.words, self.specials = list(vocab.itos), set(vocab.specials)
        elif isinstance(vocab, str):
            raise TypeError("vocab 应该是 Vocab 或词的列表，收到的却是一个 str")
        else:
            self.words, self.specials = list(vocab), set()
        if torch.as_tensor(vectors).ndim != 2 or len(self.words) != self.vectors.shape[0]:
            raise ValueError(
                f"vectors 的形状是 {tuple(torch.as_tensor(vectors).shape)}，但词表有 {len(self.words)} 个词："
                "请传入一个 (V, d) 矩阵，词表里每个条目一行（按词表的顺序）"
            )
        self.index = {word: i for i, word in enumerate(self.words)}
        self._unit = F.normalize(self.vectors, dim=1)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    def _id(self, word: str) -> int:
        if not isinstance(word, str):
            raise TypeError(f"要的是一个词（str），收到的却是 {type(word).__name__}")
        if word not in self.index or word in self.specials:
            lower = "；试试小写的 " + repr(word.lower()) if word.lower() in self.index else ""
            raise KeyError(
                f"{word!r} 不在词表里（词表共 {len(self.words)} 个词）{lower}。"
                "请检查拼写和分词，或者先用 `word in vectors` 判断一下。"
            )
        return self.index[word]

    def __getitem__(self, word: str) -> torch.Tensor:
        """The vector ``(d,)`` of ``word``."""
        return self.vectors[self._id(word)]

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two words."""
        return float(self._unit[self._id(a)] @ self._unit[self._id(b)])

    def _top(self, query: torch.Tensor, k: int, exclude: Iterable[int]) -> list[tuple[str, float]]:
        if k < 1:
            raise ValueError(f"k 至少要是 1，收到的是 {k}")
        sims = self._unit @ F.normalize(query, dim=0)
        for i in set(exclude) | {self.index[s] for s in self.specials if s in self.index}:
            sims[i] = -math.inf
        k = min(k, int(torch.isfinite(sims).sum()))
        values, ids = sims.topk(k)
        return [(self.words[i], float(v)) for v, i in zip(values.tolist(), ids.tolist())]

    def most_similar(self, word: str, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` words with the highest cosine to ``word`` (itself excluded), best first."""
        i = self._id(word)
        return self._top(self.vectors[i], k, [i])

    def analogy(self, a: str, b: str, c: str, k: int = 1) -> list[tuple[str, float]]:
        """``a : b :: c : ?`` by 3CosAdd: nearest to unit(b) − unit(a) + unit(c), excluding a, b, c.

        ``analogy("man", "king", "woman")`` → ``[('queen', ...)]`` on good vectors.
        """
        ids = [self._id(w) for w in (a, b, c)]
        query = self._unit[ids[1]] - self._unit[ids[0]] + self._unit[ids[2]]
        return self._top(query, k, ids)

    def to_gensim(self) -> KeyedVectors:
        """The same vectors as a gensim ``KeyedVectors`` (for gensim's evaluators)."""
        from gensim.models import KeyedVectors

        keep = [i for i, w in enumerate(self.words) if w not in self.specials]
        kv = KeyedVectors(vector_size=self.vectors.shape[1])
        kv.add_vectors([self.words[i] for i in keep], self.vectors[keep].cpu().numpy())
        return kv


# --------------------------------------------------------------------------- full-softmax models


class SkipGram(nn.Module):
    """Skip-gram with the full softmax: a centre word predicts each of its context words.

    ``W_in``  ``[V, d]``: row ``c`` is the centre vector v_c (the word vectors we keep).
    ``W_out`` ``[d, V]``: column ``o`` is the context vector u_o.
    ``forward(center)``: ``center (B,)`` → logits ``(B, V)`` = ``W_in[center] @ W_out``;
    ``softmax(logits)[b, o]`` is P(w_o | w_c).
    """

    def __init__(self, vocab_size: int, embedding_dim: int) -> None:
        super().__init__()
        self.W_in = nn.Parameter(torch.randn(vocab_size, embedding_dim) * 0.1)
        self.W_out = nn.Parameter(torch.randn(embedding_dim, vocab_size) * 0.1)

    def forward(self, center: torch.Tensor) -> torch.Tensor:
        if center.ndim != 1:
            raise ValueError(f"center 应该是形状为 (B,) 的词 id，收到的形状是 {tuple(center.shape)}")
        return self.W_in[center] @ self.W_out


class CBOW(nn.Module):
    """CBOW (continuous bag of words) with the full softmax: the context predicts the centre word.

    ``W_in`` ``[V, d]``, ``W_out`` ``[d, V]`` as in ``SkipGram``.
    ``forward(context)``: ``context (B, C)`` ids of the C context words → logits ``(B, V)``:
    the mean of their rows of ``W_in`` ``(B, d)`` times ``W_out``.
    """

    def __init__(self, vocab_size: int, embedding_dim: int) -> None:
        super().__init__()
        self.W_in = nn.Parameter(torch.randn(vocab_size, embedding_dim) * 0.1)
        self.W_out = nn.Parameter(torch.randn(embedding_dim, vocab_size) * 0.1)

    def forward(self, context: torch.Tensor) -> torch.Tensor:
        if context.ndim != 2:
            raise ValueError(f"context 应该是形状为 (B, C) 的词 id，收到的形状是 {tuple(context.shape)}")
        return self.W_in[context].mean(dim=1) @ self.W_out


# --------------------------------------------------------------------------- negative sampling


class SkipGramNS(nn.Module):
    """Skip-gram with negative sampling (SGNS).

    ``in_embed.weight``  ``[V, d]``: centre vectors v (the word vectors we keep).
    ``out_embed.weight`` ``[V, d]``: context vectors u, stored as rows (``.T`` is the ``[d, V]`` matrix).
    Initialised like word2vec: v uniform in ±0.5/d, u = 0.
    ``forward(center (B,), context (B,), negatives (B, K))`` → summed loss
    ``−Σ_b [log σ(u_o·v_c) + Σ_k log σ(−u_k·v_c)]``; a negative equal to the context word is skipped.
    """

    def __init__(self, vocab_size: int, embedding_dim: int, sparse: bool = True) -> None:
        super().__init__()
        self.in_embed = nn.Embedding(vocab_size, embedding_dim, sparse=sparse)
        self.out_embed = nn.Embedding(vocab_size, embedding_dim, sparse=sparse)
        with torch.no_grad():
            self.in_embed.weight.uniform_(-0.5 / embedding_dim, 0.5 / embedding_dim)
            self.out_embed.weight.zero_()

    def forward(self, center: torch.Tensor, context: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
        if center.ndim != 1 or context.shape != center.shape or negatives.ndim != 2 or len(negatives) != len(center):
            raise ValueError(
                "SkipGramNS 要的是 center (B,)、context (B,)、negatives (B, K)，收到的是 "
                f"{tuple(center.shape)}、{tuple(context.shape)}、{tuple(negatives.shape)}"
            )
        v = self.in_embed(center)  # (B, d)
        pos = (self.out_embed(context) * v).sum(-1)  # (B,)
        neg = torch.bmm(self.out_embed(negatives), v.unsqueeze(-1)).squeeze(-1)  # (B, K)
        keep = (negatives != context.unsqueeze(1)).float()
        return -(F.logsigmoid(pos).sum() + (F.logsigmoid(-neg) * keep).sum())

    @property
    def vectors(self) -> torch.Tensor:
        """The word vectors ``(V, d)`` (the input matrix), detached."""
        return self.in_embed.weight.detach()


def noise_distribution(counts: ArrayLike | torch.Tensor, power: float = 0.75) -> torch.Tensor:
    """Negative-sampling noise P_n(w) ∝ count(w)^power: ``(V,)`` counts → ``(V,)`` probabilities."""
    counts = torch.as_tensor(counts, dtype=torch.float64)
    if counts.ndim != 1 or counts.numel() == 0:
        raise ValueError(f"counts 应该是非空的一维词频列表，收到的形状是 {tuple(counts.shape)}")
    if (counts < 0).any() or counts.sum() <= 0:
        raise ValueError("counts 必须都 ≥ 0，并且至少有一个正的计数")
    weights = counts**power
    return (weights / weights.sum()).float()


def keep_probabilities(counts: ArrayLike | torch.Tensor, sample: float = 1e-3) -> torch.Tensor:
    """Frequent-word subsampling, word2vec's formula: ``(V,)`` counts → ``(V,)`` keep probabilities.

    With f = count / total and t = ``sample``: keep = (√(f/t) + 1) · t/f, capped at 1.
    Words rarer than about t are always kept; "the" (f ≈ 0.06) is kept ≈ 14 % of the time at t = 1e-3.
    ``sample=0`` turns subsampling off (all ones).
    """
    counts = torch.as_tensor(counts, dtype=torch.float64)
    if counts.ndim != 1 or counts.numel() == 0:
        raise ValueError(f"counts 应该是非空的一维词频列表，收到的形状是 {tuple(counts.shape)}")
    if sample < 0:
        raise ValueError(f"sample 必须 ≥ 0（0 表示不做二次采样），收到的是 {sample}")
    if sample == 0:
        return torch.ones_like(counts, dtype=torch.float32)
    f = counts / counts.sum()
    keep = (torch.sqrt(f / sample) + 1) * sample / f.clamp_min(1e-30)
    return keep.clamp(max=1.0).float()


def unigram_table(probs: torch.Tensor, size: int = 1_000_000) -> torch.Tensor:
    """word2vec's sampling table: ``size`` word ids, word w filling ≈ probs[w]·size slots.

    Drawing a uniform slot then samples from ``probs (V,)`` in O(1) (words with
    probs < 1/size may get no slot, as in word2vec). → ``(size,)`` long.
    """
    probs = torch.as_tensor(probs, dtype=torch.float64)
    if probs.ndim != 1 or probs.numel() == 0 or probs.sum() <= 0:
        raise ValueError("probs 应该是非空的一维张量，里面是非负的概率")
    cdf = torch.cumsum(probs / probs.sum(), 0)
    slots = (torch.arange(size, dtype=torch.float64) + 0.5) / size
    return torch.searchsorted(cdf, slots).clamp_(max=len(probs) - 1)


@dataclass
class Corpus:
    """A tokenized corpus as flat tensors: ``tokens (N,)`` word ids, ``sentence (N,)`` sentence index,
    and ``counts (V,)`` of each vocabulary word; ``vocab`` maps ids to words."""

    tokens: torch.Tensor
    sentence: torch.Tensor
    counts: torch.Tensor
    vocab: Vocab

    def __len__(self) -> int:
        return len(self.tokens)


def encode_corpus(sentences: Iterable[Sequence[str]], vocab: Vocab) -> Corpus:
    """Tokenized sentences → ``Corpus``; words not in ``vocab`` are dropped (as gensim does with
    words under ``min_count``), so the window spans the words that remain."""
    tokens, sentence = [], []
    for s, words in enumerate(sentences):
        if isinstance(words, str):
            raise TypeError("encode_corpus 要的是分好词的句子（词的列表），收到的却是一个 str：请先分词")
        ids = [vocab.stoi[w] for w in words if w in vocab.stoi and w not in vocab.specials]
        tokens.extend(ids)
        sentence.extend([s] * len(ids))
    if not tokens:
        raise ValueError("去掉词表外的词之后，语料是空的：请检查句子和 min_freq")
    tokens_t = torch.tensor(tokens, dtype=torch.long)
    counts = torch.bincount(tokens_t, minlength=len(vocab))
    return Corpus(tokens_t, torch.tensor(sentence, dtype=torch.long), counts, vocab)


def skipgram_pairs(
    tokens: torch.Tensor,
    sentence: torch.Tensor,
    window: int,
    keep: torch.Tensor | None = None,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """All (centre, context) pairs of one epoch, vectorized: → ``centers (P,)``, ``contexts (P,)``.

    Like word2vec: tokens are first subsampled with probabilities ``keep (V,)`` (if given), then
    each centre uses a random window b ∈ {1..window} and pairs with the words at distance ≤ b
    inside its own sentence. Pairs are in corpus order (shuffle them before training).
    """
    if window < 1:
        raise ValueError(f"window 必须 ≥ 1，收到的是 {window}")
    if tokens.shape != sentence.shape or tokens.ndim != 1:
        raise ValueError(f"tokens 和 sentence 的形状都应该是 (N,)，收到的是 {tuple(tokens.shape)} 和 {tuple(sentence.shape)}")
    device = tokens.device
    if keep is not None:
        mask = torch.rand(len(tokens), generator=generator, device=device) < keep[tokens]
        tokens, sentence = tokens[mask], sentence[mask]
    reduced = torch.randint(1, window + 1, (len(tokens),), generator=generator, device=device)
    centers, contexts = [], []
    for offset in range(1, min(window, len(tokens) - 1) + 1):
        same = sentence[:-offset] == sentence[offset:]
        left, right = tokens[:-offset], tokens[offset:]
        forward = same & (reduced[:-offset] >= offset)  # centre on the left, context `offset` to its right
        backward = same & (reduced[offset:] >= offset)  # centre on the right
        centers += [left[forward], right[backward]]
        contexts += [right[forward], left[backward]]
    if not centers:
        empty = torch.empty(0, dtype=torch.long, device=device)
        return empty, empty
    return torch.cat(centers), torch.cat(contexts)


@torch.no_grad()
def sgns_step(
    W_in: torch.Tensor,
    W_out: torch.Tensor,
    center: torch.Tensor,
    context: torch.Tensor,
    negatives: torch.Tensor,
    lr: float,
    with_loss: bool = True,
) -> torch.Tensor | None:
    """One SGD step of SGNS on a batch, gradients by hand, in place; returns the batch's mean loss
    (computed before the step; ``with_loss=False`` skips it and returns ``None``).

    ``W_in, W_out (V, d)``; ``center, context (B,)``; ``negatives (B, K)``. With s = u·v the score
    and y = 1 for the context word, 0 for a negative, ∂loss/∂s = σ(s) − y, so
    ∂loss/∂v_c = Σ (σ(s) − y) u and ∂loss/∂u = (σ(s) − y) v_c. Only the B·(K+2) rows the batch
    touches are read and written (``scatter_add_``), which is what makes SGNS fast on CPU and GPU.
    Equal to ``torch.optim.SGD(lr)`` on ``SkipGramNS``'s summed loss (checked in the tests).
    """
    B, d = len(center), W_in.shape[1]
    ids = torch.cat([context.unsqueeze(1), negatives], dim=1).reshape(-1)  # (B·(1+K),)
    v = W_in.index_select(0, center)  # (B, d)
    u = W_out.index_select(0, ids).view(B, -1, d)  # (B, 1+K, d)
    scores = (u * v.unsqueeze(1)).sum(-1)  # (B, 1+K): u·v for the context word and each negative
    kept = torch.ones_like(scores)
    kept[:, 1:] = (negatives != context.unsqueeze(1)).float()  # word2vec skips a negative equal to the context
    g = torch.sigmoid(scores)
    g[:, 0] -= 1.0  # ∂loss/∂s = σ(s) − y
    g *= kept * -lr  # the step is −lr · gradient
    step_v = (g.unsqueeze(-1) * u).sum(1)  # (B, d)
    step_u = (g.unsqueeze(-1) * v.unsqueeze(1)).view(-1, d)  # (B·(1+K), d)
    # scatter_add_ (not W[ids] += ...) so that a row that appears twice gets both updates
    W_in.scatter_add_(0, center.unsqueeze(1).expand(-1, d), step_v)
    W_out.scatter_add_(0, ids.unsqueeze(1).expand(-1, d), step_u)
    if not with_loss:
        return None
    # loss = −log σ(s) for the context word and −log σ(−s) for each kept negative
    signs = torch.ones_like(scores)
    signs[:, 1:] = -1
    return -(F.logsigmoid(signs * scores) * kept).sum() / B


def train_sgns(
    corpus: Corpus,
    dim: int = 50,
    window: int = 5,
    negative: int = 5,
    epochs: int = 5,
    lr: float = 0.025,
    min_lr: float = 1e-4,
    sample: float = 1e-3,
    batch_size: int = 1024,
    seed: int = 0,
    device: torch.device | str | None = None,
    progress: bool = True,
) -> tuple[SkipGramNS, list[float]]:
    """Train SGNS on ``corpus`` the way word2vec does, in vectorized batches.

    Per epoch: subsample frequent words, build all (centre, context) pairs with a random window
    (``skipgram_pairs``), shuffle, and take SGD steps of ``batch_size`` pairs with ``negative``
    noise words each, drawn from unigram^0.75; the learning rate falls linearly from ``lr`` to
    ``min_lr``. A word that appears n times in a batch gets the sum of its n updates at once
    (word2vec applies them one after another), so keep ``batch_size`` well below the vocabulary
    size: on a 12-word toy corpus use ≈16, on thousands of words ≈1024.

    Returns the trained ``SkipGramNS`` (on ``device``) and a loss curve: the mean loss per pair,
    measured on every 10th batch and averaged over each ≈1 % of training. Runs unchanged on CPU
    and CUDA.
    """
    if len(corpus) < 2:
        raise ValueError("语料至少要有两个词元，才能组成一个（中心词，上下文词）对")
    if min(dim, negative, epochs, batch_size) < 1 or lr <= 0:
        raise ValueError("dim、negative、epochs 和 batch_size 都必须 ≥ 1，lr 必须 > 0")
    device = torch.device(device) if device is not None else corpus.tokens.device
    generator = torch.Generator(device=device).manual_seed(seed)
    torch.manual_seed(seed)
    V = len(corpus.counts)
    model = SkipGramNS(V, dim).to(device)
    W_in, W_out = model.in_embed.weight.data, model.out_embed.weight.data
    noise_table = unigram_table(noise_distribution(corpus.counts)).to(device)
    keep = keep_probabilities(corpus.counts, sample).to(device)
    tokens, sentence = corpus.tokens.to(device), corpus.sentence.to(device)

    # the number of pairs per epoch is random (subsampling, windows): estimate it for the lr schedule
    expected = int(len(skipgram_pairs(tokens, sentence, window, keep, generator)[0]) * epochs)
    done, step, losses, running = 0, 0, [], []
    log_every = max(10, expected // batch_size // 100)  # ≈100 points on the curve
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs, desc="SGNS 训练轮次", leave=False)
    for _ in range(epochs):
        centers, contexts = skipgram_pairs(tokens, sentence, window, keep, generator)
        order = torch.randperm(len(centers), generator=generator, device=device)
        centers, contexts = centers[order], contexts[order]
        for start in range(0, len(centers), batch_size):
            c, o = centers[start : start + batch_size], contexts[start : start + batch_size]
            slots = torch.randint(len(noise_table), (len(c), negative), generator=generator, device=device)
            negatives = noise_table.index_select(0, slots.view(-1)).view(len(c), negative)
            step_lr = max(min_lr, lr - (lr - min_lr) * done / expected)
            step += 1
            loss = sgns_step(W_in, W_out, c, o, negatives, step_lr, with_loss=step % 10 == 1)
            if loss is not None:  # the loss of every 10th batch is enough for the curve
                running.append(loss)
            done += len(c)
            if step % log_every == 0:
                losses.append(float(torch.stack(running).mean()))
                running = []
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    if running:
        losses.append(float(torch.stack(running).mean()))
    return model, losses


def train_gensim_word2vec(
    sentences: Sequence[Sequence[str]],
    sg: int,
    seed: int,
    dim: int = 50,
    window: int = 5,
    negative: int = 5,
    epochs: int = 5,
    sample: float = 1e-3,
    min_count: int = 5,
) -> WordVectors:
    """gensim's ``Word2Vec`` (``sg=1`` skip-gram, ``sg=0`` CBOW) as ``WordVectors``.

    Starting learning rates are word2vec's defaults (skip-gram 0.025, CBOW 0.05); both fall to 1e-4
    (gensim's min_alpha). One worker thread: with more, gensim's result changes from run to run; with
    one, a seed gives the same vectors every time, so a notebook's run can be checked against a
    benchmark's.
    """
    from gensim.models import Word2Vec

    if sg not in (0, 1):
        raise ValueError(f"sg 必须是 1（skip-gram）或 0（CBOW），收到的是 {sg!r}")
    model = Word2Vec(sentences, vector_size=dim, window=window, min_count=min_count, sg=sg, negative=negative,
                     epochs=epochs, sample=sample, alpha=0.025 if sg else 0.05, min_alpha=1e-4, seed=seed, workers=1)
    return WordVectors(model.wv.vectors, model.wv.index_to_key)


# --------------------------------------------------------------------------- Chinese word tests


@dataclass
class WordTests:
    """A word-vector test set: ``analogies`` maps a section name to its word pairs (a, b);
    ``groups`` maps a group name to words of one kind."""

    analogies: dict[str, list[tuple[str, str]]]
    groups: dict[str, list[str]]


def parse_word_tests(lines: Iterable[str]) -> WordTests:
    """Parse the ``data/zh_word_tests.txt`` format: ``[analogy NAME]`` then one pair a line,
    ``[group NAME]`` then words; ``#`` lines and blank lines are skipped."""
    analogies: dict[str, list[tuple[str, str]]] = {}
    groups: dict[str, list[str]] = {}
    current: list | None = None
    kind = ""
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            kind, _, name = line[1:-1].partition(" ")
            if kind not in ("analogy", "group") or not name.strip():
                raise ValueError(f"第 {number} 行：应该是 '[analogy NAME]' 或 '[group NAME]'，收到的是 {line!r}")
            if kind == "analogy":
                current = analogies.setdefault(name.strip(), [])
            else:
                current = groups.setdefault(name.strip(), [])
            continue
        if current is None:
            raise ValueError(f"第 {number} 行：在任何 '[analogy NAME]' 或 '[group NAME]' 标题之前就出现了词")
        words = line.split()
        if kind == "analogy":
            if len(words) != 2:
                raise ValueError(f"第 {number} 行：类比行只能有一对词 'a b'，收到的是 {line!r}")
            current.append((words[0], words[1]))
        else:
            current.extend(words)
    if not analogies and not groups:
        raise ValueError("没有找到任何 '[analogy NAME]' 或 '[group NAME]' 小节")
    return WordTests(analogies, groups)


def analogy_questions(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """Every ordered choice of two different pairs (a, b), (c, d) → the question ``(a, b, c, d)``,
    read a : b :: c : ? with answer d. n pairs give n·(n − 1) questions."""
    return [(a, b, c, d) for i, (a, b) in enumerate(pairs) for j, (c, d) in enumerate(pairs) if i != j]


def analogy_accuracy(vectors: WordVectors, questions: Sequence[tuple[str, str, str, str]]) -> tuple[float, int]:
    """Share of the questions whose 3CosAdd answer (``WordVectors.analogy``) is d, over the questions whose
    four words are all in the vocabulary → ``(accuracy, number of questions covered)``; (nan, 0) if none."""
    covered = [q for q in questions if all(w in vectors and w not in vectors.specials for w in q)]
    if not covered:
        return float("nan"), 0
    hits = sum(vectors.analogy(a, b, c, k=1)[0][0] == d for a, b, c, d in covered)
    return hits / len(covered), len(covered)


def group_accuracy(vectors: WordVectors, groups: dict[str, Sequence[str]]) -> tuple[float, float, int]:
    """Nearest-neighbour test inside the word groups: for each covered word, is the most similar of the
    other covered group words (all groups pooled) in its own group?
    → ``(accuracy, chance, number of words)``; chance = the accuracy of random vectors in expectation."""
    words, labels = [], []
    for name, members in groups.items():
        for word in members:
            if word in vectors and word not in vectors.specials:
                words.append(word)
                labels.append(name)
    if len(words) < 2:
        return float("nan"), float("nan"), len(words)
    unit = vectors._unit[[vectors.index[w] for w in words]]  # (n, d)
    sims = unit @ unit.T
    sims.fill_diagonal_(-math.inf)
    nearest = sims.argmax(dim=1).tolist()
    hits = sum(labels[i] == labels[j] for i, j in enumerate(nearest))
    sizes = {name: labels.count(name) for name in set(labels)}
    chance = sum((sizes[name] - 1) / (len(words) - 1) for name in labels) / len(words)
    return hits / len(words), chance, len(words)
