"""Self-checks for notebook 10 (pre-training and fine-tuning)."""
from __future__ import annotations

from collections.abc import Callable

import torch

from forge_utils.exercises import Result, call_for_number, call_safely, failed, passed, report

IGNORE = -100


def check_bert_mask(bert_mask: Callable) -> Result:
    """``bert_mask(ids, mask_id, vocab_size, num_special, generator)`` → ``(inputs, labels)`` with BERT's rule:
    select 15 % of the ordinary tokens (ids >= num_special); of those 80 % → mask_id, 10 % → a random
    ordinary id, 10 % unchanged; labels = original id where selected, -100 elsewhere."""
    vocab_size, num_special, mask_id = 500, 5, 4
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(num_special, vocab_size, (200, 100), generator=generator)
    ids[:, -20:] = 0  # padding
    what = "bert_mask(ids (200, 100), mask_id=4, vocab_size=500, num_special=5, generator)"
    out, error = call_safely(bert_mask, ids.clone(), mask_id, vocab_size, num_special,
                             torch.Generator().manual_seed(1), what=what)
    if error:
        return report(failed(error))
    if not (isinstance(out, tuple) and len(out) == 2):
        return report(failed(f"{what} should return a tuple (inputs, labels), got {type(out).__name__}"))
    inputs, labels = (torch.as_tensor(t) for t in out)
    if inputs.shape != ids.shape or labels.shape != ids.shape:
        return report(failed(f"inputs and labels should both have the ids' shape {tuple(ids.shape)}, "
                             f"got {tuple(inputs.shape)} and {tuple(labels.shape)}"))
    selected = labels != IGNORE
    if selected.all():
        return report(failed("every label is a word id: put -100 where a token was NOT selected, "
                             "so the loss ignores those positions"))
    if selected[:, -20:].any() or (ids[selected] < num_special).any():
        return report(failed("special tokens (here the padding, id 0) were selected: only ids >= num_special may be"))
    if not torch.equal(labels[selected], ids[selected]):
        return report(failed("labels of selected positions should be the ORIGINAL ids (what the model must predict)"))
    share = selected.sum().item() / (ids >= num_special).sum().item()
    if abs(share - 0.15) > 0.015:
        return report(failed(f"{share:.1%} of the ordinary tokens were selected, expected about 15%"))
    if not torch.equal(inputs[~selected], ids[~selected]):
        return report(failed("tokens that were not selected must stay unchanged in inputs"))
    n = selected.sum().item()
    as_mask = (inputs[selected] == mask_id).sum().item() / n
    unchanged = (inputs[selected] == ids[selected]).sum().item() / n
    other = 1 - as_mask - unchanged
    if as_mask > 0.95:
        return report(failed(f"{as_mask:.0%} of the selected tokens became [MASK]; BERT masks only 80%, "
                             "puts a random word in 10% and leaves 10% unchanged"))
    if abs(as_mask - 0.8) > 0.04 or abs(unchanged - 0.1) > 0.03 or abs(other - 0.1) > 0.03:
        return report(failed(f"of the selected tokens {as_mask:.0%} became [MASK], {other:.0%} a random word and "
                             f"{unchanged:.0%} stayed unchanged; expected 80% / 10% / 10%"))
    rand = selected & (inputs != mask_id) & (inputs != ids)
    if (inputs[rand] < num_special).any() or (inputs[rand] >= vocab_size).any():
        return report(failed(f"random replacements must be ordinary ids in {num_special}..{vocab_size - 1}"))
    return report(passed(f"{share:.1%} selected; of those {as_mask:.0%} [MASK], {other:.0%} random, {unchanged:.0%} kept"))


def check_masked_accuracy(masked_accuracy: Callable) -> Result:
    """``masked_accuracy(logits (B, L, V), labels (B, L))`` → accuracy over the positions with labels != -100."""
    logits = torch.zeros(2, 4, 6)
    labels = torch.tensor([[3, IGNORE, IGNORE, 1], [IGNORE, 2, IGNORE, IGNORE]])
    logits[0, 0, 3] = logits[0, 3, 5] = logits[1, 1, 2] = 1.0  # right, wrong, right
    logits[0, 1, 0] = logits[0, 2, 0] = logits[1, 0, 0] = logits[1, 2, 0] = logits[1, 3, 0] = 1.0
    what = "masked_accuracy(logits (2, 4, 6), labels with 3 selected positions)"
    value, error = call_for_number(masked_accuracy, logits.clone(), labels.clone(), what=what)
    if error:
        return report(failed(error))
    if abs(value - 2 / 3) < 1e-6:
        return report(passed("accuracy counts only the selected (labels != -100) positions: 2 of 3 right"))
    if abs(value - 2 / 8) < 1e-6:
        return report(failed(f"got {value:.3f} = 2/8: divide by the number of selected positions (labels != -100), "
                             "not by all positions"))
    return report(failed(f"{what} = {value:.3f}, expected 0.667 (2 of the 3 selected positions are right)"))
