import numpy as np

from forge_utils.exercises import nb09
from solutions import nb09 as answers


def test_reference_answers_pass():
    assert nb09.check_positional_encoding(answers.positional_encoding)
    assert nb09.check_shift_matrix(answers.shift_matrix)


def test_swapped_sin_cos_is_named():
    def swapped(max_len, d_model):
        pe = answers.positional_encoding(max_len, d_model)
        return pe[:, [i ^ 1 for i in range(d_model)]]

    result = nb09.check_positional_encoding(swapped)
    assert not result and "swapped" in result.message


def test_wrong_exponent_is_named():
    def pair_index(max_len, d_model):
        pos = np.arange(max_len)[:, None]
        angles = pos / 10000 ** (np.arange(d_model // 2) / d_model)
        pe = np.zeros((max_len, d_model))
        pe[:, 0::2], pe[:, 1::2] = np.sin(angles), np.cos(angles)
        return pe

    result = nb09.check_positional_encoding(pair_index)
    assert not result and "2i" in result.message


def test_transposed_pe_is_named():
    result = nb09.check_positional_encoding(lambda n, d: answers.positional_encoding(n, d).T)
    assert not result and "transposed" in result.message


def test_transposed_shift_matrix_is_named():
    result = nb09.check_shift_matrix(lambda k, d: answers.shift_matrix(k, d).T)
    assert not result and "transposed" in result.message


def test_shift_by_one_is_named():
    result = nb09.check_shift_matrix(lambda k, d: answers.shift_matrix(1, d))
    assert not result and "by one position" in result.message


def test_crash_and_wrong_shape_are_reported():
    result = nb09.check_shift_matrix(lambda k, d: 1 / 0)
    assert not result and "ZeroDivisionError" in result.message
    result = nb09.check_shift_matrix(lambda k, d: np.eye(d + 1))
    assert not result and "shape" in result.message
