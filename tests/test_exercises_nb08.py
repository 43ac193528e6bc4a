import math

import torch

from forge_utils.exercises import nb08
from solutions import nb08 as answers


def test_reference_answers_pass():
    assert nb08.check_masked_attention(answers.masked_attention)
    assert nb08.check_split_heads(answers.split_heads)


def _attention(scale=True, dim=-1, invert=False, output_fn=None):
    def fn(q, k, v, mask=None):
        scores = q @ k.transpose(-2, -1)
        if scale:
            scores = scores / math.sqrt(q.shape[-1])
        if mask is not None:
            scores = scores.masked_fill(mask if invert else ~mask, float("-inf"))
        weights = torch.softmax(scores, dim=dim)
        return (output_fn or (lambda w, v: w @ v))(weights, v), weights
    return fn


def test_missing_scale_is_explained():
    result = nb08.check_masked_attention(_attention(scale=False))
    assert not result and "√d_k" in result.message


def test_softmax_over_queries_is_explained():
    result = nb08.check_masked_attention(_attention(dim=-2))
    assert not result and "dim=-1" in result.message


def test_inverted_mask_is_explained():
    result = nb08.check_masked_attention(_attention(invert=True))
    assert not result and "掩码反了" in result.message and "因果" in result.message


def test_wrong_output_and_wrong_return_and_crash():
    result = nb08.check_masked_attention(_attention(output_fn=lambda w, v: w @ v + 1))
    assert not result and "weights @ v" in result.message
    result = nb08.check_masked_attention(lambda q, k, v, mask=None: q)
    assert not result and "应该返回一对" in result.message
    result = nb08.check_masked_attention(lambda q, k, v, mask=None: 1 / 0)
    assert not result and "ZeroDivisionError" in result.message


def test_split_heads_without_transpose_is_explained():
    result = nb08.check_split_heads(lambda x, h: x.view(x.shape[0], h, x.shape[1], x.shape[2] // h))
    assert not result and "数字乱了" in result.message and "transpose(1, 2)" in result.message
    result = nb08.check_split_heads(lambda x, h: x.view(x.shape[0], x.shape[1], h, x.shape[2] // h))
    assert not result and "(B, L, heads, d_k)" in result.message


def test_window_answers_pass():
    assert nb08.check_window_mask(answers.window_mask)
    assert nb08.check_layers_needed(answers.layers_needed)
    assert nb08._layers_by_stacking(100, 2) == 99 and nb08._layers_by_stacking(100, 10) == 11
    assert nb08._layers_by_stacking(100, 100) == 1


def _gap(length):
    return torch.arange(length)[:, None] - torch.arange(length)[None, :]


def test_window_mask_mistakes_are_explained():
    result = nb08.check_window_mask(lambda n, w: _gap(n).abs() < w)
    assert not result and "看到了未来" in result.message
    result = nb08.check_window_mask(lambda n, w: (_gap(n) >= 0) & (_gap(n) <= w))
    assert not result and "多算了一个" in result.message
    result = nb08.check_window_mask(lambda n, w: _gap(n) >= 0)
    assert not result and "完整的因果掩码" in result.message
    result = nb08.check_window_mask(lambda n, w: ((_gap(n) >= 0) & (_gap(n) < w)).T)
    assert not result and "行和列弄反了" in result.message
    result = nb08.check_window_mask(lambda n, w: torch.ones(n, n - 1, dtype=torch.bool))
    assert not result and "的形状是" in result.message
    # 0/1 integers are accepted as well as booleans
    assert nb08.check_window_mask(lambda n, w: answers.window_mask(n, w).int())


def test_layers_needed_mistakes_are_explained():
    result = nb08.check_layers_needed(lambda n, w: (n - 1) / (w - 1))
    assert not result and "向上取整" in result.message
    result = nb08.check_layers_needed(lambda n, w: math.ceil(n / w))
    assert not result and "window − 1 个位置" in result.message
    result = nb08.check_layers_needed(lambda n, w: n - 1)
    assert not result and "把掩码叠起来需要" in result.message
    result = nb08.check_layers_needed(lambda n, w: "many")
    assert not result and "应该返回一个数" in result.message
