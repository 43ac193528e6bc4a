import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.text import Text  # noqa: E402
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


PACKAGED_FONT_PROBE = """
import warnings
from matplotlib import font_manager
font_manager.findSystemFonts = lambda *a, **k: []          # a machine with no CJK font of its own
font_manager.fontManager.ttflist = [f for f in font_manager.fontManager.ttflist
                                    if 'CJK' not in f.name and 'Hei' not in f.name and 'YaHei' not in f.name]
import matplotlib.pyplot as plt
from forge_utils import plots
name = plots.use_chinese_font()
fig, ax = plt.subplots()
ax.set_title('独热编码与注意力')
with warnings.catch_warnings():
    warnings.simplefilter('error')
    fig.canvas.draw()
print(name, font_manager.findfont(name))
"""


def test_packaged_font_is_used_when_the_system_has_none(tmp_path):
    """Chinese labels render from the PyPI font alone (noto-cjk-sans-otc), with no apt step."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path), "MPLBACKEND": "Agg"}
    result = subprocess.run([sys.executable, "-c", PACKAGED_FONT_PROBE], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "NotoSansCJK-Regular.ttc" in result.stdout and "noto_cjk_sans_otc" in result.stdout, result.stdout


def test_missing_font_message(monkeypatch):
    monkeypatch.setattr(plots, "find_chinese_font", lambda: None)
    with pytest.raises(RuntimeError, match="matplotlib 找不到能显示中文的（CJK）字体。.*pip install noto-cjk-sans-otc，然后重启内核"):
        plots.use_chinese_font()
    with pytest.warns(UserWarning, match="也可以装系统字体：Debian/Ubuntu 用 `apt-get install fonts-noto-cjk`"):
        assert plots.use_chinese_font(strict=False) == ""


def test_heatmap_accepts_tensors_and_checks_labels():
    ax = plots.heatmap(torch.eye(3), ["我", "爱", "你"], ["a", "b", "c"])
    assert len(ax.texts) == 9
    with pytest.raises(ValueError, match="row_labels 有 2 个标签，矩阵却有 3 行"):
        plots.heatmap(np.eye(3), row_labels=["a", "b"])
    with pytest.raises(ValueError, match="col_labels 有 4 个标签，矩阵却有 3 列"):
        plots.heatmap(np.eye(3), col_labels=list("abcd"))
    with pytest.raises(ValueError, match=r"heatmap 要的是二维矩阵（行, 列），收到的形状是 \(3,\)"):
        plots.heatmap(np.ones(3))
    plt.close("all")


def test_labelled_scatter_and_pca():
    points = plots.pca_2d(np.random.default_rng(0).normal(size=(5, 8)))
    assert points.shape == (5, 2)
    ax = plots.labelled_scatter(points, list("abcde"), groups=[0, 0, 1, 1, 1])
    assert len(ax.texts) == 5
    crowded = np.array([[0.0, 0.0], [0.01, 0.0], [0.0, 0.01], [1.0, 1.0]])  # three points on top of each other
    ax = plots.labelled_scatter(crowded, ["国王", "女王", "king", ""])
    assert sorted(t.get_text() for t in ax.texts) == sorted(["国王", "女王", "king"])  # the empty label writes nothing
    ax.figure.canvas.draw()
    boxes = [Text.get_window_extent(t) for t in ax.texts]  # the text alone, without its leader line
    assert not any(a.overlaps(b) for k, a in enumerate(boxes) for b in boxes[k + 1 :]), "labels on top of each other"
    with pytest.raises(ValueError, match=r"labelled_scatter 要的是形状为 \(n, 2\) 的点.*请先投影到二维"):
        plots.labelled_scatter(np.ones((3, 3)), list("abc"))
    with pytest.raises(ValueError, match="给了 2 个标签，却有 3 个点"):
        plots.labelled_scatter(np.ones((3, 2)), list("ab"))
    with pytest.raises(ValueError, match=r"pca_2d 要的是形状为 \(n, d\) 且至少有两行的矩阵，收到的形状是 \(1, 8\)"):
        plots.pca_2d(np.ones((1, 8)))
    plt.close("all")


def test_draw_transformer_labels_every_block():
    import matplotlib.pyplot as plt

    from forge_utils.plots import draw_transformer

    ax = draw_transformer(num_layers=3)
    texts = " ".join(t.get_text() for t in ax.texts)
    for label in ("多头自注意力", "掩码多头自注意力", "交叉注意力", "前馈网络 FFN", "相加 & 层归一化", "memory", "softmax", "× 3 层"):
        assert label in texts, label
    assert texts.count("相加 & 层归一化") == 5                   # 2 in the encoder layer, 3 in the decoder layer
    assert texts.count("填充掩码") == 2 and "padding" not in texts
    plt.close(ax.figure)


def test_context_plot_draws_every_seed_and_level():
    import matplotlib.pyplot as plt

    from forge_utils.plots import context_plot

    fig, ax = plt.subplots()
    curves = {"RNN": [{1: 8.0, 2: 7.5, 4: 7.4}, {1: 8.1, 2: 7.6, 4: 7.3}], "LSTM": [{1: 7.9, 2: 7.2, 4: 7.0}]}
    context_plot(ax, curves, {"bigram": 7.5, "context 1": 7.7})
    assert len(ax.lines) == 3 + 2  # one line per seed, one per level
    assert ax.get_xscale() == "log" and [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "4"]
    assert list(ax.lines[0].get_ydata()) == [8.0, 7.5, 7.4]
    plt.close(fig)
