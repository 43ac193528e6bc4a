import torch
import torch.nn.functional as F

from forge_utils.exercises import nb03
from solutions import nb03 as answers


def test_reference_answers_pass():
    assert nb03.check_center_gradient(answers.grad_center)
    assert nb03.check_negative_sampling_loss(answers.negative_sampling_loss)


def test_gradient_of_the_loss_has_the_wrong_sign():
    result = nb03.check_center_gradient(lambda v, W, o: -answers.grad_center(v, W, o))
    assert not result and "损失 −log P 的梯度" in result.message


def test_gradient_without_the_expectation():
    result = nb03.check_center_gradient(lambda v, W, o: W[:, o])
    assert not result and "减去期望" in result.message


def test_gradient_with_rows_instead_of_columns_names_the_shape():
    result = nb03.check_center_gradient(lambda v, W, o: W[o])
    assert not result and "列（W_out[:, j]）" in result.message


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
    assert not result and "标量" in result.message


def test_flipped_loss_sign():
    result = nb03.check_negative_sampling_loss(lambda *a: -answers.negative_sampling_loss(*a))
    assert not result and "负对数似然" in result.message


def test_unimplemented_answer():
    def stub(*args):
        raise NotImplementedError

    assert not nb03.check_negative_sampling_loss(stub)
    assert torch.is_tensor(answers.negative_sampling_loss(torch.ones(2), torch.ones(2), torch.ones(3, 2)))


def _cosadd(unit, a, b, c):
    import numpy as np

    score = unit @ (unit[b] - unit[a] + unit[c])
    score[[a, b, c]] = -np.inf
    return int(score.argmax())


def test_3cosmul_reference_passes_and_differs_from_3cosadd_somewhere():
    result = nb03.check_analogy_3cosmul(answers.analogy_3cosmul)
    assert result and "其中 0 道" not in result.message


def test_3cosadd_is_named_when_given_for_3cosmul():
    result = nb03.check_analogy_3cosmul(_cosadd)
    assert not result and "3CosAdd" in result.message


def test_3cosmul_without_excluding_the_question_words():
    def no_exclusion(unit, a, b, c):
        cos = (unit @ unit[[a, b, c]].T + 1) / 2
        return int((cos[:, 1] * cos[:, 2] / (cos[:, 0] + 1e-3)).argmax())

    result = nb03.check_analogy_3cosmul(no_exclusion)
    assert not result and "排除" in result.message


def test_3cosmul_without_the_shift_is_named():
    import numpy as np

    def unshifted(unit, a, b, c):
        cos = unit @ unit[[a, b, c]].T
        score = cos[:, 1] * cos[:, 2] / (cos[:, 0] + 1e-3)
        score[[a, b, c]] = -np.inf
        return int(score.argmax())

    result = nb03.check_analogy_3cosmul(unshifted)
    assert not result and "(cos + 1) / 2" in result.message
