"""Figures with Chinese labels that render, plus the two plots the course uses most.

    >>> from forge_utils.plots import use_chinese_font, heatmap, labelled_scatter
    >>> use_chinese_font()        # finds a CJK font; missing glyphs become errors, not tofu boxes
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager

if TYPE_CHECKING:
    import torch
    from numpy.typing import ArrayLike

# Tried in order; the first installed one wins. The Noto fonts come from the system (Debian/Ubuntu
# `fonts-noto-cjk`) or, when the system has no CJK font, from the PyPI package `noto-cjk-sans-otc`
# that the course installs (SIL OFL 1.1), so Chinese labels never depend on a system package.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Hiragino Sans GB",
    "Arial Unicode MS",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
)
INSTALL_HINT = (
    "matplotlib 找不到能显示中文的（CJK）字体。课程从 PyPI 装一个："
    "pip install noto-cjk-sans-otc，然后重启内核（kernel）。也可以装系统字体："
    "Debian/Ubuntu 用 `apt-get install fonts-noto-cjk`；conda 用 `conda install -c conda-forge font-ttf-noto-cjk`；"
    "Windows 和 macOS 已经自带 Microsoft YaHei / PingFang SC。"
)


def find_chinese_font() -> str | None:
    """Name of the first installed CJK font in ``CJK_FONTS``, or ``None``."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            return name
    # A font installed after matplotlib built its cache: rescan the system once.
    for path in font_manager.findSystemFonts():
        if "cjk" in path.lower() or "wqy" in path.lower():
            font_manager.fontManager.addfont(path)
    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FONTS if name in installed), None)
    return found or add_packaged_font()


def add_packaged_font() -> str | None:
    """Register the Noto Sans CJK collection of the PyPI package ``noto-cjk-sans-otc`` with matplotlib
    and return the name of its first face that ``CJK_FONTS`` knows, or ``None`` without the package."""
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return None
    font_manager.fontManager.addfont(str(noto_cjk_sans_otc.FONT_PATH))
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def use_chinese_font(strict: bool = True) -> str:
    """Make matplotlib draw Chinese text and return the font's name.

    Also turns matplotlib's "Glyph ... missing from font" warning into an error, so a
    figure can never show empty boxes silently. Without a CJK font: ``RuntimeError`` with
    install instructions when ``strict``, else a warning and ``""``.
    """
    name = find_chinese_font()
    if name is None:
        if strict:
            raise RuntimeError(INSTALL_HINT)
        warnings.warn(INSTALL_HINT, stacklevel=2)
        return ""
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False  # CJK fonts often lack U+2212
    warnings.filterwarnings("error", message=r"Glyph .* missing from")
    return name


def heatmap(
    matrix: ArrayLike | torch.Tensor,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    ax: plt.Axes | None = None,
    title: str = "",
    cmap: str = "viridis",
    annotate: bool | None = None,
    fmt: str = "{:.2f}",
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool = True,
) -> plt.Axes:
    """Draw a 2-D matrix ``(rows, cols)`` (tensor or array) with labelled axes.

    ``annotate`` writes each value in its cell (default: when the matrix is at most 12 × 12).
    """
    values = _to_numpy(matrix)
    if values.ndim != 2:
        raise ValueError(f"heatmap 要的是二维矩阵（行, 列），收到的形状是 {tuple(values.shape)}")
    rows, cols = values.shape
    for labels, n, what in ((row_labels, rows, "row_labels"), (col_labels, cols, "col_labels")):
        if labels is not None and len(labels) != n:
            raise ValueError(f"{what} 有 {len(labels)} 个标签，矩阵却有 {n} {'行' if what == 'row_labels' else '列'}：两者的个数要相同")
    if ax is None:
        _, ax = plt.subplots(figsize=(max(3, 0.6 * cols + 1.5), max(2.5, 0.5 * rows + 1)))
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    if row_labels is not None:
        ax.set_yticks(range(rows), labels=list(row_labels))
    if col_labels is not None:
        ax.set_xticks(range(cols), labels=list(col_labels), rotation=45 if cols > 6 else 0)
    if annotate is None:
        annotate = rows <= 12 and cols <= 12
    if annotate:
        mid = (np.nanmax(values) + np.nanmin(values)) / 2
        for i in range(rows):
            for j in range(cols):
                ax.text(j, i, fmt.format(values[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if values[i, j] < mid else "black")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    if title:
        ax.set_title(title)
    return ax


def labelled_scatter(
    points: ArrayLike | torch.Tensor,
    labels: Sequence[str],
    ax: plt.Axes | None = None,
    title: str = "",
    groups: Sequence[object] | None = None,
) -> plt.Axes:
    """Scatter 2-D ``points`` ``(n, 2)`` and write ``labels[i]`` beside point ``i`` (an empty label
    writes nothing). Labels stay inside the axes and off other labels and points: each takes the nearest
    free spot around its point, with a leader line when it does not touch the point.

    ``groups`` (one key per point) colours points of the same group alike.
    """
    xy = _to_numpy(points)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise ValueError(f"labelled_scatter 要的是形状为 (n, 2) 的点，收到的形状是 {tuple(xy.shape)}：请先投影到二维（比如用 pca_2d）")
    if len(labels) != len(xy):
        raise ValueError(f"给了 {len(labels)} 个标签，却有 {len(xy)} 个点：每个点一个标签（不想写字的点给空字符串 \"\"）")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    if groups is None:
        ax.scatter(xy[:, 0], xy[:, 1], s=18)
    else:
        keys = list(dict.fromkeys(groups))
        colours = plt.get_cmap("tab10")
        for k, key in enumerate(keys):
            mask = np.array([g == key for g in groups])
            ax.scatter(xy[mask, 0], xy[mask, 1], s=18, color=colours(k % 10), label=str(key))
        ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    _place_labels(ax, xy, [str(label) for label in labels])
    return ax


def _place_labels(ax: plt.Axes, xy: np.ndarray, labels: Sequence[str], fontsize: float = 9) -> None:
    """Write each label next to its point, inside the axes, on neither another label nor another point.

    Candidate spots (right of the point, left of it, centred above or below, at growing distances) are
    tried nearest first; a label that does not touch its point gets a thin leader line to it. Highest
    points go first. When no spot is free, the least covered one is used."""
    ax.autoscale_view()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    box = ax.get_window_extent()  # the axes in pixels
    pixels = fontsize * ax.figure.dpi / 72
    line = 1.3 * pixels / box.height  # one line of text, as a fraction of the axes' height
    marker = 5  # half the size of a marker, in pixels
    dot = marker / box.width, marker / box.height  # the same, as fractions of the axes
    gap = 6 / box.width
    fx = (xy[:, 0] - x0) / (x1 - x0)
    fy = (xy[:, 1] - y0) / (y1 - y0)
    taken: list[tuple[float, float, float, float]] = []  # (left, bottom, right, top) of each written label
    lines: list[tuple[float, float, float, float]] = []  # leader lines drawn so far, in pixels

    def crosses(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
        def side(px: float, py: float, qx: float, qy: float, rx: float, ry: float) -> float:
            return (qx - px) * (ry - py) - (qy - py) * (rx - px)

        return (side(*a[:2], *a[2:], *b[:2]) * side(*a[:2], *a[2:], *b[2:]) < 0
                and side(*b[:2], *b[2:], *a[:2]) * side(*b[:2], *b[2:], *a[2:]) < 0)

    def leader(i: int, left: float, middle: float, width: float) -> tuple[float, float, float, float]:
        end = min(max(fx[i], left), left + width)  # the nearest point of the label's middle line
        return fx[i] * box.width, fy[i] * box.height, end * box.width, middle * box.height

    def covered(i: int, left: float, middle: float, width: float) -> float:
        bottom, top, right = middle - line / 2, middle + line / 2, left + width
        labels_hit = sum(left < r and x < right and bottom < t and b < top for x, b, r, t in taken)
        near = (fx > left - dot[0]) & (fx < right + dot[0]) & (fy > bottom - dot[1]) & (fy < top + dot[1])
        near[i] = False  # its own point may touch it
        outside = left < 0 or right > 1 or bottom < 0 or top > 1
        segment = leader(i, left, middle, width)
        crossings = sum(crosses(segment, other) for other in lines)
        through = sum(cuts(segment, other) for other in taken) + sum(cuts(other, (left, bottom, right, top)) for other in lines)
        return 3 * labels_hit + near.sum() + 10 * outside + crossings + through + 0.5 * passes_dots(i, segment)

    def cuts(segment: tuple[float, float, float, float], label: tuple[float, float, float, float]) -> bool:
        # does a leader line (pixels) run through a label's box (axes fractions)? 12 points along it
        t = np.linspace(0.1, 0.9, 12)
        px = (segment[0] + t * (segment[2] - segment[0])) / box.width
        py = (segment[1] + t * (segment[3] - segment[1])) / box.height
        return bool(((px > label[0]) & (px < label[2]) & (py > label[1]) & (py < label[3])).any())

    def passes_dots(i: int, segment: tuple[float, float, float, float]) -> int:
        # how many other points the leader line passes within a marker's size of
        (ax0, ay0, ax1, ay1), px, py = segment, fx * box.width, fy * box.height
        dx, dy = ax1 - ax0, ay1 - ay0
        t = np.clip(((px - ax0) * dx + (py - ay0) * dy) / max(dx * dx + dy * dy, 1e-9), 0, 1)
        close = np.hypot(ax0 + t * dx - px, ay0 + t * dy - py) < marker
        close[i] = False
        return int(close.sum())

    for i in np.argsort(-xy[:, 1], kind="stable"):
        label = labels[i]
        if not label:
            continue
        width = sum(pixels * (1.0 if ord(ch) > 0x2E7F else 0.6) for ch in label) / box.width
        spots = []  # (distance in pixels, left, middle)
        for step in range(0, 25):
            dy = step * line / 2
            for sign in ((1,) if step == 0 else (1, -1)):
                middle = fy[i] + sign * dy
                for left in (fx[i] + gap, fx[i] - gap - width, fx[i] - width / 2):
                    if left == fx[i] - width / 2 and dy < line:
                        continue  # centred only when clear of the point
                    centre = (left + width / 2 - fx[i]) * box.width, (middle - fy[i]) * box.height
                    spots.append((float(np.hypot(*centre)), left, middle))
        spots.sort()
        best, best_score = spots[0], float("inf")
        for spot in spots:
            _, left, middle = spot
            score = covered(i, left, middle, width)
            if score < best_score:
                best, best_score = spot, score
            if score == 0:
                break
        _, left, middle = best
        taken.append((left, middle - line / 2, left + width, middle + line / 2))
        lines.append(leader(i, left, middle, width))
        touching = abs(middle - fy[i]) < line and (abs(left - fx[i] - gap) < 1e-9 or abs(left + width + gap - fx[i]) < 1e-9)
        ax.annotate(label, (xy[i, 0], xy[i, 1]), xytext=(left, middle), textcoords="axes fraction", fontsize=fontsize,
                    va="center", ha="left", annotation_clip=False,
                    arrowprops=None if touching else dict(arrowstyle="-", color="0.6", lw=0.5, shrinkA=0, shrinkB=3))


def pca_2d(matrix: ArrayLike | torch.Tensor) -> np.ndarray:
    """Project rows of ``matrix`` ``(n, d)`` onto their top two principal components → ``(n, 2)``."""
    values = _to_numpy(matrix).astype(np.float64)
    if values.ndim != 2 or values.shape[0] < 2:
        raise ValueError(f"pca_2d 要的是形状为 (n, d) 且至少有两行的矩阵，收到的形状是 {tuple(values.shape)}")
    centred = values - values.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T


def _to_numpy(x: ArrayLike | torch.Tensor) -> np.ndarray:
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def draw_transformer(ax: plt.Axes | None = None, num_layers: int = 2) -> plt.Axes:
    """The encoder–decoder Transformer as a data-flow diagram (post-norm, as ``Seq2SeqTransformer``).

    Bottom to top: token ids, embedding × √d_model + positional encoding, ``num_layers`` encoder layers
    (self-attention, FFN) and decoder layers (masked self-attention, cross-attention over the encoder's
    memory, FFN), each sub-layer followed by add & layer norm, then the linear layer and softmax.
    Shapes are written in the boxes; thin grey arrows on the outside are the residual connections.
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 8.2))
    width, height = 3.6, 0.78
    colours = {"io": "#e8e8e8", "embed": "#fff2cc", "attn": "#fcd5b5", "norm": "#f2f2f2", "ffn": "#cfe2f3",
               "memory": "#d9ead3", "out": "#ead1dc"}

    def box(x: float, y: float, text: str, kind: str) -> None:
        ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.04",
                                    facecolor=colours[kind], edgecolor="#555555", linewidth=1))
        ax.text(x, y, text, ha="center", va="center", fontsize=8.5)

    def arrow(start: tuple[float, float], end: tuple[float, float], colour: str = "#333333", style: str = "-|>",
              rad: float = 0.0, lw: float = 1.2) -> None:
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=11, color=colour, lw=lw,
                                     connectionstyle=f"arc3,rad={rad}"))

    def column(x: float, boxes: Sequence[tuple[float, str, str]], frame: tuple[float, float], side: int) -> None:
        for (y0, _, _), (y1, _, _) in zip(boxes, boxes[1:]):
            arrow((x, y0 + height / 2 + 0.04), (x, y1 - height / 2 - 0.04))
        for y, text, kind in boxes:
            box(x, y, text, kind)
        bottom, top = frame
        edge = x - side * (width / 2 + 0.35)
        ax.add_patch(FancyBboxPatch((x - width / 2 - 0.5, bottom), width + 1.0, top - bottom, boxstyle="round,pad=0.05",
                                    facecolor="none", edgecolor="#888888", linestyle="--", linewidth=1))
        ax.text(x - side * (width / 2 + 0.85), (bottom + top) / 2, f"× {num_layers} 层", rotation=90,
                ha="center", va="center", fontsize=9, color="#555555")
        for y, _, kind in boxes:                     # residual: from below each sub-layer to its add & norm
            if kind in ("attn", "ffn"):
                start_y = y - height / 2 - 0.2
                ax.plot([x, edge, edge], [start_y, start_y, y + 1.1], color="#999999", lw=1)
                arrow((edge, y + 1.1), (x - side * width / 2, y + 1.1), colour="#999999", lw=1)

    enc_x, dec_x = 2.6, 7.4
    encoder = [(0.5, "源句词元 id：我 今天 爱 机器\n(B, Ls)", "io"),
               (1.8, "嵌入 × √d_model + 位置编码\n(B, Ls, d_model)", "embed"),
               (3.5, "多头自注意力\n（源句填充掩码）", "attn"), (4.6, "相加 & 层归一化", "norm"),
               (5.7, "前馈网络 FFN\nd_model → d_ff → d_model", "ffn"), (6.8, "相加 & 层归一化", "norm"),
               (8.6, "memory：源句每个位置的向量\n(B, Ls, d_model)", "memory")]
    decoder = [(0.5, "目标输入 id：<bos> i love machines today\n(B, Lt)，右移一位", "io"),
               (1.8, "嵌入 × √d_model + 位置编码\n(B, Lt, d_model)", "embed"),
               (3.5, "掩码多头自注意力\n（因果 & 目标填充掩码）", "attn"), (4.6, "相加 & 层归一化", "norm"),
               (5.7, "交叉注意力\nQ 来自解码器，K、V = memory", "attn"), (6.8, "相加 & 层归一化", "norm"),
               (7.9, "前馈网络 FFN", "ffn"), (9.0, "相加 & 层归一化", "norm"),
               (10.5, "线性层 → logits\n(B, Lt, 目标词表大小)", "out"),
               (11.7, "softmax → 每个位置下一个词的概率", "out")]
    column(enc_x, encoder, (2.75, 7.45), side=1)
    column(dec_x, decoder, (2.75, 9.65), side=-1)
    mem_y, cross_y = 8.6, 5.7
    arrow((enc_x + width / 2 + 0.05, mem_y), (dec_x - width / 2 - 0.05, cross_y), colour="#38761d", rad=-0.25, lw=1.6)
    ax.text(enc_x + width / 2 + 0.1, mem_y + 0.25, "K、V", color="#38761d", fontsize=9, ha="left")  # where the arrow leaves memory
    ax.text(enc_x, 12.45, "编码器（encoder）", ha="center", fontsize=11)
    ax.text(dec_x, 12.45, "解码器（decoder）", ha="center", fontsize=11)
    ax.set_xlim(-0.5, 10.5)
    ax.set_ylim(-0.1, 12.9)
    ax.set_aspect("auto")
    ax.axis("off")
    return ax


def context_plot(
    ax: plt.Axes,
    curves: Mapping[str, Sequence[Mapping[int, float]]],
    levels: Mapping[str, float] | None = None,
) -> plt.Axes:
    """Bits per character against the history a model is shown (``forge_utils.lm.bpc_by_context``).

    ``curves``: for each model, one ``{k: bpc}`` per seed (the first drawn solid, the others faint);
    ``levels``: horizontal reference lines, e.g. ``{"bigram": 7.5}``. The x axis is logarithmic."""
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for colour, (name, seeds) in zip(colours, curves.items()):
        for i, curve in enumerate(seeds):
            ax.plot(list(curve), list(curve.values()), "o-", color=colour, alpha=1 if i == 0 else 0.3, ms=4,
                    label=name + ("（浅色：其余种子）" if len(seeds) > 1 else "") if i == 0 else None)
    for style, (name, value) in zip(["--", ":", "-.", (0, (1, 3))], (levels or {}).items()):
        ax.axhline(value, color="gray", ls=style, lw=1, label=name)
    ks = sorted({k for seeds in curves.values() for curve in seeds for k in curve})
    ax.set_xscale("log", base=2)
    ax.set_xticks(ks, [str(k) for k in ks])
    ax.set_xlabel("只给模型看前 k 个字")
    ax.set_ylabel("每字比特数（测试集）")
    ax.legend(fontsize=8)
    return ax
