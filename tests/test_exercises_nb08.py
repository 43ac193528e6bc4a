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
    assert not result and "inverted" in result.message and "causal" in result.message


def test_wrong_output_and_wrong_return_and_crash():
    result = nb08.check_masked_attention(_attention(output_fn=lambda w, v: w @ v + 1))
    assert not result and "weights @ v" in result.message
    result = nb08.check_masked_attention(lambda q, k, v, mask=None: q)
    assert not result and "pair" in result.message
    result = nb08.check_masked_attention(lambda q, k, v, mask=None: 1 / 0)
    assert not result and "ZeroDivisionError" in result.message


def test_split_heads_without_transpose_is_explained():
    result = nb08.check_split_heads(lambda x, h: x.view(x.shape[0], h, x.shape[1], x.shape[2] // h))
    assert not result and "transpose(1, 2)" in result.message
    result = nb08.check_split_heads(lambda x, h: x.view(x.shape[0], x.shape[1], h, x.shape[2] // h))
    assert not result and "(B, L, heads, d_k)" in result.message
