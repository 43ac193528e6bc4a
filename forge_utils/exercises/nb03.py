"""Self-checks for notebook 03 (Word2Vec).

- ``check_center_gradient(grad_center)``: seed 002's ∂ log P(w_o|w_c)/∂v_c = u_o − Σ_j P(w_j|w_c) u_j.
- ``check_negative_sampling_loss(negative_sampling_loss)``: −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c).
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
        what = f"`grad_center(v_c {tuple(v_c.shape)}, W_out {tuple(W_out.shape)}, o={o})`"
        got, error = call_safely(grad_center, v_c.clone(), W_out.clone(), o, what=what)
        if error:
            hint = "——u_j 是 W_out 的第 j 列（W_out[:, j]），W_out 的形状是 (d, V)" if "IndexError" in error else ""
            return report(failed(error + hint))
        want = _autograd_center_gradient(v_c, W_out, o)
        result = compare_arrays(got, want, what, atol=1e-5)
        if result:
            continue
        values = as_array(got, what)
        if isinstance(values, Result) or values.shape != want.shape:
            hint = "（u_j 是 W_out 的一列：W_out[:, o] 的形状是 (d,)）" if not isinstance(values, Result) else ""
            return report(failed(result.message + hint))
        u_o = W_out[:, o].numpy()
        if np.allclose(values, -want, atol=1e-5):
            hint = "符号反了：这是损失 −log P 的梯度。题目要的是 ∂ log P / ∂v_c"
        elif np.allclose(values, u_o, atol=1e-5):
            hint = "你只返回了 u_o：还要减去期望 Σ_j P(w_j|w_c) u_j = W_out @ softmax(v_c @ W_out)"
        elif np.allclose(values, u_o - W_out.numpy().mean(axis=1), atol=1e-5):
            hint = "你减去的是 u_j 的简单平均：每个 u_j 要按 P(w_j|w_c) = softmax(v_c @ W_out)[j] 加权"
        else:
            hint = "应为 u_o − Σ_j P(w_j|w_c) u_j，其中 P = softmax(v_c @ W_out)"
        return report(failed(f"{result.message}——{hint}"))
    return report(passed("`grad_center` 在三组随机数据上都等于 autograd 算出的 ∂ log P(w_o|w_c)/∂v_c"))


def _loss_cases() -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(4)
    return [
        (torch.randn(d, generator=generator), torch.randn(d, generator=generator), torch.randn(k, d, generator=generator))
        for d, k in ((3, 2), (8, 5), (16, 10))
    ]


def _reference_loss(v_c: torch.Tensor, u_o: torch.Tensor, u_neg: torch.Tensor) -> float:
    return float(-F.logsigmoid(u_o @ v_c) - F.logsigmoid(-(u_neg @ v_c)).sum())


def check_negative_sampling_loss(negative_sampling_loss: Callable) -> Result:
    """``negative_sampling_loss(v_c (d,), u_o (d,), u_neg (K, d))`` must return −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c)."""
    for v_c, u_o, u_neg in _loss_cases():
        what = f"`negative_sampling_loss(v_c {tuple(v_c.shape)}, u_o {tuple(u_o.shape)}, u_neg {tuple(u_neg.shape)})`"
        values, error = call_for_array(negative_sampling_loss, v_c.clone(), u_o.clone(), u_neg.clone(), what=what)
        if error:
            return report(failed(error))
        assert values is not None  # call_for_array: no error means an array
        if values.size != 1:
            return report(failed(f"{what} 应该返回一个数（标量），实际形状是 {values.shape}"))
        value, want = float(values.reshape(-1)[0]), _reference_loss(v_c, u_o, u_neg)
        if np.isclose(value, want, atol=1e-5):
            continue
        pos = float(-F.logsigmoid(u_o @ v_c))
        if np.isclose(value, pos - float(F.logsigmoid(u_neg @ v_c).sum()), atol=1e-5):
            hint = "负样本要用 σ(−u_k·v_c)：噪声词的得分应该低"
        elif np.isclose(value, -want, atol=1e-5):
            hint = "符号反了：损失是负对数似然，前面要有负号"
        elif np.isclose(value, pos - float(F.logsigmoid(-(u_neg @ v_c)).mean()), atol=1e-5):
            hint = "K 个负样本项要相加，不要取平均"
        elif np.isclose(value, pos, atol=1e-5):
            hint = "你漏掉了负样本的那些项"
        else:
            hint = "应为 −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c)"
        return report(failed(f"{what} = {value:.5f}，应为 {want:.5f}——{hint}"))
    return report(passed("负采样损失在三组随机数据上都正确"))


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
        what = f"`analogy_3cosmul(unit {unit.shape}, a={a}, b={b}, c={c})`"
        got, error = call_safely(analogy_3cosmul, unit.copy(), a, b, c, what=what)
        if error:
            return report(failed(error))
        try:
            index = int(np.asarray(got.detach().cpu() if hasattr(got, "detach") else got).reshape(-1)[0])
        except (TypeError, ValueError, IndexError):
            return report(failed(f"{what} 应该返回一个词的编号（int），实际得到 {got!r}"))
        want = _cosmul_reference(unit, a, b, c)
        if index == want:
            disagreements += want != _cosadd_reference(unit, a, b, c)
            continue
        if index in (a, b, c):
            hint = "要排除题目里的三个词 a、b、c（把它们的得分设为 −inf）"
        elif index == _cosadd_reference(unit, a, b, c):
            hint = "这是 3CosAdd 的答案（离 b − a + c 最近的词）；3CosMul 是把移到 [0, 1] 的余弦相乘、相除"
        else:
            scores = unit @ unit[[a, b, c]].T
            raw = scores[:, 1] * scores[:, 2] / (scores[:, 0] + 1e-3)
            raw[[a, b, c]] = -np.inf
            hint = ("相乘之前，先用 (cos + 1) / 2 把每个余弦移到 [0, 1]" if index == int(raw.argmax())
                    else "应为 cos'(d,b)·cos'(d,c) / (cos'(d,a) + 0.001) 的 argmax")
        return report(failed(f"{what} = {index}，应为 {want}——{hint}"))
    return report(passed(f"3CosMul 在 {len(_cosmul_cases())} 道随机类比题上都正确"
                         f"（其中 {disagreements} 道 3CosAdd 的答案与它不同）"))
