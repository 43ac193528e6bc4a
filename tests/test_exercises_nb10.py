import re

import torch

from forge_utils.data import load_peoples_daily
from forge_utils.exercises import nb10
from forge_utils.lm import CharVocab
from solutions import nb10 as answers


def test_reference_answers_pass():
    assert nb10.check_whole_word_mask(answers.whole_word_mask)
    assert nb10.check_masked_accuracy(answers.masked_accuracy)


def test_character_masking_is_caught():
    def per_character(ids, word_ids, mask_id, generator):
        selected = torch.rand(ids.shape, generator=generator) < 0.15
        return torch.where(selected, mask_id, ids), torch.where(selected, ids, -100)

    result = nb10.check_whole_word_mask(per_character)
    assert not result and "整体选中" in result.message


def test_word_share_and_labels_are_checked():
    def too_many(ids, word_ids, mask_id, generator):
        chosen = torch.rand(int(word_ids.max()) + 1, generator=generator) < 0.5
        selected = chosen[word_ids]
        return torch.where(selected, mask_id, ids), torch.where(selected, ids, -100)

    result = nb10.check_whole_word_mask(too_many)
    assert not result and "15%" in result.message
    result = nb10.check_whole_word_mask(lambda ids, w, m, g: (ids.clone(), ids.clone()))
    assert not result and "-100" in result.message
    result = nb10.check_whole_word_mask(lambda ids, w, m, g: ids)
    assert not result and "应该返回一个元组" in result.message


def test_whole_word_experiment_needs_a_prediction_and_a_working_mask():
    vocab = type("V", (), {"stoi": {}, "__len__": lambda self: 1000})()
    result = nb10.whole_word_experiment(answers.whole_word_mask, None, None, vocab, 1000, 1001)
    assert not result and "my_prediction" in result.message

    def unfinished(ids, word_ids, mask_id, generator):
        raise NotImplementedError

    result = nb10.whole_word_experiment(unfinished, "降低", None, vocab, 1000, 1001, n_lines=5)
    assert not result and "NotImplementedError" in result.message


def test_whole_word_experiment_scores_both_maskings():
    # a count model that copies the visible left neighbour: the verdict must follow the two printed scores
    vocab = CharVocab.build(load_peoples_daily("train", "char")[:3000], size=1000)
    copy_left = lambda left, right: left  # noqa: E731
    result = nb10.whole_word_experiment(answers.whole_word_mask, "降低", copy_left, vocab, 1000, 1001, n_lines=200)
    by_char, by_word = (float(x) for x in re.findall(r"遮盖 (0\.\d+)", result.message))
    assert 0 <= by_char <= 1 and 0 <= by_word <= 1
    assert bool(result) == (by_word < by_char)


def test_accuracy_over_all_positions_is_caught():
    result = nb10.check_masked_accuracy(lambda logits, labels: (logits.argmax(-1) == labels).float().mean().item())
    assert not result and "选中位置的个数" in result.message
    result = nb10.check_masked_accuracy(lambda logits, labels: 1 / 0)
    assert not result and "ZeroDivisionError" in result.message
