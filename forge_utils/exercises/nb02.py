"""Self-checks for notebook 02 (one-hot and counting)."""
from __future__ import annotations

import math

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from forge_utils.exercises import (
    Result, call_for_array, call_for_number, call_safely, compare_arrays, failed, passed, report,
)

if TYPE_CHECKING:
    import torch


def _cosine_cases() -> list[tuple[np.ndarray, np.ndarray, float]]:
    eye = np.eye(4)
    return [
        (eye[0], eye[1], 0.0),  # two one-hot vectors: orthogonal
        (eye[2], eye[2], 1.0),  # a vector with itself
        (np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0]), 1.0),  # same direction, other length
        (np.array([1.0, 0.0]), np.array([-1.0, 0.0]), -1.0),  # opposite
        (np.array([3.0, 4.0]), np.array([4.0, 3.0]), 24 / 25),
    ]


def check_cosine(cosine: Callable) -> Result:
    """``cosine(a, b)`` must return cos θ = a·b / (‖a‖‖b‖) for 1-D vectors."""
    for a, b, want in _cosine_cases():
        value, error = call_for_number(cosine, a, b, what=f"`cosine({a.tolist()}, {b.tolist()})`")
        if error:
            return report(failed(error))
        assert value is not None  # call_for_number: no error means a number
        if not np.isclose(value, want, atol=1e-6):
            hint = ""
            if np.isclose(value, float(a @ b)):
                hint = "——这只是点积：还要除以两个向量的长度（范数）"
            elif np.isclose(value, float(a @ b) / float(a @ a)):
                hint = "——要除以 ‖a‖·‖b‖，而不是 ‖a‖²"
            return report(failed(f"`cosine({a.tolist()}, {b.tolist()})` = {value:.4f}，应为 {want:.4f}{hint}"))
    return report(passed("`cosine` 对正交、相同、长度不同和方向相反的向量都正确"))


def check_one_hot(one_hot: Callable) -> Result:
    """``one_hot(ids, vocab_size)`` must return a ``(len(ids), vocab_size)`` 0/1 matrix."""
    ids, size = [2, 0, 3, 2], 5
    got, error = call_safely(one_hot, ids, size, what=f"`one_hot({ids}, {size})`")
    if error:
        return report(failed(error))
    want = np.eye(size)[ids]
    result = compare_arrays(got, want, f"`one_hot({ids}, {size})`")
    if not result and np.asarray(got).shape == want.T.shape:
        result = failed(f"`one_hot({ids}, {size})` 的形状是 {want.T.shape}：行列转置了——应该每个编号占一行")
    return report(result)


# --- exercise 3: add-k smoothing, predicted then measured -----------------------------------------

ADD_K_GRID = (1.0, 0.1, 0.01)


def _add_k_reference(pair_counts: np.ndarray, k: float) -> np.ndarray:
    counts = np.asarray(pair_counts, dtype=np.float64)
    return (counts + k) / (counts.sum(axis=1, keepdims=True) + k * counts.shape[1])


def check_add_k(add_k_bigram: Callable) -> Result:
    """``add_k_bigram(pair_counts (V, V), k) → P (V, V)`` with P[b, c] = (count(b, c) + k) / (count(b) + k·V)."""
    counts = np.array([[2.0, 0.0, 1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 0.0]])  # row 1: a character never seen
    for k in (1.0, 0.5):
        before = counts.copy()
        got, error = call_for_array(add_k_bigram, counts, k, what=f"`add_k_bigram(counts, {k})`")
        if error:
            return report(failed(error))
        assert got is not None  # call_for_array: no error means an array
        if not np.array_equal(counts, before):
            return report(failed("`add_k_bigram` 原地修改了 `pair_counts`：要算 `counts + k`，不要写 `counts += k`"))
        want = _add_k_reference(counts, k)
        if got.shape != want.shape:
            return report(failed(f"`add_k_bigram(counts, {k})` 的形状是 {got.shape}，应为 {want.shape}（每个“前一个字”占一行）"))
        if np.allclose(got, want.T):
            return report(failed("和为 1 的是列，不是行：第 b 行是 b 后面那个字的分布——要对每一行归一化"))
        if np.allclose(got, _add_k_reference(counts, 1.0)) and k != 1.0:
            return report(failed(f"k = {k} 时你返回的是加一平滑的表：要用 k，而不是 1"))
        if not np.allclose(got.sum(axis=1), 1.0):
            sums = np.round(got.sum(axis=1), 4).tolist()
            return report(failed(f"各行之和是 {sums}，不是 1：分母是 count(b) + k·V（V = {counts.shape[1]}），不是 count(b) + k"))
        result = compare_arrays(got, want, f"`add_k_bigram(counts, {k})`")
        if not result:
            return report(result)
    return report(passed("加 k 平滑的概率正确，训练时从没见过的那一行（均匀分布）也对"))


def add_k_val_bpc(add_k_bigram: Callable, pair_counts: np.ndarray, val_stream: torch.Tensor,
                  ks: Sequence[float] = ADD_K_GRID, unk_nats: torch.Tensor | None = None) -> dict[float, float] | str:
    """Validation bits per character of the student's add-k bigram for each k (on the thread's scored
    characters, every ``<unk>`` charged ``unk_nats`` as in ``forge_utils.lm``), or an error message."""
    import torch

    from forge_utils.lm import evaluation_windows, unk_charge

    inputs, targets = evaluation_windows(val_stream)
    previous, current = inputs.reshape(-1).numpy(), targets.reshape(-1).numpy()
    naming_bits = unk_charge(val_stream, unk_nats, torch.arange(1, 1 + targets.numel())) / math.log(2)
    scores: dict[float, float] = {}
    for k in ks:
        table, error = call_for_array(add_k_bigram, pair_counts, k, what=f"`add_k_bigram(pair_counts, {k})`")
        if error:
            return error
        assert table is not None  # call_for_array: no error means an array
        if table.shape != np.shape(pair_counts):
            return f"`add_k_bigram(pair_counts, {k})` 的形状是 {table.shape}，应为 {np.shape(pair_counts)}"
        with np.errstate(divide="ignore"):
            scores[k] = float((-np.log2(table[previous, current]).sum() + naming_bits) / len(current))
    return scores


def check_add_k_prediction(
    add_k_bigram: Callable, prediction: dict, pair_counts: np.ndarray, val_stream: torch.Tensor,
    interpolated_val_bpc: float, unk_nats: torch.Tensor | None = None,
) -> Result:
    """Compare the student's prediction ``{"best_k": k, "beats_interpolation": bool}`` with the
    measured validation bits per character of add-k smoothing for k in ``ADD_K_GRID`` (``<unk>`` charged
    ``unk_nats``, as ``interpolated_val_bpc`` must be)."""
    if not isinstance(prediction, dict) or set(prediction) != {"best_k", "beats_interpolation"}:
        return report(failed('`my_prediction` 应该是一个字典：`{"best_k": ..., "beats_interpolation": ...}`'))
    if prediction["best_k"] not in ADD_K_GRID or not isinstance(prediction["beats_interpolation"], bool):
        return report(failed(
            f"先写下你的预测：best_k 取 {list(ADD_K_GRID)} 中的一个，beats_interpolation 取 True 或 False"
            "（先定下你的猜测，才会给你看测量结果）"
        ))
    scores = add_k_val_bpc(add_k_bigram, pair_counts, val_stream, unk_nats=unk_nats)
    if isinstance(scores, str):
        return report(failed(scores))
    for k, bits in scores.items():
        print(f"add-{k:<5} 验证集每字比特 {bits:.4f}")
    print(f"插值平滑  验证集每字比特 {interpolated_val_bpc:.4f}")
    best_k = min(scores, key=scores.__getitem__)
    beats = scores[best_k] < interpolated_val_bpc
    wrong = []
    if prediction["best_k"] != best_k:
        wrong.append(f"验证集每字比特最低的是 k = {best_k}，不是 {prediction['best_k']}")
    if prediction["beats_interpolation"] != beats:
        wrong.append(f"add-{best_k} {'胜过了' if beats else '没有胜过'}插值平滑"
                     f"（每字比特 {scores[best_k]:.4f} 对 {interpolated_val_bpc:.4f}）")
    if wrong:
        return report(failed("测量结果和你的预测不一样：" + "；".join(wrong) +
                             "。为什么？想一想加 k 平滑把多少概率挪给了从没见过的字对。"))
    return report(passed(f"预测得到证实：k = {best_k} 最好，而且它"
                         f"{'胜过了' if beats else '没有胜过'}插值平滑"))
