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
    assert not result and "sin 和 cos 弄反了" in result.message


def test_wrong_exponent_is_named():
    def pair_index(max_len, d_model):
        pos = np.arange(max_len)[:, None]
        angles = pos / 10000 ** (np.arange(d_model // 2) / d_model)
        pe = np.zeros((max_len, d_model))
        pe[:, 0::2], pe[:, 1::2] = np.sin(angles), np.cos(angles)
        return pe

    result = nb09.check_positional_encoding(pair_index)
    assert not result and "维度对的编号 i" in result.message


def test_transposed_pe_is_named():
    result = nb09.check_positional_encoding(lambda n, d: answers.positional_encoding(n, d).T)
    assert not result and "转置了" in result.message


def test_transposed_shift_matrix_is_named():
    result = nb09.check_shift_matrix(lambda k, d: answers.shift_matrix(k, d).T)
    assert not result and "转置了" in result.message


def test_shift_by_one_is_named():
    result = nb09.check_shift_matrix(lambda k, d: answers.shift_matrix(1, d))
    assert not result and "只平移了一个位置" in result.message


def test_crash_and_wrong_shape_are_reported():
    result = nb09.check_shift_matrix(lambda k, d: 1 / 0)
    assert not result and "ZeroDivisionError" in result.message
    result = nb09.check_shift_matrix(lambda k, d: np.eye(d + 1))
    assert not result and "的形状是" in result.message


def test_pre_norm_decoder_reference_passes():
    assert nb09.check_pre_norm_decoder(answers.pre_norm_decoder_forward)


def _post_norm(layer, y, memory, self_mask=None, memory_mask=None):
    import torch.nn.functional as F

    y = layer.norm1(y + layer.self_attn(y, y, y, self_mask)[0])
    y = layer.norm2(y + layer.cross_attn(y, memory, memory, memory_mask)[0])
    return layer.norm3(y + layer.linear2(F.relu(layer.linear1(y))))


def test_post_norm_is_named():
    result = nb09.check_pre_norm_decoder(_post_norm)
    assert not result and "后置层归一化" in result.message


def test_normalised_memory_is_named():
    import torch.nn.functional as F

    def normed_memory(layer, y, memory, self_mask=None, memory_mask=None):
        h = layer.norm1(y)
        y = y + layer.self_attn(h, h, h, self_mask)[0]
        m = layer.norm2(memory)
        y = y + layer.cross_attn(layer.norm2(y), m, m, memory_mask)[0]
        return y + layer.linear2(F.relu(layer.linear1(layer.norm3(y))))

    result = nb09.check_pre_norm_decoder(normed_memory)
    assert not result and "memory 也过了一次 LayerNorm" in result.message


def test_missing_memory_mask_fails():
    def no_memory_mask(layer, y, memory, self_mask=None, memory_mask=None):
        return answers.pre_norm_decoder_forward(layer, y, memory, self_mask, None)

    result = nb09.check_pre_norm_decoder(no_memory_mask)
    assert not result and "个不对" in result.message


def test_pre_norm_tuple_and_crash_are_reported():
    result = nb09.check_pre_norm_decoder(lambda *a: (answers.pre_norm_decoder_forward(*a), None))
    assert not result and "不要返回元组" in result.message
    result = nb09.check_pre_norm_decoder(lambda *a: 1 / 0)
    assert not result and "ZeroDivisionError" in result.message
