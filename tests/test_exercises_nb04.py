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
    assert not result and "uncapped" in result.message


def test_missing_cap_is_named():
    result = nb04.check_weight_fn(lambda x, x_max, alpha: (np.asarray(x) / x_max) ** alpha)
    assert not result and "capped" in result.message


def test_unweighted_counts_are_named():
    result = nb04.check_cooccurrence_counts(lambda s, w, k: cooccurrence_matrix(s, w, window=k, distance_weighting=False))
    assert not result and "1/d" in result.message


def test_one_direction_only_is_named():
    result = nb04.check_cooccurrence_counts(lambda s, w, k: np.triu(answers.cooccurrence_counts(s, w, k)))
    assert not result and "symmetric" in result.message


def test_not_implemented_is_reported():
    def todo(*args):
        raise NotImplementedError
    result = nb04.check_weight_fn(todo)
    assert not result and "NotImplementedError" in result.message
