"""An ipywidgets explorer for attention weights (notebook 08).

Pick the query token, the temperature, the head and whether a causal mask applies; the heatmap
of all weights and the bar chart of the chosen query's row are redrawn, and a one-line summary
("查询 = creature · 最大权重 → fluffy 0.45") says what changed.

    >>> explorer = AttentionExplorer(tokens, q, k, head_names=["adjective→noun", "previous", "self"])
    >>> explorer.widget            # display it in a notebook
    >>> explorer.set(query=3, temperature=0.5).summary()   # what the sliders do, callable without a browser

The work is done by plain functions (``attention_matrix``, ``summarize``, ``draw_attention``)
so they can be tested without a browser. Only the core ipywidgets API is used (7.7 and 8).
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from forge_utils.attention import causal_mask
from forge_utils.explorer import Explorer


def attention_matrix(q: torch.Tensor, k: torch.Tensor, temperature: float = 1.0, causal: bool = False) -> np.ndarray:
    """Weights softmax(q kᵀ / (√d_k · temperature)) of one head as a NumPy array (Lq, Lk).

    ``q`` (Lq, d_k), ``k`` (Lk, d_k). Temperature 1 is ordinary scaled dot-product attention;
    below 1 the weights sharpen towards the largest score, above 1 they flatten towards uniform.
    """
    if temperature <= 0:
        raise ValueError(f"温度 temperature 必须大于 0，收到的是 {temperature}")
    scores = (q @ k.T) / (math.sqrt(q.shape[-1]) * temperature)
    if causal:
        if q.shape[0] != k.shape[0]:
            raise ValueError("因果掩码要求查询和键一样多（自注意力）")
        scores = scores.masked_fill(~causal_mask(q.shape[0], device=scores.device), float("-inf"))
    return torch.softmax(scores, dim=-1).detach().cpu().double().numpy()


def summarize(tokens: Sequence[str], row: np.ndarray, query: int) -> str:
    """One line about a query's row of weights, e.g. ``查询 = creature · 最大权重 → fluffy 0.45``."""
    best = int(np.argmax(row))
    return f"查询 = {tokens[query]} · 最大权重 → {tokens[best]} {row[best]:.2f}"


def draw_attention(
    weights: np.ndarray,
    tokens: Sequence[str],
    query: int,
    title: str = "",
    axes: Sequence[plt.Axes] | None = None,
) -> plt.Figure:
    """Heatmap of ``weights`` (L, L) with a colour bar and the query's row outlined, and that row as a bar chart.

    The figure has three axes: the heatmap, the bar chart and the heatmap's colour bar."""
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), gridspec_kw={"width_ratios": [1.1, 1]})
    else:
        parent = axes[0].figure
        if not isinstance(parent, plt.Figure):  # a SubFigure has no tight_layout (below)
            raise TypeError("draw_attention 要画在一个 Figure 的两个坐标轴上（plt.subplots(1, 2)），不能画在 SubFigure 上")
        fig = parent
    heat, bars = axes
    n = len(tokens)
    image = heat.imshow(weights, cmap="viridis", vmin=0, vmax=1)
    fig.colorbar(image, ax=heat, fraction=0.046, pad=0.04, label="注意力权重")
    heat.set_xticks(range(n), labels=list(tokens), rotation=45, ha="right")
    heat.set_yticks(range(n), labels=list(tokens))
    heat.set_xlabel("键")
    heat.set_ylabel("查询")
    heat.add_patch(plt.Rectangle((-0.5, query - 0.5), n, 1, fill=False, edgecolor="red", linewidth=2))
    heat.set_title(title or "注意力权重")
    colours = ["tab:red" if j == int(np.argmax(weights[query])) else "tab:blue" for j in range(n)]
    bars.bar(range(n), weights[query], color=colours)
    bars.set_xticks(range(n), labels=list(tokens), rotation=45, ha="right")
    bars.set_ylim(0, 1)
    bars.set_ylabel("权重")
    bars.set_title(summarize(tokens, weights[query], query))
    fig.tight_layout()
    return fig


class AttentionExplorer(Explorer):
    """Controls over the attention of ``tokens`` given per-head queries and keys.

    ``q`` and ``k``: (heads, L, d_k) or (L, d_k) for one head. ``head_names`` label the heads.
    Controls: ``query`` (IntSlider, CSS class ``forge-attention-query``), ``temperature`` (FloatSlider),
    ``head`` (Dropdown) and ``causal`` (Checkbox); the summary line has the class ``forge-attention-summary``.
    ``set(query=3, temperature=0.5, head=1, causal=True)`` moves them from code (see ``Explorer``).
    """

    css = "forge-attention"

    def __init__(
        self,
        tokens: Sequence[str],
        q: torch.Tensor,
        k: torch.Tensor,
        head_names: Sequence[str] | None = None,
        query: int = 0,
        temperature: float = 1.0,
        causal: bool = False,
    ) -> None:
        import ipywidgets as widgets  # imported here so the plain functions work without it

        q, k = torch.as_tensor(q), torch.as_tensor(k)
        if q.dim() == 2:
            q, k = q.unsqueeze(0), k.unsqueeze(0)
        if q.dim() != 3 or q.shape != k.shape:
            raise ValueError(
                f"q 和 k 的形状都必须是 (heads, L, d_k) 或 (L, d_k)，而且彼此相同，收到的是 {tuple(q.shape)} 和 {tuple(k.shape)}"
            )
        if len(tokens) != q.shape[1]:
            raise ValueError(f"给了 {len(tokens)} 个词元，但序列长度是 {q.shape[1]}：请每个位置给一个词元")
        head_names = list(head_names) if head_names is not None else [f"头 {h}" for h in range(q.shape[0])]
        if len(head_names) != q.shape[0]:
            raise ValueError(f"给了 {len(head_names)} 个头名 head_names，但有 {q.shape[0]} 个头：请每个头给一个名字")
        if not 0 <= query < len(tokens):
            raise ValueError(f"query 必须是 0..{len(tokens) - 1} 里的下标，收到的是 {query}")
        self.tokens, self.q, self.k, self.head_names = list(tokens), q.detach(), k.detach(), head_names
        self.query_slider = widgets.IntSlider(value=query, min=0, max=len(tokens) - 1, description="查询")
        self.temperature_slider = widgets.FloatSlider(value=temperature, min=0.1, max=5.0, step=0.1,
                                                      description="温度", style={"description_width": "initial"})
        self.head_dropdown = widgets.Dropdown(options=[(name, h) for h, name in enumerate(head_names)], value=0,
                                              description="头")
        self.causal_checkbox = widgets.Checkbox(value=causal, description="因果掩码")
        super().__init__({"query": self.query_slider, "temperature": self.temperature_slider,
                          "head": self.head_dropdown, "causal": self.causal_checkbox},
                         rows=[["query", "head"], ["temperature", "causal"]])

    def weights(self) -> np.ndarray:
        """The (L, L) weights of the selected head under the current settings."""
        v = self.values
        return attention_matrix(self.q[v["head"]], self.k[v["head"]], v["temperature"], v["causal"])

    def summary(self) -> str:
        v = self.values
        return (
            f"{summarize(self.tokens, self.weights()[v['query']], v['query'])} · 头 {self.head_names[v['head']]}"
            f" · 温度 {v['temperature']:.1f} · 因果掩码 {'开' if v['causal'] else '关'}"
        )

    def figure(self) -> plt.Figure:
        v = self.values
        title = f"{self.head_names[v['head']]}，T = {v['temperature']:.1f}" + ("，因果掩码" if v["causal"] else "")
        return draw_attention(self.weights(), self.tokens, v["query"], title=title)
