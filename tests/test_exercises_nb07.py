import math

import torch

from forge_utils.exercises import nb07
from solutions import nb07 as answers


def test_reference_answers_pass():
    assert nb07.check_lstm_step(answers.lstm_step)
    assert nb07.check_remaining_memory(answers.remaining_memory)
    assert nb07.check_forget_bias_prediction(answers.my_prediction, run=lambda: 0.26)


def test_wrong_gate_order_is_named():
    def ifog(x_t, h, c, W, U, b):
        zi, zf, zo, zg = (x_t @ W.T + h @ U.T + b).chunk(4, dim=-1)
        c_t = torch.sigmoid(zf) * c + torch.sigmoid(zi) * torch.tanh(zg)
        return torch.sigmoid(zo) * torch.tanh(c_t), c_t

    result = nb07.check_lstm_step(ifog)
    assert not result and "的顺序取门" in result.message


def test_missing_tanh_on_cell_is_named():
    def no_tanh(x_t, h, c, W, U, b):
        h_t, c_t = answers.lstm_step(x_t, h, c, W, U, b)
        zo = (x_t @ W.T + h @ U.T + b).chunk(4, dim=-1)[3]
        return torch.sigmoid(zo) * c_t, c_t

    result = nb07.check_lstm_step(no_tanh)
    assert not result and "少了 tanh" in result.message


def test_single_output_is_rejected():
    result = nb07.check_lstm_step(lambda *args: answers.lstm_step(*args)[0])
    assert not result and "应该返回一对" in result.message


def test_bias_instead_of_gate_value():
    result = nb07.check_remaining_memory(lambda b, steps: b**steps)
    assert not result and "σ(bias)" in result.message


def test_linear_instead_of_power():
    result = nb07.check_remaining_memory(lambda b, steps: steps / (1 + math.exp(-b)))
    assert not result and "是乘方" in result.message


def test_prediction_is_asked_for_before_anything_runs():
    calls = []
    result = nb07.check_forget_bias_prediction(None, run=lambda: calls.append(1) or 0.25)
    assert not result and "先写下你的预测" in result.message and not calls


def test_wrong_prediction_fails_with_a_hint():
    result = nb07.check_forget_bias_prediction("学会", run=lambda: 0.25)
    assert not result and "σ(0)" in result.message
    assert not nb07.check_forget_bias_prediction("chance", run=lambda: 0.99)


def test_in_between_and_broken_runs_are_not_passed():
    assert "换一个随机种子" in nb07.check_forget_bias_prediction("chance", run=lambda: 0.6).message
    assert "0 到 1 之间" in nb07.check_forget_bias_prediction("chance", run=lambda: 25.0).message
    assert "运行出错" in nb07.check_forget_bias_prediction("chance", run=lambda: 1 / 0).message
