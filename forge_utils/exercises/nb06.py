"""Self-checks for notebook 06 (RNN)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from forge_utils.exercises import Result, as_array, call_for_number, call_safely, compare_arrays, failed, passed, report


def _rnn_case(seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    x_t, h_prev = torch.randn(3, 4, generator=g), torch.randn(3, 5, generator=g)
    W, U, b = torch.randn(5, 4, generator=g), torch.randn(5, 5, generator=g) * 0.5, torch.randn(5, generator=g)
    return x_t, h_prev, W, U, b


def check_rnn_step(rnn_step: Callable) -> Result:
    """``rnn_step(x_t (B, I), h_prev (B, H), W (H, I), U (H, H), b (H,))`` → tanh(W x + U h + b), ``(B, H)``."""
    for seed in (0, 1):
        x_t, h_prev, W, U, b = _rnn_case(seed)
        what = "rnn_step(x_t (3, 4), h_prev (3, 5), W (5, 4), U (5, 5), b (5,))"
        got, error = call_safely(rnn_step, x_t, h_prev, W, U, b, what=what)
        if error:
            if "NotImplementedError" not in error and any(w in error for w in ("mat", "shape", "size")):
                error += " — rows of x_t are samples: use x_t @ W.T and h_prev @ U.T"
            return report(failed(error))
        want = torch.tanh(x_t @ W.T + h_prev @ U.T + b)
        result = compare_arrays(got, want, what, atol=1e-5)
        if not result:
            array = as_array(got, what)
            if not isinstance(array, Result) and array.shape == tuple(want.shape):
                wrong = {
                    "without the bias b": torch.tanh(x_t @ W.T + h_prev @ U.T),
                    "with sigmoid instead of tanh": torch.sigmoid(x_t @ W.T + h_prev @ U.T + b),
                    "without the tanh": x_t @ W.T + h_prev @ U.T + b,
                    "without the previous state (U h_prev)": torch.tanh(x_t @ W.T + b),
                    "with U un-transposed (h_prev @ U)": torch.tanh(x_t @ W.T + h_prev @ U + b),
                }
                for name, value in wrong.items():
                    if np.allclose(array, value.numpy(), atol=1e-5):
                        return report(failed(f"{what}: your result equals the step {name}"))
            return report(result)
    return report(passed("rnn_step matches tanh(W x_t + U h_prev + b) on two random cases"))


def check_decay_factor(decay_factor: Callable) -> Result:
    """``decay_factor(norms)`` → r fitted by least squares to log norms[d] ≈ a + d log r."""
    rng = np.random.default_rng(0)
    d = np.arange(30)
    cases = [
        (2.0 * 0.8**d, 0.8),
        (0.5 * 1.3 ** d[:15], 1.3),
        (3.0 * 0.6**d * np.exp(rng.normal(0, 0.2, d.size)), None),
    ]
    for norms, want in cases:
        if want is None:  # noisy: the least-squares answer
            slope = np.polyfit(d, np.log(norms), 1)[0]
            want = float(np.exp(slope))
        value, error = call_for_number(decay_factor, norms.copy(), what=f"decay_factor(norms of length {len(norms)})")
        if error:
            return report(failed(error))
        if not np.isclose(value, want, rtol=1e-3):
            hint = ""
            if np.isclose(value, np.log(want), rtol=1e-3):
                hint = " — that is log r (the slope); return exp(slope)"
            elif np.isclose(value, norms[-1] / norms[0], rtol=1e-3):
                hint = " — that is the decay over all steps together; we want the factor per step"
            elif np.isclose(value, 1 / want, rtol=1e-3):
                hint = " — that is 1/r: the fit goes from distance 0 outwards"
            return report(failed(f"decay_factor gave {value:.4g} for a sequence whose per-step factor is {want:.4g}{hint}"))
    return report(passed("decay_factor recovers the per-step factor for vanishing, exploding and noisy norms"))
