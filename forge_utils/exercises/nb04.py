"""Self-checks for notebook 04 (GloVe)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from forge_utils.exercises import Result, call_safely, compare_arrays, failed, passed, report


def check_weight_fn(weight_fn: Callable) -> Result:
    """``weight_fn(x, x_max, alpha)`` must return min(1, (x / x_max) ** alpha) elementwise."""
    x = np.array([0.5, 1.0, 10.0, 50.0, 100.0, 150.0, 1000.0])
    for x_max, alpha in ((100.0, 0.75), (10.0, 0.5)):
        got: Any  # the student's answer, whatever it is: np.shape below reads the shape of anything
        got, error = call_safely(weight_fn, x.copy(), x_max, alpha, what=f"`weight_fn(x, x_max={x_max}, alpha={alpha})`")
        if error:
            return report(failed(error))
        want = np.minimum(1.0, (x / x_max) ** alpha)
        result = compare_arrays(got, want, f"`weight_fn(x, x_max={x_max}, alpha={alpha})`")
        if not result:
            values = np.asarray(got, dtype=float) if np.shape(got) == x.shape else None
            if values is not None and np.allclose(values, x ** alpha):
                return report(failed("`weight_fn` 返回的是 x ** alpha：这是讲义里不封顶的权重；"
                                     "要先除以 x_max，再用 np.minimum 封顶为 1"))
            if values is not None and np.allclose(values, (x / x_max) ** alpha):
                return report(failed("`weight_fn` 没有封顶：x > x_max 时应返回 1（np.minimum(1, ...)）"))
            return report(result)
    return report(passed("f(x) = min(1, (x/x_max)^alpha)：计数小的权重小，计数大的封顶为 1"))


_SENTENCES = [["i", "love", "deep", "learning"], ["deep", "learning", "is", "fun", "rare"], ["i", "love", "fun"]]
_WORDS = ["i", "love", "deep", "learning", "is", "fun"]  # "rare" is left out on purpose


def _reference(
    sentences: Sequence[Sequence[str]], words: Sequence[str], window: int, weighted: bool = True
) -> np.ndarray:
    index = {w: i for i, w in enumerate(words)}
    matrix = np.zeros((len(words), len(words)))
    for sentence in sentences:
        ids = [index[t] for t in sentence if t in index]
        for a in range(len(ids)):
            for b in range(a + 1, min(a + window + 1, len(ids))):
                add = 1.0 / (b - a) if weighted else 1.0
                matrix[ids[a], ids[b]] += add
                matrix[ids[b], ids[a]] += add
    return matrix


def check_cooccurrence_counts(cooccurrence_counts: Callable) -> Result:
    """``cooccurrence_counts(sentences, words, window)`` → dense ``(V, V)``, symmetric, 1/d per pair."""
    for window in (2, 3):
        got: Any  # the student's answer: a dense or scipy.sparse matrix, a list, ...
        got, error = call_safely(cooccurrence_counts, _SENTENCES, _WORDS, window,
                                 what=f"`cooccurrence_counts(sentences, words, window={window})`")
        if error:
            return report(failed(error))
        if hasattr(got, "toarray"):
            got = got.toarray()
        want = _reference(_SENTENCES, _WORDS, window)
        result = compare_arrays(got, want, f"`cooccurrence_counts(..., window={window})`")
        if result:
            continue
        values = np.asarray(got, dtype=float) if np.shape(got) == want.shape else None
        if values is not None:
            if np.allclose(values, _reference(_SENTENCES, _WORDS, window, weighted=False)):
                return report(failed("每对词都加了 1：距离为 d 的一对词应该加 1/d"))
            if not np.allclose(values, values.T):
                return report(failed("矩阵不对称：每对词要在两个方向上都加（X[i, j] 和 X[j, i]）"))
        return report(result)
    return report(passed("共现计数对称、按 1/d 加权，词表外的词也去掉了"))



def _ratio_reference(
    W: np.ndarray, W_tilde: np.ndarray, b: np.ndarray, b_tilde: np.ndarray, i: int, j: int, k: int
) -> float:
    return float(np.exp(W[i] @ W_tilde[k] + b[i] - W[j] @ W_tilde[k] - b[j]))


def check_ratio_from_vectors(ratio_from_vectors: Callable) -> Result:
    """``ratio_from_vectors(W, W_tilde, b, b_tilde, i, j, k)`` → the count ratio X_ik / X_jk that GloVe's
    parameters predict: exp(w_i·w̃_k + b_i + b̃_k) / exp(w_j·w̃_k + b_j + b̃_k)."""
    rng = np.random.default_rng(11)
    for V, d in ((5, 3), (20, 8)):
        W, W_tilde = rng.standard_normal((V, d)) * 0.5, rng.standard_normal((V, d)) * 0.5
        b, b_tilde = rng.standard_normal(V), rng.standard_normal(V)
        i, j, k = (int(x) for x in rng.choice(V, 3, replace=False))
        what = f"`ratio_from_vectors(W {W.shape}, W_tilde, b, b_tilde, i={i}, j={j}, k={k})`"
        got: Any  # the student's answer, whatever it is: np.size below counts the numbers in anything
        got, error = call_safely(ratio_from_vectors, W.copy(), W_tilde.copy(), b.copy(), b_tilde.copy(), i, j, k,
                                 what=what)
        if error:
            return report(failed(error))
        try:
            value = float(np.asarray(got, dtype=float).reshape(-1)[0]) if np.size(got) == 1 else None
        except (TypeError, ValueError):
            value = None
        if value is None:
            return report(failed(f"{what} 应该返回一个数，实际得到 {got!r}"))
        want = _ratio_reference(W, W_tilde, b, b_tilde, i, j, k)
        if np.isclose(value, want, rtol=1e-5):
            continue
        log_ratio = np.log(want)
        if np.isclose(value, log_ratio, rtol=1e-5, atol=1e-8):
            hint = "这是 log(X_ik / X_jk)；题目要的是比值本身（np.exp）"
        elif np.isclose(value, np.exp((W[i] - W[j]) @ W_tilde[k]), rtol=1e-5):
            hint = "漏了偏置：b_i − b_j 不会抵消（b̃_k 会）"
        elif np.isclose(value, _ratio_reference(W, W, b, b_tilde, i, j, k), rtol=1e-5):
            hint = "词 k 在这里是上下文词：要用它在 W_tilde 里的那一行，而不是 W 里的"
        elif np.isclose(value, 1 / want, rtol=1e-5):
            hint = "比值上下颠倒了：X_ik 应该在分子上"
        else:
            hint = "由 w_i·w̃_k + b_i + b̃_k ≈ log X_ik 可得：X_ik / X_jk ≈ exp(...)/exp(...)"
        return report(failed(f"{what} = {value:.5g}，应为 {want:.5g}——{hint}"))
    return report(passed("X_ik / X_jk = exp((w_i − w_j)·w̃_k + b_i − b_j)：b̃_k 抵消了，偏置 b_i、b_j 不会抵消"))
