"""Self-checks for notebook 09 (the Transformer): positional encoding, its shift matrix M_k, and a
pre-norm decoder layer written from the post-norm one."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from forge_utils.exercises import Result, call_for_array, call_safely, compare_arrays, failed, passed, report

if TYPE_CHECKING:
    import torch
    from torch import nn

    from forge_utils.transformer import DecoderLayer


def _pe(max_len: int, d_model: int, swap: bool = False, exponent: str = "2i") -> np.ndarray:
    """Reference PE and the typical wrong variants (``swap``: cos on even dims; ``exponent``)."""
    pos = np.arange(max_len)[:, None]
    pair = np.arange(0, d_model, 2)  # 2i
    if exponent == "2i":
        power = pair / d_model
    elif exponent == "i":  # pos / 10000^(i/d) with i the pair index
        power = (pair / 2) / d_model
    else:  # "dim": every dimension its own frequency, pos / 10000^(dim/d)
        power = None
    pe = np.zeros((max_len, d_model))
    first, second = (np.cos, np.sin) if swap else (np.sin, np.cos)
    if power is None:
        dims = np.arange(d_model)
        angles = pos / 10000 ** (dims / d_model)
        pe[:, 0::2], pe[:, 1::2] = first(angles[:, 0::2]), second(angles[:, 1::2])
    else:
        angles = pos / 10000**power
        pe[:, 0::2], pe[:, 1::2] = first(angles), second(angles)
    return pe


def check_positional_encoding(positional_encoding: Callable) -> Result:
    """``positional_encoding(max_len, d_model)`` must return the paper's sinusoidal PE, shape (max_len, d_model)."""
    for max_len, d_model in ((12, 8), (5, 16)):
        what = f"`positional_encoding({max_len}, {d_model})`"
        values, error = call_for_array(positional_encoding, max_len, d_model, what=what)
        if error:
            return report(failed(error))
        assert values is not None  # call_for_array: no error means an array
        want = _pe(max_len, d_model)
        if values.shape == want.T.shape and values.shape != want.shape:
            return report(failed(f"{what} 的形状是 {values.shape}：转置了——每个位置占一行，形状应为 (max_len, d_model)"))
        result = compare_arrays(values, want, what, atol=1e-5)
        if result:
            continue
        if values.shape == want.shape:
            hints = {
                "sin 和 cos 弄反了：偶数维（0, 2, ...）用 sin，奇数维用 cos": _pe(max_len, d_model, swap=True),
                "指数里用了维度对的编号 i，论文里是 2i：pos / 10000^(2i/d_model)": _pe(max_len, d_model, exponent="i"),
                "每一维各用了自己的频率；第 2i 维和第 2i+1 维必须共用 pos / 10000^(2i/d_model)": _pe(max_len, d_model, exponent="dim"),
            }
            for hint, variant in hints.items():
                if np.allclose(values, variant, atol=1e-5):
                    return report(failed(f"{what}：{hint}"))
        return report(result)
    return report(passed("`positional_encoding` 与论文公式一致（偶数维用 sin，奇数维用 cos）"))


def check_shift_matrix(shift_matrix: Callable) -> Result:
    """``shift_matrix(k, d_model)`` must return M_k (d_model, d_model) with M_k @ PE[pos] = PE[pos + k] for every pos."""
    d_model, max_len = 8, 40
    pe = _pe(max_len, d_model)
    for k in (1, 3, 10):
        what = f"`shift_matrix({k}, {d_model})`"
        m, error = call_for_array(shift_matrix, k, d_model, what=what)
        if error:
            return report(failed(error))
        assert m is not None  # call_for_array: no error means an array
        if m.shape != (d_model, d_model):
            return report(failed(f"{what} 的形状是 {m.shape}，应为 ({d_model}, {d_model})"))
        predicted = pe[:-k] @ m.T  # row pos: M_k @ PE[pos]
        if np.allclose(predicted, pe[k:], atol=1e-5):
            continue
        if np.allclose(pe[:-k] @ m, pe[k:], atol=1e-5):
            return report(failed(
                f"{what} 转置了：它把每一对 (sin, cos) 往反方向转。"
                "第 2i 行应为 (cos kω, sin kω)，第 2i+1 行应为 (−sin kω, cos kω)"
            ))
        if k > 1 and np.allclose(pe[:-1] @ m.T, pe[1:], atol=1e-5):
            return report(failed(f"{what} 只平移了一个位置，而不是 k={k} 个：第 i 对的角度是 k·ω_i"))
        pos, dim = (int(i) for i in np.argwhere(~np.isclose(predicted, pe[k:], atol=1e-5))[0])
        return report(failed(
            f"{what} @ PE[{pos}] 与 PE[{pos + k}] 在第 {dim} 维不同："
            f"得到 {predicted[pos, dim]:.4f}，应为 {pe[pos + k, dim]:.4f}"
        ))
    return report(passed("对 k = 1、3、10 和每一个位置都有 M_k @ PE[pos] = PE[pos + k]：这是一个固定的线性映射"))


def _decoder_parts(
    seed: int = 0, d_model: int = 16, num_heads: int = 2, d_ff: int = 32
) -> tuple[DecoderLayer, nn.Module, tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]]:
    """A pre-norm ``DecoderLayer`` with random weights, the same sublayers under the notebook's names, and inputs."""
    import torch
    from torch import nn

    from forge_utils.attention import causal_mask, padding_mask
    from forge_utils.transformer import DecoderLayer

    generator = torch.Generator().manual_seed(seed)
    reference = DecoderLayer(d_model, num_heads, d_ff, norm_first=True).eval()
    with torch.no_grad():
        for name, p in reference.named_parameters():  # seeded; LayerNorm γ away from 1 so a skipped norm shows
            noise = torch.randn(p.shape, generator=generator)
            p.copy_(1 + 0.3 * noise if name.endswith("weight") and "norm" in name else 0.3 * noise)
    layer = nn.Module()  # the attributes of the notebook's MyDecoderLayer, sharing the reference's weights
    layer.self_attn, layer.cross_attn = reference.self_attn, reference.cross_attn
    layer.linear1, layer.linear2 = reference.ffn.linear1, reference.ffn.linear2
    layer.norm1, layer.norm2, layer.norm3 = reference.norm1, reference.norm2, reference.norm3
    y = torch.randn(2, 4, d_model, generator=generator) * 2 + 1
    memory = torch.randn(2, 5, d_model, generator=generator) * 2 - 1
    self_mask = causal_mask(4)
    memory_mask = padding_mask(torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]))  # (B, 1, 1, Ls)
    return reference, layer, (y, memory, self_mask, memory_mask)


def _variants(layer: Any, y: torch.Tensor, memory: torch.Tensor, self_mask: torch.Tensor,
              memory_mask: torch.Tensor) -> dict[str, torch.Tensor]:
    """Outputs of typical wrong answers, each with the hint it earns. ``layer``: the plain ``nn.Module``
    of ``_decoder_parts`` whose sublayers (self_attn, linear1, norm1, ...) are set as attributes."""
    import torch.nn.functional as F

    def ffn(x: torch.Tensor) -> torch.Tensor:
        return layer.linear2(F.relu(layer.linear1(x)))

    post = layer.norm1(y + layer.self_attn(y, y, y, self_mask)[0])
    post = layer.norm2(post + layer.cross_attn(post, memory, memory, memory_mask)[0])
    post = layer.norm3(post + ffn(post))
    h = layer.norm1(y)
    x = y + layer.self_attn(h, h, h, self_mask)[0]
    m = layer.norm2(memory)
    x_normed_memory = x + layer.cross_attn(layer.norm2(x), m, m, memory_mask)[0]
    x_normed_memory = x_normed_memory + ffn(layer.norm3(x_normed_memory))
    x2 = h + layer.self_attn(h, h, h, self_mask)[0]  # residual taken from the normalised input
    h2 = layer.norm2(x2)
    x2 = h2 + layer.cross_attn(h2, memory, memory, memory_mask)[0]
    h3 = layer.norm3(x2)
    x2 = h3 + ffn(h3)
    return {
        "这是后置层归一化的层 LayerNorm(x + Sublayer(x))；前置层归一化是 x + Sublayer(LayerNorm(x))": post,
        "memory 也过了一次 LayerNorm：只有解码器这一侧要归一化，K 和 V 直接用原样的 memory"
        "（编码器栈的最后已经有它自己的 LayerNorm）": x_normed_memory,
        "残差加的是归一化之后的 x；子层的输出要加回 x 本身：x = x + Sublayer(LayerNorm(x))": x2,
    }


def check_pre_norm_decoder(pre_norm_decoder_forward: Callable) -> Result:
    """``pre_norm_decoder_forward(layer, y, memory, self_mask, memory_mask)`` must equal
    ``forge_utils.transformer.DecoderLayer(..., norm_first=True)`` with the same sublayers."""
    import torch

    what = "`pre_norm_decoder_forward(layer, y, memory, self_mask, memory_mask)`"
    for seed in (0, 1):
        reference, layer, inputs = _decoder_parts(seed)
        with torch.no_grad():
            got, error = call_safely(pre_norm_decoder_forward, layer, *inputs, what=what)
            if error:
                return report(failed(error))
            if isinstance(got, tuple):
                return report(failed(f"{what} 只应返回输出张量 (B, Lt, d_model)，不要返回元组"))
            want = reference(*inputs)[0]
            result = compare_arrays(got, want, what, atol=1e-5)
            if result:
                continue
            values = np.asarray(got.detach().cpu().numpy() if hasattr(got, "detach") else got, dtype=float)
            if values.shape == tuple(want.shape):
                for hint, variant in _variants(layer, *inputs).items():
                    if np.allclose(values, variant.numpy(), atol=1e-5):
                        return report(failed(f"{what}：{hint}"))
            return report(result)
    return report(passed("前置层归一化的解码器层与 DecoderLayer(norm_first=True) 一致："
                         "x + SelfAttn(LN1(x))，x + CrossAttn(LN2(x), memory)，x + FFN(LN3(x))"))
