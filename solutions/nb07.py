"""Reference answers for notebook 07's exercises (run by tests/test_exercises_nb07.py)."""
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


# Exercise 3: predict, then run the memory task with forget-gate bias 0 (T = 30).
my_prediction = "瞎猜"  # chance: σ(0)^29 ≈ 2e-9 of the first symbol survives at the start of training
