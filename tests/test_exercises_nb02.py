import numpy as np
import torch

from forge_utils.exercises import nb02
from solutions import nb02 as answers


def test_reference_answers_pass():
    assert nb02.check_cosine(answers.cosine)
    assert nb02.check_one_hot(answers.one_hot)


def test_dot_product_is_not_cosine(capsys):
    result = nb02.check_cosine(lambda a, b: float(np.dot(a, b)))
    assert not result
    assert "点积" in result.message


def test_crashing_answer_is_reported():
    result = nb02.check_cosine(lambda a, b: 1 / 0)
    assert not result and "ZeroDivisionError" in result.message


def test_transposed_one_hot_is_explained():
    result = nb02.check_one_hot(lambda ids, v: np.eye(v)[ids].T)
    assert not result and "转置" in result.message


def test_off_by_one_one_hot_names_the_entry():
    result = nb02.check_one_hot(lambda ids, v: np.eye(v)[[i - 1 for i in ids]])
    assert not result and "第一个在下标" in result.message


def test_add_k_reference_passes():
    assert nb02.check_add_k(answers.add_k_bigram)


def test_add_k_diagnostics():
    def transposed(counts, k):
        return answers.add_k_bigram(counts, k).T

    def denominator_without_v(counts, k):
        counts = np.asarray(counts, dtype=float)
        return (counts + k) / (counts.sum(axis=1, keepdims=True) + k)

    def in_place(counts, k):
        counts += k
        return counts / counts.sum(axis=1, keepdims=True)

    def always_add_one(counts, k):
        return answers.add_k_bigram(counts, 1.0)

    assert "每一行归一化" in nb02.check_add_k(transposed).message
    assert "count(b) + k·V" in nb02.check_add_k(denominator_without_v).message
    assert "原地修改" in nb02.check_add_k(in_place).message
    assert "要用 k，而不是 1" in nb02.check_add_k(always_add_one).message
    assert "NotImplementedError" in nb02.check_add_k(lambda c, k: (_ for _ in ()).throw(NotImplementedError)).message


def _tiny_val():

    val = torch.tensor([0, 1, 0, 2, 1, 0, 1, 2] * 20 + [0])
    ids = val.numpy()
    counts = np.bincount(ids[:-1] * 3 + ids[1:], minlength=9).reshape(3, 3).astype(float)  # counted on val itself
    return counts, val, torch.zeros(len(val), dtype=torch.float64)  # id 0 is an ordinary symbol here, not <unk>


def test_add_k_prediction_asks_for_a_guess_first():
    counts, val, free = _tiny_val()
    result = nb02.check_add_k_prediction(answers.add_k_bigram, {"best_k": None, "beats_interpolation": None}, counts, val, 1.0, unk_nats=free)
    assert not result and "先写下你的预测" in result.message
    assert not nb02.check_add_k_prediction(answers.add_k_bigram, {"k": 1}, counts, val, 1.0, unk_nats=free)


def test_add_k_prediction_compares_with_the_measurement():
    counts, val, free = _tiny_val()
    scores = nb02.add_k_val_bpc(answers.add_k_bigram, counts, val, unk_nats=free)
    best = min(scores, key=scores.get)
    assert best == 0.01  # counts of val itself: the least smoothing fits best
    right = {"best_k": best, "beats_interpolation": True}
    assert nb02.check_add_k_prediction(answers.add_k_bigram, right, counts, val, scores[best] + 0.1, unk_nats=free)
    wrong = nb02.check_add_k_prediction(answers.add_k_bigram, {"best_k": 1.0, "beats_interpolation": False}, counts, val, scores[best] + 0.1, unk_nats=free)
    assert not wrong and "k = 0.01" in wrong.message and "胜过了插值平滑" in wrong.message


def test_reference_prediction_holds_on_peoples_daily():
    from forge_utils.lm import BigramLM, load_thread_data

    vocab, streams, unk_nats = load_thread_data()
    bigram = BigramLM.fit(streams["train"], len(vocab)).tune(streams["val"])
    result = nb02.check_add_k_prediction(
        answers.add_k_bigram, answers.PREDICTION, bigram.pair_counts, streams["val"],
        bigram.bpc(streams["val"], unk_nats=unk_nats["val"]), unk_nats=unk_nats["val"]
    )
    assert result, result.message
