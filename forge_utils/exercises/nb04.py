"""Self-checks for notebook 04 (GloVe)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from forge_utils.exercises import Result, call_safely, compare_arrays, failed, passed, report


def check_weight_fn(weight_fn: Callable) -> Result:
    """``weight_fn(x, x_max, alpha)`` must return min(1, (x / x_max) ** alpha) elementwise."""
    x = np.array([0.5, 1.0, 10.0, 50.0, 100.0, 150.0, 1000.0])
    for x_max, alpha in ((100.0, 0.75), (10.0, 0.5)):
        got, error = call_safely(weight_fn, x.copy(), x_max, alpha, what=f"weight_fn(x, x_max={x_max}, alpha={alpha})")
        if error:
            return report(failed(error))
        want = np.minimum(1.0, (x / x_max) ** alpha)
        result = compare_arrays(got, want, f"weight_fn(x, x_max={x_max}, alpha={alpha})")
        if not result:
            values = np.asarray(got, dtype=float) if np.shape(got) == x.shape else None
            if values is not None and np.allclose(values, x ** alpha):
                return report(failed("weight_fn returns x ** alpha: that is the lecture's uncapped weight; "
                                     "divide by x_max and cap at 1 with np.minimum"))
            if values is not None and np.allclose(values, (x / x_max) ** alpha):
                return report(failed("weight_fn is not capped: for x > x_max it should return 1 (np.minimum(1, ...))"))
            return report(result)
    return report(passed("f(x) = min(1, (x/x_max)^alpha): small counts weigh less, large ones are capped at 1"))


_SENTENCES = [["i", "love", "deep", "learning"], ["deep", "learning", "is", "fun", "rare"], ["i", "love", "fun"]]
_WORDS = ["i", "love", "deep", "learning", "is", "fun"]  # "rare" is left out on purpose


def _reference(sentences, words, window, weighted=True):
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
        got, error = call_safely(cooccurrence_counts, _SENTENCES, _WORDS, window,
                                 what=f"cooccurrence_counts(sentences, words, window={window})")
        if error:
            return report(failed(error))
        if hasattr(got, "toarray"):
            got = got.toarray()
        want = _reference(_SENTENCES, _WORDS, window)
        result = compare_arrays(got, want, f"cooccurrence_counts(..., window={window})")
        if result:
            continue
        values = np.asarray(got, dtype=float) if np.shape(got) == want.shape else None
        if values is not None:
            if np.allclose(values, _reference(_SENTENCES, _WORDS, window, weighted=False)):
                return report(failed("every pair adds 1: weight a pair at distance d by 1/d"))
            if not np.allclose(values, values.T):
                return report(failed("the matrix is not symmetric: add each pair in both directions (X[i, j] and X[j, i])"))
        return report(result)
    return report(passed("symmetric 1/d-weighted co-occurrence counts, out-of-vocabulary words dropped"))

