import numpy as np
import torch

from forge_utils.exercises import nb06
from solutions import nb06 as answers


def test_reference_answers_pass():
    assert nb06.check_rnn_step(answers.rnn_step)
    assert nb06.check_decay_factor(answers.decay_factor)


def test_rnn_step_without_bias_is_named():
    result = nb06.check_rnn_step(lambda x, h, W, U, b: torch.tanh(x @ W.T + h @ U.T))
    assert not result and "without the bias" in result.message


def test_rnn_step_with_sigmoid_is_named():
    result = nb06.check_rnn_step(lambda x, h, W, U, b: torch.sigmoid(x @ W.T + h @ U.T + b))
    assert not result and "sigmoid" in result.message


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
    assert not result and "per step" in result.message
