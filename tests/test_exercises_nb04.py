import numpy as np

from forge_utils.exercises import nb04
from forge_utils.glove import cooccurrence_matrix
from solutions import nb04 as answers


def test_reference_answers_pass():
    assert nb04.check_weight_fn(answers.weight_fn)
    assert nb04.check_cooccurrence_counts(answers.cooccurrence_counts)


def test_library_builder_passes_the_checker():
    assert nb04.check_cooccurrence_counts(lambda s, w, k: cooccurrence_matrix(s, w, window=k))


def test_uncapped_weight_is_named():
    result = nb04.check_weight_fn(lambda x, x_max, alpha: np.asarray(x) ** alpha)
    assert not result and "不封顶" in result.message


def test_missing_cap_is_named():
    result = nb04.check_weight_fn(lambda x, x_max, alpha: (np.asarray(x) / x_max) ** alpha)
    assert not result and "没有封顶" in result.message


def test_unweighted_counts_are_named():
    result = nb04.check_cooccurrence_counts(lambda s, w, k: cooccurrence_matrix(s, w, window=k, distance_weighting=False))
    assert not result and "1/d" in result.message


def test_one_direction_only_is_named():
    result = nb04.check_cooccurrence_counts(lambda s, w, k: np.triu(answers.cooccurrence_counts(s, w, k)))
    assert not result and "不对称" in result.message


def test_not_implemented_is_reported():
    def unfinished(*args):
        raise NotImplementedError
    result = nb04.check_weight_fn(unfinished)
    assert not result and "NotImplementedError" in result.message


def test_ratio_from_vectors_reference_passes():
    assert nb04.check_ratio_from_vectors(answers.ratio_from_vectors)


def test_log_ratio_is_named():
    result = nb04.check_ratio_from_vectors(lambda W, Wt, b, bt, i, j, k: np.log(answers.ratio_from_vectors(W, Wt, b, bt, i, j, k)))
    assert not result and "这是 log(X_ik / X_jk)" in result.message


def test_ratio_without_biases_is_named():
    result = nb04.check_ratio_from_vectors(lambda W, Wt, b, bt, i, j, k: np.exp((W[i] - W[j]) @ Wt[k]))
    assert not result and "漏了偏置" in result.message


def test_context_row_from_the_wrong_matrix_is_named():
    result = nb04.check_ratio_from_vectors(lambda W, Wt, b, bt, i, j, k: answers.ratio_from_vectors(W, W, b, bt, i, j, k))
    assert not result and "W_tilde" in result.message


def test_upside_down_ratio_is_named():
    result = nb04.check_ratio_from_vectors(lambda W, Wt, b, bt, i, j, k: 1 / answers.ratio_from_vectors(W, Wt, b, bt, i, j, k))
    assert not result and "上下颠倒" in result.message
