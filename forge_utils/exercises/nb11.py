"""Self-checks for notebook 11 (GPT: 文字接龙)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from forge_utils.exercises import Result, call_for_array, call_for_number, failed, passed, report


def _top_p_reference(logits: torch.Tensor, p: float, include_crossing: bool = True) -> np.ndarray:
    probs = torch.softmax(logits.double(), dim=-1)
    order = torch.argsort(probs, descending=True)
    before = torch.cumsum(probs[order], dim=0) - probs[order]  # mass of the tokens ranked above
    keep_sorted = before < p if include_crossing else before + probs[order] <= p
    keep_sorted[0] = True
    keep = torch.zeros_like(keep_sorted)
    keep[order] = keep_sorted
    return np.where(keep.numpy(), logits.double().numpy(), -np.inf)


def check_top_p(top_p_logits: Callable) -> Result:
    """``top_p_logits(logits (V,), p)`` → logits (V,) with ``-inf`` outside the nucleus: the fewest most likely
    tokens whose probabilities add up to at least ``p`` (the most likely token is always kept)."""
    cases = [
        (torch.log(torch.tensor([0.05, 0.5, 0.1, 0.3, 0.05])), 0.75),   # 0.5 + 0.3 crosses 0.75: keep 2
        (torch.log(torch.tensor([0.05, 0.5, 0.1, 0.3, 0.05])), 0.85),   # 0.5 + 0.3 + 0.1 crosses 0.85: keep 3
        (torch.tensor([2.0, 0.5, 1.0, -1.0, 3.0, 0.0]), 0.3),           # the top token alone is > 0.3
        (torch.randn(50, generator=torch.Generator().manual_seed(0)) * 2, 0.9),
        (torch.randn(50, generator=torch.Generator().manual_seed(1)), 1.0),
    ]
    for logits, p in cases:
        what = f"`top_p_logits(logits ({len(logits)},), p={p})`"
        got, error = call_for_array(top_p_logits, logits.clone(), p, what=what)
        if error:
            return report(failed(error))
        assert got is not None  # call_for_array: no error means an array
        want = _top_p_reference(logits, p)
        if got.shape != want.shape:
            return report(failed(f"{what} 的形状是 {got.shape}，应为 {want.shape}（每个词元一个值）"))
        kept_got, kept_want = np.isfinite(got), np.isfinite(want)
        if np.array_equal(kept_got, kept_want) and not np.allclose(got[kept_got], want[kept_want], atol=1e-5):
            return report(failed(f"{what}：留下的词元对了，但它们的值变了；留下的 logits 要保持原样"
                                 "（采样时 softmax 会重新归一化）"))
        if not np.array_equal(kept_got, kept_want):
            if np.all((got >= 0) & (got <= 1)) and not np.isinf(got).any():
                return report(failed(f"{what} 返回的是概率；应该返回 logits，核以外的位置设为 -inf"))
            if np.array_equal(kept_got, np.isfinite(_top_p_reference(logits, p, include_crossing=False))):
                return report(failed(f"{what}：你在让累计和达到 p 的那个词元之前就停了；这个词元也要留下"
                                     "（核是总概率 ≥ p 的最小集合）"))
            return report(failed(f"{what} 留下了 {int(kept_got.sum())} 个词元，应为 {int(kept_want.sum())} 个："
                                 "按概率从大到小排序，从最可能的开始累加，累计和一达到 p 就停"))
    return report(passed("top-p 留下的是总概率 ≥ p 的最小一组最可能的词元"))


def _gpt_parameters(V: int, context: int, n_layer: int, n_embd: int, ln: bool = True, biases: bool = True,
                    positions: bool = True, mlp: int = 4) -> int:
    C = n_embd
    b = 1 if biases else 0
    attn = 3 * C * C + b * 3 * C + C * C + b * C
    ffn = mlp * C * C + b * mlp * C + mlp * C * C + b * C
    norms = 2 * 2 * C if ln else 0
    return V * C + (context * C if positions else 0) + n_layer * (attn + ffn + norms) + (2 * C if ln else 0) + V * C + b * V


def check_parameter_count(gpt_parameters: Callable) -> Result:
    """``gpt_parameters(V, context, n_layer, n_embd)`` → the number of parameters of ``forge_utils.gpt.GPT``
    (untied head), e.g. the chapter's model."""
    from forge_utils.gpt import GPT, GPTConfig

    for V, context, n_layer, n_embd in ((1000, 64, 2, 64), (30, 16, 1, 8), (500, 128, 3, 32)):
        want = GPT(GPTConfig(vocab_size=V, context=context, n_layer=n_layer, n_embd=n_embd, n_head=4)).num_parameters()
        what = f"`gpt_parameters({V}, {context}, {n_layer}, {n_embd})`"
        got, error = call_for_number(gpt_parameters, V, context, n_layer, n_embd, what=what)
        if error:
            return report(failed(error))
        assert got is not None  # call_for_number: no error means a number
        if got == want:
            continue
        hints: dict[str, dict[str, Any]] = {
            "少算了偏置（每个 nn.Linear 都有一个：out_features 个数）": dict(biases=False),
            "少算了 LayerNorm（weight 和 bias 各 n_embd 个：每个块两个，外加 ln_f）": dict(ln=False),
            "少算了位置嵌入（context × n_embd）": dict(positions=False),
            "MLP 的宽度算错了：它是 4 × n_embd，不是 n_embd": dict(mlp=1),
        }
        for hint, change in hints.items():
            if got == _gpt_parameters(V, context, n_layer, n_embd, **change):
                return report(failed(f"{what} = {got:,.0f}，应为 {want:,}：{hint}"))
        return report(failed(f"{what} = {got:,.0f}，应为 {want:,}。逐项数一数：wte、wpe，每个块里的 ln_1、attn.c_attn、"
                             "attn.c_proj、ln_2、mlp.c_fc、mlp.c_proj，最后是 ln_f 和 lm_head"))
    return report(passed("你的公式在三种规模下都与 GPT.num_parameters() 一致"))
