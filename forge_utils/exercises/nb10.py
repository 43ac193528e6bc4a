"""Self-checks for notebook 10 (pre-training and fine-tuning)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import torch

from forge_utils.exercises import Result, call_for_number, call_safely, failed, passed, report

if TYPE_CHECKING:
    from forge_utils.lm import CharVocab

IGNORE = -100


def _random_words(generator: torch.Generator, n_words: int = 4000) -> tuple[torch.Tensor, torch.Tensor]:
    """Character ids (L,) and their word index (L,) for ``n_words`` words of 1–4 characters."""
    lengths = torch.randint(1, 5, (n_words,), generator=generator)
    word_ids = torch.repeat_interleave(torch.arange(n_words), lengths)
    ids = torch.randint(2, 500, (len(word_ids),), generator=generator)
    return ids, word_ids


def _call_whole_word_mask(
    whole_word_mask: Callable, ids: torch.Tensor, word_ids: torch.Tensor, mask_id: int, seed: int
) -> tuple[tuple[torch.Tensor, torch.Tensor] | None, str | None]:
    """Run the student's function; ``((inputs, labels), None)`` or ``(None, message)``."""
    what = "`whole_word_mask(ids (L,), word_ids (L,), mask_id, generator)`"
    out, error = call_safely(whole_word_mask, ids.clone(), word_ids.clone(), mask_id,
                             torch.Generator().manual_seed(seed), what=what)
    if error:
        return None, error
    if not (isinstance(out, tuple) and len(out) == 2):
        return None, f"{what} 应该返回一个元组 (inputs, labels)，实际得到 {type(out).__name__}"
    inputs, labels = (torch.as_tensor(t) for t in out)
    if inputs.shape != ids.shape or labels.shape != ids.shape:
        return None, (f"inputs 和 labels 的形状都应与 ids 相同，即 {tuple(ids.shape)}，"
                      f"实际是 {tuple(inputs.shape)} 和 {tuple(labels.shape)}")
    return (inputs, labels), None


def check_whole_word_mask(whole_word_mask: Callable) -> Result:
    """``whole_word_mask(ids (L,), word_ids (L,), mask_id, generator)`` → ``(inputs, labels)``: each word is
    selected with probability 0.15 (one draw per word); every character of a selected word becomes
    ``mask_id``; labels are the original ids there and -100 elsewhere."""
    mask_id = 999
    ids, word_ids = _random_words(torch.Generator().manual_seed(0))
    out, error = _call_whole_word_mask(whole_word_mask, ids, word_ids, mask_id, seed=1)
    if error:
        return report(failed(error))
    assert out is not None  # _call_whole_word_mask: no error means the pair
    inputs, labels = out
    selected = labels != IGNORE
    if selected.all():
        return report(failed("每个标签都是字的编号：没有被选中的字，标签要设为 -100"))
    if not torch.equal(labels[selected], ids[selected]):
        return report(failed("被选中的字，标签应该是它原来的编号"))
    n_words = int(word_ids.max()) + 1
    per_word = torch.zeros(n_words).index_add_(0, word_ids, selected.float())
    size = torch.bincount(word_ids, minlength=n_words).float()
    if ((per_word > 0) & (per_word < size)).any():
        word = int(((per_word > 0) & (per_word < size)).nonzero()[0])
        return report(failed(f"编号 {word} 的词有 {int(size[word])} 个字，却只选中了 {int(per_word[word])} 个："
                             "词要整体选中，要么所有字都选，要么一个字都不选"))
    share = (per_word > 0).float().mean().item()
    if abs(share - 0.15) > 0.02:
        return report(failed(f"选中了 {share:.1%} 的词，应该在 15% 左右"
                             "（每个词抽一次，而不是每个字抽一次）"))
    if not (inputs[selected] == mask_id).all():
        return report(failed("被选中的词，每个字都应该变成 mask_id"))
    if not torch.equal(inputs[~selected], ids[~selected]):
        return report(failed("没有被选中的词，字必须保持不变"))
    return report(passed(f"选中了 {share:.1%} 的词，每个词都是整体遮盖的"))


def whole_word_experiment(whole_word_mask: Callable, prediction: str | None, guess_both: Callable, vocab: CharVocab,
                          mask_id: int, pad_id: int, n_lines: int = 400) -> Result:
    """Compare the both-neighbours count model under character masking and under ``whole_word_mask``.

    On the first ``n_lines`` test lines of People's Daily (gold segmentation): the count model's
    accuracy on the selected characters, once with ``forge_utils.pretraining.mask_tokens`` (15 % of the
    characters, 80/10/10) and once with the student's whole-word masking; ``prediction`` ("升高" or
    "降低") says what the student expected for whole-word masking.
    """
    if prediction not in ("升高", "降低"):
        return report(failed('先把 `my_prediction` 设为 `"升高"` 或 `"降低"`（在测量之前写下你的预测）'))
    from forge_utils.data import load_peoples_daily
    from forge_utils.pretraining import mask_tokens

    lines = load_peoples_daily("test", "word")[:n_lines]
    gold = [word for line in lines for word in line]
    ids = torch.tensor([vocab.stoi.get(ch, 0) for word in gold for ch in word])
    word_ids = torch.repeat_interleave(torch.arange(len(gold)), torch.tensor([len(word) for word in gold]))
    out, error = _call_whole_word_mask(whole_word_mask, ids, word_ids, mask_id, seed=0)
    if error:
        return report(failed(error + "（先让 check_whole_word_mask 通过）"))
    assert out is not None  # _call_whole_word_mask: no error means the pair

    def score(inputs: torch.Tensor, labels: torch.Tensor) -> float:
        spots = (labels != IGNORE).nonzero()[:, 0]
        padded = torch.cat([torch.tensor([pad_id]), inputs, torch.tensor([pad_id])])
        guesses = guess_both(padded[spots].numpy(), padded[spots + 2].numpy())
        return float((torch.as_tensor(guesses) == labels[spots]).float().mean())

    by_char = mask_tokens(ids[None], mask_id, len(vocab), num_special=1, generator=torch.Generator().manual_seed(0))
    char_acc = score(by_char.inputs[0], by_char.labels[0])
    word_acc = score(*out)
    went = "升高" if word_acc > char_acc else "降低"
    message = (f"左右邻计数模型：按字遮盖 {char_acc:.3f}，整词遮盖 {word_acc:.3f}（{went}）；"
               f"你的预测是“{prediction}”")
    return report(passed(message + "，预测正确") if went == prediction else failed(message + "，想一想为什么"))


def check_masked_accuracy(masked_accuracy: Callable) -> Result:
    """``masked_accuracy(logits (B, L, V), labels (B, L))`` → accuracy over the positions with labels != -100."""
    logits = torch.zeros(2, 4, 6)
    labels = torch.tensor([[3, IGNORE, IGNORE, 1], [IGNORE, 2, IGNORE, IGNORE]])
    logits[0, 0, 3] = logits[0, 3, 5] = logits[1, 1, 2] = 1.0  # right, wrong, right
    logits[0, 1, 0] = logits[0, 2, 0] = logits[1, 0, 0] = logits[1, 2, 0] = logits[1, 3, 0] = 1.0
    what = "`masked_accuracy(logits (2, 4, 6), labels (2, 4))`"
    value, error = call_for_number(masked_accuracy, logits.clone(), labels.clone(), what=what)
    if error:
        return report(failed(error))
    assert value is not None  # call_for_number: no error means a number
    if abs(value - 2 / 3) < 1e-6:
        return report(passed("准确率只统计选中的位置（labels != -100）：3 个里对了 2 个"))
    if abs(value - 2 / 8) < 1e-6:
        return report(failed(f"得到 {value:.3f} = 2/8：要除以选中位置的个数（labels != -100），"
                             "而不是全部位置的个数"))
    return report(failed(f"{what} = {value:.3f}，应为 0.667（3 个选中的位置里对了 2 个）"))
