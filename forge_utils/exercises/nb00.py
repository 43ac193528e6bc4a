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
        what = f"`softmax({scores.tolist()}, temperature={temperature})`"
        got, error = call_safely(softmax, scores.copy(), temperature, what=what)
        if error:
            return report(failed(error))
        values = np.asarray(got, dtype=float) if got is not None else None
        if values is not None and values.shape == scores.shape and not np.all(np.isfinite(values)):
            return report(failed(f"{what} 得到 {values.tolist()}：exp 溢出了。先减去最大的分数，再取 exp"))
        result = compare_arrays(got, _reference(scores, temperature), what, atol=1e-6)
        if not result:
            if values is not None and values.shape == scores.shape:
                if np.allclose(values, _reference(scores, 1.0), atol=1e-6):
                    return report(failed(f"{what}：温度被忽略了——先把分数除以温度，再取 exp"))
                if np.allclose(values, _reference(scores * temperature, 1.0), atol=1e-6):
                    return report(failed(f"{what}：分数乘上了温度——应该除以温度"))
            return report(result)
    return report(passed("带温度的 softmax 正确，分数很大时也不会溢出"))


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
            return report(failed(f"先写下你的预测：把 `{name}` 设为一个数"))
        try:
            float(value)
        except (TypeError, ValueError):
            return report(failed(f"`{name}` 应该是一个数，实际得到 {type(value).__name__} {value!r}"))
    doubled, error = call_safely(softmax, scores * 2, 1.0, what="`softmax(2 * scores, temperature=1.0)`")
    if error:
        return report(failed(error + "（先完成练习 1）"))
    doubled_values = np.asarray(doubled, dtype=float)
    if not np.allclose(doubled_values, _reference(scores * 2, 1.0), atol=1e-6):
        return report(failed("你的 softmax 还不对：先完成练习 1"))
    t = float(doubled_equals_temperature)
    if t <= 0 or not np.allclose(np.asarray(softmax(scores, t), dtype=float), doubled_values, atol=1e-6):
        hint = "——分数翻倍会让分布更尖，效果相当于调低温度，而不是调高" if t > 1 else ""
        return report(failed(f"`softmax(scores, {t:g})` 不等于 `softmax(2 * scores, 1)`：P(我) 分别是 {_reference(scores, t)[0] if t > 0 else float('nan'):.3f} "
                             f"和 {float(doubled_values[0]):.3f}{hint}"))
    hot = float(np.asarray(softmax(scores, 1e6), dtype=float)[0])
    if not np.isclose(float(p_first_at_high_temperature), hot, atol=1e-3):
        return report(failed(f"温度为 10⁶ 时，你的 softmax 给出 P(我) = {hot:.4f}，你预测的是 "
                             f"{float(p_first_at_high_temperature):.4f}——T 越来越大时，每个词的 s/T → 0"))
    return report(passed(f"T = 1 时的 2 · scores 等同于 T = {t:g}；温度非常高时 "
                         f"P(我) → {hot:.3f}：每个词的可能性都一样"))
