"""Self-checks for notebook 02 (one-hot and counting)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from forge_utils.exercises import Result, call_for_number, call_safely, compare_arrays, failed, passed, report


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
