"""A decoder-only Transformer (GPT) as a character language model: 文字接龙 (notebook 11).

    >>> from forge_utils.gpt import GPT, GPTConfig
    >>> model = GPT(GPTConfig(vocab_size=1000, context=64, n_layer=2, n_head=4, n_embd=128))
    >>> logits = model(ids)                         # ids (B, T) with T ≤ 64 → logits (B, T, 1000)
    >>> maps = model.attention_weights(ids)         # one (B, n_head, T, T) tensor per layer

The model follows karpathy/nanoGPT's ``model.py``: token + learned position embeddings, ``n_layer``
pre-LayerNorm blocks ``x + attn(ln_1(x))``, ``x + mlp(ln_2(x))`` with causal multi-head
self-attention, a final LayerNorm and a linear head over the vocabulary (weights optionally tied to
the token embedding). Position t only ever sees positions ≤ t, so the logits at t predict t + 1.

``SamplingControl`` is the ipywidgets control of the notebook (temperature, top-k, prompt → a
generated continuation); its ``set(...)`` does what the widgets do, so it is tested without a browser.
"""
from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from forge_utils.explorer import Explorer
from forge_utils.lm import CONTEXT, CharVocab, sample


@dataclass(frozen=True)
class GPTConfig:
    """Sizes of a GPT: ``n_embd`` must be divisible by ``n_head``."""

    vocab_size: int = 1000
    context: int = CONTEXT  # the longest input (block size): one learned position vector per position
    n_layer: int = 2
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0
    tie_weights: bool = False  # share the token embedding (V, C) with the output head's weight

    def __post_init__(self) -> None:
        for name in ("vocab_size", "context", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"GPTConfig.{name} 必须是正整数，收到的是 {value!r}")
        if self.n_embd % self.n_head:
            raise ValueError(
                f"n_embd（{self.n_embd}）必须能被 n_head（{self.n_head}）整除：每个头分到 n_embd / n_head 维；"
                "比如 n_embd=128 配 n_head=4"
            )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout 必须在 [0, 1) 里，收到的是 {self.dropout!r}")


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention in which position t attends to positions 0..t only.

    One linear layer ``c_attn`` makes q, k, v for all heads at once (C → 3C); ``c_proj`` mixes the
    heads' outputs (C → C). ``forward(x (B, T, C)) → (B, T, C)``; with ``return_weights=True`` it also
    returns the attention weights (B, n_head, T, T) (computed explicitly instead of by the fused kernel).
    """

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.n_head, self.n_embd = config.n_head, config.n_embd
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)
        self.dropout = config.dropout
        self.resid_dropout = nn.Dropout(config.dropout)

    def forward(
        self, x: torch.Tensor, return_weights: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)  # each (B, T, C)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))  # (B, nh, T, hs)
        if return_weights:
            scores = q @ k.transpose(-2, -1) / math.sqrt(k.shape[-1])  # (B, nh, T, T)
            mask = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
            weights = F.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
            y = weights @ v
        else:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                               dropout_p=self.dropout if self.training else 0.0)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # heads side by side again
        y = self.resid_dropout(self.c_proj(y))
        return (y, weights) if return_weights else y


class MLP(nn.Module):
    """Position-wise feed-forward: C → 4C → GELU → C."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd)
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.c_proj(F.gelu(self.c_fc(x))))


class Block(nn.Module):
    """Pre-LayerNorm Transformer block: ``x + attn(ln_1(x))`` then ``x + mlp(ln_2(x))``."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = MLP(config)

    def forward(
        self, x: torch.Tensor, return_weights: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        if return_weights:
            a, weights = self.attn(self.ln_1(x), return_weights=True)
            x = x + a
            return x + self.mlp(self.ln_2(x)), weights
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    """Decoder-only Transformer: ids (B, T) → next-token logits (B, T, vocab_size), T ≤ ``config.context``."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)  # token embedding (V, C)
        self.wpe = nn.Embedding(config.context, config.n_embd)  # position embedding (context, C)
        self.drop = nn.Dropout(config.dropout)
        self.h = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size)
        self.apply(self._init_weights)
        for name, p in self.named_parameters():  # GPT-2: scale the residual projections by 1/√(2·n_layer)
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))
        if config.tie_weights:
            self.lm_head.weight = self.wte.weight

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def _check(self, ids: torch.Tensor) -> None:
        if not isinstance(ids, torch.Tensor) or ids.dim() != 2 or ids.dtype not in (torch.int64, torch.int32):
            got = f"{tuple(ids.shape)} {ids.dtype}" if isinstance(ids, torch.Tensor) else type(ids).__name__
            raise ValueError(f"GPT 要的是形状为 (batch, time) 的整数 id，收到的是 {got}：只有一条序列时请用 ids[None]")
        if ids.shape[1] > self.config.context:
            raise ValueError(
                f"序列长度 {ids.shape[1]} 超过了上下文的 {self.config.context} 个位置："
                f"请只保留最后 {self.config.context} 个 id（ids[:, -{self.config.context}:]）"
            )
        if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= self.config.vocab_size):
            raise ValueError(f"id 必须在 0..{self.config.vocab_size - 1} 里，收到的是 {int(ids.min())}..{int(ids.max())}")

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        self._check(ids)
        positions = torch.arange(ids.shape[1], device=ids.device)  # (T,)
        x = self.drop(self.wte(ids) + self.wpe(positions))  # (B, T, C)
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))  # (B, T, V)

    @torch.no_grad()
    def attention_weights(self, ids: torch.Tensor) -> list[torch.Tensor]:
        """The attention weights of every layer for ``ids`` (B, T): a list of (B, n_head, T, T)."""
        self._check(ids)
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1], device=ids.device))
        maps = []
        for block in self.h:
            x, weights = block(x, return_weights=True)
            maps.append(weights)
        return maps

    def num_parameters(self) -> int:
        """Distinct trainable parameters (a tied weight counts once)."""
        return sum(p.numel() for p in self.parameters())


def future_leak(model: Callable[[torch.Tensor], torch.Tensor], ids: torch.Tensor, position: int, vocab_size: int) -> float:
    """Largest change of the logits at positions ≤ ``position`` when every id after it is replaced.

    0 for a causal model: what it predicts at t cannot depend on tokens after t. ``ids`` (B, T).
    """
    if not 0 <= position < ids.shape[1] - 1:
        raise ValueError(f"position 必须在 0..{ids.shape[1] - 2} 里（它后面至少要有一个词元），收到的是 {position}")
    changed = ids.clone()
    changed[:, position + 1:] = (changed[:, position + 1:] + 1 + torch.arange(ids.shape[1] - position - 1,
                                                                          device=ids.device)) % vocab_size
    with torch.no_grad():
        before, after = model(ids), model(changed)
    return float((before[:, : position + 1] - after[:, : position + 1]).abs().max())


# --- the sampling control (文字接龙 with a temperature and top-k) ------------------------------------


def sampling_summary(text: str, prompt: str, temperature: float, top_k: int | None) -> str:
    """One line about a sample: settings, how many characters were added, how many distinct."""
    added = text[len(prompt):]
    k = "全部" if top_k is None else str(top_k)
    return (f"温度（temperature）{temperature:.2f} · top-k {k} · 续写 {len(added)} 字，"
            f"其中不同的字 {len(set(added))} 个")


class SamplingControl(Explorer):
    """Controls for 文字接龙: a temperature slider (CSS class ``forge-gpt-temperature``), a top-k slider
    (``forge-gpt-top_k``; 0 means no limit) and a prompt box (``forge-gpt-prompt``); under them a summary
    line (``forge-gpt-summary``) and the generated text (``forge-gpt-text``). No picture: the text is the view.

    Sampling is seeded (``seed``), so the same settings always give the same text, kept in ``self.sample``.
    ``set(temperature=..., top_k=..., prompt=...)`` changes the settings as the widgets do (see ``Explorer``).
    """

    css = "forge-gpt"

    def __init__(self, model: Callable[[torch.Tensor], torch.Tensor], vocab: CharVocab, prompt: str = "",
                 temperature: float = 1.0, top_k: int = 0, length: int = 60, seed: int = 0,
                 context: int = CONTEXT, device: torch.device | str = "cpu") -> None:
        import ipywidgets as widgets  # imported here so the rest of the module works without it

        _check_settings(temperature, top_k)
        self.model, self.vocab, self.length, self.seed = model, vocab, length, seed
        self.context, self.device = context, device
        self.sample = ""
        controls = {
            "temperature": widgets.FloatSlider(value=temperature, min=0.1, max=2.0, step=0.1, description="温度"),
            "top_k": widgets.IntSlider(value=top_k, min=0, max=len(vocab), step=1, description="top-k（0=全部）",
                                       style={"description_width": "initial"}),
            "prompt": widgets.Text(value=prompt, description="开头"),
        }
        super().__init__(controls, rows=[["temperature", "top_k"], ["prompt"]])

    def refresh(self) -> None:
        """Sample with the current settings (once per change), then show the summary and the text."""
        v = self.values
        self.sample = sample(self.model, self.vocab, v["prompt"], self.length, temperature=float(v["temperature"]),
                             top_k=int(v["top_k"]) or None, context=self.context, seed=self.seed, device=self.device)
        super().refresh()

    def summary(self) -> str:
        v = self.values
        return sampling_summary(self.sample, v["prompt"], float(v["temperature"]), int(v["top_k"]) or None)

    def text_html(self) -> str:
        prompt = self.values["prompt"]
        added = self.sample[len(prompt):]
        return f"<p style='font-size:1.1em'><b>{html.escape(prompt)}</b>{html.escape(added)}</p>"


def _check_settings(temperature: float, top_k: int) -> None:
    if not 0 < temperature <= 2:
        raise ValueError(f"temperature 必须在 (0, 2] 里（0.1 几乎是贪心，1 按模型原样采样），收到的是 {temperature}")
    if not isinstance(top_k, int) or top_k < 0:
        raise ValueError(f"top_k 必须是 ≥ 0 的整数（0 表示不限制），收到的是 {top_k!r}")
