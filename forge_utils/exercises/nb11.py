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
        what = f"top_p_logits(logits of {len(logits)} tokens, p={p})"
        got, error = call_for_array(top_p_logits, logits.clone(), p, what=what)
        if error:
            return report(failed(error))
        assert got is not None  # call_for_array: no error means an array
        want = _top_p_reference(logits, p)
        if got.shape != want.shape:
            return report(failed(f"{what} has shape {got.shape}, expected {want.shape} (one value per token)"))
        kept_got, kept_want = np.isfinite(got), np.isfinite(want)
        if np.array_equal(kept_got, kept_want) and not np.allclose(got[kept_got], want[kept_want], atol=1e-5):
            return report(failed(f"{what}: the right tokens are kept but their values changed; keep the kept "
                                 "logits as they are (softmax renormalises them when sampling)"))
        if not np.array_equal(kept_got, kept_want):
            if np.all((got >= 0) & (got <= 1)) and not np.isinf(got).any():
                return report(failed(f"{what} returned probabilities; return the logits with -inf outside the nucleus"))
            if np.array_equal(kept_got, np.isfinite(_top_p_reference(logits, p, include_crossing=False))):
                return report(failed(f"{what}: you stop before the token that makes the sum reach p; keep it too "
                                     "(the nucleus is the smallest set with total probability ≥ p)"))
            return report(failed(f"{what} keeps {int(kept_got.sum())} tokens, expected {int(kept_want.sum())}: "
                                 "sort by probability, add up from the most likely, stop once the sum reaches p"))
    return report(passed("top-p keeps the smallest set of most likely tokens with total probability ≥ p"))


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
        what = f"gpt_parameters({V}, {context}, {n_layer}, {n_embd})"
        got, error = call_for_number(gpt_parameters, V, context, n_layer, n_embd, what=what)
        if error:
            return report(failed(error))
        assert got is not None  # call_for_number: no error means a number
        if got == want:
            continue
        hints: dict[str, dict[str, Any]] = {
            "the biases (every nn.Linear has one: out_features numbers)": dict(biases=False),
            "the LayerNorms (weight and bias of n_embd each: two per block and ln_f)": dict(ln=False),
            "the position embedding (context × n_embd)": dict(positions=False),
            "the MLP width: it is 4 × n_embd, not n_embd": dict(mlp=1),
        }
        for hint, change in hints.items():
            if got == _gpt_parameters(V, context, n_layer, n_embd, **change):
                return report(failed(f"{what} = {got:,.0f}, expected {want:,}: you missed {hint}"))
        return report(failed(f"{what} = {got:,.0f}, expected {want:,}. Count wte, wpe, per block ln_1, attn.c_attn, "
                             "attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj, then ln_f and lm_head"))
    return report(passed("your formula matches GPT.num_parameters() for three sizes"))
