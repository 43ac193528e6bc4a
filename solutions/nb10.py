"""Reference answers for notebook 10's exercises (run by tests/test_exercises_nb10.py)."""
import torch


def bert_mask(ids, mask_id, vocab_size, num_special, generator):
    selected = (torch.rand(ids.shape, generator=generator) < 0.15) & (ids >= num_special)
    roll = torch.rand(ids.shape, generator=generator)
    inputs = ids.clone()
    inputs[selected & (roll < 0.8)] = mask_id
    random_spots = selected & (roll >= 0.8) & (roll < 0.9)
    inputs[random_spots] = torch.randint(num_special, vocab_size, (int(random_spots.sum()),), generator=generator)
    labels = torch.where(selected, ids, torch.full_like(ids, -100))
    return inputs, labels


def masked_accuracy(logits, labels):
    selected = labels != -100
    return (logits.argmax(-1)[selected] == labels[selected]).float().mean().item()
