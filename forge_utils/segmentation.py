"""Chinese word segmentation as tagging (chapters 02 and 10): every character gets one of four tags.

    B = begins a word, M = inside a word, E = ends a word, S = a word of one character
    我/爱/北京/天安门  →  我 爱 北 京 天 安 门  →  S S B E B M E

A tagger (a counting rule, or an encoder with a linear head on every position) predicts one tag per
character; the predicted words are read back from the tags, and scored against the gold words with
``segmentation_prf``: a word counts as right only when its character span [start, end) is exactly a gold
word's span.

    >>> pieces = tagging_pieces(load_peoples_daily("test"), vocab, length=64, pad_id=pad)
    >>> pieces.ids.shape, pieces.tags.shape                      # (N, 64) each; tags IGNORE (-100) on padding
    >>> boundary_prf(pieces.tags, predicted_tags)                 # (precision, recall, F1) of the words
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch

from forge_utils.lm import CharVocab

TAGS = ("B", "M", "E", "S")
B, M, E, S = range(4)
IGNORE = -100


def segmentation_prf(gold_lines: Sequence[Sequence[str]], predicted_lines: Sequence[Sequence[str]]) -> tuple[float, float, float]:
    """Precision, recall and F1 of predicted words against gold words, line by line: a word is right when
    its character span [start, end) equals a gold word's span. Both sides must spell the same text."""
    if len(gold_lines) != len(predicted_lines):
        raise ValueError(f"标准答案有 {len(gold_lines)} 行，预测有 {len(predicted_lines)} 行：两者必须一样多")
    right = n_gold = n_pred = 0
    for k, (gold, pred) in enumerate(zip(gold_lines, predicted_lines)):
        if "".join(gold) != "".join(pred):
            raise ValueError(f"第 {k} 行两边拼出的文字不同：{''.join(gold)[:20]!r} 与 {''.join(pred)[:20]!r}")
        right += len(_spans(gold) & _spans(pred))
        n_gold, n_pred = n_gold + len(gold), n_pred + len(pred)
    return _prf(right, n_gold, n_pred)


def _spans(words: Sequence[str]) -> set[tuple[int, int]]:
    ends = np.cumsum([len(w) for w in words])
    return set(zip((ends - [len(w) for w in words]).tolist(), ends.tolist()))


def _prf(right: int, n_gold: int, n_pred: int) -> tuple[float, float, float]:
    p, r = right / max(n_pred, 1), right / max(n_gold, 1)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def word_tags(words: Sequence[str]) -> list[int]:
    """The BMES tag of every character of a segmented line: ["我", "北京"] → [S, B, E]."""
    tags: list[int] = []
    for word in words:
        tags += [S] if len(word) == 1 else [B] + [M] * (len(word) - 2) + [E]
    return tags


class TaggingPieces(NamedTuple):
    """Lines cut into pieces of at most ``length`` characters, padded: ids and gold tags, both (N, length)."""

    ids: torch.Tensor  # character ids, pad_id after the end of each piece
    tags: torch.Tensor  # BMES tags, IGNORE (-100) on padding


def tagging_pieces(lines: Sequence[Sequence[str]], vocab: CharVocab, length: int, pad_id: int) -> TaggingPieces:
    """Pack the words of each line into pieces of at most ``length`` characters, never cutting a word
    (a word longer than ``length`` is cut into parts tagged as words of their own)."""
    pieces: list[list[str]] = []
    for words in lines:
        piece: list[str] = []
        for word in words:
            for start in range(0, len(word), length):
                part = word[start : start + length]
                if sum(map(len, piece)) + len(part) > length:
                    pieces.append(piece)
                    piece = []
                piece.append(part)
        if piece:
            pieces.append(piece)
    ids = torch.full((len(pieces), length), pad_id, dtype=torch.long)
    tags = torch.full((len(pieces), length), IGNORE, dtype=torch.long)
    unk = vocab.stoi["<unk>"]
    for k, piece in enumerate(pieces):
        chars = "".join(piece)
        ids[k, : len(chars)] = torch.tensor([vocab.stoi.get(c, unk) for c in chars])
        tags[k, : len(chars)] = torch.tensor(word_tags(piece))
    return TaggingPieces(ids, tags)


def boundary_prf(gold_tags: torch.Tensor, predicted_tags: torch.Tensor) -> tuple[float, float, float]:
    """Word precision, recall and F1 from tags (N, L); positions where ``gold_tags`` is IGNORE are padding.

    A word ends where the tag is E or S (and at the last character of each piece, whatever the tag); a
    predicted word is right when a gold word has the same start and end and no predicted end falls inside it.
    """
    if gold_tags.shape != predicted_tags.shape:
        raise ValueError(f"标准答案和预测的标签形状不同：{tuple(gold_tags.shape)} 与 {tuple(predicted_tags.shape)}")
    real = (gold_tags != IGNORE).cpu().numpy()
    gold = gold_tags.cpu().numpy()[real]
    pred = predicted_tags.cpu().numpy()[real]
    last = np.zeros_like(real)  # the last real character of each piece
    lengths = real.sum(1)
    last[np.flatnonzero(lengths), lengths[lengths > 0] - 1] = True
    last = last[real]
    gold_end = (gold == E) | (gold == S) | last
    pred_end = (pred == E) | (pred == S) | last
    ends = np.flatnonzero(gold_end)
    starts = np.r_[0, ends[:-1] + 1]
    done = np.cumsum(pred_end)  # predicted ends in [0, i]
    inside = done[ends] - np.where(starts > 0, done[np.maximum(starts - 1, 0)], 0)  # predicted ends in [start, end]
    starts_right = (starts == 0) | pred_end[np.maximum(starts - 1, 0)]
    right = int((pred_end[ends] & (inside == 1) & starts_right).sum())
    return _prf(right, int(gold_end.sum()), int(pred_end.sum()))


def majority_tags(ids: torch.Tensor, tags: torch.Tensor, vocab_size: int) -> torch.Tensor:
    """The counting tagger: each character id's most frequent tag in (ids, tags), S for characters never
    seen. Returns a table (vocab_size,): ``table[ids]`` tags new text."""
    real = tags != IGNORE
    counts = torch.zeros(vocab_size, len(TAGS), dtype=torch.long)
    counts.index_put_((ids[real], tags[real]), torch.ones(int(real.sum()), dtype=torch.long), accumulate=True)
    return torch.where(counts.sum(1) > 0, counts.argmax(1), torch.tensor(S))
