"""第 07 章练习的参考答案（先自己试一试，再来对照）。"""
import math

import torch


def lstm_step(x_t, h_prev, c_prev, W, U, b):
    z = x_t @ W.T + h_prev @ U.T + b
    zi, zf, zg, zo = z.chunk(4, dim=-1)
    i, f, g, o = torch.sigmoid(zi), torch.sigmoid(zf), torch.tanh(zg), torch.sigmoid(zo)
    c_t = f * c_prev + i * g
    return o * torch.tanh(c_t), c_t


def remaining_memory(forget_bias, steps):
    return (1 / (1 + math.exp(-forget_bias))) ** steps


# 练习 3：先预测，再用遗忘门偏置 0 跑记忆任务（T = 30）。
my_prediction = "瞎猜"  # 瞎猜：训练开始时第一个符号只剩 σ(0)^29 ≈ 2e-9
