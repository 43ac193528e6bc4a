"""GloVe: seconds per epoch of the course's trainer vs the lecture's loop (001 §1.3.2), same V.

    .venv/bin/python benchmarks/bench_glove.py                   # CPU (or CUDA if torch sees one)
    .venv/bin/python benchmarks/bench_glove.py --device cuda --threads 1

Corpus: gensim's lee_background (≈58 k tokens), min_count 5 → V = 1,750, window 5, 1/d weighting.
Both run at the same V and dimension. The lecture's loop runs one full epoch (every one of the V²
cells; no extrapolation); the course's trainer (``forge_utils.glove.train_glove``: mini-batches of
non-zero cells, capped weight, AdaGrad) runs ``--epochs`` epochs and reports the median epoch.
It reports the speed-up and each side's loss (the lecture's goes NaN within the epoch).
"""
from __future__ import annotations

import argparse
import math
import platform
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from forge_utils.data import load_lee_corpus  # noqa: E402
from forge_utils.device import get_device  # noqa: E402
from forge_utils.glove import build_vocab, cooccurrence_matrix, lecture_glove_epoch, lecture_glove_init, train_glove  # noqa: E402



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dim", type=int, default=50)
    parser.add_argument("--min-count", type=int, default=5, help="5 gives V = 1,750; 1 gives V = 6,981")
    parser.add_argument("--epochs", type=int, default=30, help="epochs of the course trainer")
    parser.add_argument("--lecture-epochs", type=int, default=1, help="full epochs of the lecture's loop")
    parser.add_argument("--device", default=None, help="cpu / cuda / mps (default: forge_utils.get_device())")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = get_device(args.device)

    corpus = load_lee_corpus()
    words = build_vocab(corpus, min_count=args.min_count)
    X = cooccurrence_matrix(corpus, words, window=5)
    V = len(words)
    print(f"machine: {platform.machine()} {platform.system()}, torch {torch.__version__}, "
          f"device {device}, CPU threads {torch.get_num_threads()}")
    print(f"corpus: lee_background, min_count {args.min_count}, V = {V:,}, non-zero cells {X.nnz:,} of {V * V:,}; dim = {args.dim}")

    X_dense = X.toarray()
    W, b, C, d = lecture_glove_init(V, args.dim, seed=0)
    lecture_seconds, lecture_losses = [], []
    for epoch in range(args.lecture_epochs):
        stats = lecture_glove_epoch(X_dense, W, b, C, d, learning_rate=0.05, alpha=0.75)
        lecture_seconds.append(stats.seconds)
        lecture_losses.append(stats.loss)
        note = f", first inf/NaN after update {stats.first_nonfinite_pair:,}" if stats.first_nonfinite_pair else ""
        print(f"lecture loop  epoch {epoch + 1}: {stats.seconds:7.2f} s, {stats.cells:,} cells, "
              f"{stats.pairs:,} updates, loss {stats.loss}{note}")

    result = train_glove(X, dim=args.dim, epochs=args.epochs, lr=0.05, x_max=10, seed=0, device=device)
    ours = statistics.median(result.seconds_per_epoch)
    finite = all(math.isfinite(v) for v in result.losses)
    decreasing = all(b < a for a, b in zip(result.losses, result.losses[1:]))
    print(f"course trainer: {args.epochs} epochs, median {ours * 1000:.1f} ms/epoch "
          f"(min {min(result.seconds_per_epoch) * 1000:.1f} ms), loss {result.losses[0]:.4f} → {result.losses[-1]:.4f}, "
          f"finite: {finite}, decreasing every epoch: {decreasing}")

    lecture_epoch = statistics.median(lecture_seconds)
    ratio = lecture_epoch / ours
    print()
    print("| V | dim | lecture loop s/epoch | course trainer s/epoch | speed-up | lecture loss | course loss (first → last) |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {V:,} | {args.dim} | {lecture_epoch:.2f} | {ours:.4f} | {ratio:,.0f}× | {lecture_losses[-1]} | "
          f"{result.losses[0]:.3f} → {result.losses[-1]:.3f} |")
    print()
    print(f"speed-up: {ratio:,.0f}× on {device}")
    return 0 if finite and decreasing else 1


if __name__ == "__main__":
    raise SystemExit(main())
