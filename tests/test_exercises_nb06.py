import numpy as np
import torch

from forge_utils.exercises import nb06
from solutions import nb06 as answers


def test_reference_answers_pass():
    assert nb06.check_rnn_step(answers.rnn_step)
    assert nb06.check_decay_factor(answers.decay_factor)
    assert nb06.check_gru_step(answers.gru_step)


def test_rnn_step_without_bias_is_named():
    result = nb06.check_rnn_step(lambda x, h, W, U, b: torch.tanh(x @ W.T + h @ U.T))
    assert not result and "漏掉了偏置 b" in result.message


def test_rnn_step_with_sigmoid_is_named():
    result = nb06.check_rnn_step(lambda x, h, W, U, b: torch.sigmoid(x @ W.T + h @ U.T + b))
    assert not result and "用 sigmoid 代替了 tanh" in result.message


def test_rnn_step_shape_error_gets_a_hint():
    result = nb06.check_rnn_step(lambda x, h, W, U, b: torch.tanh(W @ x + U @ h + b))
    assert not result and "W.T" in result.message


def test_decay_factor_slope_is_not_the_factor():
    def slope_only(norms):
        return float(np.polyfit(np.arange(len(norms)), np.log(norms), 1)[0])

    result = nb06.check_decay_factor(slope_only)
    assert not result and "exp(slope)" in result.message


def test_decay_factor_total_ratio_is_not_per_step():
    result = nb06.check_decay_factor(lambda norms: norms[-1] / norms[0])
    assert not result and "总衰减" in result.message


def _gru_parts(x_t, h, W, U, b_ih, b_hh):
    ir, iz, in_ = (x_t @ W.T + b_ih).chunk(3, dim=-1)
    hr, hz, hn = (h @ U.T + b_hh).chunk(3, dim=-1)
    return torch.sigmoid(ir + hr), torch.sigmoid(iz + hz), in_, hn


def test_gru_step_with_cho_convention_is_named():
    def cho(x_t, h, W, U, b_ih, b_hh):
        r, z, in_, hn = _gru_parts(x_t, h, W, U, b_ih, b_hh)
        return z * torch.tanh(in_ + r * hn) + (1 - z) * h

    result = nb06.check_gru_step(cho)
    assert not result and "Cho 等人的约定" in result.message


def test_gru_step_reset_outside_the_bias_is_named():
    def reset_outside(x_t, h, W, U, b_ih, b_hh):
        r, z, in_, _ = _gru_parts(x_t, h, W, U, b_ih, b_hh)
        hn = (h @ U.T).chunk(3, dim=-1)[2]
        return (1 - z) * torch.tanh(in_ + r * hn + b_hh.chunk(3)[2]) + z * h

    result = nb06.check_gru_step(reset_outside)
    assert not result and "b_hn" in result.message


def test_gru_step_wrong_order_and_plain_rnn_fail():
    def zrn(x_t, h, W, U, b_ih, b_hh):
        iz, ir, in_ = (x_t @ W.T + b_ih).chunk(3, dim=-1)
        hz, hr, hn = (h @ U.T + b_hh).chunk(3, dim=-1)
        r, z = torch.sigmoid(ir + hr), torch.sigmoid(iz + hz)
        return (1 - z) * torch.tanh(in_ + r * hn) + z * h

    result = nb06.check_gru_step(zrn)
    assert not result and "按 z, r, n 的顺序取门" in result.message
    result = nb06.check_gru_step(lambda x_t, h, W, U, b_ih, b_hh: h)
    assert not result and "个不对" in result.message
