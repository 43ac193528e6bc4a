"""第 09 章练习的参考答案（先自己试一试，再来对照）。"""
import numpy as np


def positional_encoding(max_len, d_model):
    pos = np.arange(max_len)[:, None]
    angles = pos / 10000 ** (np.arange(0, d_model, 2) / d_model)
    pe = np.zeros((max_len, d_model))
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles)
    return pe


def shift_matrix(k, d_model):
    omega = 1 / 10000 ** (np.arange(0, d_model, 2) / d_model)
    m = np.zeros((d_model, d_model))
    for i, w in enumerate(omega):
        c, s = np.cos(k * w), np.sin(k * w)
        m[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = [[c, s], [-s, c]]
    return m


def pre_norm_decoder_forward(layer, y, memory, self_mask=None, memory_mask=None):
    import torch.nn.functional as F

    h = layer.norm1(y)
    y = y + layer.self_attn(h, h, h, self_mask)[0]
    y = y + layer.cross_attn(layer.norm2(y), memory, memory, memory_mask)[0]
    return y + layer.linear2(F.relu(layer.linear1(layer.norm3(y))))
