"""Self-checks for notebook 02 (one-hot and counting)."""
from __future__ import annotations

import math

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from forge_utils.exercises import (
    Result, call_for_array, call_for_number, call_safely, compare_arrays, failed, passed, report,
)

if TYPE_CHECKING:
    import torch


def _cosine_cases() -> list[tuple[np.ndarray, np.ndarray, float]]:
    eye = np.eye(4)
    return [
        (eye[0], eye[1], 0.0),  # two one-hot vectors: orthogonal
        (eye[2], eye[2], 1.0),  # a vector with itself
        (np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0]), 1.0),  # same direction, other length
        (np.array([1.0, 0.0]), np.array([-1.0, 0.0]), -1.0),  # opposite
        (np.array([3.0, 4.0]), np.array([4.0, 3.0]), 24 / 25),
    ]


def check_cosine(cosine: Callable) -> Result:
    """``cosine(a, b)`` must return cos θ = a·b / (‖a‖‖b‖) for 1-D vectors."""
    for a, b, want in _cosine_cases():
        value, error = call_for_number(cosine, a, b, what=f"cosine({a.tolist()}, {b.tolist()})")
        if error:
            return report(failed(error))
        assert value is not None  # call_for_number: no error means a number
        if not np.isclose(value, want, atol=1e-6):
            hint = ""
            if np.isclose(value, float(a @ b)):
                hint = " — that is the plain dot product: divide by the two vector lengths (norms)"
            elif np.isclose(value, float(a @ b) / float(a @ a)):
                hint = " — divide by ‖a‖·‖b‖, not ‖a‖²"
            return report(failed(f"cosine({a.tolist()}, {b.tolist()}) = {value:.4f}, expected {want:.4f}{hint}"))
    return report(passed("cosine is right on orthogonal, equal, scaled and opposite vectors"))


def check_one_hot(one_hot: Callable) -> Result:
    """``one_hot(ids, vocab_size)`` must return a ``(len(ids), vocab_size)`` 0/1 matrix."""
    ids, size = [2, 0, 3, 2], 5
    got, error = call_safely(one_hot, ids, size, what=f"one_hot({ids}, {size})")
    if error:
        return report(failed(error))
    want = np.eye(size)[ids]
    result = compare_arrays(got, want, f"one_hot({ids}, {size})")
    if not result and np.asarray(got).shape == want.T.shape:
        result = failed(f"one_hot({ids}, {size}) has shape {want.T.shape}: it is transposed — one row per id, please")
    return report(result)


# --- exercise 3: add-k smoothing, predicted then measured -----------------------------------------

ADD_K_GRID = (1.0, 0.1, 0.01)


def _add_k_reference(pair_counts: np.ndarray, k: float) -> np.ndarray:
    counts = np.asarray(pair_counts, dtype=np.float64)
    return (counts + k) / (counts.sum(axis=1, keepdims=True) + k * counts.shape[1])


def check_add_k(add_k_bigram: Callable) -> Result:
    """``add_k_bigram(pair_counts (V, V), k) → P (V, V)`` with P[b, c] = (count(b, c) + k) / (count(b) + k·V)."""
    counts = np.array([[2.0, 0.0, 1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 0.0]])  # row 1: a character never seen
    for k in (1.0, 0.5):
        before = counts.copy()
        got, error = call_for_array(add_k_bigram, counts, k, what=f"add_k_bigram(counts, {k})")
        if error:
            return report(failed(error))
        assert got is not None  # call_for_array: no error means an array
        if not np.array_equal(counts, before):
            return report(failed("add_k_bigram changed pair_counts in place: compute counts + k, do not write counts += k"))
        want = _add_k_reference(counts, k)
        if got.shape != want.shape:
            return report(failed(f"add_k_bigram(counts, {k}) has shape {got.shape}, expected {want.shape} (one row per previous character)"))
        if np.allclose(got, want.T):
            return report(failed("the columns sum to 1, not the rows: row b is the distribution of the character after b — normalise each row"))
        if np.allclose(got, _add_k_reference(counts, 1.0)) and k != 1.0:
            return report(failed(f"with k = {k} you return the add-one table: use k instead of 1"))
        if not np.allclose(got.sum(axis=1), 1.0):
            sums = np.round(got.sum(axis=1), 4).tolist()
            return report(failed(f"rows sum to {sums}, not 1: the denominator is count(b) + k·V (V = {counts.shape[1]}), not count(b) + k"))
        result = compare_arrays(got, want, f"add_k_bigram(counts, {k})")
        if not result:
            return report(result)
    return report(passed("add-k probabilities are right, including a row never seen in training (uniform)"))


def add_k_val_bpc(add_k_bigram: Callable, pair_counts: np.ndarray, val_stream: torch.Tensor,
                  ks: Sequence[float] = ADD_K_GRID, unk_nats: torch.Tensor | None = None) -> dict[float, float] | str:
    """Validation bits per character of the student's add-k bigram for each k (on the thread's scored
    characters, every ``<unk>`` charged ``unk_nats`` as in ``forge_utils.lm``), or an error message."""
    import torch

    from forge_utils.lm import evaluation_windows, unk_charge

    inputs, targets = evaluation_windows(val_stream)
    previous, current = inputs.reshape(-1).numpy(), targets.reshape(-1).numpy()
    naming_bits = unk_charge(val_stream, unk_nats, torch.arange(1, 1 + targets.numel())) / math.log(2)
    scores: dict[float, float] = {}
    for k in ks:
        table, error = call_for_array(add_k_bigram, pair_counts, k, what=f"add_k_bigram(pair_counts, {k})")
        if error:
            return error
        assert table is not None  # call_for_array: no error means an array
        if table.shape != np.shape(pair_counts):
            return f"add_k_bigram(pair_counts, {k}) has shape {table.shape}, expected {np.shape(pair_counts)}"
        with np.errstate(divide="ignore"):
            scores[k] = float((-np.log2(table[previous, current]).sum() + naming_bits) / len(current))
    return scores


def check_add_k_prediction(
    add_k_bigram: Callable, prediction: dict, pair_counts: np.ndarray, val_stream: torch.Tensor,
    interpolated_val_bpc: float, unk_nats: torch.Tensor | None = None,
) -> Result:
    """Compare the student's prediction ``{"best_k": k, "beats_interpolation": bool}`` with the
    measured validation bits per character of add-k smoothing for k in ``ADD_K_GRID`` (``<unk>`` charged
    ``unk_nats``, as ``interpolated_val_bpc`` must be)."""
    if not isinstance(prediction, dict) or set(prediction) != {"best_k", "beats_interpolation"}:
        return report(failed('my_prediction should be a dict {"best_k": ..., "beats_interpolation": ...}'))
    if prediction["best_k"] not in ADD_K_GRID or not isinstance(prediction["beats_interpolation"], bool):
        return report(failed(
            f"write your prediction first: best_k one of {list(ADD_K_GRID)}, beats_interpolation True or False "
            "(the measurement is shown only after you have committed to a guess)"
        ))
    scores = add_k_val_bpc(add_k_bigram, pair_counts, val_stream, unk_nats=unk_nats)
    if isinstance(scores, str):
        return report(failed(scores))
    for k, bits in scores.items():
        print(f"add-{k:<5} validation bpc {bits:.4f}")
    print(f"interpolation  validation bpc {interpolated_val_bpc:.4f}")
    best_k = min(scores, key=scores.__getitem__)
    beats = scores[best_k] < interpolated_val_bpc
    wrong = []
    if prediction["best_k"] != best_k:
        wrong.append(f"the lowest validation bpc is at k = {best_k}, not {prediction['best_k']}")
    if prediction["beats_interpolation"] != beats:
        wrong.append(f"add-{best_k} {'beats' if beats else 'does not beat'} interpolation "
                     f"({scores[best_k]:.4f} vs {interpolated_val_bpc:.4f} bpc)")
    if wrong:
        return report(failed("measured differently from your prediction: " + "; ".join(wrong) +
                             ". Why? Think about how much probability add-k moves to the pairs never seen."))
    return report(passed(f"prediction confirmed: k = {best_k} is best, and it "
                         f"{'beats' if beats else 'does not beat'} interpolation"))
