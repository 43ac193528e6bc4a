"""Self-checks for notebook 09 (the Transformer): positional encoding and its shift matrix M_k."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from forge_utils.exercises import Result, call_for_array, compare_arrays, failed, passed, report


def _pe(max_len: int, d_model: int, swap: bool = False, exponent: str = "2i") -> np.ndarray:
    """Reference PE and the typical wrong variants (``swap``: cos on even dims; ``exponent``)."""
    pos = np.arange(max_len)[:, None]
    pair = np.arange(0, d_model, 2)  # 2i
    if exponent == "2i":
        power = pair / d_model
    elif exponent == "i":  # pos / 10000^(i/d) with i the pair index
        power = (pair / 2) / d_model
    else:  # "dim": every dimension its own frequency, pos / 10000^(dim/d)
        power = None
    pe = np.zeros((max_len, d_model))
    first, second = (np.cos, np.sin) if swap else (np.sin, np.cos)
    if power is None:
        dims = np.arange(d_model)
        angles = pos / 10000 ** (dims / d_model)
        pe[:, 0::2], pe[:, 1::2] = first(angles[:, 0::2]), second(angles[:, 1::2])
    else:
        angles = pos / 10000**power
        pe[:, 0::2], pe[:, 1::2] = first(angles), second(angles)
    return pe


def check_positional_encoding(positional_encoding: Callable) -> Result:
    """``positional_encoding(max_len, d_model)`` must return the paper's sinusoidal PE, shape (max_len, d_model)."""
    for max_len, d_model in ((12, 8), (5, 16)):
        what = f"positional_encoding({max_len}, {d_model})"
        values, error = call_for_array(positional_encoding, max_len, d_model, what=what)
        if error:
            return report(failed(error))
        want = _pe(max_len, d_model)
        if values.shape == want.T.shape and values.shape != want.shape:
            return report(failed(f"{what} has shape {values.shape}: transposed — one row per position, (max_len, d_model)"))
        result = compare_arrays(values, want, what, atol=1e-5)
        if result:
            continue
        if values.shape == want.shape:
            hints = {
                "sin and cos are swapped: even dimensions (0, 2, ...) use sin, odd ones cos": _pe(max_len, d_model, swap=True),
                "the exponent uses the pair index i where the paper has 2i: pos / 10000^(2i/d_model)": _pe(max_len, d_model, exponent="i"),
                "each dimension got its own frequency; dims 2i and 2i+1 must share pos / 10000^(2i/d_model)": _pe(max_len, d_model, exponent="dim"),
            }
            for hint, variant in hints.items():
                if np.allclose(values, variant, atol=1e-5):
                    return report(failed(f"{what}: {hint}"))
        return report(result)
    return report(passed("positional_encoding equals the paper's formula (sin on even dims, cos on odd dims)"))


def check_shift_matrix(shift_matrix: Callable) -> Result:
    """``shift_matrix(k, d_model)`` must return M_k (d_model, d_model) with M_k @ PE[pos] = PE[pos + k] for every pos."""
    d_model, max_len = 8, 40
    pe = _pe(max_len, d_model)
    for k in (1, 3, 10):
        what = f"shift_matrix({k}, {d_model})"
        m, error = call_for_array(shift_matrix, k, d_model, what=what)
        if error:
            return report(failed(error))
        if m.shape != (d_model, d_model):
            return report(failed(f"{what} has shape {m.shape}, expected ({d_model}, {d_model})"))
        predicted = pe[:-k] @ m.T  # row pos: M_k @ PE[pos]
        if np.allclose(predicted, pe[k:], atol=1e-5):
            continue
        if np.allclose(pe[:-k] @ m, pe[k:], atol=1e-5):
            return report(failed(
                f"{what} is transposed: it turns each (sin, cos) pair the wrong way. "
                "Row 2i should be (cos kω, sin kω), row 2i+1 (−sin kω, cos kω)"
            ))
        if k > 1 and np.allclose(pe[:-1] @ m.T, pe[1:], atol=1e-5):
            return report(failed(f"{what} shifts by one position, not by k={k}: the angle of pair i is k·ω_i"))
        pos, dim = (int(i) for i in np.argwhere(~np.isclose(predicted, pe[k:], atol=1e-5))[0])
        return report(failed(
            f"{what} @ PE[{pos}] differs from PE[{pos + k}] at dimension {dim}: "
            f"got {predicted[pos, dim]:.4f}, expected {pe[pos + k, dim]:.4f}"
        ))
    return report(passed("M_k @ PE[pos] = PE[pos + k] for k = 1, 3, 10 and every position: a fixed linear map"))
