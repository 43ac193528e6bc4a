"""The baseline every neural text classifier of the course is printed beside: a bag of tokens + logistic regression.

A text becomes the counts of its tokens (characters or words) over a fixed index, with no order at
all; logistic regression puts one weight on each. Anything a sequence model adds must show up as
accuracy above this line (06's RNN and 10's pre-trained encoder are measured against it).

    >>> index = {ch: i for i, ch in enumerate("好差很")}
    >>> X = bag_of_tokens(["很好", "很差", "好"], index)        # sparse (3, 3) counts
    >>> w, b = fit_logistic(X, torch.tensor([1, 0, 1]))
    >>> logistic_accuracy(X, torch.tensor([1, 0, 1]), w, b)
    1.0
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
import torch.nn.functional as F


def bag_of_tokens(docs: Sequence[Sequence[str]], index: Mapping[str, int]) -> torch.Tensor:
    """Documents (lists of tokens, or strings read as characters) → sparse counts (N, len(index)).

    Tokens missing from ``index`` are left out (they carry no weight)."""
    if not index:
        raise ValueError("index 是空的：请用训练文档来建，例如 {token: i for i, token in ...}")
    pairs = [(row, index[token]) for row, doc in enumerate(docs) for token in doc if token in index]
    positions = torch.tensor(pairs, dtype=torch.long).T if pairs else torch.zeros(2, 0, dtype=torch.long)
    return torch.sparse_coo_tensor(positions, torch.ones(positions.shape[1]), (len(docs), len(index)),
                                   check_invariants=False).coalesce()


def fit_logistic(X: torch.Tensor, y: torch.Tensor, C: float = 1.0, iterations: int = 30) -> tuple[torch.Tensor, torch.Tensor]:
    """Logistic regression by L-BFGS: X (n, d) dense or sparse, y (n,) in {0, 1} → weights (d, 1), bias (1,).

    Minimises mean cross-entropy + ‖w‖² / (2·C·n), scikit-learn's ``LogisticRegression(C=C)`` objective.
    The problem is convex and starts from zero, so there is no seed: the answer depends only on the data."""
    if len(y) != X.shape[0]:
        raise ValueError(f"X 有 {X.shape[0]} 行，但 y 有 {len(y)} 个标签：两者必须一样多")
    if not set(y.unique().tolist()) <= {0, 1}:
        raise ValueError("y 里只能是 0/1 标签")
    w = torch.zeros(X.shape[1], 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.LBFGS([w, b], max_iter=iterations, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits((X @ w)[:, 0] + b, y.float()) + (w**2).sum() / (2 * C * len(y))
        loss.backward()
        return loss

    optimizer.step(closure)
    return w.detach(), b.detach()


def logistic_accuracy(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> float:
    """Share of rows of X (n, d) whose predicted class (score > 0 → 1) equals y (n,)."""
    return (((X @ w)[:, 0] + b > 0).long() == y).float().mean().item()
