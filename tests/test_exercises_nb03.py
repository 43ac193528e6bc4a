import torch
import torch.nn.functional as F

from forge_utils.exercises import nb03
from solutions import nb03 as answers


def test_reference_answers_pass():
    assert nb03.check_center_gradient(answers.grad_center)
    assert nb03.check_negative_sampling_loss(answers.negative_sampling_loss)


def test_gradient_of_the_loss_has_the_wrong_sign():
    result = nb03.check_center_gradient(lambda v, W, o: -answers.grad_center(v, W, o))
    assert not result and "gradient of the loss" in result.message


def test_gradient_without_the_expectation():
    result = nb03.check_center_gradient(lambda v, W, o: W[:, o])
    assert not result and "subtract the expectation" in result.message


def test_gradient_with_rows_instead_of_columns_names_the_shape():
    result = nb03.check_center_gradient(lambda v, W, o: W[o])
    assert not result and "column" in result.message


def test_crashing_gradient_is_reported():
    result = nb03.check_center_gradient(lambda v, W, o: 1 / 0)
    assert not result and "ZeroDivisionError" in result.message


def test_negatives_without_the_minus_sign():
    def wrong(v, u_o, u_neg):
        return -F.logsigmoid(u_o @ v) - F.logsigmoid(u_neg @ v).sum()

    result = nb03.check_negative_sampling_loss(wrong)
    assert not result and "σ(−u_k·v_c)" in result.message


def test_loss_must_be_a_scalar():
    result = nb03.check_negative_sampling_loss(lambda v, u_o, u_neg: -F.logsigmoid(u_neg @ v))
    assert not result and "scalar" in result.message


def test_flipped_loss_sign():
    result = nb03.check_negative_sampling_loss(lambda *a: -answers.negative_sampling_loss(*a))
    assert not result and "NEGATIVE log-likelihood" in result.message


def test_unimplemented_answer():
    def stub(*args):
        raise NotImplementedError

    assert not nb03.check_negative_sampling_loss(stub)
    assert torch.is_tensor(answers.negative_sampling_loss(torch.ones(2), torch.ones(2), torch.ones(3, 2)))
