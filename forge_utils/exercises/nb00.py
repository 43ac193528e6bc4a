"""Self-checks for notebook 00 (setup and tour)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from forge_utils.exercises import Result, call_safely, compare_arrays, failed, passed, report


def _reference(scores: np.ndarray, temperature: float) -> np.ndarray:
    z: np.ndarray = scores / temperature  # declared: NumPy 2.5's stubs reject z.max() on the inferred type
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


def check_temperature_predictions(
    softmax: Callable, doubled_equals_temperature: Any, p_first_at_high_temperature: Any
) -> Result:
    """Exercise 2: predictions about the scores s = [2.0, 1.0, 0.5, 0.1], checked with the student's ``softmax``.

    ``doubled_equals_temperature``: the T for which softmax(s, T) equals softmax(2 · s, 1) (answer 0.5).
    ``p_first_at_high_temperature``: P(我) = softmax(s, T)[0] as T grows without bound (answer 1/4).
    Both are whatever the student wrote (None until then): checked to be one number with ``float()``.
    """
    scores = np.array([2.0, 1.0, 0.5, 0.1])
    for name, value in [("doubled_equals_temperature", doubled_equals_temperature),
                        ("p_first_at_high_temperature", p_first_at_high_temperature)]:
        if value is None:
            return report(failed(f"write your prediction first: {name} = a number"))
        try:
            float(value)
        except (TypeError, ValueError):
            return report(failed(f"{name} should be one number, got {type(value).__name__} {value!r}"))
    doubled, error = call_safely(softmax, scores * 2, 1.0, what="softmax(2 * scores, temperature=1.0)")
    if error:
        return report(failed(error + " (finish exercise 1 first)"))
    doubled_values = np.asarray(doubled, dtype=float)
    if not np.allclose(doubled_values, _reference(scores * 2, 1.0), atol=1e-6):
        return report(failed("your softmax is not right yet: finish exercise 1 first"))
    t = float(doubled_equals_temperature)
    if t <= 0 or not np.allclose(np.asarray(softmax(scores, t), dtype=float), doubled_values, atol=1e-6):
        hint = " — doubling the scores makes the distribution sharper, like a LOWER temperature" if t > 1 else ""
        return report(failed(f"softmax(scores, {t:g}) is not softmax(2 * scores, 1): P(我) {_reference(scores, t)[0] if t > 0 else float('nan'):.3f} "
                             f"vs {float(doubled_values[0]):.3f}{hint}"))
    hot = float(np.asarray(softmax(scores, 1e6), dtype=float)[0])
    if not np.isclose(float(p_first_at_high_temperature), hot, atol=1e-3):
        return report(failed(f"at temperature 10⁶ your softmax gives P(我) = {hot:.4f}, you predicted "
                             f"{float(p_first_at_high_temperature):.4f} — as T grows, s/T → 0 for every word"))
    return report(passed(f"2 · scores at T = 1 is the same as T = {t:g}, and at a very high temperature "
                         f"P(我) → {hot:.3f}: every word equally likely"))
