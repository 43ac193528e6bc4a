"""The explorer base, driven without a browser."""
import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest

from forge_utils.explorer import FIGURE_DPI, PIXEL_RATIO, Explorer, figure_png


class Counter(Explorer):
    css = "forge-demo"

    def __init__(self, picture=True):
        self.picture, self.redraws = picture, 0
        super().__init__({"n": widgets.IntSlider(value=1, min=0, max=5), "colour": widgets.Dropdown(options=["red", "blue"])},
                         rows=[["n", "colour"]])

    def summary(self):
        return f"n = {self.values['n']} <{self.values['colour']}>"

    def figure(self):
        self.redraws += 1
        if not self.picture:
            return None
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.bar(range(self.values["n"] + 1), 1, color=self.values["colour"])
        return fig

    def text_html(self):
        return "" if self.picture else f"<p>{'*' * self.values['n']}</p>"


def test_figure_png_is_sharp_and_sized_in_css_pixels():
    fig, _ = plt.subplots(figsize=(3, 2))
    png, width, height = figure_png(fig)
    assert (width, height) == (3 * FIGURE_DPI, 2 * FIGURE_DPI)
    assert int.from_bytes(png[16:20], "big") == width * PIXEL_RATIO      # the PNG header's pixel width
    assert not plt.get_fignums()                                          # closed


def test_set_moves_controls_redraws_once_and_returns_the_explorer():
    demo = Counter()
    assert "<b>n = 1 &lt;red&gt;</b>" in demo.summary_html.value          # escaped: <red> is text, not a tag
    assert "nowrap" in demo.summary_html.value                             # always one line: a constant height
    assert "forge-demo-n" in demo.controls["n"]._dom_classes and "forge-demo-summary" in demo.summary_html._dom_classes
    before = demo.redraws
    assert demo.set(n=3, colour="blue") is demo and demo.redraws == before + 1
    assert demo.values == {"n": 3, "colour": "blue"} and "n = 3" in demo.summary_html.value
    assert (demo.image.layout.width, demo.image.layout.height) == ("300px", "200px")   # fixed, never stretched
    demo.controls["n"].value = 4                                          # what a user's drag does
    assert "n = 4" in demo.summary_html.value and demo.redraws == before + 2


@pytest.mark.parametrize("values, message", [({"n": 9}, r"n 必须在 0\.\.5 里"), ({"colour": "green"}, "必须是 .* 之一"),
                                             ({"size": 1}, "未知的控件 'size'")])
def test_bad_values_raise_and_change_nothing(values, message):
    demo = Counter()
    with pytest.raises(ValueError, match=message):
        demo.set(**{"colour": "blue", **values})
    assert demo.values == {"n": 1, "colour": "red"}


def test_a_text_only_explorer_hides_the_picture():
    demo = Counter(picture=False).set(n=2)
    assert demo.image.layout.display == "none" and demo.body_html.value == "<p>**</p>"
    assert demo.image not in demo.widget.children                           # no picture on the page at all
