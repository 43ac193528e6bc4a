"""Self-checks for notebook 07 (LSTM)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from forge_utils.exercises import Result, as_array, call_for_number, compare_arrays, failed, passed, report
from forge_utils.exercises.nb06 import call_step


def _reference(x_t: torch.Tensor, h: torch.Tensor, c: torch.Tensor, W: torch.Tensor, U: torch.Tensor, b: torch.Tensor,
               order: str = "ifgo", tanh_c: bool = True, additive: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    z = x_t @ W.T + h @ U.T + b
    blocks = dict(zip(order, z.chunk(4, dim=-1)))
    i, f, g, o = torch.sigmoid(blocks["i"]), torch.sigmoid(blocks["f"]), torch.tanh(blocks["g"]), torch.sigmoid(blocks["o"])
    c_new = f * c + i * g if additive else f * c * i * g
    return o * (torch.tanh(c_new) if tanh_c else c_new), c_new


def check_lstm_step(lstm_step: Callable) -> Result:
    """``lstm_step(x_t (B, I), h_prev (B, H), c_prev (B, H), W (4H, I), U (4H, H), b (4H,))`` → ``(h_t, c_t)``."""
    g = torch.Generator().manual_seed(0)
    x_t, h, c = torch.randn(3, 4, generator=g), torch.randn(3, 5, generator=g), torch.randn(3, 5, generator=g)
    W, U, b = torch.randn(20, 4, generator=g), torch.randn(20, 5, generator=g), torch.randn(20, generator=g)
    what = "`lstm_step(x_t (3, 4), h_prev (3, 5), c_prev (3, 5), W (20, 4), U (20, 5), b (20,))`"
    got, error = call_step(lstm_step, x_t, h, c, W, U, b, what=what)
    if error:
        return report(failed(error))
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return report(failed(f"{what} 应该返回一对 (h_t, c_t)，实际得到 {type(got).__name__}"))
    h_want, c_want = _reference(x_t, h, c, W, U, b)
    for name, value, want, index in (("c_t", got[1], c_want, 1), ("h_t", got[0], h_want, 0)):
        result = compare_arrays(value, want, f"{what} 返回的 `{name}`", atol=1e-5)
        if result:
            continue
        array = as_array(value, name)
        if not isinstance(array, Result) and array.shape == tuple(want.shape):
            wrong = {
                "按 i, f, o, g 的顺序取门（PyTorch 的堆叠顺序是 i, f, g, o）": _reference(x_t, h, c, W, U, b, order="ifog"),
                "按 f, i, g, o 的顺序取门（PyTorch 的堆叠顺序是 i, f, g, o）": _reference(x_t, h, c, W, U, b, order="figo"),
                "h_t = o ⊙ c_t（c_t 外面少了 tanh）": _reference(x_t, h, c, W, U, b, tanh_c=False),
                "用相乘来更新细胞状态（c_t = f ⊙ c ⊙ i ⊙ g）；应该是 f ⊙ c + i ⊙ g": _reference(
                    x_t, h, c, W, U, b, additive=False
                ),
            }
            for label, pair in wrong.items():
                if np.allclose(array, pair[index].numpy(), atol=1e-5):
                    return report(failed(f"`{name}`：你的结果相当于这样一步：{label}"))
        return report(result)
    return report(passed("`lstm_step` 与 nn.LSTM 的公式一致（门的顺序 i, f, g, o；c_t = f⊙c + i⊙g；h_t = o⊙tanh(c_t)）"))


def check_remaining_memory(remaining_memory: Callable) -> Result:
    """``remaining_memory(forget_bias, steps)`` → σ(forget_bias) ** steps."""
    for bias, steps in ((5.0, 100), (1.0, 10), (0.0, 3), (2.0, 0)):
        want = (1 / (1 + np.exp(-bias))) ** steps
        value, error = call_for_number(remaining_memory, bias, steps, what=f"`remaining_memory({bias}, {steps})`")
        if error:
            return report(failed(error))
        assert value is not None  # call_for_number: no error means a number
        if not np.isclose(value, want, rtol=1e-6, atol=1e-12):
            hint = ""
            if np.isclose(value, bias**steps, rtol=1e-6):
                hint = "——门的值是 σ(bias)，不是偏置本身"
            elif np.isclose(value, steps * want ** (1 / max(steps, 1)), rtol=1e-6):
                hint = "——遗忘门每一步都要乘到细胞状态上：是乘方，而不是乘以 steps"
            return report(failed(f"`remaining_memory({bias}, {steps})` = {value:.4g}，应为 {want:.4g}{hint}"))
    return report(passed(f"`remaining_memory` 就是 σ(b)^steps：b = 5 时，100 步之后还剩大约 {(1 / (1 + np.exp(-5))) ** 100:.2f}"))


PREDICTIONS = {"瞎猜": "chance", "chance": "chance", "学会": "learned", "learned": "learned"}
_SHOWN = {"chance": "瞎猜", "learned": "学会", "partly": "学会了一部分"}  # how the feedback names each outcome


def check_forget_bias_prediction(prediction: str | None, run: Callable[[], float]) -> Result:
    """Predict first, then measure: ``prediction`` is "瞎猜" (chance) or "学会" (learned) for the
    memory task at T = 30 with forget-gate bias 0; ``run()`` trains that model and returns its test accuracy.
    The check says whether the measurement (chance < 0.45 ≤ partly ≤ 0.9 < learned) agrees."""
    if prediction is None or str(prediction).strip().lower() not in PREDICTIONS:
        return report(failed(f"先写下你的预测：`my_prediction = \"瞎猜\"` 或 `\"学会\"`，现在是 {prediction!r}"))
    predicted = PREDICTIONS[str(prediction).strip().lower()]
    accuracy, error = call_for_number(run, what="`run()`")
    if error:
        return report(failed(error))
    assert accuracy is not None  # call_for_number: no error means a number
    if not 0.0 <= accuracy <= 1.0:
        return report(failed(f"`run()` 应该返回 0 到 1 之间的准确率，实际得到 {accuracy:.4g}"))
    measured = "chance" if accuracy < 0.45 else "learned" if accuracy > 0.9 else "partly"
    if measured == predicted:
        why = ("σ(0) = 0.5：只看传送带，29 步之后第一个符号只剩下约 0.5^29 ≈ 2e-9；第 2 节量到 b_f = 0 时"
               "细胞状态上的梯度每步约 ×0.62（比 0.5 大），29 步后也只剩约 1e-6。梯度信号这么弱，"
               "训练很难找到那个标记" if measured == "chance" else
               "传送带把这个符号保留了 29 步")
        return report(passed(f"测得准确率 {accuracy:.3f}（{_SHOWN[measured]}），和你的预测一样：{why}"))
    if measured == "partly":
        return report(failed(f"测得准确率 {accuracy:.3f}：介于瞎猜（0.25）和学会之间；"
                             "换一个随机种子再跑一次，然后再下结论"))
    hint = ("——b_f = 0 时，遗忘门一开始是 σ(0) = 0.5：29 步之后 c_0 还剩多少？"
            "（用上面你写的 remaining_memory 算一算）" if measured == "chance" else "——看一看训练之后遗忘门的值")
    return report(failed(f"测得准确率 {accuracy:.3f}（{_SHOWN[measured]}），你预测的是“{_SHOWN[predicted]}”{hint}"))
