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
    what = "lstm_step(x_t (3, 4), h_prev (3, 5), c_prev (3, 5), W (20, 4), U (20, 5), b (20,))"
    got, error = call_step(lstm_step, x_t, h, c, W, U, b, what=what)
    if error:
        return report(failed(error))
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return report(failed(f"{what} should return a pair (h_t, c_t), got {type(got).__name__}"))
    h_want, c_want = _reference(x_t, h, c, W, U, b)
    for name, value, want, index in (("c_t", got[1], c_want, 1), ("h_t", got[0], h_want, 0)):
        result = compare_arrays(value, want, f"{name} from {what}", atol=1e-5)
        if result:
            continue
        array = as_array(value, name)
        if not isinstance(array, Result) and array.shape == tuple(want.shape):
            wrong = {
                "the gate order i, f, o, g (PyTorch stacks i, f, g, o)": _reference(x_t, h, c, W, U, b, order="ifog"),
                "the gate order f, i, g, o (PyTorch stacks i, f, g, o)": _reference(x_t, h, c, W, U, b, order="figo"),
                "h_t = o ⊙ c_t (missing the tanh on c_t)": _reference(x_t, h, c, W, U, b, tanh_c=False),
                "a multiplicative cell update (c_t = f ⊙ c ⊙ i ⊙ g); it should be f ⊙ c + i ⊙ g": _reference(
                    x_t, h, c, W, U, b, additive=False
                ),
            }
            for label, pair in wrong.items():
                if np.allclose(array, pair[index].numpy(), atol=1e-5):
                    return report(failed(f"{name}: your result matches {label}"))
        return report(result)
    return report(passed("lstm_step matches nn.LSTM's equations (gates i, f, g, o; c_t = f⊙c + i⊙g; h_t = o⊙tanh(c_t))"))


def check_remaining_memory(remaining_memory: Callable) -> Result:
    """``remaining_memory(forget_bias, steps)`` → σ(forget_bias) ** steps."""
    for bias, steps in ((5.0, 100), (1.0, 10), (0.0, 3), (2.0, 0)):
        want = (1 / (1 + np.exp(-bias))) ** steps
        value, error = call_for_number(remaining_memory, bias, steps, what=f"remaining_memory({bias}, {steps})")
        if error:
            return report(failed(error))
        assert value is not None  # call_for_number: no error means a number
        if not np.isclose(value, want, rtol=1e-6, atol=1e-12):
            hint = ""
            if np.isclose(value, bias**steps, rtol=1e-6):
                hint = " — the gate's value is σ(bias), not the bias itself"
            elif np.isclose(value, steps * want ** (1 / max(steps, 1)), rtol=1e-6):
                hint = " — the forget gate multiplies the cell every step: a power, not a product with steps"
            return report(failed(f"remaining_memory({bias}, {steps}) = {value:.4g}, expected {want:.4g}{hint}"))
    return report(passed(f"remaining_memory is σ(b)^steps: with b = 5, about {(1 / (1 + np.exp(-5))) ** 100:.2f} is left after 100 steps"))


PREDICTIONS = {"瞎猜": "chance", "chance": "chance", "学会": "learned", "learned": "learned"}


def check_forget_bias_prediction(prediction: str | None, run: Callable[[], float]) -> Result:
    """Predict first, then measure: ``prediction`` is "瞎猜" (chance) or "学会" (learned) for the
    memory task at T = 30 with forget-gate bias 0; ``run()`` trains that model and returns its test accuracy.
    The check says whether the measurement (chance < 0.45 ≤ partly ≤ 0.9 < learned) agrees."""
    if prediction is None or str(prediction).strip().lower() not in PREDICTIONS:
        return report(failed(f"write your prediction first: my_prediction = \"瞎猜\" (chance) or \"学会\" (learned), got {prediction!r}"))
    predicted = PREDICTIONS[str(prediction).strip().lower()]
    accuracy, error = call_for_number(run, what="run()")
    if error:
        return report(failed(error))
    assert accuracy is not None  # call_for_number: no error means a number
    if not 0.0 <= accuracy <= 1.0:
        return report(failed(f"run() should return an accuracy between 0 and 1, got {accuracy:.4g}"))
    measured = "chance" if accuracy < 0.45 else "learned" if accuracy > 0.9 else "partly"
    if measured == predicted:
        why = ("σ(0) = 0.5: after 29 steps 0.5^29 ≈ 2e-9 of the first symbol is left on the belt, and the gradient "
               "back to step 0 is as small, so training never finds the marker" if measured == "chance" else
               "the belt held the symbol for 29 steps")
        return report(passed(f"measured accuracy {accuracy:.3f} ({measured}), as you predicted: {why}"))
    if measured == "partly":
        return report(failed(f"measured accuracy {accuracy:.3f}: between chance (0.25) and learned; "
                             "run it with another seed before you decide"))
    hint = (" — with b_f = 0 the forget gate starts at σ(0) = 0.5: how much of c_0 is left after 29 steps? "
            "(your remaining_memory above)" if measured == "chance" else " — look at the forget gate's values after training")
    return report(failed(f"measured accuracy {accuracy:.3f} ({measured}), you predicted {predicted}{hint}"))
