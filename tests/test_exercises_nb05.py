import numpy as np

from forge_utils.exercises import nb05
from solutions import nb05 as answers


def test_reference_answers_pass():
    assert nb05.check_mean_sentence_vector(answers.mean_sentence_vector)
    assert nb05.check_solve_analogy(answers.solve_analogy)


def test_sum_instead_of_mean_is_named():
    result = nb05.check_mean_sentence_vector(lambda tokens, kv: np.sum([kv[t] for t in tokens if t in kv.key_to_index], axis=0))
    assert not result and "sum" in result.message


def test_dividing_by_all_tokens_is_named():
    def wrong(tokens, kv):
        return np.sum([kv[t] for t in tokens if t in kv.key_to_index], axis=0) / len(tokens)
    result = nb05.check_mean_sentence_vector(wrong)
    assert not result and "skip unknown" in result.message


def test_returning_an_input_word_is_named():
    def wrong(kv, a, b, c):
        unit = kv.vectors / np.linalg.norm(kv.vectors, axis=1, keepdims=True)
        scores = unit @ (unit[kv.key_to_index[b]] - unit[kv.key_to_index[a]] + unit[kv.key_to_index[c]])
        return kv.index_to_key[int(np.argmax(scores))]
    result = nb05.check_solve_analogy(wrong)
    assert not result and "input word" in result.message


def test_unnormalised_vectors_are_named():
    def wrong(kv, a, b, c):
        ids = [kv.key_to_index[w] for w in (a, b, c)]
        query = kv.vectors[ids[1]] - kv.vectors[ids[0]] + kv.vectors[ids[2]]
        unit = kv.vectors / np.linalg.norm(kv.vectors, axis=1, keepdims=True)
        scores = unit @ query
        scores[ids] = -np.inf
        return kv.index_to_key[int(np.argmax(scores))]
    result = nb05.check_solve_analogy(wrong)
    assert not result and "normalise" in result.message


def test_not_implemented_is_reported():
    def todo(*args):
        raise NotImplementedError
    assert "NotImplementedError" in nb05.check_solve_analogy(todo).message
    assert "NotImplementedError" in nb05.check_mean_sentence_vector(todo).message
