"""Self-checks for notebook 00 (setup and tour)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from forge_utils.exercises import Result, call_safely, compare_arrays, failed, passed, report


def _reference(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = np.exp(z - z.max())
    return z / z.sum()


def check_softmax(softmax: Callable) -> Result:
    """``softmax(scores, temperature)`` must return probabilities exp(s/T) / Σ exp(s/T)."""
    cases = [
        (np.array([2.0, 1.0, 0.5, 0.1]), 1.0),
        (np.array([2.0, 1.0, 0.5, 0.1]), 0.25),
        (np.array([1000.0, 999.0]), 1.0),  # naive exp overflows here
    ]
    for scores, temperature in cases:
        what = f"softmax({scores.tolist()}, temperature={temperature})"
        got, error = call_safely(softmax, scores.copy(), temperature, what=what)
        if error:
            return report(failed(error))
        values = np.asarray(got, dtype=float) if got is not None else None
        if values is not None and values.shape == scores.shape and not np.all(np.isfinite(values)):
            return report(failed(f"{what} gave {values.tolist()}: exp overflowed. Subtract the largest score before exp"))
        result = compare_arrays(got, _reference(scores, temperature), what, atol=1e-6)
        if not result:
            if values is not None and values.shape == scores.shape:
                if np.allclose(values, _reference(scores, 1.0), atol=1e-6):
                    return report(failed(f"{what}: the temperature is ignored — divide the scores by it before exp"))
                if np.allclose(values, _reference(scores * temperature, 1.0), atol=1e-6):
                    return report(failed(f"{what}: scores were multiplied by the temperature — divide instead"))
            return report(result)
    return report(passed("softmax with temperature is right, also for large scores"))
