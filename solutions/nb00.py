"""第 00 章练习的参考答案（先自己试一试，再来对照）。"""
import numpy as np


def softmax(scores, temperature):
    z = np.asarray(scores, dtype=float) / temperature
    z = np.exp(z - z.max())
    return z / z.sum()


# 练习 2：s / 0.5 = 2 · s，所以 T = 0.5 和把分数翻倍一样；T → ∞ 时每个 s / T → 0，四个词各得 1/4。
doubled_equals_temperature = 0.5
p_first_at_high_temperature = 0.25
