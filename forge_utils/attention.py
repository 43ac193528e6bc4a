"""Scaled dot-product attention, multi-head attention and the two masks (notebook 08).

    >>> from forge_utils.attention import scaled_dot_product_attention, MultiHeadAttention, causal_mask
    >>> out, weights = scaled_dot_product_attention(q, k, v, mask=causal_mask(q.shape[-2]))
    >>> mha = MultiHeadAttention(d_model=512, num_heads=8)
    >>> out, weights = mha(x, x, x)            # (B, L, 512), (B, 8, L, L)

Mask convention (the one of ``torch.nn.functional.scaled_dot_product_attention``): a boolean
tensor, ``True`` = this query may attend to this key, ``False`` = it may not.

A query row whose keys are *all* masked has no distribution to take a softmax over (the
softmax of only ``-inf`` is NaN). Instead of returning NaN silently, both functions raise a
``ValueError`` that names the row. Such rows come from a mask built wrongly (e.g. a sequence of
length 0, or a padding mask applied to the queries instead of the keys). Finding such a row means
reading a value back from the device, which on a GPU stops it until all queued work is done; so
``MultiHeadAttention`` (called in every layer of a forward pass) makes this check only for masks on
the CPU, and the models that build their own masks check their inputs once at the entry point.
"""
from __future__ import annotations

import math

import torch
from torch import nn


def _check_mask(mask: torch.Tensor, scores_shape: torch.Size) -> None:
    """Mask must be boolean and broadcast to ``scores_shape`` without enlarging it."""
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        what = mask.dtype if isinstance(mask, torch.Tensor) else type(mask).__name__
        raise TypeError(
            f"掩码 mask 必须是布尔张量（True = 可以关注），收到的是 {what}。"
            "请用 causal_mask(L) / padding_mask(ids) 生成，或用 mask.bool() 转换。"
        )
    try:
        shape = torch.broadcast_shapes(mask.shape, scores_shape)
    except RuntimeError:
        shape = None
    if shape != scores_shape:
        raise ValueError(
            f"形状为 {tuple(mask.shape)} 的掩码无法广播到注意力分数的形状 "
            f"(..., Lq, Lk) = {tuple(scores_shape)}：它的最后两维必须是 (Lq, Lk)、(1, Lk) 或 (Lq, 1)。"
        )


def scaled_dot_product_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(q kᵀ / √d_k) v, returning the output and the attention weights.

    Shapes: ``q`` (..., Lq, d_k), ``k`` (..., Lk, d_k), ``v`` (..., Lk, d_v) with leading dims that
    broadcast; ``mask`` boolean, broadcastable to (..., Lq, Lk), True = may attend.
    Returns ``output`` (..., Lq, d_v) and ``weights`` (..., Lq, Lk), each row summing to 1.
    Raises ``ValueError`` when a query row has every key masked (see the module docstring).
    """
    for name, t in (("q", q), ("k", k), ("v", v)):
        if not isinstance(t, torch.Tensor) or t.dim() < 2:
            got = tuple(t.shape) if isinstance(t, torch.Tensor) else type(t).__name__
            raise ValueError(f"{name} 必须是形状为 (..., L, d) 的张量，收到的是 {got}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"q 和 k 的最后一维 d_k 必须相同才能做点积：q {tuple(q.shape)}，k {tuple(k.shape)}"
        )
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"k 和 v 的长度 Lk 必须相同（每个键对应一个值）：k {tuple(k.shape)}，v {tuple(v.shape)}"
        )
    if mask is not None:
        scores_shape = torch.Size(torch.broadcast_shapes(q.shape[:-2], k.shape[:-2]) + (q.shape[-2], k.shape[-2]))
        _check_mask(mask, scores_shape)
        mask = mask.to(q.device)
        check_every_query_attends(mask)
    weights = attention_weights(q, k, mask)
    return weights @ v, weights


def attention_weights(
    q: torch.Tensor, k: torch.Tensor, mask: torch.Tensor | None = None, bias: torch.Tensor | None = None
) -> torch.Tensor:
    """softmax(q kᵀ / √d_k + bias) with masked keys at −∞: q (..., Lq, d_k), k (..., Lk, d_k) → (..., Lq, Lk).

    ``bias`` (optional, broadcastable to (..., Lq, Lk)) is added to the scores, e.g. ``alibi_bias``.
    The arithmetic of ``scaled_dot_product_attention`` without its input checks (for callers that
    have checked their inputs once already, such as ``MultiHeadAttention``)."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., Lq, Lk)
    if bias is not None:
        scores = scores + bias
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1)


def check_every_query_attends(mask: torch.Tensor) -> None:
    """Raise if some query row of a boolean mask (..., Lq, Lk) may attend to no key at all (its softmax
    would be NaN). Reads one value back from the mask's device."""
    if not mask.any(dim=-1).all():
        rows = (~mask.any(dim=-1)).nonzero().tolist()
        raise ValueError(
            f"掩码让 {len(rows)} 个查询行看不到任何键（第一个在下标 {rows[0]}），"
            "它们的 softmax 没有定义。每个查询至少要能关注一个键："
            "请检查有没有长度为 0 的序列，以及填充掩码遮的是不是键（列）而不是查询（行）。"
        )


def alibi_bias(num_heads: int, length: int, device: torch.device | str | None = None) -> torch.Tensor:
    """ALiBi's distance penalty for an encoder (Press et al. 2022, symmetric): bias[h, i, j] = −slope_h · |i − j|,
    slopes 1, 1/2, 1/4, … (one per head). Shape (heads, L, L); added to the attention scores it makes every
    head start by attending to nearby tokens (head 0 to the nearest, the last ones more widely)."""
    slopes = 2.0 ** -torch.arange(num_heads, dtype=torch.float32, device=device)
    position = torch.arange(length, device=device)
    distance = (position[:, None] - position[None, :]).abs().float()
    return -slopes[:, None, None] * distance


def causal_mask(length: int, device: torch.device | str | None = None) -> torch.Tensor:
    """Boolean (L, L) mask, True on and below the diagonal: position i may look at 0..i only."""
    if not isinstance(length, int) or length < 1:
        raise ValueError(f"causal_mask 需要一个正整数长度，收到的是 {length!r}")
    return torch.ones(length, length, dtype=torch.bool, device=device).tril()


def padding_mask(
    ids_or_lengths: torch.Tensor | list[int], pad_id: int = 0, max_len: int | None = None
) -> torch.Tensor:
    """Boolean key mask (B, 1, 1, Lk), True on real tokens and False on padding.

    Pass either token ids (B, Lk) with their ``pad_id`` (``Vocab`` uses 0 for ``<pad>``), or the
    lengths (B,) of right-padded sequences (then ``max_len`` defaults to the longest). The result
    broadcasts against (B, heads, Lq, Lk) scores and combines with a causal mask by ``&``.
    """
    x = torch.as_tensor(ids_or_lengths)
    if x.dtype.is_floating_point or x.dtype == torch.bool:
        raise TypeError(f"padding_mask 要的是整数 id (B, L) 或长度 (B,)，收到的 dtype 是 {x.dtype}")
    if x.dim() == 2:
        keep = x != pad_id
    elif x.dim() == 1:
        if (x < 0).any():
            raise ValueError(f"长度 lengths 不能是负数，收到的是 {x.tolist()}")
        longest = int(x.max()) if x.numel() else 0
        max_len = longest if max_len is None else max_len
        if max_len < longest:
            raise ValueError(f"max_len={max_len} 比最长的序列（{longest}）还短")
        keep = torch.arange(max_len, device=x.device) < x[:, None]
    else:
        raise ValueError(
            f"padding_mask 要的是形状为 (B, L) 的 id 或形状为 (B,) 的长度，收到的形状是 {tuple(x.shape)}"
        )
    return keep[:, None, None, :]


class MultiHeadAttention(nn.Module):
    """Multi-head attention as in "Attention Is All You Need", batch-first.

    Project query/key/value with ``w_q, w_k, w_v`` (each ``nn.Linear(d_model, d_model)``), split
    the last dim into ``num_heads`` heads of ``d_k = d_model // num_heads``, attend in every head
    in parallel, concatenate the heads and mix them with ``w_o``.

    ``forward(query, key, value, mask=None)``: query (B, Lq, d_model), key and value (B, Lk, d_model).
    Self-attention passes the same tensor three times; cross-attention passes the decoder states as
    query and the encoder output as key and value. Accepted boolean masks (True = may attend):
    (Lq, Lk), (B, Lq, Lk), and 4-D masks broadcastable to (B, heads, Lq, Lk) such as
    (B, 1, Lq, Lk) or the (B, 1, 1, Lk) of ``padding_mask``.
    Returns output (B, Lq, d_model) and weights (B, heads, Lq, Lk) (before dropout).
    """

    def __init__(self, d_model: int, num_heads: int, dropout: float = 0.0):
        super().__init__()
        if num_heads < 1 or d_model % num_heads != 0:
            raise ValueError(
                f"d_model={d_model} 必须能被 num_heads={num_heads} 整除，这样每个头才能分到 "
                f"d_k = d_model / num_heads 维；例如 d_model=512、8 个头时 d_k=64。"
            )
        self.d_model = d_model
        self.num_heads = num_heads
        self.d_k = d_model // num_heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(B, L, d_model) → (B, heads, L, d_k)."""
        b, length, _ = x.shape
        return x.view(b, length, self.num_heads, self.d_k).transpose(1, 2)

    def merge_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(B, heads, L, d_k) → (B, L, d_model): the concatenation of the heads."""
        b, _, length, _ = x.shape
        return x.transpose(1, 2).reshape(b, length, self.d_model)

    def _check_inputs(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor) -> None:
        for name, t in (("query", query), ("key", key), ("value", value)):
            if t.dim() != 3 or t.shape[-1] != self.d_model:
                raise ValueError(
                    f"{name} 的形状必须是 (B, L, d_model={self.d_model})（批维在前），收到的是 {tuple(t.shape)}；"
                    "只有一条序列时请用 x.unsqueeze(0) 加上批维。"
                )
        if not query.shape[0] == key.shape[0] == value.shape[0]:
            raise ValueError(
                f"query、key 和 value 的批大小必须相同，收到的是 {query.shape[0]}、{key.shape[0]}、{value.shape[0]}"
            )
        if key.shape[1] != value.shape[1]:
            raise ValueError(f"key 和 value 的长度 Lk 必须相同，收到的是 {key.shape[1]} 和 {value.shape[1]}")

    def _prepare_mask(self, mask: torch.Tensor, b: int, lq: int, lk: int) -> torch.Tensor:
        target = torch.Size((b, self.num_heads, lq, lk))
        accepted = f"(Lq, Lk)、(B, Lq, Lk)、(B, 1, Lq, Lk)、(B, 1, 1, Lk) 或 (B, heads, Lq, Lk) = {tuple(target)}"
        if not isinstance(mask, torch.Tensor) or mask.dim() not in (2, 3, 4):
            got = tuple(mask.shape) if isinstance(mask, torch.Tensor) else type(mask).__name__
            raise ValueError(f"掩码 mask 必须是形状为 {accepted} 的布尔张量；收到的是 {got}")
        if mask.dim() == 3:  # (B, Lq, Lk): the same mask for every head
            mask = mask.unsqueeze(1)
        try:
            _check_mask(mask, target)
        except ValueError:
            raise ValueError(f"形状为 {tuple(mask.shape)} 的掩码和注意力分数对不上；可接受的形状：{accepted}") from None
        return mask

    def forward(
        self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, mask: torch.Tensor | None = None,
        bias: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        self._check_inputs(query, key, value)
        b, lq, lk = query.shape[0], query.shape[1], key.shape[1]
        if mask is not None:
            mask = self._prepare_mask(mask, b, lq, lk).to(query.device)
            if mask.device.type == "cpu":  # free on the CPU; on a GPU it would wait for the device
                check_every_query_attends(mask)
        q = self.split_heads(self.w_q(query))  # (B, h, Lq, d_k)
        k = self.split_heads(self.w_k(key))  # (B, h, Lk, d_k)
        v = self.split_heads(self.w_v(value))  # (B, h, Lk, d_k)
        weights = attention_weights(q, k, mask, bias)  # (B, h, Lq, Lk); bias e.g. alibi_bias (h, Lq, Lk)
        heads = self.dropout(weights) @ v  # (B, h, Lq, d_k)
        return self.w_o(self.merge_heads(heads)), weights

    @torch.no_grad()
    def load_from_torch(self, mha: nn.MultiheadAttention) -> "MultiHeadAttention":
        """Copy the weights of a ``torch.nn.MultiheadAttention`` (same d_model and heads) into this module.

        torch stores W_q, W_k, W_v stacked in ``in_proj_weight`` (3·d_model, d_model); it is split
        into three. With the copied weights both modules compute the same function.
        """
        if mha.embed_dim != self.d_model or mha.num_heads != self.num_heads:
            raise ValueError(
                f"nn.MultiheadAttention 的 embed_dim={mha.embed_dim}、num_heads={mha.num_heads}；"
                f"而这个模块的 d_model={self.d_model}、num_heads={self.num_heads}，两者必须一致"
            )
        if mha.in_proj_weight is None or mha.in_proj_bias is None or mha.out_proj.bias is None:
            raise ValueError("复制权重需要 nn.MultiheadAttention(..., bias=True)，并且 kdim = vdim = embed_dim")
        for linear, w, bias in zip(
            (self.w_q, self.w_k, self.w_v), mha.in_proj_weight.chunk(3), mha.in_proj_bias.chunk(3)
        ):
            linear.weight.copy_(w)
            linear.bias.copy_(bias)
        self.w_o.weight.copy_(mha.out_proj.weight)
        self.w_o.bias.copy_(mha.out_proj.bias)
        return self

