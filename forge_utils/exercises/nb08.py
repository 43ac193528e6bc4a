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
        ("no mask, q (2, 4, 8), k (2, 6, 8), v (2, 6, 5)", (q, k, v, None)),
        ("causal mask (4, 4) on self-attention", (sq, sq, sq, causal)),
        ("padding mask (2, 1, 6): the last 3 keys of sentence 2 are <pad>", (q, k, v, padding)),
    ]


def _as_pair(got: object, what: str) -> tuple[torch.Tensor, torch.Tensor] | Result:
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return failed(f"{what} should return a pair (output, weights), got {type(got).__name__}")
    try:
        return torch.as_tensor(got[0]).double(), torch.as_tensor(got[1]).double()
    except (TypeError, ValueError, RuntimeError) as err:
        return failed(f"{what} should return two tensors (output, weights): {err}")


def check_masked_attention(masked_attention: Callable) -> Result:
    """``masked_attention(q, k, v, mask)`` → (output, weights) of softmax(q kᵀ/√d_k) v, mask True = may attend."""
    for name, (q, k, v, mask) in _attention_cases():
        what = f"masked_attention on {name}"
        got, error = call_safely(masked_attention, q, k, v, mask, what=what)
        if error:
            return report(failed(error))
        pair = _as_pair(got, what)
        if isinstance(pair, Result):
            return report(pair)
        out, weights = pair
        want_out, want_w = _reference(q, k, v, mask)
        result = compare_arrays(weights, want_w, f"weights ({name})", atol=1e-5)
        if not result:
            hints: list[tuple[dict[str, Any], str]] = [
                (dict(scale=False), "they match softmax(q kᵀ) v without the scale: divide the scores by √d_k"),
                (dict(dim=-2), "the softmax runs over the wrong axis: normalise over the keys (dim=-1), so each query's row sums to 1"),
                (dict(invert=True), "the mask is inverted: True means 'may attend', so fill the scores where mask is False with -inf"),
            ]
            for kwargs, hint in hints:
                if mask is None and "invert" in kwargs:
                    continue
                try:
                    _, wrong = _reference(q, k, v, mask, **kwargs)
                except RuntimeError:
                    continue
                if weights.shape == wrong.shape and torch.allclose(weights, wrong.double(), atol=1e-5, equal_nan=True):
                    return report(failed(f"weights on {name}: {hint}"))
            return report(result)
        result = compare_arrays(out, want_out, f"output ({name})", atol=1e-5)
        if not result:
            return report(failed(result.message + " — the weights are right; the output is weights @ v"))
    return report(passed("masked_attention matches softmax(q kᵀ/√d_k) v without a mask, with a causal and with a padding mask"))


def check_split_heads(split_heads: Callable) -> Result:
    """``split_heads(x, num_heads)``: (B, L, d_model) → (B, heads, L, d_k), head h = dims h·d_k … (h+1)·d_k."""
    x = torch.arange(2 * 3 * 8, dtype=torch.float32).view(2, 3, 8)
    for heads in (2, 4):
        what = f"split_heads(x of shape (2, 3, 8), {heads})"
        got, error = call_safely(split_heads, x, heads, what=what)
        if error:
            return report(failed(error))
        want = x.view(2, 3, heads, 8 // heads).transpose(1, 2)
        try:
            got = torch.as_tensor(got)
        except (TypeError, ValueError, RuntimeError) as err:
            return report(failed(f"{what} should return a tensor: {err}"))
        if tuple(got.shape) == tuple(want.shape) and torch.equal(got.float(), x.reshape(want.shape)):
            return report(failed(
                f"{what}: the shape is right but the numbers are mixed up — viewing (B, L, d_model) directly as "
                "(B, heads, L, d_k) cuts across positions. View as (B, L, heads, d_k) first, then transpose(1, 2)"
            ))
        result = compare_arrays(got, want, what)
        if not result:
            if tuple(got.shape) == (2, 3, heads, 8 // heads):
                result = failed(f"{what} has shape (B, L, heads, d_k): move the head axis forward with transpose(1, 2)")
            return report(result)
    return report(passed("split_heads gives head h the dims h·d_k … (h+1)·d_k of every position, shape (B, heads, L, d_k)"))


def _window_reference(length: int, window: int) -> torch.Tensor:
    """(L, L) bool: query i may attend to key j iff 0 <= i - j < window."""
    gap = torch.arange(length)[:, None] - torch.arange(length)[None, :]
    return (gap >= 0) & (gap < window)


def check_window_mask(window_mask: Callable) -> Result:
    """``window_mask(length, window)`` → (L, L) bool, True where 0 ≤ i − j < window (itself and window − 1 before)."""
    gap_cases = [(6, 2), (5, 3), (4, 1), (7, 7), (5, 10)]
    for length, window in gap_cases:
        what = f"window_mask({length}, {window})"
        got, error = call_safely(window_mask, length, window, what=what)
        if error:
            return report(failed(error))
        try:
            got = torch.as_tensor(got)
        except (TypeError, ValueError, RuntimeError) as err:
            return report(failed(f"{what} should return a tensor: {err}"))
        want = _window_reference(length, window)
        if tuple(got.shape) != (length, length):
            return report(failed(f"{what} has shape {tuple(got.shape)}, expected (length, length) = {(length, length)}"))
        got = got.cpu().bool() if got.dtype == torch.bool else got.cpu() != 0
        if torch.equal(got, want):
            continue
        gap = torch.arange(length)[:, None] - torch.arange(length)[None, :]
        hints = [
            (gap.abs() < window, "it lets a position see the future: a causal window only looks back (i − j ≥ 0)"),
            ((gap >= 0) & (gap <= window), "off by one: the window counts the query itself, so window = 2 means itself and one before (i − j < window)"),
            ((gap > 0) & (gap <= window), "each row must include the query itself (i − j = 0) and stop before i − window"),
            (gap >= 0, "this is the full causal mask: also hide keys window or more steps back"),
            (want.T, "rows and columns are swapped: row i is the query, column j the key"),
        ]
        for wrong, hint in hints:
            if torch.equal(got, wrong) and not torch.equal(wrong, want):
                return report(failed(f"{what}: {hint}"))
        return report(failed(f"{what} differs from 0 ≤ i − j < window at {int((got != want).sum())} of {length * length} entries"))
    return report(passed("window_mask: every position sees itself and the window − 1 positions before it, nothing after"))


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
        what = f"layers_needed({length}, {window})"
        got, error = call_for_number(layers_needed, length, window, what=what)
        if error:
            return report(failed(error))
        assert got is not None  # call_for_number: no error means a number
        want = _layers_by_stacking(length, window)
        if got == want:
            continue
        if abs(got - (length - 1) / (window - 1)) < 1e-9:
            hint = "a fraction of a layer does not exist: round up"
        elif got == math.ceil(length / window) or got == math.ceil(length / (window - 1)):
            hint = ("one layer moves information window − 1 positions (the window includes the query itself), "
                    f"and it must travel length − 1 = {length - 1} positions")
        else:
            hint = "stack the masks on paper for a small case, e.g. length 5, window 2, and count"
        return report(failed(f"{what} returned {got:g}, but stacking the masks needs {want} layers: {hint}"))
    return report(passed(
        f"layers_needed matches the stacked masks. T = 100: window 2 needs {_layers_by_stacking(100, 2)} layers "
        f"(an RNN's 99 steps), window 10 needs {_layers_by_stacking(100, 10)}, full attention needs 1"
    ))
