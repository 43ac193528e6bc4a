"""Self-checks for notebook 08 (attention)."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from forge_utils.exercises import Result, call_for_number, call_safely, compare_arrays, failed, passed, report


def _reference(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None, scale: bool = True,
               dim: int = -1, invert: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    scores = q @ k.transpose(-2, -1)
    if scale:
        scores = scores / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask if invert else ~mask, float("-inf"))
    weights = torch.softmax(scores, dim=dim)
    return weights @ v, weights


def _attention_cases() -> list[tuple[str, tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]]]:
    g = torch.Generator().manual_seed(8)
    q, k, v = torch.randn(2, 4, 8, generator=g), torch.randn(2, 6, 8, generator=g), torch.randn(2, 6, 5, generator=g)
    causal = torch.ones(4, 4, dtype=torch.bool).tril()
    sq = torch.randn(2, 4, 8, generator=g)
    padding = torch.tensor([[True] * 6, [True, True, True, False, False, False]])[:, None, :]  # (B, 1, Lk)
    return [
        ("不加掩码（q (2, 4, 8)，k (2, 6, 8)，v (2, 6, 5)）时", (q, k, v, None)),
        ("自注意力加因果掩码 (4, 4) 时", (sq, sq, sq, causal)),
        ("加填充掩码 (2, 1, 6)（第 2 句的最后 3 个键是 <pad>）时", (q, k, v, padding)),
    ]


def _as_pair(got: object, what: str) -> tuple[torch.Tensor, torch.Tensor] | Result:
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return failed(f"{what} 应该返回一对 (output, weights)，实际得到 {type(got).__name__}")
    try:
        return torch.as_tensor(got[0]).double(), torch.as_tensor(got[1]).double()
    except (TypeError, ValueError, RuntimeError) as err:
        return failed(f"{what} 应该返回两个张量 (output, weights)：{err}")


def check_masked_attention(masked_attention: Callable) -> Result:
    """``masked_attention(q, k, v, mask)`` → (output, weights) of softmax(q kᵀ/√d_k) v, mask True = may attend."""
    for name, (q, k, v, mask) in _attention_cases():
        what = f"{name}，`masked_attention`"
        got, error = call_safely(masked_attention, q, k, v, mask, what=what)
        if error:
            return report(failed(error))
        pair = _as_pair(got, what)
        if isinstance(pair, Result):
            return report(pair)
        out, weights = pair
        want_out, want_w = _reference(q, k, v, mask)
        result = compare_arrays(weights, want_w, f"{name}，`weights`", atol=1e-5)
        if not result:
            hints: list[tuple[dict[str, Any], str]] = [
                (dict(scale=False), "它们等于不缩放的 softmax(q kᵀ) v：要把分数除以 √d_k"),
                (dict(dim=-2), "softmax 的轴不对：要在键上归一化（dim=-1），让每个查询那一行的和为 1"),
                (dict(invert=True), "掩码反了：True 表示“可以关注”，所以要把 mask 为 False 处的分数填成 -inf"),
            ]
            for kwargs, hint in hints:
                if mask is None and "invert" in kwargs:
                    continue
                try:
                    _, wrong = _reference(q, k, v, mask, **kwargs)
                except RuntimeError:
                    continue
                if weights.shape == wrong.shape and torch.allclose(weights, wrong.double(), atol=1e-5, equal_nan=True):
                    return report(failed(f"{name}，`weights`：{hint}"))
            return report(result)
        result = compare_arrays(out, want_out, f"{name}，`output`", atol=1e-5)
        if not result:
            return report(failed(result.message + "——权重是对的；输出应为 weights @ v"))
    return report(passed("`masked_attention` 与 softmax(q kᵀ/√d_k) v 一致：无掩码、因果掩码和填充掩码三种情况都对"))


def check_split_heads(split_heads: Callable) -> Result:
    """``split_heads(x, num_heads)``: (B, L, d_model) → (B, heads, L, d_k), head h = dims h·d_k … (h+1)·d_k."""
    x = torch.arange(2 * 3 * 8, dtype=torch.float32).view(2, 3, 8)
    for heads in (2, 4):
        what = f"`split_heads(x (2, 3, 8), {heads})`"
        got, error = call_safely(split_heads, x, heads, what=what)
        if error:
            return report(failed(error))
        want = x.view(2, 3, heads, 8 // heads).transpose(1, 2)
        try:
            got = torch.as_tensor(got)
        except (TypeError, ValueError, RuntimeError) as err:
            return report(failed(f"{what} 应该返回一个张量：{err}"))
        if tuple(got.shape) == tuple(want.shape) and torch.equal(got.float(), x.reshape(want.shape)):
            return report(failed(
                f"{what}：形状对了，但数字乱了——把 (B, L, d_model) 直接 view 成 "
                "(B, heads, L, d_k) 会把不同位置的数混在一起。先 view 成 (B, L, heads, d_k)，再 transpose(1, 2)"
            ))
        result = compare_arrays(got, want, what)
        if not result:
            if tuple(got.shape) == (2, 3, heads, 8 // heads):
                result = failed(f"{what} 的形状是 (B, L, heads, d_k)：用 transpose(1, 2) 把头这一维挪到前面")
            return report(result)
    return report(passed("`split_heads` 把每个位置的第 h·d_k … (h+1)·d_k 维分给第 h 个头，形状为 (B, heads, L, d_k)"))


def _window_reference(length: int, window: int) -> torch.Tensor:
    """(L, L) bool: query i may attend to key j iff 0 <= i - j < window."""
    gap = torch.arange(length)[:, None] - torch.arange(length)[None, :]
    return (gap >= 0) & (gap < window)


def check_window_mask(window_mask: Callable) -> Result:
    """``window_mask(length, window)`` → (L, L) bool, True where 0 ≤ i − j < window (itself and window − 1 before)."""
    gap_cases = [(6, 2), (5, 3), (4, 1), (7, 7), (5, 10)]
    for length, window in gap_cases:
        what = f"`window_mask({length}, {window})`"
        got, error = call_safely(window_mask, length, window, what=what)
        if error:
            return report(failed(error))
        try:
            got = torch.as_tensor(got)
        except (TypeError, ValueError, RuntimeError) as err:
            return report(failed(f"{what} 应该返回一个张量：{err}"))
        want = _window_reference(length, window)
        if tuple(got.shape) != (length, length):
            return report(failed(f"{what} 的形状是 {tuple(got.shape)}，应为 (length, length) = {(length, length)}"))
        got = got.cpu().bool() if got.dtype == torch.bool else got.cpu() != 0
        if torch.equal(got, want):
            continue
        gap = torch.arange(length)[:, None] - torch.arange(length)[None, :]
        hints = [
            (gap.abs() < window, "它让位置看到了未来：因果窗口只往回看（i − j ≥ 0）"),
            ((gap >= 0) & (gap <= window), "多算了一个：窗口把查询自己也算在内，所以 window = 2 表示自己和前面一个（i − j < window）"),
            ((gap > 0) & (gap <= window), "每一行都要包括查询自己（i − j = 0），并在 i − window 之前停下"),
            (gap >= 0, "这是完整的因果掩码：往回 window 步及更远的键也要遮住"),
            (want.T, "行和列弄反了：第 i 行是查询，第 j 列是键"),
        ]
        for wrong, hint in hints:
            if torch.equal(got, wrong) and not torch.equal(wrong, want):
                return report(failed(f"{what}：{hint}"))
        return report(failed(f"{what} 与 0 ≤ i − j < window 相比，{length * length} 个元素中有 {int((got != want).sum())} 个不同"))
    return report(passed("`window_mask`：每个位置都看得到自己和之前的 window − 1 个位置，看不到之后的"))


def _layers_by_stacking(length: int, window: int) -> int:
    """Stack window attention layers until the last position can receive position 0: count them."""
    step = _window_reference(length, window).long()
    reach, layers = step.clone(), 1
    while not reach[-1, 0]:
        reach = ((reach @ step) > 0).long()
        layers += 1
    return layers


def check_layers_needed(layers_needed: Callable) -> Result:
    """``layers_needed(length, window)``: the fewest stacked window-attention layers from position 0 to the last."""
    cases = [(100, 2), (100, 10), (100, 100), (10, 3), (50, 6), (2, 2)]
    for length, window in cases:
        what = f"`layers_needed({length}, {window})`"
        got, error = call_for_number(layers_needed, length, window, what=what)
        if error:
            return report(failed(error))
        assert got is not None  # call_for_number: no error means a number
        want = _layers_by_stacking(length, window)
        if got == want:
            continue
        if abs(got - (length - 1) / (window - 1)) < 1e-9:
            hint = "不存在零点几层：要向上取整"
        elif got == math.ceil(length / window) or got == math.ceil(length / (window - 1)):
            hint = ("一层只能把信息传出 window − 1 个位置（窗口包括查询自己），"
                    f"而信息要走 length − 1 = {length - 1} 个位置")
        else:
            hint = "找个小例子（比如 length 5、window 2），在纸上把掩码叠起来数一数"
        return report(failed(f"{what} 返回 {got:g}，但把掩码叠起来需要 {want} 层：{hint}"))
    return report(passed(
        f"`layers_needed` 与叠起来的掩码一致。T = 100：window 2 需要 {_layers_by_stacking(100, 2)} 层"
        f"（相当于 RNN 的 99 步），window 10 需要 {_layers_by_stacking(100, 10)} 层，全注意力只要 1 层"
    ))
