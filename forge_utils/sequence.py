"""Recurrent networks from scratch (notebooks 06 and 07).

The RNN and LSTM cells written out as equations, unrolled over time, and checked equal to
``nn.RNN`` / ``nn.LSTM`` with copied weights; a bidirectional wrapper; the long-range memory task
of notebook 07; the measurement of gradient norm against distance behind "vanishing gradients";
and the recurrent character language model of the language-modelling thread (``CharLM``).

    >>> rnn = RNN(input_size=8, hidden_size=16)
    >>> outputs, h_last = rnn(torch.randn(2, 5, 8))         # (2, 5, 16), (2, 16)
    >>> lstm = LSTM.from_torch(nn.LSTM(8, 16, batch_first=True))
    >>> x, y = memory_task(batch_size=4, length=30)        # (4, 30, 5), (4,)
    >>> norms = gradient_vs_distance(rnn, torch.randn(4, 50, 8))   # (50,), index = distance
    >>> lm = CharLM(vocab_size=1000, cell="lstm")                  # ids (B, T) -> logits (B, T, 1000)

Shapes: B batch, T time steps, I input size, H hidden size. Inputs are batch first: ``(B, T, I)``.
Weights use PyTorch's names and layout, gates stacked in the order i, f, g, o.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar, cast

import torch
import torch.nn as nn
import torch.nn.functional as F

from forge_utils.device import set_seed
from forge_utils.training import cross_entropy_loss, fit

ACTIVATIONS = {"tanh": torch.tanh, "sigmoid": torch.sigmoid}


# ----------------------------------------------------------------------------- single steps


def rnn_step(
    x_t: torch.Tensor,
    h: torch.Tensor,
    weight_ih: torch.Tensor,
    weight_hh: torch.Tensor,
    bias_ih: torch.Tensor,
    bias_hh: torch.Tensor,
    activation: str = "tanh",
) -> torch.Tensor:
    """One RNN step ``h_t = act(W x_t + U h_{t-1} + b)``.

    x_t ``(B, I)``, h ``(B, H)``, weight_ih = W ``(H, I)``, weight_hh = U ``(H, H)``,
    bias_ih and bias_hh ``(H,)`` (PyTorch keeps two biases; b is their sum). Returns ``(B, H)``.
    """
    return _activation(activation)(x_t @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh)


def lstm_step(
    x_t: torch.Tensor,
    h: torch.Tensor,
    c: torch.Tensor,
    weight_ih: torch.Tensor,
    weight_hh: torch.Tensor,
    bias_ih: torch.Tensor,
    bias_hh: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
    """One LSTM step. Returns ``(h_t, c_t, gates)``, each state ``(B, H)``.

    weight_ih ``(4H, I)``, weight_hh ``(4H, H)``, biases ``(4H,)``, rows stacked as PyTorch does:
    input gate i, forget gate f, candidate g, output gate o.

        i = σ(·), f = σ(·), g = tanh(·), o = σ(·)
        c_t = f ⊙ c_{t-1} + i ⊙ g        (the additive "conveyor belt")
        h_t = o ⊙ tanh(c_t)

    ``gates`` maps ``"i" "f" "g" "o"`` to their ``(B, H)`` values.
    """
    z = x_t @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh  # (B, 4H)
    zi, zf, zg, zo = z.chunk(4, dim=-1)
    i, f, g, o = torch.sigmoid(zi), torch.sigmoid(zf), torch.tanh(zg), torch.sigmoid(zo)
    c_new = f * c + i * g
    h_new = o * torch.tanh(c_new)
    return h_new, c_new, {"i": i, "f": f, "g": g, "o": o}


# ----------------------------------------------------------------------------- unrolled layers


class RNN(nn.Module):
    """A one-layer, one-direction RNN unrolled in Python; equal to ``nn.RNN`` with the same weights.

    ``activation`` is ``"tanh"`` (as ``nn.RNN``) or ``"sigmoid"`` (the lecture's variant; no
    PyTorch counterpart). Parameters: weight_ih ``(H, I)``, weight_hh ``(H, H)``, bias_ih, bias_hh ``(H,)``,
    initialised like PyTorch: uniform in ±1/√H.
    """

    def __init__(self, input_size: int, hidden_size: int, activation: str = "tanh") -> None:
        super().__init__()
        _activation(activation)
        self.input_size, self.hidden_size, self.activation = input_size, hidden_size, activation
        self.weight_ih = nn.Parameter(torch.empty(hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(hidden_size, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(hidden_size))
        self.bias_hh = nn.Parameter(torch.empty(hidden_size))
        bound = 1 / math.sqrt(hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def states(self, x: torch.Tensor, h0: torch.Tensor | None = None) -> list[torch.Tensor]:
        """The T hidden states ``h_1 … h_T`` (each ``(B, H)``), still in the autograd graph."""
        h = _check_inputs(x, self.input_size, h0, self.hidden_size)
        out = []
        for t in range(x.shape[1]):
            h = rnn_step(x[:, t], h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, self.activation)
            out.append(h)
        return out

    def forward(self, x: torch.Tensor, h0: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """x ``(B, T, I)``, optional h0 ``(B, H)`` → outputs ``(B, T, H)`` and the last state ``(B, H)``."""
        hs = self.states(x, h0)
        return torch.stack(hs, dim=1), hs[-1]

    @classmethod
    def from_torch(cls, module: nn.RNN) -> "RNN":
        """A copy of a one-layer, one-direction ``nn.RNN`` (tanh) as this class."""
        _check_torch_module(module, nn.RNN)
        if module.nonlinearity != "tanh":
            raise ValueError(f"只能复制 tanh 的 nn.RNN，收到的是 nonlinearity={module.nonlinearity!r}")
        return _copy_weights(cls(module.input_size, module.hidden_size), module)


class LSTM(nn.Module):
    """A one-layer, one-direction LSTM unrolled in Python; equal to ``nn.LSTM`` with the same weights.

    Parameters: weight_ih ``(4H, I)``, weight_hh ``(4H, H)``, bias_ih, bias_hh ``(4H,)``
    (gate blocks i, f, g, o), initialised like PyTorch: uniform in ±1/√H.
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.weight_ih = nn.Parameter(torch.empty(4 * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(4 * hidden_size, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(4 * hidden_size))
        self.bias_hh = nn.Parameter(torch.empty(4 * hidden_size))
        bound = 1 / math.sqrt(hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def run(
        self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[list[torch.Tensor], list[torch.Tensor], dict[str, torch.Tensor]]:
        """Unroll over x ``(B, T, I)`` from ``state = (h0, c0)`` (zeros if None).

        Returns the lists of hidden states and cell states (T tensors ``(B, H)`` each, still in the
        autograd graph) and the gates stacked over time: ``{"i", "f", "g", "o"}`` → ``(B, T, H)``.
        """
        h0, c0 = (None, None) if state is None else state
        h = _check_inputs(x, self.input_size, h0, self.hidden_size)
        c = _check_inputs(x, self.input_size, c0, self.hidden_size, what="c0")
        hs, cs = [], []
        gates: dict[str, list[torch.Tensor]] = {k: [] for k in "ifgo"}
        for t in range(x.shape[1]):
            h, c, g = lstm_step(x[:, t], h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
            hs.append(h)
            cs.append(c)
            for k in gates:
                gates[k].append(g[k])
        return hs, cs, {k: torch.stack(v, dim=1) for k, v in gates.items()}

    def forward(
        self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """x ``(B, T, I)`` → outputs ``(B, T, H)`` and ``(h_T, c_T)``, each ``(B, H)`` (as ``nn.LSTM``, batch first)."""
        hs, cs, _ = self.run(x, state)
        return torch.stack(hs, dim=1), (hs[-1], cs[-1])

    @classmethod
    def from_torch(cls, module: nn.LSTM) -> "LSTM":
        """A copy of a one-layer, one-direction ``nn.LSTM`` as this class."""
        _check_torch_module(module, nn.LSTM)
        if module.proj_size:
            raise ValueError("带 proj_size > 0 的 nn.LSTM 在这里没有对应的版本：请用 proj_size=0")
        return _copy_weights(cls(module.input_size, module.hidden_size), module)


def init_gate_bias(lstm: nn.Module, forget: float, input: float | None = None) -> None:
    """Set an LSTM's forget-gate bias to ``forget`` (and the input-gate bias to ``input``).

    Works on this module's ``LSTM`` and on a one-layer ``nn.LSTM``. The value goes into bias_ih;
    the same block of bias_hh is zeroed, so the gate's total bias is exactly the number given.
    With bias b the forget gate starts at σ(b): b = 0 → 0.5, b = 1 → 0.73, b = 5 → 0.993.
    """
    suffix = "_l0" if isinstance(lstm, nn.LSTM) else ""
    bias_ih, bias_hh = getattr(lstm, "bias_ih" + suffix, None), getattr(lstm, "bias_hh" + suffix, None)
    if bias_ih is None or bias_hh is None or bias_ih.shape[0] % 4:
        raise TypeError(f"init_gate_bias 要的是带偏置的 LSTM，收到的是 {type(lstm).__name__}")
    hidden = bias_ih.shape[0] // 4
    with torch.no_grad():
        bias_ih[hidden : 2 * hidden] = forget
        bias_hh[hidden : 2 * hidden] = 0.0
        if input is not None:
            bias_ih[:hidden] = input
            bias_hh[:hidden] = 0.0


def bidirectional(forward_rnn: RNN, backward_rnn: RNN, x: torch.Tensor) -> torch.Tensor:
    """Bidirectional states: ``[h→_t ; h←_t]`` for every position, ``(B, T, 2H)``.

    ``backward_rnn`` reads the sequence right to left; its outputs are flipped back so that
    position t holds what it saw of x_t … x_T. Equal to ``nn.RNN(bidirectional=True)``.
    """
    forward_out, _ = forward_rnn(x)
    backward_out, _ = backward_rnn(torch.flip(x, dims=[1]))
    return torch.cat([forward_out, torch.flip(backward_out, dims=[1])], dim=-1)


# ----------------------------------------------------------------------------- character language model


class CharLM(nn.Module):
    """A recurrent character language model (chapters 06, 07; compared with GPT in 11).

    ids ``(B, T)`` → embedding ``(B, T, E)`` → one recurrent layer (``nn.RNN`` tanh, ``nn.LSTM`` or
    ``nn.GRU``, batch first) → states ``(B, T, H)`` → linear → logits ``(B, T, V)``: position t
    predicts character t + 1 from characters 0 … t. Plugs into ``forge_utils.lm.train_lm``,
    ``evaluate_bpc`` and ``sample``. Submodules: ``embed``, ``rnn``, ``out``.
    """

    CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}

    def __init__(self, vocab_size: int, embed_dim: int = 64, hidden_size: int = 256, cell: str = "lstm") -> None:
        super().__init__()
        if cell not in self.CELLS:
            raise ValueError(f"cell 必须是 {sorted(self.CELLS)} 之一，收到的是 {cell!r}")
        if min(vocab_size, embed_dim, hidden_size) < 1:
            raise ValueError(f"vocab_size、embed_dim、hidden_size 都必须是正数，收到的是 vocab_size={vocab_size}、embed_dim={embed_dim}、hidden_size={hidden_size}")
        self.cell = cell
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.rnn = self.CELLS[cell](embed_dim, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """ids ``(B, T)`` int64 → logits ``(B, T, V)``; every window starts from a zero state."""
        if not isinstance(ids, torch.Tensor) or ids.dim() != 2 or ids.dtype != torch.long:
            shape = tuple(ids.shape) if isinstance(ids, torch.Tensor) else type(ids).__name__
            raise ValueError(
                f"ids 应该是形状为 (batch, time) 的字 id 张量（int64），收到的是 {shape}"
                + (f"，类型是 {ids.dtype}" if isinstance(ids, torch.Tensor) else "")
                + "；只有一条序列？请用 ids.unsqueeze(0)；是浮点数？请用 ids.long()"
            )
        states, _ = self.rnn(self.embed(ids))
        return self.out(states)


# ----------------------------------------------------------------------------- the memory task


def memory_task(
    batch_size: int,
    length: int,
    num_symbols: int = 4,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A long-range recall task: "what was the marked symbol, ``length - 1`` steps ago?".

    Every step carries a random symbol (one-hot over ``num_symbols``) and a marker bit; only the
    first step is marked. The target is the first symbol, to be read out after the last step.
    All other steps are distractors from the *same* symbols, so a model cannot simply zero the
    input weights of distractors: it has to store on the marker and then hold. Chance = 1/num_symbols.

    Returns x ``(B, T, num_symbols + 1)`` float and y ``(B,)`` long (the first symbol's id).
    Random numbers come from ``generator`` (CPU), so a seed gives the same data on every device.
    """
    if length < 1 or batch_size < 1 or num_symbols < 2:
        raise ValueError(f"需要 batch_size >= 1、length >= 1、num_symbols >= 2，收到的是 {batch_size}、{length}、{num_symbols}")
    symbols = torch.randint(0, num_symbols, (batch_size, length), generator=generator)
    x = torch.zeros(batch_size, length, num_symbols + 1)
    x[..., :num_symbols] = nn.functional.one_hot(symbols, num_symbols).float()
    x[:, 0, num_symbols] = 1.0  # the marker: "remember this one"
    return x.to(device), symbols[:, 0].to(device)


class MemoryReader(nn.Module):
    """Reads a memory-task sequence ``(B, T, num_symbols + 1)`` with one ``nn.RNN`` or ``nn.LSTM`` layer
    and answers with logits ``(B, num_symbols)`` from the last step's state.

    ``kind="rnn"`` starts U orthogonal; ``kind="lstm"`` sets the forget (and optionally input) gate
    biases with ``init_gate_bias``.
    """

    def __init__(self, kind: str, forget_bias: float | None = None, input_bias: float | None = None,
                 hidden: int = 32, num_symbols: int = 4) -> None:
        super().__init__()
        self.rnn: nn.RNN | nn.LSTM
        if kind == "rnn":
            self.rnn = nn.RNN(num_symbols + 1, hidden, batch_first=True)
            # cast: torch types a module's attributes as Tensor | Module; weight_hh_l0 is a Parameter
            nn.init.orthogonal_(cast(torch.Tensor, self.rnn.weight_hh_l0))
        elif kind == "lstm":
            self.rnn = nn.LSTM(num_symbols + 1, hidden, batch_first=True)
            if forget_bias is not None:  # None keeps PyTorch's initialisation
                init_gate_bias(self.rnn, forget=forget_bias, input=input_bias)
        else:
            raise ValueError(f"kind 必须是 'rnn' 或 'lstm'，收到的是 {kind!r}")
        self.out = nn.Linear(hidden, num_symbols)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        states, _ = self.rnn(x)
        return self.out(states[:, -1])


def train_memory_reader(
    kind: str,
    length: int,
    seed: int,
    forget_bias: float | None = None,
    input_bias: float | None = None,
    steps: int = 240,
    batch_size: int = 128,
    lr: float = 1e-2,
    hidden: int = 32,
    num_symbols: int = 4,
    device: torch.device | str | None = None,
) -> tuple[MemoryReader, float]:
    """Train a ``MemoryReader`` on fresh ``memory_task`` batches (Adam, gradient norm clipped to 1) and
    return it with its accuracy on 1,000 new sequences. The data come from a generator seeded with
    ``1000 + seed``, so every model trained with one seed sees the same sequences (chance: 1/num_symbols)."""
    set_seed(seed)
    model = MemoryReader(kind, forget_bias, input_bias, hidden, num_symbols).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    data = torch.Generator().manual_seed(1000 + seed)
    batches = (memory_task(batch_size, length, num_symbols, generator=data, device=device) for _ in range(steps))
    fit(model, batches, cross_entropy_loss, optimizer, steps, clip=1.0)
    x, y = memory_task(1000, length, num_symbols, generator=data, device=device)  # the same generator, after training
    with torch.no_grad():
        return model, (model(x).argmax(-1) == y).float().mean().item()


# ----------------------------------------------------------------------------- gradients against distance


def gradient_vs_distance(
    model: RNN | LSTM, x: torch.Tensor, state: str = "h", seed: int = 0
) -> torch.Tensor:
    """Mean ‖∂L/∂s_t‖ over the batch, against the distance T−1−t to the last step. Returns ``(T,)``.

    L = Σ_b ⟨v_b, h_T,b⟩ with random unit vectors v_b (a stand-in for any loss read at the last
    step), s_t = h_t, or the cell state c_t of an LSTM with ``state="c"``. Index 0 is the last step
    (distance 0), index d is d steps further back. x ``(B, T, I)``. Norms are taken in float64, so
    gradients down to float32's smallest numbers (~1e-38) still give a norm instead of 0.
    """
    if state not in ("h", "c"):
        raise ValueError(f"state 必须是 'h' 或 'c'，收到的是 {state!r}")
    if isinstance(model, LSTM):
        hs, cs, _ = model.run(x)
        targets = hs if state == "h" else cs
    elif isinstance(model, RNN):
        if state == "c":
            raise ValueError("普通 RNN 没有细胞状态：请用 state='h'")
        hs = targets = model.states(x)
    else:
        raise TypeError(f"gradient_vs_distance 要的是 forge_utils.sequence.RNN 或 LSTM，收到的是 {type(model).__name__}")
    generator = torch.Generator().manual_seed(seed)
    v = torch.randn(hs[-1].shape, generator=generator).to(hs[-1].device)
    v = v / v.norm(dim=-1, keepdim=True)
    grads = torch.autograd.grad((hs[-1] * v).sum(), targets, allow_unused=True)
    norms = [torch.zeros((), dtype=torch.float64) if g is None else g.detach().cpu().double().norm(dim=-1).mean() for g in grads]
    return torch.stack(norms).flip(0).detach()


def per_step_factor(norms: torch.Tensor, start: int = 1, stop: int | None = None, floor: float = 1e-30) -> float:
    """Fit norms[d] ≈ C · r^d by least squares on log norms for d in [start, stop); return r.

    r < 1: the gradient shrinks by that factor per step back in time (vanishing);
    r > 1: it grows (exploding). Entries below ``floor`` (underflow to 0) are left out.
    """
    values = torch.as_tensor(norms, dtype=torch.float64).flatten()
    d = torch.arange(len(values), dtype=torch.float64)
    keep = (d >= start) & (values > floor)
    if stop is not None:
        keep &= d < stop
    if int(keep.sum()) < 2:
        raise ValueError("至少要有两个高于 floor 的范数才能拟合每步的倍数：请换一个更短的范围")
    d, logs = d[keep], values[keep].log()
    slope = ((d - d.mean()) * (logs - logs.mean())).sum() / ((d - d.mean()) ** 2).sum()
    return float(slope.exp())


# ----------------------------------------------------------------------------- helpers


def _activation(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation 必须是 {sorted(ACTIVATIONS)} 之一，收到的是 {name!r}")
    return ACTIVATIONS[name]


def _check_inputs(
    x: torch.Tensor, input_size: int, h0: torch.Tensor | None, hidden_size: int, what: str = "h0"
) -> torch.Tensor:
    """Check x ``(B, T, I)`` and the initial state ``(B, H)``; return the state (zeros if None)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x 应该是形状为 (batch, time, {input_size}) 的张量，收到的是 {type(x).__name__}")
    if x.dim() != 3:
        hint = "（只有一条序列？请用 x.unsqueeze(0) 加上批维）" if x.dim() == 2 else ""
        raise ValueError(f"x 的形状应该是 (batch, time, {input_size})，收到的是 {tuple(x.shape)}{hint}")
    if x.shape[2] != input_size:
        raise ValueError(
            f"x 每一步有 {x.shape[2]} 个特征，但这一层建的时候用的是 input_size={input_size}："
            "请检查嵌入的维数，或者用正确的 input_size 建这一层"
        )
    if x.shape[1] == 0:
        raise ValueError("x 没有时间步（shape[1] == 0）")
    if h0 is None:
        return x.new_zeros(x.shape[0], hidden_size)
    if tuple(h0.shape) != (x.shape[0], hidden_size):
        raise ValueError(
            f"{what} 的形状应该是 (batch, hidden) = ({x.shape[0]}, {hidden_size})，收到的是 {tuple(h0.shape)}"
            + ("（这是 nn.RNN 的 (layers, batch, hidden) 排法？请用 h0[0]）" if h0.dim() == 3 else "")
        )
    return h0


def _check_torch_module(module: nn.Module, kind: type) -> None:
    if not isinstance(module, kind):
        raise TypeError(f"要的是 torch 的 {kind.__name__}，收到的是 {type(module).__name__}")
    if module.num_layers != 1 or module.bidirectional or not module.bias:
        raise ValueError(
            f"只能复制单层、单向、带偏置的 {kind.__name__}"
            f"（收到的是 num_layers={module.num_layers}、bidirectional={module.bidirectional}、bias={module.bias}）；"
            "双向的层请把每个方向分别复制到各自的 RNN 里，再用 bidirectional()"
        )


_Module = TypeVar("_Module", bound=nn.Module)


def _copy_weights(target: _Module, source: nn.Module) -> _Module:
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(target, name).copy_(getattr(source, name + "_l0"))
    # cast: torch types a module's attributes as Tensor | Module; weight_ih_l0 is a Parameter
    return target.to(cast(torch.Tensor, source.weight_ih_l0).device)



# ----------------------------------------------------------------------------- a review classifier (06)


def review_ids(texts: list[str], char_index: dict[str, int], maxlen: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Texts → ids ``(N, maxlen)`` padded with 0 and lengths ``(N,)``: the first ``maxlen`` characters,
    ``char_index[ch] + 2`` for a known character, 1 (``<unk>``) for any other; an empty text is one ``<unk>``."""
    ids = torch.zeros(len(texts), maxlen, dtype=torch.long)
    for i, text in enumerate(texts):
        row = [char_index[ch] + 2 if ch in char_index else 1 for ch in text[:maxlen]] or [1]
        ids[i, : len(row)] = torch.tensor(row)
    return ids, (ids > 0).sum(dim=1)


REVIEW_CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


class ReviewRNN(nn.Module):
    """ids ``(B, T)`` padded with 0 and lengths ``(B,)`` → logits ``(B, 2)``: embedding → a recurrent
    layer (``cell``: ``"rnn"``, ``"gru"`` or ``"lstm"``) → one vector per review → linear layer.

    ``pool="last"``: the state at each review's last real character (equal to ``pack_padded_sequence``);
    ``pool="mean"``: the mean of the states over the real characters (every position feeds the output)."""

    def __init__(self, vocab_size: int, embed_dim: int = 32, hidden_size: int = 64, cell: str = "rnn",
                 pool: str = "last") -> None:
        super().__init__()
        if cell not in REVIEW_CELLS or pool not in ("last", "mean"):
            raise ValueError(f"cell 必须是 {sorted(REVIEW_CELLS)} 之一，pool 必须是 'last' 或 'mean'，收到的是 {cell!r}、{pool!r}")
        self.pool = pool
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.rnn = REVIEW_CELLS[cell](embed_dim, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, 2)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        states, _ = self.rnn(self.embed(ids))  # (B, T, H): padded positions are computed too
        if self.pool == "last":
            return self.out(states[torch.arange(len(ids), device=ids.device), lengths - 1])
        real = (torch.arange(ids.shape[1], device=ids.device) < lengths[:, None]).unsqueeze(-1)  # (B, T, 1)
        return self.out((states * real).sum(dim=1) / lengths[:, None])


@torch.no_grad()
def review_scores(model: nn.Module, ids: torch.Tensor, lengths: torch.Tensor, labels: torch.Tensor,
                  batch_size: int = 1024, device: torch.device | str | None = None) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of a review classifier on a labelled set; the model is left in eval mode."""
    model.eval()
    loss = correct = 0.0
    for start in range(0, len(ids), batch_size):
        logits = model(ids[start : start + batch_size].to(device), lengths[start : start + batch_size].to(device))
        y = labels[start : start + batch_size].to(device)
        loss += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(-1) == y).sum().item()
    return loss / len(ids), correct / len(ids)


def train_review_rnn(ids: torch.Tensor, lengths: torch.Tensor, labels: torch.Tensor, vocab_size: int, seed: int,
                     epochs: int = 2, batch_size: int = 256, lr: float = 3e-3,
                     device: torch.device | str | None = None, *, cell: str = "rnn", pool: str = "last",
                     val: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None,
                     patience: int | None = None) -> tuple[ReviewRNN, list[dict[str, float]]]:
    """Adam on shuffled batches ``(ids, lengths, labels)`` (the order seeded by ``seed``, a new order
    every epoch; the last batch of an epoch may be smaller), gradient norm clipped to 1, at most ``epochs``
    epochs. Returns the model and its history: after every epoch ``epoch``, ``train_loss`` and
    ``train_acc`` (the whole training set, measured after the epoch) and, with ``val=(ids, lengths,
    labels)``, ``val_loss`` and ``val_acc``. With ``patience`` (and ``val``), training stops once the
    validation accuracy has not improved for ``patience`` epochs, and the model returned is the one of
    its best epoch (``history[-1]["best_epoch"]``)."""
    if patience is not None and val is None:
        raise ValueError("patience 需要验证集：请传入 val=(ids, lengths, labels)")
    set_seed(seed)
    model = ReviewRNN(vocab_size, cell=cell, pool=pool).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    order = torch.Generator().manual_seed(seed)
    history: list[dict[str, float]] = []
    best_acc, best_epoch, best_state = -1.0, 0, None
    for epoch in range(1, epochs + 1):
        perm = torch.randperm(len(ids), generator=order)
        batches = [(ids[b].to(device), lengths[b].to(device), labels[b].to(device))
                   for b in (perm[start : start + batch_size] for start in range(0, len(ids), batch_size))]
        fit(model, batches, cross_entropy_loss, optimizer, len(batches), clip=1.0)
        row: dict[str, float] = {"epoch": epoch}
        row["train_loss"], row["train_acc"] = review_scores(model, ids, lengths, labels, device=device)
        if val is not None:
            row["val_loss"], row["val_acc"] = review_scores(model, *val, device=device)
            if row["val_acc"] > best_acc:
                best_acc, best_epoch = row["val_acc"], epoch
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            row["best_epoch"] = best_epoch
        history.append(row)
        if patience is not None and epoch - best_epoch >= patience:
            break
    if patience is not None and best_state is not None:
        model.load_state_dict(best_state)
    model.train()
    return model, history
