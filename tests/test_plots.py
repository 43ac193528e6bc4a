import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from forge_utils import plots  # noqa: E402


def test_chinese_renders_without_missing_glyphs():
    name = plots.use_chinese_font()
    assert name in plots.CJK_FONTS
    fig, ax = plt.subplots()
    ax.set_title("独热编码与注意力 −1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.canvas.draw()
    plt.close(fig)


def test_missing_font_message(monkeypatch):
    monkeypatch.setattr(plots, "find_chinese_font", lambda: None)
    with pytest.raises(RuntimeError, match="fonts-noto-cjk"):
        plots.use_chinese_font()
    with pytest.warns(UserWarning, match="fonts-noto-cjk"):
        assert plots.use_chinese_font(strict=False) == ""


def test_heatmap_accepts_tensors_and_checks_labels():
    ax = plots.heatmap(torch.eye(3), ["我", "爱", "你"], ["a", "b", "c"])
    assert len(ax.texts) == 9
    with pytest.raises(ValueError, match="2 labels for 3 rows"):
        plots.heatmap(np.eye(3), row_labels=["a", "b"])
    with pytest.raises(ValueError, match="2-D"):
        plots.heatmap(np.ones(3))
    plt.close("all")


def test_labelled_scatter_and_pca():
    points = plots.pca_2d(np.random.default_rng(0).normal(size=(5, 8)))
    assert points.shape == (5, 2)
    ax = plots.labelled_scatter(points, list("abcde"), groups=[0, 0, 1, 1, 1])
    assert len(ax.texts) == 5
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        plots.labelled_scatter(np.ones((3, 3)), list("abc"))
    with pytest.raises(ValueError, match="2 labels for 3 points"):
        plots.labelled_scatter(np.ones((3, 2)), list("ab"))
    plt.close("all")
