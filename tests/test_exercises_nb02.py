import numpy as np

from forge_utils.exercises import nb02
from solutions import nb02 as answers


def test_reference_answers_pass():
    assert nb02.check_cosine(answers.cosine)
    assert nb02.check_one_hot(answers.one_hot)


def test_dot_product_is_not_cosine(capsys):
    result = nb02.check_cosine(lambda a, b: float(np.dot(a, b)))
    assert not result
    assert "dot product" in result.message


def test_crashing_answer_is_reported():
    result = nb02.check_cosine(lambda a, b: 1 / 0)
    assert not result and "ZeroDivisionError" in result.message


def test_transposed_one_hot_is_explained():
    result = nb02.check_one_hot(lambda ids, v: np.eye(v)[ids].T)
    assert not result and "transposed" in result.message


def test_off_by_one_one_hot_names_the_entry():
    result = nb02.check_one_hot(lambda ids, v: np.eye(v)[[i - 1 for i in ids]])
    assert not result and "first at index" in result.message
