import math

import torch

from forge_utils.exercises import nb07
from solutions import nb07 as answers


def test_reference_answers_pass():
    assert nb07.check_lstm_step(answers.lstm_step)
    assert nb07.check_remaining_memory(answers.remaining_memory)


def test_wrong_gate_order_is_named():
    def ifog(x_t, h, c, W, U, b):
        zi, zf, zo, zg = (x_t @ W.T + h @ U.T + b).chunk(4, dim=-1)
        c_t = torch.sigmoid(zf) * c + torch.sigmoid(zi) * torch.tanh(zg)
        return torch.sigmoid(zo) * torch.tanh(c_t), c_t

    result = nb07.check_lstm_step(ifog)
    assert not result and "gate order" in result.message


def test_missing_tanh_on_cell_is_named():
    def no_tanh(x_t, h, c, W, U, b):
        h_t, c_t = answers.lstm_step(x_t, h, c, W, U, b)
        zo = (x_t @ W.T + h @ U.T + b).chunk(4, dim=-1)[3]
        return torch.sigmoid(zo) * c_t, c_t

    result = nb07.check_lstm_step(no_tanh)
    assert not result and "missing the tanh" in result.message


def test_single_output_is_rejected():
    result = nb07.check_lstm_step(lambda *args: answers.lstm_step(*args)[0])
    assert not result and "pair" in result.message


def test_bias_instead_of_gate_value():
    result = nb07.check_remaining_memory(lambda b, steps: b**steps)
    assert not result and "σ(bias)" in result.message


def test_linear_instead_of_power():
    result = nb07.check_remaining_memory(lambda b, steps: steps / (1 + math.exp(-b)))
    assert not result and "power" in result.message
