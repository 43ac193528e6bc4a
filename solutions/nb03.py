"""第 03 章练习的参考答案（先自己试一试，再来对照）。"""
import torch
import torch.nn.functional as F


def grad_center(v_c, W_out, o):
    """∂ log P(w_o|w_c) / ∂v_c = u_o − Σ_j P(w_j|w_c) u_j，其中 u_j = W_out[:, j]。"""
    p = torch.softmax(v_c @ W_out, dim=0)  # (V,)
    return W_out[:, o] - W_out @ p  # (d,)


def negative_sampling_loss(v_c, u_o, u_neg):
    """−log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c); v_c, u_o (d,), u_neg (K, d)."""
    return -F.logsigmoid(u_o @ v_c) - F.logsigmoid(-(u_neg @ v_c)).sum()


def analogy_3cosmul(unit, a, b, c, eps=1e-3):
    """3CosMul（Levy & Goldberg 2014）：在 d ∉ {a, b, c} 里取 cos'(d,b)·cos'(d,c)/(cos'(d,a) + eps) 最大的词，
    cos' = (cos + 1)/2；``unit`` (V, d) 的每一行长度为 1。"""
    import numpy as np

    cos = (np.asarray(unit) @ np.asarray(unit)[[a, b, c]].T + 1) / 2  # (V, 3)
    score = cos[:, 1] * cos[:, 2] / (cos[:, 0] + eps)
    score[[a, b, c]] = -np.inf
    return int(score.argmax())
