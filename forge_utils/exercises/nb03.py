"""Self-checks for notebook 03 (Word2Vec).

- ``check_center_gradient(grad_center)``: seed 002's ∂ log P(w_o|w_c)/∂v_c = u_o − Σ_j P(w_j|w_c) u_j.
- ``check_negative_sampling_loss(loss_fn)``: −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from forge_utils.exercises import Result, as_array, call_for_array, call_safely, compare_arrays, failed, passed, report


def _gradient_cases() -> list[tuple[torch.Tensor, torch.Tensor, int]]:
    generator = torch.Generator().manual_seed(3)
    cases = []
    for V, d in ((5, 3), (12, 4), (30, 8)):
        v_c = torch.randn(d, generator=generator)
        W_out = torch.randn(d, V, generator=generator)
        cases.append((v_c, W_out, int(torch.randint(0, V, (1,), generator=generator))))
    return cases


def _autograd_center_gradient(v_c: torch.Tensor, W_out: torch.Tensor, o: int) -> np.ndarray:
    v = v_c.clone().requires_grad_(True)
    log_p = F.log_softmax(v @ W_out, dim=0)[o]
    (grad,) = torch.autograd.grad(log_p, v)
    return grad.numpy()


def check_center_gradient(grad_center: Callable) -> Result:
    """``grad_center(v_c (d,), W_out (d, V), o)`` must return ∂ log P(w_o|w_c) / ∂v_c, shape ``(d,)``.

    Column j of ``W_out`` is u_j. The answer is compared with autograd on three random cases.
    """
    for v_c, W_out, o in _gradient_cases():
        what = f"grad_center(v_c {tuple(v_c.shape)}, W_out {tuple(W_out.shape)}, o={o})"
        got, error = call_safely(grad_center, v_c.clone(), W_out.clone(), o, what=what)
        if error:
            hint = " — u_j is column j of W_out (W_out[:, j]), W_out has shape (d, V)" if "IndexError" in error else ""
            return report(failed(error + hint))
        want = _autograd_center_gradient(v_c, W_out, o)
        result = compare_arrays(got, want, what, atol=1e-5)
        if result:
            continue
        values = as_array(got, what)
        if isinstance(values, Result) or values.shape != want.shape:
            hint = " (u_j is a column of W_out: W_out[:, o] has shape (d,))" if not isinstance(values, Result) else ""
            return report(failed(result.message + hint))
        u_o = W_out[:, o].numpy()
        if np.allclose(values, -want, atol=1e-5):
            hint = "it is the negative: that is the gradient of the loss −log P. The question asks for ∂ log P / ∂v_c"
        elif np.allclose(values, u_o, atol=1e-5):
            hint = "you returned u_o only: subtract the expectation Σ_j P(w_j|w_c) u_j = W_out @ softmax(v_c @ W_out)"
        elif np.allclose(values, u_o - W_out.numpy().mean(axis=1), atol=1e-5):
            hint = "you subtracted the plain mean of the u_j: weight each u_j by P(w_j|w_c) = softmax(v_c @ W_out)[j]"
        else:
            hint = "expected u_o − Σ_j P(w_j|w_c) u_j with P = softmax(v_c @ W_out)"
        return report(failed(f"{result.message} — {hint}"))
    return report(passed("grad_center equals autograd's ∂ log P(w_o|w_c)/∂v_c on three random cases"))


def _loss_cases() -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(4)
    return [
        (torch.randn(d, generator=generator), torch.randn(d, generator=generator), torch.randn(k, d, generator=generator))
        for d, k in ((3, 2), (8, 5), (16, 10))
    ]


def _reference_loss(v_c: torch.Tensor, u_o: torch.Tensor, u_neg: torch.Tensor) -> float:
    return float(-F.logsigmoid(u_o @ v_c) - F.logsigmoid(-(u_neg @ v_c)).sum())


def check_negative_sampling_loss(loss_fn: Callable) -> Result:
    """``loss_fn(v_c (d,), u_o (d,), u_neg (K, d))`` must return −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c)."""
    for v_c, u_o, u_neg in _loss_cases():
        what = f"loss_fn(v_c {tuple(v_c.shape)}, u_o {tuple(u_o.shape)}, u_neg {tuple(u_neg.shape)})"
        values, error = call_for_array(loss_fn, v_c.clone(), u_o.clone(), u_neg.clone(), what=what)
        if error:
            return report(failed(error))
        assert values is not None  # call_for_array: no error means an array
        if values.size != 1:
            return report(failed(f"{what} should return one number (a scalar), got shape {values.shape}"))
        value, want = float(values.reshape(-1)[0]), _reference_loss(v_c, u_o, u_neg)
        if np.isclose(value, want, atol=1e-5):
            continue
        pos = float(-F.logsigmoid(u_o @ v_c))
        if np.isclose(value, pos - float(F.logsigmoid(u_neg @ v_c).sum()), atol=1e-5):
            hint = "the negatives need σ(−u_k·v_c): a noise word should get a LOW score"
        elif np.isclose(value, -want, atol=1e-5):
            hint = "the sign is flipped: the loss is the NEGATIVE log-likelihood"
        elif np.isclose(value, pos - float(F.logsigmoid(-(u_neg @ v_c)).mean()), atol=1e-5):
            hint = "sum the K negative terms, do not average them"
        elif np.isclose(value, pos, atol=1e-5):
            hint = "you left out the negative samples' terms"
        else:
            hint = "expected −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c)"
        return report(failed(f"{what} = {value:.5f}, expected {want:.5f} — {hint}"))
    return report(passed("the negative-sampling loss is right on three random cases"))


def _cosmul_reference(unit: np.ndarray, a: int, b: int, c: int, eps: float = 1e-3) -> int:
    cos = (unit @ unit[[a, b, c]].T + 1) / 2  # (V, 3), shifted to [0, 1]
    score = cos[:, 1] * cos[:, 2] / (cos[:, 0] + eps)
    score[[a, b, c]] = -np.inf
    return int(score.argmax())


def _cosadd_reference(unit: np.ndarray, a: int, b: int, c: int) -> int:
    score = unit @ (unit[b] - unit[a] + unit[c])
    score[[a, b, c]] = -np.inf
    return int(score.argmax())


def _cosmul_cases() -> list[tuple[np.ndarray, int, int, int]]:
    rng = np.random.default_rng(7)
    cases = []
    for V, d in ((8, 3), (50, 4), (200, 6)):
        unit = rng.standard_normal((V, d))
        unit /= np.linalg.norm(unit, axis=1, keepdims=True)
        for _ in range(4):
            a, b, c = (int(i) for i in rng.choice(V, 3, replace=False))
            cases.append((unit, a, b, c))
    return cases


def check_analogy_3cosmul(analogy_3cosmul: Callable) -> Result:
    """``analogy_3cosmul(unit (V, d), a, b, c)`` → the index d* maximising
    cos'(d, b) · cos'(d, c) / (cos'(d, a) + 0.001), with cos' = (cos + 1) / 2, over d ∉ {a, b, c}."""
    disagreements = 0
    for unit, a, b, c in _cosmul_cases():
        what = f"analogy_3cosmul(unit {unit.shape}, a={a}, b={b}, c={c})"
        got, error = call_safely(analogy_3cosmul, unit.copy(), a, b, c, what=what)
        if error:
            return report(failed(error))
        try:
            index = int(np.asarray(got.detach().cpu() if hasattr(got, "detach") else got).reshape(-1)[0])
        except (TypeError, ValueError, IndexError):
            return report(failed(f"{what} should return one word index (an int), got {got!r}"))
        want = _cosmul_reference(unit, a, b, c)
        if index == want:
            disagreements += want != _cosadd_reference(unit, a, b, c)
            continue
        if index in (a, b, c):
            hint = "exclude the three question words a, b, c (set their scores to −inf)"
        elif index == _cosadd_reference(unit, a, b, c):
            hint = "that is 3CosAdd's answer (nearest to b − a + c); 3CosMul multiplies and divides the shifted cosines"
        else:
            scores = unit @ unit[[a, b, c]].T
            raw = scores[:, 1] * scores[:, 2] / (scores[:, 0] + 1e-3)
            raw[[a, b, c]] = -np.inf
            hint = ("shift every cosine to [0, 1] with (cos + 1) / 2 before multiplying" if index == int(raw.argmax())
                    else "expected argmax of cos'(d,b)·cos'(d,c) / (cos'(d,a) + 0.001)")
        return report(failed(f"{what} = {index}, expected {want} — {hint}"))
    return report(passed(f"3CosMul is right on {len(_cosmul_cases())} random questions "
                         f"({disagreements} of them answered differently by 3CosAdd)"))
