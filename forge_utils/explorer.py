"""One base for the course's widget explorers: controls in; a summary line and a picture (or text) out.

Every explorer in the course (05's word-vector lab, 08's attention, 09's positional encoding and
attention maps, 11's sampling control) is an ``Explorer`` and is driven the same way:

    >>> explorer = AttentionExplorer(tokens, q, k)      # any explorer
    >>> display(explorer.widget)                        # the controls, the summary line and the picture
    >>> explorer.set(query=3, head=1).summary()         # move controls as a user would; the new summary
    >>> explorer.figure()                               # the matplotlib figure it shows (None: text only)

``set`` checks every value first (a slider's range, a dropdown's options), so a bad value raises a
``ValueError`` that names the allowed ones and leaves the explorer as it was; then it redraws once.
The picture is a PNG rendered at twice its size on the page (sharp on high-density screens) and shown at
a fixed size in CSS pixels, so a redraw replaces it in place: the page below never jumps.
"""
from __future__ import annotations

import html
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self needs Python 3.11

FIGURE_DPI = 100   # one inch of figure is this many CSS pixels on the page
PIXEL_RATIO = 2    # the PNG holds this many pixels per CSS pixel


def figure_png(fig: plt.Figure) -> tuple[bytes, int, int]:
    """Render ``fig`` as PNG at ``FIGURE_DPI × PIXEL_RATIO`` and close it.

    Returns (PNG bytes, width, height in CSS pixels). The size is the figure's own (no tight bounding box),
    so figures made with the same ``figsize`` always take the same place on the page."""
    width, height = fig.get_size_inches()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI * PIXEL_RATIO)
    plt.close(fig)
    return buffer.getvalue(), round(width * FIGURE_DPI), round(height * FIGURE_DPI)


class Explorer:
    """Base class: ``controls`` (name → ipywidgets control) drive ``summary()`` and ``figure()``.

    A subclass builds its controls, calls ``super().__init__(controls, rows=...)`` and defines
    ``summary()`` and either ``figure()`` (a picture) or ``text_html()`` (text under the summary).
    ``css`` names the CSS classes: each control gets ``<css>-<name>``, the summary line ``<css>-summary``,
    the picture ``<css>-image`` and the text ``<css>-text`` (the browser test finds them by these).
    """

    css = "forge-explorer"

    def __init__(self, controls: dict[str, Any], rows: Sequence[Sequence[str]] | None = None) -> None:
        import ipywidgets as widgets  # imported here so that the plain functions work without it

        self.controls = dict(controls)
        for name, control in self.controls.items():
            control.add_class(f"{self.css}-{name}")
            control.observe(self._on_change, names="value")
        self.summary_html = widgets.HTML()
        self.summary_html.add_class(f"{self.css}-summary")
        self.image = widgets.Image(format="png")
        self.image.add_class(f"{self.css}-image")
        self.body_html = widgets.HTML()
        self.body_html.add_class(f"{self.css}-text")
        self._quiet = False
        self.refresh()
        rows = rows if rows is not None else [[name] for name in self.controls]
        picture = [self.image] if self.image.value else []  # a text-only explorer has no picture on the page
        self.widget = widgets.VBox([widgets.HBox([self.controls[name] for name in row]) for row in rows]
                                   + [self.summary_html, self.body_html, *picture])

    # --- what a subclass defines ---------------------------------------------------------------
    def summary(self) -> str:
        """The one line of text under the controls."""
        raise NotImplementedError

    def figure(self) -> plt.Figure | None:
        """The picture under the summary; ``None`` for an explorer that shows text instead."""
        return None

    def text_html(self) -> str:
        """HTML shown between the summary and the picture (empty by default)."""
        return ""

    # --- the same for every explorer -----------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        """The controls' current values, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values: Any) -> Self:
        """Move controls as a user would (``set(query=3, head=1)``), redraw once, return the explorer."""
        for name, value in values.items():
            self._check(name, value)
        self._quiet = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._quiet = False
        self.refresh()
        return self

    def refresh(self) -> None:
        """Recompute the summary, the text and the picture from the controls (every change calls this)."""
        line = html.escape(self.summary())  # tokens such as <pad> are text, not tags
        # one line whatever its length (the rest shows on hover), so the widget keeps its height
        self.summary_html.value = (f'<div title="{line}" style="white-space:nowrap;overflow:hidden;'
                                   f'text-overflow:ellipsis"><b>{line}</b></div>')
        self.body_html.value = self.text_html()
        fig = self.figure()
        if fig is None:
            self.image.layout.display = "none"
            return
        png, width, height = figure_png(fig)
        self.image.value = png
        self.image.layout.width, self.image.layout.height = f"{width}px", f"{height}px"  # fixed: never stretched
        self.image.layout.display = None

    def _check(self, name: str, value: Any) -> None:
        if name not in self.controls:
            raise ValueError(f"未知的控件 {name!r}；这个探索器只有 {sorted(self.controls)}")
        control = self.controls[name]
        low, high = getattr(control, "min", None), getattr(control, "max", None)
        if low is not None and high is not None and not low <= value <= high:
            raise ValueError(f"{name} 必须在 {low}..{high} 里，收到的是 {value!r}")
        options = getattr(control, "options", None)
        if options is not None:
            allowed = [o[1] if isinstance(o, tuple) else o for o in options]
            if value not in allowed:
                raise ValueError(f"{name} 必须是 {allowed} 之一，收到的是 {value!r}")

    def _on_change(self, _change: Any = None) -> None:
        if not self._quiet:
            self.refresh()
