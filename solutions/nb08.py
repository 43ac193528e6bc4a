"""第 08 章练习的参考答案（先自己试一试，再来对照）。"""
import math

import torch


def masked_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


def split_heads(x, num_heads):
    batch, length, d_model = x.shape
    return x.view(batch, length, num_heads, d_model // num_heads).transpose(1, 2)


def window_mask(length, window):
    gap = torch.arange(length)[:, None] - torch.arange(length)[None, :]   # i − j
    return (gap >= 0) & (gap < window)


def layers_needed(length, window):
    # 每一层把信息往回传 window − 1 个位置；要传过 length − 1 个位置
    return math.ceil((length - 1) / (window - 1))
