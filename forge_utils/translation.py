"""Training and scoring the encoder–decoder Transformer on a translation task (notebook 09).

    >>> from forge_utils.translation import encode_pairs, evaluate_translation, train_seq2seq
    >>> src, tgt = encode_pairs(pairs, src_vocab, tgt_vocab)            # (N, Ls), (N, Lt) = <bos> … <eos>
    >>> losses = train_seq2seq(model, src, tgt, steps=200, lr=2e-3)      # one loss per step
    >>> evaluate_translation(model, src_test, tgt_test, bos_id, eos_id)  # {"exact_match", "token_accuracy"}

The model is ``forge_utils.transformer.Seq2SeqTransformer``; the toy corpus is ``data/zh_en_toy.tsv``
(``forge_utils.data.load_zh_en_toy``): a training split and three test sets (random held-out sentences,
held-out combinations, longer sentences).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import torch
from torch.nn import functional as F

from forge_utils.training import fit
from forge_utils.transformer import Seq2SeqTransformer, beam_search, greedy_decode_batch

if TYPE_CHECKING:
    from forge_utils.text import Vocab


def encode_pairs(
    pairs: Sequence[tuple[Sequence[str], Sequence[str]]], src_vocab: Vocab, tgt_vocab: Vocab,
    device: torch.device | str | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Pairs of token lists → padded id tensors ``src`` (N, Ls) and ``tgt`` (N, Lt) = ``<bos> … <eos>``.

    Unknown words raise (build the vocabularies with ``unknown="error"``) or become ``<unk>``.
    """
    if not pairs:
        raise ValueError("encode_pairs 没有收到任何句对")
    src_rows = [src_vocab.encode(zh) for zh, _ in pairs]
    tgt_rows = [tgt_vocab.encode(en, add_bos=True, add_eos=True) for _, en in pairs]

    def pad(rows: list[list[int]], pad_id: int) -> torch.Tensor:
        width = max(len(r) for r in rows)
        return torch.tensor([r + [pad_id] * (width - len(r)) for r in rows], dtype=torch.long, device=device)

    return pad(src_rows, src_vocab.pad_id), pad(tgt_rows, tgt_vocab.pad_id)


def teacher_forced_loss(model: Seq2SeqTransformer, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """Mean cross-entropy of predicting ``tgt[:, 1:]`` from ``src`` (B, Ls) and ``tgt[:, :-1]`` (B, Lt − 1);
    padding does not count."""
    src, tgt = batch
    logits = model(src, tgt[:, :-1])
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt[:, 1:].reshape(-1), ignore_index=model.pad_id)


def train_seq2seq(model: Seq2SeqTransformer, src: torch.Tensor, tgt: torch.Tensor, steps: int = 300,
                  batch_size: int = 64, lr: float = 1e-3, warmup: int = 30, seed: int = 0,
                  progress: bool = True) -> list[float]:
    """Teacher-forced training with Adam and a linear warm-up (the loop is ``forge_utils.training.fit``);
    returns the loss of every step.

    ``src`` (N, Ls) and ``tgt`` (N, Lt) as from ``encode_pairs``, already on the model's device.
    Each step samples a random batch (a seeded generator, so runs repeat), feeds ``tgt[:, :-1]``
    and predicts ``tgt[:, 1:]``; padding does not count in the loss.
    """
    if src.shape[0] != tgt.shape[0]:
        raise ValueError(f"src 和 tgt 必须每个句对占一行（行数相同），收到的是 {src.shape[0]} 行和 {tgt.shape[0]} 行")
    device = next(model.parameters()).device
    if src.device != device or tgt.device != device:
        raise ValueError(f"请先把 src/tgt 移到模型所在的设备上：模型在 {device}，数据在 {src.device}")
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.98), foreach=True)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / max(1, warmup)))
    generator = torch.Generator().manual_seed(seed)
    rows = (torch.randint(0, src.shape[0], (batch_size,), generator=generator).to(device) for _ in range(steps))
    losses = fit(model, ((src[index], tgt[index]) for index in rows), teacher_forced_loss, optimizer, steps,
                 schedule=schedule, progress=progress, desc="训练")
    model.eval()
    return losses


@torch.no_grad()
def evaluate_translation(model: Seq2SeqTransformer, src: torch.Tensor, tgt: torch.Tensor, bos_id: int,
                         eos_id: int, beam: int = 1) -> dict[str, float]:
    """Scores on a held-out set: ``exact_match`` (the translation equal to the reference, whole sentence;
    greedy, or beam search with ``beam`` > 1) and ``token_accuracy`` (teacher-forced: share of reference
    tokens incl. ``<eos>`` that are the model's top prediction given the correct prefix)."""
    model.eval()
    logits = model(src, tgt[:, :-1])
    target = tgt[:, 1:]
    real = target != model.pad_id
    token_accuracy = ((logits.argmax(-1) == target) & real).sum() / real.sum()
    if beam == 1:
        hyp = greedy_decode_batch(model, src, bos_id, eos_id, max_len=tgt.shape[1] - 1)
    else:
        hyp = beam_search(model, src, bos_id, eos_id, beam=beam, max_len=tgt.shape[1] - 1)
    width = max(hyp.shape[1], target.shape[1])
    hyp = F.pad(hyp, (0, width - hyp.shape[1]), value=model.pad_id)
    ref = F.pad(target, (0, width - target.shape[1]), value=model.pad_id)
    exact = (hyp == ref).all(dim=1).float().mean()
    return {"exact_match": float(exact), "token_accuracy": float(token_accuracy)}
