import torch

from forge_utils.exercises import nb10
from solutions import nb10 as answers


def test_reference_answers_pass():
    assert nb10.check_bert_mask(answers.bert_mask)
    assert nb10.check_masked_accuracy(answers.masked_accuracy)


def test_all_mask_is_caught():
    def all_mask(ids, mask_id, vocab_size, num_special, generator):
        selected = (torch.rand(ids.shape, generator=generator) < 0.15) & (ids >= num_special)
        inputs = ids.clone()
        inputs[selected] = mask_id
        return inputs, torch.where(selected, ids, torch.full_like(ids, -100))

    result = nb10.check_bert_mask(all_mask)
    assert not result and "80%" in result.message


def test_no_ignore_labels_and_padding_are_caught():
    result = nb10.check_bert_mask(lambda ids, m, v, s, g: (ids.clone(), ids.clone()))
    assert not result and "-100" in result.message

    def selects_padding(ids, mask_id, vocab_size, num_special, generator):
        selected = torch.rand(ids.shape, generator=generator) < 0.15
        return ids.clone(), torch.where(selected, ids, torch.full_like(ids, -100))

    result = nb10.check_bert_mask(selects_padding)
    assert not result and "special" in result.message


def test_accuracy_over_all_positions_is_caught():
    result = nb10.check_masked_accuracy(lambda logits, labels: (logits.argmax(-1) == labels).float().mean().item())
    assert not result and "selected positions" in result.message
    result = nb10.check_masked_accuracy(lambda logits, labels: 1 / 0)
    assert not result and "ZeroDivisionError" in result.message
