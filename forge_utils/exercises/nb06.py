"""Self-checks for notebook 06 (RNN)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from forge_utils.exercises import Result, as_array, call_for_number, call_safely, compare_arrays, failed, passed, report


def call_step(step: Callable, *args: Any, what: str) -> tuple[object, str | None]:
    """``call_safely`` for a recurrent step function, adding the usual hint when shapes do not fit."""
    got, error = call_safely(step, *args, what=what)
    if error and "NotImplementedError" not in error and any(w in error for w in ("mat", "shape", "size")):
        error += "——x_t 的每一行是一个样本：要写 x_t @ W.T 和 h_prev @ U.T"
    return got, error


def _rnn_case(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    x_t, h_prev = torch.randn(3, 4, generator=g), torch.randn(3, 5, generator=g)
    W, U, b = torch.randn(5, 4, generator=g), torch.randn(5, 5, generator=g) * 0.5, torch.randn(5, generator=g)
    return x_t, h_prev, W, U, b


def check_rnn_step(rnn_step: Callable) -> Result:
    """``rnn_step(x_t (B, I), h_prev (B, H), W (H, I), U (H, H), b (H,))`` → tanh(W x + U h + b), ``(B, H)``."""
    for seed in (0, 1):
        x_t, h_prev, W, U, b = _rnn_case(seed)
        what = "`rnn_step(x_t (3, 4), h_prev (3, 5), W (5, 4), U (5, 5), b (5,))`"
        got, error = call_step(rnn_step, x_t, h_prev, W, U, b, what=what)
        if error:
            return report(failed(error))
        want = torch.tanh(x_t @ W.T + h_prev @ U.T + b)
        result = compare_arrays(got, want, what, atol=1e-5)
        if not result:
            array = as_array(got, what)
            if not isinstance(array, Result) and array.shape == tuple(want.shape):
                wrong = {
                    "漏掉了偏置 b": torch.tanh(x_t @ W.T + h_prev @ U.T),
                    "用 sigmoid 代替了 tanh": torch.sigmoid(x_t @ W.T + h_prev @ U.T + b),
                    "漏掉了 tanh": x_t @ W.T + h_prev @ U.T + b,
                    "漏掉了上一步的状态（U h_prev）": torch.tanh(x_t @ W.T + b),
                    "U 没有转置（写成了 h_prev @ U）": torch.tanh(x_t @ W.T + h_prev @ U + b),
                }
                for name, value in wrong.items():
                    if np.allclose(array, value.numpy(), atol=1e-5):
                        return report(failed(f"{what}：你的结果相当于这样一步：{name}"))
            return report(result)
    return report(passed("`rnn_step` 在两组随机数据上都与 tanh(W x_t + U h_prev + b) 一致"))


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
        value, error = call_for_number(decay_factor, norms.copy(), what=f"`decay_factor(norms ({len(norms)},))`")
        if error:
            return report(failed(error))
        assert value is not None  # call_for_number: no error means a number
        if not np.isclose(value, want, rtol=1e-3):
            hint = ""
            if np.isclose(value, np.log(want), rtol=1e-3):
                hint = "——这是 log r（斜率）；应返回 exp(slope)"
            elif np.isclose(value, norms[-1] / norms[0], rtol=1e-3):
                hint = "——这是所有步合在一起的总衰减；要的是每一步的因子"
            elif np.isclose(value, 1 / want, rtol=1e-3):
                hint = "——这是 1/r：拟合是从距离 0 往外走的"
            return report(failed(f"`decay_factor` 给出 {value:.4g}，而这个序列每步的衰减因子是 {want:.4g}{hint}"))
    return report(passed("`decay_factor` 对消失、爆炸和带噪声的范数都能还原出每步的衰减因子"))


def _gru_reference(x_t: torch.Tensor, h: torch.Tensor, W: torch.Tensor, U: torch.Tensor, b_ih: torch.Tensor,
                   b_hh: torch.Tensor, order: str = "rzn", reset_inside: bool = True,
                   keep_old_with_z: bool = True) -> torch.Tensor:
    """PyTorch's GRU step (``order="rzn"``, r inside the bracket, z keeps the old state) and named mistakes."""
    gi = dict(zip(order, (x_t @ W.T + b_ih).chunk(3, dim=-1)))
    gh = dict(zip(order, (h @ U.T + b_hh).chunk(3, dim=-1)))
    r, z = torch.sigmoid(gi["r"] + gh["r"]), torch.sigmoid(gi["z"] + gh["z"])
    if reset_inside:
        n = torch.tanh(gi["n"] + r * gh["n"])
    else:
        n = torch.tanh(gi["n"] + r * (h @ U.T).chunk(3, dim=-1)[order.index("n")] + b_hh.chunk(3)[order.index("n")])
    return (1 - z) * n + z * h if keep_old_with_z else z * n + (1 - z) * h


def check_gru_step(gru_step: Callable) -> Result:
    """``gru_step(x_t (B, I), h_prev (B, H), W (3H, I), U (3H, H), b_ih (3H,), b_hh (3H,))`` → h_t ``(B, H)``,
    checked against ``nn.GRUCell`` with the same weights (gate blocks stacked r, z, n)."""
    for seed in (0, 1):
        g = torch.Generator().manual_seed(seed)
        cell = torch.nn.GRUCell(4, 5)
        with torch.no_grad():
            for p in cell.parameters():
                p.copy_(torch.randn(p.shape, generator=g))
        x_t, h_prev = torch.randn(3, 4, generator=g), torch.randn(3, 5, generator=g)
        W, U, b_ih, b_hh = (p.detach().clone() for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh))
        what = "`gru_step(x_t (3, 4), h_prev (3, 5), W (15, 4), U (15, 5), b_ih (15,), b_hh (15,))`"
        got, error = call_step(gru_step, x_t, h_prev, W, U, b_ih, b_hh, what=what)
        if error:
            return report(failed(error))
        with torch.no_grad():
            want = cell(x_t, h_prev)
        result = compare_arrays(got, want, what + "（与 nn.GRUCell 比较）", atol=1e-5)
        if not result:
            array = as_array(got, what)
            if not isinstance(array, Result) and array.shape == tuple(want.shape):
                args = (x_t, h_prev, W, U, b_ih, b_hh)
                wrong = {
                    "h_t = z ⊙ n + (1 − z) ⊙ h_prev（这是 Cho 等人的约定；PyTorch 用 z 保留旧状态："
                    "h_t = (1 − z) ⊙ n + z ⊙ h_prev）": _gru_reference(*args, keep_old_with_z=False),
                    "按 z, r, n 的顺序取门（PyTorch 的堆叠顺序是 r, z, n）": _gru_reference(*args, order="zrn"),
                    "r 只乘了 U_n h_prev，没有乘它的偏置 b_hn（PyTorch：n = tanh(W_n x + b_in + r ⊙ (U_n h + b_hn))）":
                        _gru_reference(*args, reset_inside=False),
                }
                for name, value in wrong.items():
                    if np.allclose(array, value.numpy(), atol=1e-5):
                        return report(failed(f"{what}：你的结果相当于这样一步：{name}"))
            return report(result)
    return report(passed("`gru_step` 在两组随机数据上都与 nn.GRUCell 一致：三行代码写出一个门控 RNN"))
