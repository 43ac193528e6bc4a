import matplotlib
import pytest
import torch

from forge_utils.transformer import sinusoidal_positional_encoding
from forge_utils.transformer_explorers import (AttentionMapExplorer, PositionalEncodingExplorer, attention_summary,
                                               pe_summary)

matplotlib.use("Agg")  # the explorers draw into figures; no display needed


def test_pe_explorer_responds():
    from forge_utils.plots import use_chinese_font

    use_chinese_font()  # the plots' labels are Chinese
    explorer = PositionalEncodingExplorer(max_len=20, d_model=16)
    assert "forge-pe-position" in explorer.position._dom_classes
    before, image = explorer.summary_html.value, explorer.image.value
    explorer.position.value = 3  # what a browser does
    assert explorer.summary_html.value != before and "pos=3" in explorer.summary_html.value
    assert explorer.image.value != image and explorer.image.layout.width == "900px"
    assert "dim=5" in explorer.set(dimension=5).summary() and "cos" in explorer.summary_html.value
    with pytest.raises(ValueError, match=r"position 必须在 0\.\.19 里"):
        explorer.set(position=20)


def test_pe_summary_values():
    pe = sinusoidal_positional_encoding(10, 8)
    assert "+0.0000" in pe_summary(pe, 0, 0) and "+1.0000" in pe_summary(pe, 0, 1)
    assert pe_summary(pe, 0, 0).endswith("；这一维的波长 ≈ 6.3 个位置")
    with pytest.raises(ValueError, match=r"position 必须在 0\.\.9 里"):
        pe_summary(pe, 10, 0)


def test_attention_explorer_responds():
    from forge_utils.plots import use_chinese_font

    use_chinese_font()  # the heatmap labels are Chinese
    maps = torch.zeros(2, 2, 2, 3)
    maps[..., 0] = 1.0
    maps[1, 1, :, :] = torch.tensor([0.1, 0.2, 0.7])
    queries, keys = ["<bos>", "i"], ["我", "爱", "机器"]
    explorer = AttentionMapExplorer({"cross": (maps, queries, keys), "other": (maps[:, :, :1], ["x"], keys)})
    assert explorer.layer.value == 1 and explorer.kind.value == "other"
    explorer.kind.value = "cross"
    explorer.head.value = 1
    assert "<bos>→机器（0.70）" in explorer.summary()
    assert "&lt;bos&gt;→机器（0.70）" in explorer.summary_html.value  # escaped: the HTML widget shows "<bos>"
    size = explorer.image.layout.height
    assert explorer.set(layer=0, head=0).summary().endswith("i→我（1.00）")
    explorer.set(kind="other")
    assert explorer.image.layout.height == size  # one size for every view: the widget keeps its height
    assert attention_summary(maps, 0, 0, queries, keys).startswith("第 0 层，头 0：<bos>→我")
    assert explorer.summary().startswith("other，第 0 层，头 0：")
    assert (explorer.kind.description, explorer.layer.description, explorer.head.description) == ("注意力", "层", "头")
    with pytest.raises(ValueError, match="kind 必须是 .* 之一"):
        explorer.set(kind="nope")
    with pytest.raises(ValueError, match=r"head 必须在 0\.\.1 里"):
        explorer.set(head=2)


@pytest.mark.parametrize(
    "views, match",
    [
        ({}, "非空的 dict"),
        ({"a": (torch.zeros(2, 2, 2, 3), ["<bos>"], ["我", "爱", "机器"])}, "个查询词元和"),
        ({"a": (torch.zeros(2, 2, 3), ["<bos>", "i"], ["我", "爱", "机器"])}, r"形状为 \(layers, heads, Lq, Lk\) 的张量"),
        ({"a": torch.zeros(1, 1, 1, 1)}, "必须是元组"),
        ({"a": (torch.zeros(2, 2, 1, 3), ["x"], ["我", "爱", "机器"]),
          "b": (torch.zeros(1, 2, 1, 3), ["x"], ["我", "爱", "机器"])}, "必须相同"),
    ],
)
def test_attention_explorer_bad_input(views, match):
    with pytest.raises(ValueError, match=match):
        AttentionMapExplorer(views)
