"""The attention explorer's callbacks, driven without a browser."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from forge_utils.attention_explorer import AttentionExplorer, attention_matrix, draw_attention, summarize
from forge_utils.plots import use_chinese_font

TOKENS = ["a", "fluffy", "blue", "creature", "roamed"]


def _qk(heads=2, length=5, d=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(heads, length, d, generator=g), torch.randn(heads, length, d, generator=g)


def test_attention_matrix_temperature_and_causal():
    q, k = _qk(1)
    w = attention_matrix(q[0], k[0])
    expected = torch.softmax(q[0] @ k[0].T / 2.0, dim=-1).double().numpy()
    np.testing.assert_allclose(w, expected, atol=1e-6)
    assert np.allclose(w.sum(1), 1)
    sharp, flat = attention_matrix(q[0], k[0], 0.05), attention_matrix(q[0], k[0], 100.0)
    assert sharp.max(1).min() > 0.9  # low temperature: nearly one-hot
    assert np.abs(flat - 1 / 5).max() < 0.02  # high temperature: nearly uniform
    causal = attention_matrix(q[0], k[0], causal=True)
    assert np.all(np.triu(causal, 1) == 0) and causal[0, 0] == pytest.approx(1)
    with pytest.raises(ValueError, match="必须大于 0"):
        attention_matrix(q[0], k[0], 0)


def test_summarize_names_the_largest_weight():
    assert summarize(TOKENS, np.array([0.1, 0.45, 0.3, 0.1, 0.05]), 3) == "查询 = creature · 最大权重 → fluffy 0.45"


def test_draw_attention_returns_a_figure():
    use_chinese_font()  # the labels are Chinese
    q, k = _qk(1)
    fig = draw_attention(attention_matrix(q[0], k[0]), TOKENS, query=2, title="t")
    heat, bars, colourbar = fig.axes  # the heatmap, the bar chart and the heatmap's colour bar
    assert bars.get_title().startswith("查询 = blue") and colourbar.get_ylabel() == "注意力权重"
    assert (heat.get_xlabel(), heat.get_ylabel(), bars.get_ylabel()) == ("键", "查询", "权重")
    matplotlib.pyplot.close(fig)


def test_controls_redraw_and_change_the_summary():
    use_chinese_font()  # the figure's labels are Chinese
    q, k = _qk()
    explorer = AttentionExplorer(TOKENS, q, k, head_names=["h0", "h1"])
    assert explorer.query_slider.description == "查询"
    assert "forge-attention-query" in explorer.query_slider._dom_classes
    assert "forge-attention-summary" in explorer.summary_html._dom_classes
    first_text, first_png = explorer.summary_html.value, explorer.image.value
    assert "<b>查询 = a ·" in first_text and first_png[:4] == b"\x89PNG"

    explorer.query_slider.value = 3  # what dragging the slider does
    assert "查询 = creature" in explorer.summary_html.value
    assert explorer.image.value != first_png

    explorer.set(head=1)
    assert "头 h1" in explorer.summary_html.value
    np.testing.assert_allclose(explorer.weights(), attention_matrix(q[1], k[1]), atol=1e-12)

    explorer.set(causal=True, query=0)
    assert np.all(np.triu(explorer.weights(), 1) == 0)
    assert "最大权重 → a 1.00" in explorer.summary_html.value and "因果掩码 开" in explorer.summary_html.value

    explorer.set(causal=False, temperature=0.1, query=4)
    assert "温度 0.1" in explorer.summary_html.value
    assert explorer.weights()[4].max() > explorer.set(temperature=5.0).weights()[4].max()
    with pytest.raises(ValueError, match=r"query 必须在 0\.\.4 里"):
        explorer.set(query=9)
    assert explorer.values["query"] == 4                     # a bad value changes nothing


def test_single_head_and_bad_input():
    use_chinese_font()
    q, k = _qk(1)
    explorer = AttentionExplorer(TOKENS, q[0], k[0])
    assert explorer.head_dropdown.options[0][0] == "头 0"
    with pytest.raises(ValueError, match="请每个位置给一个词元"):
        AttentionExplorer(TOKENS[:3], q, k)
    with pytest.raises(ValueError, match=r"\(heads, L, d_k\) 或 \(L, d_k\)"):
        AttentionExplorer(TOKENS, q, k[:, :, :2])
    with pytest.raises(ValueError, match="个头名 head_names"):
        AttentionExplorer(TOKENS, q, k, head_names=["x", "y"])
    with pytest.raises(ValueError, match=r"query 必须是 0\.\.4 里的下标"):
        AttentionExplorer(TOKENS, q, k, query=9)
    with pytest.raises(ValueError, match="未知的控件"):
        explorer.set(colour="red")
