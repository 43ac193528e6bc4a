"""Count-based word vectors: a co-occurrence matrix, PPMI + truncated SVD, and GloVe — the lecture's loop
(kept to show why it fails) and a trainer that works.

    >>> from forge_utils.data import load_lee_corpus
    >>> from forge_utils.glove import build_vocab, cooccurrence_matrix, train_glove
    >>> corpus = load_lee_corpus()
    >>> words = build_vocab(corpus, min_count=5)              # 1,750 words, most frequent first
    >>> X = cooccurrence_matrix(corpus, words, window=5)      # scipy COO (V, V), X[i, j] = Σ 1/d
    >>> result = train_glove(X, dim=50, epochs=30, x_max=10)  # AdaGrad over the non-zero cells
    >>> result.vectors.shape                                  # W + W̃ → (1750, 50)
    >>> svd_vectors(ppmi(X), dim=50).shape                    # the counting baseline → (1750, 50)

``x_max`` = 100 is the paper's value for corpora of billions of tokens; on the 58 k-token Lee corpus
(median X ≈ 0.5) only 61 cells reach 100, so notebook 04 uses 10.

GloVe (Pennington et al., 2014) fits  w_i · w̃_j + b_i + b̃_j ≈ log X_ij  on the non-zero cells of X,
each weighted by f(x) = min(1, (x / x_max)^alpha):

    J = ½ Σ_{X_ij > 0} f(X_ij) (w_i · w̃_j + b_i + b̃_j − log X_ij)²
"""
from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import svds
import torch
from tqdm.auto import trange


# ---------------------------------------------------------------------------------------------
# 1. Vocabulary, co-occurrence counts, and vectors from counting alone (PPMI + SVD)
# ---------------------------------------------------------------------------------------------
def _check_corpus(corpus: object) -> None:
    if isinstance(corpus, str) or not isinstance(corpus, Sequence):
        raise TypeError("corpus 应该是分词后的句子列表（每句是 str 的列表），例如 load_lee_corpus()")
    for sentence in corpus[:5]:
        if isinstance(sentence, str):
            raise TypeError("corpus 里的每一句都应该是词元列表，收到的却是一个 str 句子：请先分词（str.split()）")


def build_vocab(corpus: Sequence[Sequence[str]], min_count: int = 5) -> list[str]:
    """Words seen at least ``min_count`` times, most frequent first (ties: first appearance)."""
    _check_corpus(corpus)
    if min_count < 1:
        raise ValueError(f"min_count 必须 >= 1，收到的是 {min_count}")
    counts = Counter(token for sentence in corpus for token in sentence)
    words = [word for word, count in counts.most_common() if count >= min_count]
    if not words:
        raise ValueError(f"没有哪个词出现了 {min_count} 次或更多：请调低 min_count，或换一个更大的语料")
    return words


def cooccurrence_matrix(
    corpus: Sequence[Sequence[str]],
    words: Sequence[str],
    window: int = 5,
    distance_weighting: bool = True,
) -> sp.coo_matrix:
    """Symmetric word–word co-occurrence counts as a sparse ``(V, V)`` float64 COO matrix.

    ``X[i, j]`` adds ``1/d`` (or 1 without ``distance_weighting``) each time word ``j`` stands ``d``
    positions (1 ≤ d ≤ ``window``) left or right of word ``i``. Words outside ``words`` are dropped
    before the window slides (as GloVe's ``cooccur`` and gensim do). Rows/cols follow ``words``.
    """
    _check_corpus(corpus)
    if window < 1:
        raise ValueError(f"window 必须 >= 1，收到的是 {window}")
    if len(words) == 0:
        raise ValueError("words 是空的：请用 build_vocab(corpus, min_count) 来建")
    index = {word: i for i, word in enumerate(words)}
    if len(index) != len(words):
        raise ValueError("words 里有重复的词：每个词只能出现一次（build_vocab 建出来的就是这样）")
    rows, cols, vals = [], [], []
    for sentence in corpus:
        ids = np.fromiter((index[t] for t in sentence if t in index), dtype=np.int64)
        for d in range(1, min(window, len(ids) - 1) + 1):
            weight = 1.0 / d if distance_weighting else 1.0
            left, right = ids[:-d], ids[d:]
            rows += [left, right]  # both directions: X is symmetric
            cols += [right, left]
            vals.append(np.full(2 * len(left), weight))
    size = len(words)
    if not rows:
        return sp.coo_matrix((size, size))
    matrix = sp.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(size, size)
    )
    matrix.sum_duplicates()
    return matrix


def ppmi(counts: sp.spmatrix) -> sp.csr_matrix:
    """Positive pointwise mutual information of a ``(V, C)`` count matrix, as a sparse ``(V, C)`` CSR matrix.

    PPMI(w, c) = max(0, log P(w, c) / (P(w) P(c))), with P(w, c) = X[w, c] / ΣX and P(w), P(c) the
    row and column sums over ΣX. Cells with no count stay 0 (their PMI would be −∞).
    """
    counts = sp.coo_matrix(counts, dtype=np.float64)
    if counts.nnz and counts.data.min() < 0:
        raise ValueError("共现计数不能是负数：请传入 cooccurrence_matrix(...) 这样的计数矩阵")
    counts.sum_duplicates()
    counts.eliminate_zeros()
    if counts.nnz == 0:
        raise ValueError("计数矩阵全是 0：语料太短或窗口太小，没有任何共现")
    total = counts.sum()
    row_sums = np.asarray(counts.sum(axis=1)).ravel()
    col_sums = np.asarray(counts.sum(axis=0)).ravel()
    pmi = np.log(counts.data * total / (row_sums[counts.row] * col_sums[counts.col]))
    keep = pmi > 0
    return sp.csr_matrix((pmi[keep], (counts.row[keep], counts.col[keep])), shape=counts.shape)


def svd_vectors(matrix: sp.spmatrix | np.ndarray, dim: int) -> np.ndarray:
    """Dense ``(V, dim)`` word vectors U_k √S_k from a truncated SVD of a ``(V, C)`` matrix (e.g. PPMI).

    The top ``dim`` singular triplets come from scipy's ARPACK (``svds``) with a fixed start vector, so
    reruns agree; the columns are ordered by singular value, largest first.
    """
    if not isinstance(dim, int) or not 1 <= dim < min(matrix.shape):
        raise ValueError(f"dim 必须是 1..{min(matrix.shape) - 1} 之间的整数（svds 要求小于矩阵较短的一边），收到的是 {dim!r}")
    start = np.full(min(matrix.shape), 1 / math.sqrt(min(matrix.shape)))
    u, s, _ = svds(sp.csr_matrix(matrix, dtype=np.float64), k=dim, v0=start)
    order = np.argsort(-s)
    return u[:, order] * np.sqrt(s[order])


# ---------------------------------------------------------------------------------------------
# 2. The lecture's loop (001 §1.3.2), kept as written to measure how it fails
# ---------------------------------------------------------------------------------------------
@dataclass
class LectureEpochStats:
    """What one (possibly bounded) pass of ``lecture_glove_epoch`` did."""

    loss: float  # the lecture's loss: Σ error² / V², over the cells visited
    cells: int  # (i, j) cells visited (the double loop touches every cell, zero or not)
    pairs: int  # non-zero cells updated
    seconds: float
    first_nonfinite_pair: int | None  # 1-based index of the update after which a bias (b or d) became inf/NaN;
    # the context vectors C can overflow a few updates earlier (chapter 04 shows it)


def lecture_glove_init(
    vocab_size: int, embedding_size: int = 5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The lecture's initialisation: ``np.random.rand`` (uniform in [0, 1)) for W, b, C, d."""
    rng = np.random.RandomState(seed)
    return (rng.rand(vocab_size, embedding_size), rng.rand(vocab_size),
            rng.rand(vocab_size, embedding_size), rng.rand(vocab_size))


def lecture_glove_epoch(
    cooccurrence: np.ndarray,
    W: np.ndarray,
    b: np.ndarray,
    C: np.ndarray,
    d: np.ndarray,
    learning_rate: float = 0.05,
    alpha: float = 0.75,
    rows: Sequence[int] | None = None,
    max_pairs: int | None = None,
) -> LectureEpochStats:
    """One epoch of the lecture's ``GloVe.train`` loop, line for line, updating W, b, C, d in place.

    ``cooccurrence`` is the dense ``(V, V)`` matrix the lecture uses. The loop visits all V² cells;
    ``rows`` (the rows i to visit, default all) and ``max_pairs`` (stop after that many updates) keep a
    demonstration short. The lecture's bugs are kept on purpose: the weight ``x ** alpha`` has no
    x_max cap, the initialisation is ``np.random.rand``, and the loop is plain Python over V² cells.
    """
    square = isinstance(cooccurrence, np.ndarray) and cooccurrence.ndim == 2 and len(set(cooccurrence.shape)) == 1
    if not square:
        raise ValueError("cooccurrence 应该是稠密的 NumPy 方阵 (V, V)：COO 矩阵请先用 X.toarray() 转换")
    vocab_size = cooccurrence.shape[0]
    if rows is not None and not all(0 <= i < vocab_size for i in rows):
        raise ValueError(f"rows 应该是 0..{vocab_size - 1} 里的下标")
    if W.shape[0] != vocab_size or C.shape[0] != vocab_size or b.shape != (vocab_size,) or d.shape != (vocab_size,):
        raise ValueError(f"W、C 的形状应该是 (V, k)，b、d 的形状应该是 (V,)，其中 V = {vocab_size}；"
                         f"收到的是 {W.shape}、{C.shape}、{b.shape}、{d.shape}")
    loss, cells, pairs, first_bad = 0.0, 0, 0, None
    start = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore"):  # the overflow is the point; do not spam warnings
        for i in (range(vocab_size) if rows is None else rows):
            for j in range(vocab_size):
                cells += 1
                if cooccurrence[i, j] > 0:
                    x_ij = cooccurrence[i, j]
                    weight_ij = (x_ij ** alpha)
                    prediction = np.dot(W[i], C[j]) + b[i] + d[j]
                    error = prediction - np.log(x_ij)
                    grad_W = weight_ij * error * C[j]
                    grad_C = weight_ij * error * W[i]
                    grad_b = weight_ij * error
                    grad_d = weight_ij * error
                    W[i] -= learning_rate * grad_W
                    C[j] -= learning_rate * grad_C
                    b[i] -= learning_rate * grad_b
                    d[j] -= learning_rate * grad_d
                    loss += error ** 2
                    pairs += 1
                    if first_bad is None and not (math.isfinite(b[i]) and math.isfinite(d[j])):
                        first_bad = pairs
                    if max_pairs is not None and pairs >= max_pairs:
                        break
            if max_pairs is not None and pairs >= max_pairs:
                break
    seconds = time.perf_counter() - start
    return LectureEpochStats(float(loss / (vocab_size * vocab_size)), cells, pairs, seconds, first_bad)


# ---------------------------------------------------------------------------------------------
# 3. The course's trainer: vectorized over the non-zero cells, capped weight, AdaGrad
# ---------------------------------------------------------------------------------------------
def glove_weight(x: torch.Tensor, x_max: float = 100.0, alpha: float = 0.75) -> torch.Tensor:
    """f(x) = min(1, (x / x_max)^alpha): rare pairs count less, frequent ones are capped at 1."""
    if x_max <= 0:
        raise ValueError(f"x_max 必须 > 0，收到的是 {x_max}")
    return torch.clamp(x / x_max, max=1.0) ** alpha


@dataclass
class GloVeParams:
    """Word vectors W ``(V, d)``, context vectors W̃ ``(V, d)`` and their biases ``(V,)``."""

    W: torch.Tensor
    W_tilde: torch.Tensor
    b: torch.Tensor
    b_tilde: torch.Tensor

    def tensors(self) -> list[torch.Tensor]:
        return [self.W, self.W_tilde, self.b, self.b_tilde]


def init_params(vocab_size: int, dim: int, generator: torch.Generator | None = None,
                device: torch.device | str = "cpu") -> GloVeParams:
    """GloVe's own initialisation: uniform in [-0.5, 0.5) / dim, so w · w̃ starts near 0."""
    def uniform(*shape: int) -> torch.Tensor:
        return ((torch.rand(*shape, generator=generator, dtype=torch.float64) - 0.5) / dim).to(device, torch.float32)

    return GloVeParams(uniform(vocab_size, dim), uniform(vocab_size, dim), uniform(vocab_size), uniform(vocab_size))


def glove_loss(params: GloVeParams, rows: torch.Tensor, cols: torch.Tensor, values: torch.Tensor,
               x_max: float = 100.0, alpha: float = 0.75) -> torch.Tensor:
    """J = ½ Σ f(x) (w_i · w̃_j + b_i + b̃_j − log x)² over the cells ``rows``, ``cols``, counts ``values`` (``(n,)``)."""
    diff = (params.W[rows] * params.W_tilde[cols]).sum(1) + params.b[rows] + params.b_tilde[cols] - torch.log(values)
    return 0.5 * (glove_weight(values, x_max, alpha) * diff ** 2).sum()


def glove_gradients(params: GloVeParams, rows: torch.Tensor, cols: torch.Tensor,
                    log_x: torch.Tensor, weight: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """∂J/∂(W, W̃, b, b̃) by hand for the cells ``rows``, ``cols`` (``(n,)``), given log x and f(x) (``(n,)``).

    With g = f(x)(w_i · w̃_j + b_i + b̃_j − log x):
    ∂J/∂w_i = g w̃_j,  ∂J/∂w̃_j = g w_i,  ∂J/∂b_i = ∂J/∂b̃_j = g.
    ``index_add_`` sums the contributions of a word that appears in several cells.
    Returns (J, [dW (V, d), dW̃ (V, d), db (V,), db̃ (V,)]).
    """
    w, w_tilde = params.W[rows], params.W_tilde[cols]  # (n, d)
    diff = (w * w_tilde).sum(1) + params.b[rows] + params.b_tilde[cols] - log_x  # (n,)
    g = weight * diff
    grads = [torch.zeros_like(p) for p in params.tensors()]
    grads[0].index_add_(0, rows, g[:, None] * w_tilde)
    grads[1].index_add_(0, cols, g[:, None] * w)
    grads[2].index_add_(0, rows, g)
    grads[3].index_add_(0, cols, g)
    return 0.5 * (g * diff).sum(), grads


def adagrad_step(params: GloVeParams, grads: list[torch.Tensor], grad_sq: list[torch.Tensor], lr: float) -> None:
    """AdaGrad in place: G += g²; θ −= lr · g / √G (each coordinate gets its own step size)."""
    for p, g, s in zip(params.tensors(), grads, grad_sq):
        s.addcmul_(g, g)
        p.addcdiv_(g, s.sqrt(), value=-lr)


@dataclass
class GloVeResult:
    """Output of ``train_glove``: final ``vectors = W + W̃`` ``(V, d)`` and the loss per epoch."""

    vectors: np.ndarray
    losses: list[float]  # mean weighted squared error per non-zero cell, one value per epoch
    params: GloVeParams
    seconds_per_epoch: list[float] = field(default_factory=list)


def _as_cells(
    cooccurrence: sp.sparray | sp.spmatrix | np.ndarray | torch.Tensor, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, int]:
    if isinstance(cooccurrence, torch.Tensor):
        cooccurrence = cooccurrence.detach().cpu().numpy()
    if isinstance(cooccurrence, np.ndarray):
        cooccurrence = sp.coo_matrix(cooccurrence)
    if not sp.issparse(cooccurrence):
        raise TypeError("cooccurrence 应该是 scipy 稀疏矩阵或二维数组，"
                        f"收到的是 {type(cooccurrence).__name__}")
    matrix = cooccurrence.tocoo()
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"cooccurrence 应该是方阵 (V, V)，收到的形状是 {matrix.shape}")
    if (matrix.data < 0).any():
        raise ValueError("cooccurrence 里有负数：计数必须 >= 0")
    keep = matrix.data > 0  # log x is only defined where x > 0: GloVe skips the zero cells
    if not keep.any():
        raise ValueError("cooccurrence 里没有任何正数：语料太小，或者 window 是 0")
    def to(a: np.ndarray, dtype: torch.dtype) -> torch.Tensor:
        return torch.as_tensor(np.ascontiguousarray(a[keep]), dtype=dtype, device=device)
    return to(matrix.row, torch.long), to(matrix.col, torch.long), to(matrix.data, torch.float32), matrix.shape[0]


def train_glove(
    cooccurrence: sp.sparray | sp.spmatrix | np.ndarray | torch.Tensor,
    dim: int = 50,
    epochs: int = 30,
    lr: float = 0.05,
    x_max: float = 100.0,
    alpha: float = 0.75,
    batch_size: int = 8192,
    seed: int = 0,
    device: torch.device | str | None = None,
    progress: bool = False,
) -> GloVeResult:
    """Train GloVe with AdaGrad on mini-batches of the shuffled non-zero cells.

    ``cooccurrence``: sparse or dense ``(V, V)`` counts. Each step takes ``batch_size`` cells, computes
    the gradients by hand (``glove_gradients``) and applies AdaGrad, whose squared-gradient sums start
    at 1 as in the reference C code. ``x_max`` should grow with the corpus (100 for billions of
    tokens; 10 for the 58 k-token Lee corpus). Works on any device (same seed → same shuffles and
    initial values everywhere); the vectors come back as NumPy on the CPU.
    """
    if dim < 1 or epochs < 1 or batch_size < 1:
        raise ValueError(f"dim、epochs 和 batch_size 都必须 >= 1，收到的是 {dim}、{epochs}、{batch_size}")
    if lr <= 0:
        raise ValueError(f"lr 必须 > 0，收到的是 {lr}")
    device = torch.device(device) if device is not None else torch.device("cpu")
    rows, cols, values, vocab_size = _as_cells(cooccurrence, device)
    log_x, weight = torch.log(values), glove_weight(values, x_max, alpha)  # fixed: compute once
    generator = torch.Generator().manual_seed(seed)
    params = init_params(vocab_size, dim, generator, device)
    grad_sq = [torch.ones_like(p) for p in params.tensors()]
    losses, seconds = [], []
    n = len(values)
    for _ in trange(epochs, desc="GloVe 训练轮次", leave=False, disable=not progress):
        start = time.perf_counter()
        order = torch.randperm(n, generator=generator).to(device)
        total = torch.zeros((), device=device, dtype=torch.float64)
        for begin in range(0, n, batch_size):
            batch = order[begin: begin + batch_size]
            loss, grads = glove_gradients(params, rows[batch], cols[batch], log_x[batch], weight[batch])
            adagrad_step(params, grads, grad_sq, lr)
            total += loss.double()
        losses.append(float(2 * total / n))  # mean of f(x)·diff² per cell (½ undone)
        seconds.append(time.perf_counter() - start)
        if not math.isfinite(losses[-1]):
            raise FloatingPointError(f"GloVe 的损失在第 {len(losses)} 个 epoch 变成了 {losses[-1]}：请调低 lr 或 x_max")
    vectors = (params.W + params.W_tilde).cpu().numpy()
    return GloVeResult(vectors, losses, params, seconds)
