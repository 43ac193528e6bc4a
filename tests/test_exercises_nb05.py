import numpy as np

from forge_utils.exercises import nb05
from solutions import nb05 as answers


def test_reference_answers_pass():
    assert nb05.check_mean_sentence_vector(answers.mean_sentence_vector)
    assert nb05.check_solve_analogy(answers.solve_analogy)


def test_sum_instead_of_mean_is_named():
    result = nb05.check_mean_sentence_vector(lambda tokens, kv: np.sum([kv[t] for t in tokens if t in kv.key_to_index], axis=0))
    assert not result and "向量之和" in result.message


def test_dividing_by_all_tokens_is_named():
    def wrong(tokens, kv):
        return np.sum([kv[t] for t in tokens if t in kv.key_to_index], axis=0) / len(tokens)
    result = nb05.check_mean_sentence_vector(wrong)
    assert not result and "跳过未知词" in result.message


def test_returning_an_input_word_is_named():
    def wrong(kv, a, b, c):
        unit = kv.vectors / np.linalg.norm(kv.vectors, axis=1, keepdims=True)
        scores = unit @ (unit[kv.key_to_index[b]] - unit[kv.key_to_index[a]] + unit[kv.key_to_index[c]])
        return kv.index_to_key[int(np.argmax(scores))]
    result = nb05.check_solve_analogy(wrong)
    assert not result and "输入词" in result.message


def test_unnormalised_vectors_are_named():
    def wrong(kv, a, b, c):
        ids = [kv.key_to_index[w] for w in (a, b, c)]
        query = kv.vectors[ids[1]] - kv.vectors[ids[0]] + kv.vectors[ids[2]]
        unit = kv.vectors / np.linalg.norm(kv.vectors, axis=1, keepdims=True)
        scores = unit @ query
        scores[ids] = -np.inf
        return kv.index_to_key[int(np.argmax(scores))]
    result = nb05.check_solve_analogy(wrong)
    assert not result and "归一化到长度 1" in result.message


def test_not_implemented_is_reported():
    def todo(*args):
        raise NotImplementedError
    assert "NotImplementedError" in nb05.check_solve_analogy(todo).message
    assert "NotImplementedError" in nb05.check_mean_sentence_vector(todo).message


def _toy_questions(tmp_path):
    # 30 random questions over the checker's toy vectors; their accuracy differs between directions
    rng = np.random.default_rng(3)
    lines = [" ".join(f"w{i}" for i in rng.choice(200, size=4, replace=False)) for _ in range(30)]
    kv = nb05._toy_vectors(4)
    for k, line in enumerate(lines[:15]):            # make half of them answerable forwards
        a, b, c, _ = line.split()
        lines[k] = f"{a} {b} {c} {nb05._reference_analogy(kv, a, b, c)}"
    path = tmp_path / "q.txt"
    path.write_text(": toy\n" + "\n".join(lines) + "\n")
    return kv, path


def test_reversed_analogies_reference_and_wrong_prediction(tmp_path):
    from forge_utils.vectors_lab import analogy_accuracy

    kv, path = _toy_questions(tmp_path)
    forward = analogy_accuracy(kv, path, restrict_vocab=200).accuracy
    results = {p: nb05.check_reversed_analogies(answers.reverse_question, p, kv, path=path, restrict_vocab=200)
               for p in nb05.PREDICTIONS}
    assert sum(bool(r) for r in results.values()) == 1          # exactly one prediction is right
    right = next(p for p, r in results.items() if r)
    assert f"正向 {forward:.3f}" in results[right].message
    wrong = next(p for p, r in results.items() if not r)
    assert "不是对称的" in results[wrong].message


def test_reversed_analogies_mistakes_are_named(tmp_path):
    kv, path = _toy_questions(tmp_path)
    swapped = nb05.check_reversed_analogies(lambda q: (q[2], q[3], q[0], q[1]), "lower", kv, path=path, restrict_vocab=200)
    assert not swapped and "两对词整体对调" in swapped.message
    assert "先写下你的预测" in nb05.check_reversed_analogies(answers.reverse_question, "", kv, path=path).message
    def todo(question):
        raise NotImplementedError
    assert "NotImplementedError" in nb05.check_reversed_analogies(todo, "same", kv, path=path).message


def test_reversed_analogies_on_glove_the_reference_prediction_is_right():
    import pytest

    from forge_utils.data import MissingDataError, load_glove

    try:
        kv = load_glove()
    except MissingDataError as err:
        pytest.skip(str(err))
    assert nb05.check_reversed_analogies(answers.reverse_question, answers.prediction, kv)
