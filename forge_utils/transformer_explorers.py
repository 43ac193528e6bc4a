"""The two explorers of notebook 09: the sinusoidal positional encoding and a trained model's attention maps.

    >>> pe = PositionalEncodingExplorer(max_len=50, d_model=64)
    >>> pe.set(position=10, dimension=6).summary()     # 'PE[pos=10, dim=6] = sin(10 / 10000^(6/64)) = ...'
    >>> maps = AttentionMapExplorer({"cross": (cross_maps, target_tokens, source_tokens)})
    >>> display(maps.widget)

Both are ``forge_utils.explorer.Explorer``s; their text (``pe_summary``, ``attention_summary``) and drawing
(``plot_pe_explorer``) are plain functions, tested without a browser.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch

from forge_utils.explorer import Explorer
from forge_utils.plots import heatmap
from forge_utils.transformer import sinusoidal_positional_encoding

# ----------------------------------------------------------------------------- positional encoding


def pe_summary(pe: torch.Tensor, position: int, dim: int) -> str:
    """One line about PE[position, dim]: the formula with numbers, the value and the wavelength."""
    max_len, d_model = pe.shape
    if not 0 <= position < max_len or not 0 <= dim < d_model:
        raise ValueError(f"position 必须在 0..{max_len - 1} 里，dim 必须在 0..{d_model - 1} 里，收到的是 {position}、{dim}")
    i2 = dim - dim % 2
    fn = "sin" if dim % 2 == 0 else "cos"
    wavelength = 2 * math.pi * 10000 ** (i2 / d_model)
    return (
        f"PE[pos={position}, dim={dim}] = {fn}({position} / 10000^({i2}/{d_model})) = "
        f"{float(pe[position, dim]):+.4f}；这一维的波长 ≈ {wavelength:.1f} 个位置"
    )


def plot_pe_explorer(pe: torch.Tensor, position: int, dim: int) -> plt.Figure:
    """Left: the whole vector PE[position] (d_model values). Right: dimension ``dim`` over all positions."""
    pe_summary(pe, position, dim)  # validates the indices
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 2.6))
    values = pe.detach().cpu().numpy()
    left.bar(range(values.shape[1]), values[position], color="tab:blue")
    left.bar([dim], [values[position, dim]], color="tab:red")
    left.set(title=f"PE[pos={position}]（全部 {values.shape[1]} 维）", xlabel="维度", ylim=(-1.1, 1.1))
    right.plot(values[:, dim], color="tab:gray")
    right.plot([position], [values[position, dim]], "o", color="tab:red")
    right.set(title=f"第 {dim} 维随位置的变化", xlabel="位置", ylim=(-1.1, 1.1))
    fig.tight_layout()
    return fig


class PositionalEncodingExplorer(Explorer):
    """Sliders for position and dimension over ``sinusoidal_positional_encoding(max_len, d_model)``.

    CSS classes ``forge-pe-position``, ``forge-pe-dimension`` and ``forge-pe-summary``.
    """

    css = "forge-pe"

    def __init__(self, max_len: int = 50, d_model: int = 64) -> None:
        import ipywidgets as widgets

        self.pe = sinusoidal_positional_encoding(max_len, d_model)
        self.position = widgets.IntSlider(value=min(10, max_len - 1), min=0, max=max_len - 1, description="位置")
        self.dimension = widgets.IntSlider(value=0, min=0, max=d_model - 1, description="维度")
        super().__init__({"position": self.position, "dimension": self.dimension}, rows=[["position", "dimension"]])

    def summary(self) -> str:
        return pe_summary(self.pe, self.position.value, self.dimension.value)

    def figure(self) -> plt.Figure:
        return plot_pe_explorer(self.pe, self.position.value, self.dimension.value)


# ----------------------------------------------------------------------------- attention maps


def attention_summary(maps: torch.Tensor, layer: int, head: int, query_tokens: Sequence[str],
                      key_tokens: Sequence[str]) -> str:
    """For each query token of maps[layer, head] (Lq, Lk), the key it attends to most, with the weight."""
    _check_maps(maps, query_tokens, key_tokens)
    if not (0 <= layer < maps.shape[0] and 0 <= head < maps.shape[1]):
        raise ValueError(
            f"layer 必须在 0..{maps.shape[0] - 1} 里，head 必须在 0..{maps.shape[1] - 1} 里，收到的是 {layer}、{head}"
        )
    m = maps[layer, head]
    parts = [f"{q}→{key_tokens[int(row.argmax())]}（{float(row.max()):.2f}）" for q, row in zip(query_tokens, m)]
    return f"第 {layer} 层，头 {head}：" + "，".join(parts)


def _check_maps(maps: torch.Tensor, query_tokens: Sequence[str], key_tokens: Sequence[str]) -> None:
    if not isinstance(maps, torch.Tensor) or maps.dim() != 4:
        got = tuple(maps.shape) if isinstance(maps, torch.Tensor) else type(maps).__name__
        raise ValueError(f"maps 必须是形状为 (layers, heads, Lq, Lk) 的张量，收到的是 {got}：请把每一层的权重堆叠起来")
    if maps.shape[2] != len(query_tokens) or maps.shape[3] != len(key_tokens):
        raise ValueError(
            f"maps 的最后两维是 {tuple(maps.shape[2:])}（Lq, Lk），但给了 {len(query_tokens)} 个查询词元和 "
            f"{len(key_tokens)} 个键词元"
        )


class AttentionMapExplorer(Explorer):
    """A dropdown for the kind of attention and sliders for layer and head over a model's attention maps.

    ``views``: ``{name: (maps (layers, heads, Lq, Lk), query_tokens, key_tokens)}``, e.g. the three
    entries of ``forge_utils.transformer.attention_maps`` with their tokens; every view has the same
    layers and heads. The heatmap has one size for every view (the largest), so the widget keeps its
    height when the view changes. CSS classes ``forge-attn-kind``, ``-layer``, ``-head``, ``-summary``.
    """

    css = "forge-attn"

    def __init__(self, views: dict[str, tuple[torch.Tensor, Sequence[str], Sequence[str]]]) -> None:
        import ipywidgets as widgets

        if not isinstance(views, dict) or not views:
            raise ValueError("views 必须是非空的 dict {name: (maps, query_tokens, key_tokens)}")
        self.views = {}
        for name, view in views.items():
            if not isinstance(view, tuple) or len(view) != 3:
                raise ValueError(f"views[{name!r}] 必须是元组 (maps, query_tokens, key_tokens)")
            maps, queries, keys = view
            _check_maps(maps, queries, keys)
            self.views[name] = (maps.detach().cpu(), list(queries), list(keys))
        shapes = {name: tuple(maps.shape[:2]) for name, (maps, _, _) in self.views.items()}
        if len(set(shapes.values())) != 1:
            raise ValueError(f"每个视图的 (layers, heads) 必须相同，收到的是 {shapes}")
        layers, heads = next(iter(shapes.values()))
        most_keys = max(len(keys) for _, _, keys in self.views.values())
        most_queries = max(len(queries) for _, queries, _ in self.views.values())
        self.figsize = (min(9.0, 2.2 + 0.6 * most_keys), min(4.4, 1.4 + 0.4 * most_queries))
        self.kind = widgets.Dropdown(options=list(self.views), value=list(self.views)[-1], description="注意力")
        self.layer = widgets.IntSlider(value=layers - 1, min=0, max=layers - 1, description="层")
        self.head = widgets.IntSlider(value=0, min=0, max=heads - 1, description="头")
        super().__init__({"kind": self.kind, "layer": self.layer, "head": self.head}, rows=[["kind", "layer", "head"]])

    def summary(self) -> str:
        maps, queries, keys = self.views[self.kind.value]
        return f"{self.kind.value}，" + attention_summary(maps, self.layer.value, self.head.value, queries, keys)

    def figure(self) -> plt.Figure:
        maps, queries, keys = self.views[self.kind.value]
        fig, ax = plt.subplots(figsize=self.figsize)
        heatmap(maps[self.layer.value, self.head.value], row_labels=queries, col_labels=keys, ax=ax,
                title=f"{self.kind.value}：第 {self.layer.value} 层，头 {self.head.value}", vmin=0.0, vmax=1.0,
                annotate=len(queries) * len(keys) <= 64)
        fig.tight_layout()
        return fig
