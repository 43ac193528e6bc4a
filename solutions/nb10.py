"""Reference answers for notebook 10's exercises (run by tests/test_exercises_nb10.py)."""
import torch


def whole_word_mask(ids, word_ids, mask_id, generator):
    n_words = int(word_ids.max()) + 1
    chosen = torch.rand(n_words, generator=generator) < 0.15   # one draw per word
    selected = chosen[word_ids]                                 # every character of a chosen word
    inputs = torch.where(selected, torch.full_like(ids, mask_id), ids)
    labels = torch.where(selected, ids, torch.full_like(ids, -100))
    return inputs, labels


def masked_accuracy(logits, labels):
    selected = labels != -100
    return (logits.argmax(-1)[selected] == labels[selected]).float().mean().item()
