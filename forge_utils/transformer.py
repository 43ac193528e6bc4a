"""The Transformer of "Attention Is All You Need", small enough to read top to bottom (notebook 09).

    >>> from forge_utils.transformer import Seq2SeqTransformer, greedy_decode, sinusoidal_positional_encoding
    >>> pe = sinusoidal_positional_encoding(50, 64)                     # (50, 64)
    >>> model = Seq2SeqTransformer(src_vocab_size=40, tgt_vocab_size=40, d_model=64, num_heads=4)
    >>> logits = model(src_ids, tgt_in)                                 # (B, Lt, 40)
    >>> result = greedy_decode(model, [4, 5, 6], bos_id=2, eos_id=3)    # ids + cross-attention maps
    >>> ids = beam_search(model, src_ids, bos_id=2, eos_id=3, beam=4)   # (B, T): the best of 4 prefixes

Built on ``forge_utils.attention.MultiHeadAttention`` (notebook 08). Masks are boolean,
True = may attend. Layers are post-norm as in the paper (``LayerNorm(x + Sublayer(x))``);
``norm_first=True`` gives the pre-norm variant (``x + Sublayer(LayerNorm(x))``) most models use
today, with one more LayerNorm at the top of each stack. Layers return their attention weights
so the notebooks can draw them.

``TransformerEncoderModel`` is the encoder-only model (token embedding + positions + encoder
stack → hidden states) that notebook 10 pre-trains with masked language modelling.

``Seq2SeqTransformer(cross_attention=False)`` is the control notebook 09 trains (its decoder never
sees the source); ``positions="learned"|"none"`` swap the sinusoidal encoding for a trained table
or for nothing, for experiments such as question 4 at the end of the notebook. Training and scoring
on the translation task are in ``forge_utils.translation``; the two explorers of notebook 09 in
``forge_utils.transformer_explorers``.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from forge_utils.attention import MultiHeadAttention, alibi_bias, causal_mask, check_every_query_attends, padding_mask

# ----------------------------------------------------------------------------- positions


def sinusoidal_positional_encoding(max_len: int, d_model: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The paper's positional encoding, shape ``(max_len, d_model)`` (``dtype=torch.float64`` for exact checks).

    ``PE[pos, 2i] = sin(pos / 10000^(2i/d_model))`` and ``PE[pos, 2i+1] = cos(pos / 10000^(2i/d_model))``:
    each pair of dimensions (2i, 2i+1) is a point on a circle turning at its own frequency.
    """
    if not isinstance(max_len, int) or max_len < 1:
        raise ValueError(f"max_len 必须是正整数（位置的个数），收到的是 {max_len!r}")
    if not isinstance(d_model, int) or d_model < 2 or d_model % 2:
        raise ValueError(
            f"d_model 必须是正偶数（各维按 sin/cos 两两成对），收到的是 {d_model!r}；"
            "例如用 64 或 512"
        )
    position = torch.arange(max_len, dtype=dtype)[:, None]  # (max_len, 1)
    two_i = torch.arange(0, d_model, 2, dtype=dtype)  # (d/2,): 0, 2, 4, ...
    angles = position / 10000 ** (two_i / d_model)  # (max_len, d/2)
    pe = torch.zeros(max_len, d_model, dtype=dtype)
    pe[:, 0::2] = torch.sin(angles)
    pe[:, 1::2] = torch.cos(angles)
    return pe


def relative_position_matrix(k: int, d_model: int) -> torch.Tensor:
    """The fixed ``(d_model, d_model)`` matrix ``M_k`` with ``PE[pos + k] = M_k @ PE[pos]`` for every pos.

    Block diagonal: the pair (2i, 2i+1) is rotated by the angle ``k·ω_i``, ``ω_i = 10000^(-2i/d_model)``
    (sin(a+b) = sin a cos b + cos a sin b; cos(a+b) = cos a cos b − sin a sin b).
    """
    if d_model < 2 or d_model % 2:
        raise ValueError(f"d_model 必须是正偶数，收到的是 {d_model!r}")
    omega = torch.pow(10000.0, -torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    cos, sin = torch.cos(k * omega), torch.sin(k * omega)
    m = torch.zeros(d_model, d_model, dtype=torch.float64)
    for i in range(d_model // 2):
        m[2 * i, 2 * i], m[2 * i, 2 * i + 1] = cos[i], sin[i]
        m[2 * i + 1, 2 * i], m[2 * i + 1, 2 * i + 1] = -sin[i], cos[i]
    return m


POSITIONS = ("sinusoidal", "learned", "none")


class TokenAndPosition(nn.Module):
    """Token embedding × √d_model + positions (then dropout): ids (B, L) → (B, L, d_model).

    ``positions``: ``"sinusoidal"`` (the paper's fixed PE, the default), ``"learned"`` (a trained
    ``max_len × d_model`` table as in BERT and GPT-2, in ``self.position_table``) or ``"none"``
    (no position information at all: the model sees a bag of tokens).
    """

    pe: torch.Tensor  # (max_len, d_model) buffer: the sinusoidal table, zeros for positions="none"

    def __init__(self, vocab_size: int, d_model: int, max_len: int = 64, dropout: float = 0.0, pad_id: int = 0,
                 positions: str = "sinusoidal"):
        super().__init__()
        if positions not in POSITIONS:
            raise ValueError(f"positions 必须是 {POSITIONS} 之一，收到的是 {positions!r}")
        self.embedding = nn.Embedding(vocab_size, d_model, padding_idx=pad_id)
        pe = sinusoidal_positional_encoding(max_len, d_model)
        if positions == "none":
            pe = torch.zeros_like(pe)
        self.register_buffer("pe", pe, persistent=False)
        self.position_table = nn.Embedding(max_len, d_model) if positions == "learned" else None
        self.dropout = nn.Dropout(dropout)
        self.d_model, self.max_len, self.vocab_size, self.positions = d_model, max_len, vocab_size, positions

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        _check_ids(ids, self.vocab_size, "ids")
        return self.embed(ids)

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        """``forward`` for ids a caller has already checked (one device read-back per entry point)."""
        if ids.shape[1] > self.max_len:
            raise ValueError(
                f"序列长度 {ids.shape[1]} 超过了 max_len={self.max_len} 个位置："
                "请用更大的 max_len 建模型，或者截短输入"
            )
        x = self.embedding(ids) * math.sqrt(self.d_model)
        if self.position_table is not None:
            x = x + self.position_table.weight[: ids.shape[1]]
        else:
            x = x + self.pe[: ids.shape[1]]
        return self.dropout(x)


def _check_ids(ids: torch.Tensor, vocab_size: int, what: str) -> None:
    if not isinstance(ids, torch.Tensor) or ids.dim() != 2 or ids.dtype not in (torch.long, torch.int):
        got = f"{tuple(ids.shape)} {ids.dtype}" if isinstance(ids, torch.Tensor) else type(ids).__name__
        raise ValueError(
            f"{what} 必须是形状为 (B, L) 的整数词元 id，收到的是 {got}；"
            "只有一句话时请用 torch.tensor([ids])（只有一句的批）"
        )
    if ids.numel():
        low, high = torch.stack(torch.aminmax(ids)).tolist()  # one read-back from the device, not two
        if low < 0 or high >= vocab_size:
            raise ValueError(
                f"{what} 里有超出 0..{vocab_size - 1} 的 id（最小 {low}，最大 {high}）："
                "请用建模型时用的那个 Vocab 来编码"
            )


# ----------------------------------------------------------------------------- layers


class FeedForward(nn.Module):
    """Position-wise FFN, the same on every position.

    Linear(d_model → d_ff, 升维) → ReLU → Linear(d_ff → d_model, 降维): (B, L, d_model) → (B, L, d_model).
    """

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear2(self.dropout(F.relu(self.linear1(x))))


class EncoderLayer(nn.Module):
    """Self-attention → add & norm → FFN → add & norm. (B, L, d_model) → (B, L, d_model).

    ``forward(x, mask=None)`` returns ``(x, weights)`` with weights (B, heads, L, L).
    Same function as ``nn.TransformerEncoderLayer(d_model, num_heads, d_ff, dropout, batch_first=True,
    norm_first=norm_first)`` (see ``load_from_torch``).
    """

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0, norm_first: bool = False):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout=dropout)
        self.ffn = FeedForward(d_model, d_ff, dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.norm_first = norm_first

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None, bias: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if self.norm_first:  # pre-norm: x + Sublayer(LayerNorm(x))
            h = self.norm1(x)
            a, weights = self.self_attn(h, h, h, mask, bias)
            x = x + self.dropout1(a)
            x = x + self.dropout2(self.ffn(self.norm2(x)))
        else:  # post-norm (the paper): LayerNorm(x + Sublayer(x))
            a, weights = self.self_attn(x, x, x, mask, bias)
            x = self.norm1(x + self.dropout1(a))
            x = self.norm2(x + self.dropout2(self.ffn(x)))
        return x, weights

    @torch.no_grad()
    def load_from_torch(self, layer: nn.TransformerEncoderLayer) -> "EncoderLayer":
        """Copy the weights of an ``nn.TransformerEncoderLayer`` (ReLU, same sizes) into this layer."""
        self.self_attn.load_from_torch(layer.self_attn)
        _copy_ffn_and_norms(self, layer, ("norm1", "norm2"))
        return self


class DecoderLayer(nn.Module):
    """Masked self-attention → add & norm → cross-attention → add & norm → FFN → add & norm.

    ``forward(y, memory, self_mask=None, memory_mask=None)``: y (B, Lt, d_model) the decoder states,
    memory (B, Ls, d_model) the encoder output; ``self_mask`` broadcastable to (B, heads, Lt, Lt)
    (normally causal & target padding), ``memory_mask`` to (B, heads, Lt, Ls) (source padding).
    Returns ``(y, self_weights (B, heads, Lt, Lt), cross_weights (B, heads, Lt, Ls))``.
    Cross-attention: Q from the decoder, K and V from the encoder.
    """

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0, norm_first: bool = False):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout=dropout)
        self.cross_attn = MultiHeadAttention(d_model, num_heads, dropout=dropout)
        self.ffn = FeedForward(d_model, d_ff, dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.norm3 = nn.LayerNorm(d_model)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.dropout3 = nn.Dropout(dropout)
        self.norm_first = norm_first

    def forward(
        self,
        y: torch.Tensor,
        memory: torch.Tensor,
        self_mask: torch.Tensor | None = None,
        memory_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        if memory.dim() != 3 or memory.shape[0] != y.shape[0] or memory.shape[-1] != y.shape[-1]:
            raise ValueError(
                f"memory 必须是编码器的输出 (B={y.shape[0]}, Ls, d_model={y.shape[-1]})，"
                f"收到的是 {tuple(memory.shape)}"
            )
        if self.norm_first:
            h = self.norm1(y)
            a, self_w = self.self_attn(h, h, h, self_mask)
            y = y + self.dropout1(a)
            a, cross_w = self.cross_attn(self.norm2(y), memory, memory, memory_mask)
            y = y + self.dropout2(a)
            y = y + self.dropout3(self.ffn(self.norm3(y)))
        else:
            a, self_w = self.self_attn(y, y, y, self_mask)
            y = self.norm1(y + self.dropout1(a))
            a, cross_w = self.cross_attn(y, memory, memory, memory_mask)
            y = self.norm2(y + self.dropout2(a))
            y = self.norm3(y + self.dropout3(self.ffn(y)))
        return y, self_w, cross_w

    @torch.no_grad()
    def load_from_torch(self, layer: nn.TransformerDecoderLayer) -> "DecoderLayer":
        """Copy the weights of an ``nn.TransformerDecoderLayer`` (ReLU, same sizes) into this layer."""
        self.self_attn.load_from_torch(layer.self_attn)
        self.cross_attn.load_from_torch(layer.multihead_attn)
        _copy_ffn_and_norms(self, layer, ("norm1", "norm2", "norm3"))
        return self


def _copy_ffn_and_norms(
    ours: EncoderLayer | DecoderLayer,
    theirs: nn.TransformerEncoderLayer | nn.TransformerDecoderLayer,
    norms: Sequence[str],
) -> None:
    if getattr(theirs, "activation_relu_or_gelu", 1) != 1:
        raise ValueError("复制权重需要 activation='relu' 的 torch 层（论文里的 FFN）")
    if theirs.linear1.weight.shape != ours.ffn.linear1.weight.shape:
        raise ValueError(
            f"FFN 的大小不同：torch 的 linear1 是 {tuple(theirs.linear1.weight.shape)}，"
            f"我们的是 {tuple(ours.ffn.linear1.weight.shape)}：请用相同的 d_model 和 d_ff 建这两层"
        )
    if bool(theirs.norm_first) != ours.norm_first:
        raise ValueError(f"norm_first 不一致：torch 的是 {theirs.norm_first}，我们的是 {ours.norm_first}")
    for name in ("linear1", "linear2"):
        getattr(ours.ffn, name).load_state_dict(getattr(theirs, name).state_dict())
    for name in norms:
        getattr(ours, name).load_state_dict(getattr(theirs, name).state_dict())


# ----------------------------------------------------------------------------- stacks


class Encoder(nn.Module):
    """``num_layers`` encoder layers (+ a final LayerNorm when pre-norm).

    ``forward(x, mask)`` → (x, [weights (B, heads, L, L) per layer]).
    """

    def __init__(self, num_layers: int, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0,
                 norm_first: bool = False):
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"num_layers 必须 >= 1，收到的是 {num_layers}")
        self.layers = nn.ModuleList(
            EncoderLayer(d_model, num_heads, d_ff, dropout, norm_first) for _ in range(num_layers)
        )
        self.norm = nn.LayerNorm(d_model) if norm_first else nn.Identity()

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None, bias: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        weights = []
        for layer in self.layers:
            x, w = layer(x, mask, bias)
            weights.append(w)
        return self.norm(x), weights


class Decoder(nn.Module):
    """``num_layers`` decoder layers (+ a final LayerNorm when pre-norm).

    ``forward(y, memory, self_mask, memory_mask)`` → (y, [self weights per layer], [cross weights per layer]).
    """

    def __init__(self, num_layers: int, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0,
                 norm_first: bool = False):
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"num_layers 必须 >= 1，收到的是 {num_layers}")
        self.layers = nn.ModuleList(
            DecoderLayer(d_model, num_heads, d_ff, dropout, norm_first) for _ in range(num_layers)
        )
        self.norm = nn.LayerNorm(d_model) if norm_first else nn.Identity()

    def forward(
        self,
        y: torch.Tensor,
        memory: torch.Tensor,
        self_mask: torch.Tensor | None = None,
        memory_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
        self_ws, cross_ws = [], []
        for layer in self.layers:
            y, sw, cw = layer(y, memory, self_mask, memory_mask)
            self_ws.append(sw)
            cross_ws.append(cw)
        return self.norm(y), self_ws, cross_ws


# ----------------------------------------------------------------------------- models


class TransformerEncoderModel(nn.Module):
    """Encoder-only Transformer (BERT-like, for notebook 10): ids (B, L) → hidden states (B, L, d_model).

    ``forward(ids, attention_mask=None, return_attention=False)``: ``attention_mask`` (B, L) boolean,
    True on real tokens; by default ``ids != pad_id``. Put a head on top for MLM
    (``nn.Linear(d_model, vocab_size)``) or classification (e.g. on the mean of the real tokens).
    With ``return_attention=True`` returns ``(hidden, [weights (B, heads, L, L) per layer])``.
    ``alibi=True`` adds ``attention.alibi_bias`` to every layer's scores: a prior for nearby tokens, on top
    of the positional encoding (chapter 10's pre-trained encoder uses it).
    """

    def __init__(self, vocab_size: int, d_model: int = 64, num_heads: int = 4, num_layers: int = 2,
                 d_ff: int = 128, max_len: int = 64, dropout: float = 0.0, pad_id: int = 0,
                 norm_first: bool = False, alibi: bool = False):
        super().__init__()
        self.embed = TokenAndPosition(vocab_size, d_model, max_len, dropout, pad_id)
        self.encoder = Encoder(num_layers, d_model, num_heads, d_ff, dropout, norm_first)
        self.vocab_size, self.d_model, self.pad_id, self.max_len = vocab_size, d_model, pad_id, max_len
        self.num_heads, self.alibi = num_heads, alibi

    def forward(
        self, ids: torch.Tensor, attention_mask: torch.Tensor | None = None, return_attention: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        x = self.embed(ids)
        if attention_mask is None:
            keep = ids != self.pad_id
        else:
            if attention_mask.shape != ids.shape or attention_mask.dtype != torch.bool:
                raise ValueError(
                    f"attention_mask 必须是布尔张量，形状和 ids 一样是 {tuple(ids.shape)}（True = 真实的词元），"
                    f"收到的是 {tuple(attention_mask.shape)} {attention_mask.dtype}"
                )
            keep = attention_mask
        bias = alibi_bias(self.num_heads, ids.shape[1], ids.device) if self.alibi else None
        hidden, weights = self.encoder(x, keep[:, None, None, :], bias)
        return (hidden, weights) if return_attention else hidden


class Seq2SeqTransformer(nn.Module):
    """Encoder–decoder Transformer for translation: (src ids, target ids so far) → next-token logits.

    ``forward(src, tgt_in)``: src (B, Ls), tgt_in (B, Lt) starting with ``<bos>`` → logits (B, Lt, tgt_vocab).
    Padding (``pad_id``) is masked out of every attention; the decoder's self-attention is causal.
    ``encode`` and ``decode`` are the two halves; both also return attention weights.

    Two switches for experiments: ``positions`` (``"sinusoidal"``, ``"learned"`` or ``"none"``, see
    ``TokenAndPosition``) and ``cross_attention=False``, a control whose decoder never sees the
    source (the encoder output is replaced by zeros, so every cross-attention returns the same
    vector whatever the sentence; the encoder is not run): it can only learn what English
    sentences look like.
    """

    def __init__(self, src_vocab_size: int, tgt_vocab_size: int, d_model: int = 64, num_heads: int = 4,
                 num_layers: int = 2, d_ff: int = 128, max_len: int = 64, dropout: float = 0.0, pad_id: int = 0,
                 norm_first: bool = False, positions: str = "sinusoidal", cross_attention: bool = True):
        super().__init__()
        self.src_embed = TokenAndPosition(src_vocab_size, d_model, max_len, dropout, pad_id, positions)
        self.tgt_embed = TokenAndPosition(tgt_vocab_size, d_model, max_len, dropout, pad_id, positions)
        self.cross_attention = cross_attention
        self.encoder = Encoder(num_layers, d_model, num_heads, d_ff, dropout, norm_first)
        self.decoder = Decoder(num_layers, d_model, num_heads, d_ff, dropout, norm_first)
        self.out = nn.Linear(d_model, tgt_vocab_size)
        self.pad_id, self.max_len = pad_id, max_len
        self.num_layers, self.num_heads = num_layers, num_heads

    def encode(self, src: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
        """src (B, Ls) → memory (B, Ls, d_model), source key mask (B, 1, 1, Ls), [encoder weights per layer]."""
        _check_ids(src, self.src_embed.vocab_size, "src")
        src_mask = padding_mask(src, self.pad_id)
        check_every_query_attends(src_mask[:, 0])  # checked once here, not in every layer on a GPU
        if not self.cross_attention:  # the control: nothing of the source reaches the decoder
            d_model = self.src_embed.d_model
            return src.new_zeros(*src.shape, d_model, dtype=self.out.weight.dtype), src_mask, []
        memory, weights = self.encoder(self.src_embed.embed(src), src_mask)
        return memory, src_mask, weights

    def decode(
        self, tgt_in: torch.Tensor, memory: torch.Tensor, src_mask: torch.Tensor
    ) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
        """tgt_in (B, Lt) → logits (B, Lt, V), [self weights per layer], [cross weights (B, h, Lt, Ls) per layer]."""
        _check_ids(tgt_in, self.tgt_embed.vocab_size, "tgt_in")
        lt = tgt_in.shape[1]
        self_mask = causal_mask(lt, device=tgt_in.device) & padding_mask(tgt_in, self.pad_id)  # (B, 1, Lt, Lt)
        y, self_ws, cross_ws = self.decoder(self.tgt_embed.embed(tgt_in), memory, self_mask, src_mask)
        return self.out(y), self_ws, cross_ws

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        if src.dim() != 2 or tgt_in.dim() != 2 or src.shape[0] != tgt_in.shape[0]:
            raise ValueError(
                f"src 和 tgt_in 必须是 id 批 (B, Ls) 和 (B, Lt)，而且 B 相同，"
                f"收到的是 {tuple(src.shape)} 和 {tuple(tgt_in.shape)}"
            )
        memory, src_mask, _ = self.encode(src)
        logits, _, _ = self.decode(tgt_in, memory, src_mask)
        return logits


# ----------------------------------------------------------------------------- decoding


@dataclass
class DecodeResult:
    """What ``greedy_decode`` returns for one sentence.

    ``tokens``: the generated ids (without ``<bos>``, ending in ``<eos>`` if it was produced);
    ``cross_attention``: (steps, layers, heads, Ls), the cross-attention row of the newest position
    at each step (step t reads the prefix ``<bos> y_1 … y_t`` and predicts ``tokens[t]``);
    ``probs``: (steps,) the probability of each chosen token.
    """

    tokens: list[int]
    cross_attention: torch.Tensor
    probs: torch.Tensor


@torch.no_grad()
def greedy_decode(
    model: Seq2SeqTransformer, src_ids: Sequence[int] | torch.Tensor, bos_id: int, eos_id: int, max_len: int = 20
) -> DecodeResult:
    """Translate one source sentence by taking the most probable token at every step.

    ``src_ids``: a list or 1-D tensor of source ids (no padding). Re-runs the decoder on the whole
    prefix at each step (no cache: clear, and cheap for short sentences).
    """
    src = torch.as_tensor(src_ids, dtype=torch.long)
    if src.dim() != 1 or src.numel() == 0:
        raise ValueError(
            "greedy_decode 一次只翻译一句话：请传入非空的 id 列表或一维张量，"
            f"收到的形状是 {tuple(src.shape)}"
        )
    if max_len < 1 or max_len >= model.max_len:
        raise ValueError(f"max_len 必须在 1..{model.max_len - 1} 里（受模型的位置个数限制），收到的是 {max_len}")
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    src = src[None].to(device)
    memory, src_mask, _ = model.encode(src)
    ys = torch.tensor([[bos_id]], device=device)
    rows, probs = [], []
    for _ in range(max_len):
        logits, _, cross = model.decode(ys, memory, src_mask)
        p = logits[0, -1].softmax(-1)
        next_id = p.argmax()
        rows.append(torch.stack([c[0, :, -1] for c in cross]))  # (layers, heads, Ls)
        probs.append(p[next_id])
        ys = torch.cat([ys, next_id.view(1, 1)], dim=1)
        if int(next_id) == eos_id:
            break
    model.train(was_training)
    return DecodeResult(ys[0, 1:].tolist(), torch.stack(rows).cpu(), torch.stack(probs).cpu())


@torch.no_grad()
def greedy_decode_batch(model: Seq2SeqTransformer, src: torch.Tensor, bos_id: int, eos_id: int,
                        max_len: int = 20) -> torch.Tensor:
    """Greedy decoding of a padded batch src (B, Ls) → ids (B, T) without ``<bos>``; after ``<eos>`` all pad."""
    was_training = model.training
    model.eval()
    memory, src_mask, _ = model.encode(src)
    ys = torch.full((src.shape[0], 1), bos_id, dtype=torch.long, device=src.device)
    done = torch.zeros(src.shape[0], dtype=torch.bool, device=src.device)
    for _ in range(max_len):
        logits, _, _ = model.decode(ys, memory, src_mask)
        next_id = logits[:, -1].argmax(-1)
        next_id = torch.where(done, torch.full_like(next_id, model.pad_id), next_id)
        ys = torch.cat([ys, next_id[:, None]], dim=1)
        done |= next_id == eos_id
        if bool(done.all()):
            break
    model.train(was_training)
    return ys[:, 1:]


@torch.no_grad()
def beam_search(model: Seq2SeqTransformer, src: torch.Tensor, bos_id: int, eos_id: int, beam: int = 4,
                max_len: int = 20) -> torch.Tensor:
    """Beam-search decoding of a padded batch src (B, Ls) → ids (B, T) without ``<bos>``; after ``<eos>`` all pad.

    Keeps the ``beam`` most probable prefixes of each sentence (sum of log-probabilities, no length
    penalty); a prefix that has produced ``<eos>`` stays in the beam with its score and only grows
    by padding. Returns the best of the final beams. ``beam=1`` is greedy decoding.
    """
    if not isinstance(beam, int) or beam < 1:
        raise ValueError(f"beam 必须是 ≥ 1 的整数（1 就是贪心解码），收到的是 {beam!r}")
    was_training = model.training
    model.eval()
    batch, vocab_size = src.shape[0], model.out.out_features
    memory, src_mask, _ = model.encode(src)
    memory, src_mask = memory.repeat_interleave(beam, 0), src_mask.repeat_interleave(beam, 0)   # (B·beam, …)
    ys = torch.full((batch * beam, 1), bos_id, dtype=torch.long, device=src.device)
    scores = torch.full((batch, beam), float("-inf"), device=src.device)
    scores[:, 0] = 0.0                                        # one live prefix at the start: no duplicate beams
    done = torch.zeros(batch * beam, dtype=torch.bool, device=src.device)
    only_pad = torch.full((vocab_size,), float("-inf"), device=src.device)
    only_pad[model.pad_id] = 0.0                              # a finished prefix grows by padding, at no cost
    for _ in range(max_len):
        logits, _, _ = model.decode(ys, memory, src_mask)
        logp = torch.where(done[:, None], only_pad, logits[:, -1].log_softmax(-1))           # (B·beam, V)
        total = (scores.reshape(-1, 1) + logp).reshape(batch, beam * vocab_size)
        scores, flat = total.topk(beam, dim=-1)                                               # (B, beam)
        rows = (torch.arange(batch, device=src.device)[:, None] * beam + flat // vocab_size).reshape(-1)
        token = (flat % vocab_size).reshape(-1, 1)
        ys, done = torch.cat([ys[rows], token], dim=1), done[rows] | (token[:, 0] == eos_id)
        if bool(done.all()):
            break
    model.train(was_training)
    best = scores.argmax(-1)                                                                  # (B,)
    return ys.reshape(batch, beam, -1)[torch.arange(batch, device=src.device), best, 1:]


# ----------------------------------------------------------------------------- attention maps


@torch.no_grad()
def attention_maps(
    model: Seq2SeqTransformer, src_ids: Sequence[int] | torch.Tensor, tgt_ids: Sequence[int] | torch.Tensor
) -> dict[str, torch.Tensor]:
    """All attention weights of one (source, target prefix) pair, teacher-forced, on the CPU.

    ``src_ids`` (Ls,) and ``tgt_ids`` (Lt,) (the decoder input, starting with ``<bos>``) → a dict
    with ``"encoder self"`` (layers, heads, Ls, Ls), ``"decoder self"`` (layers, heads, Lt, Lt) and
    ``"cross"`` (layers, heads, Lt, Ls). Because of the causal mask, row t of ``"cross"`` equals
    the cross-attention row ``greedy_decode`` records at step t.
    """
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    src = torch.as_tensor(src_ids, dtype=torch.long, device=device)[None]
    tgt = torch.as_tensor(tgt_ids, dtype=torch.long, device=device)[None]
    memory, src_mask, enc_ws = model.encode(src)
    _, self_ws, cross_ws = model.decode(tgt, memory, src_mask)
    model.train(was_training)

    def stack(ws: list[torch.Tensor]) -> torch.Tensor:
        return torch.stack([w[0] for w in ws]).cpu()

    return {"encoder self": stack(enc_ws), "decoder self": stack(self_ws), "cross": stack(cross_ws)}
