"""The language models of the thread (文字接龙), trained past the notebooks' minute, with their weights.

    python -m longrun rnn_lstm_lms gpt_lms       # about 11 minutes each on one CPU thread (measured: 668 s, 620 s)

- ``rnn_lstm_lms`` (06, 07): the character RNN and LSTM at the chapters' settings, seeds 0, 1, 2; the
  validation curve every ``EVAL_EVERY`` steps, the test bits per character and the test context curve
  (``bpc_by_context``); then the same networks trained on a history of one character (``<cell>_ctx1``: the
  control for "it uses more than the previous character"); the seed-0 weights of all four.
- ``gpt_lms`` (11): the decoder-only Transformer and an LSTM at chapter 11's settings (the same windows,
  steps and learning rate for both), seeds 0, 1, 2; curves with training seconds, test bits per character,
  context curves; the GPT trained on a history of one character (``gpt_ctx1``); seed-0 weights of all three.

Every figure counts every test character: ``<unk>`` is charged the cost of naming its character
(``forge_utils.lm.CharVocab.unk_nats``). A context-1 control sees the same characters per step
(``BATCH × T_TRAIN`` windows of one character) and is scored on the same test characters.

Every model trains with ``forge_utils.lm.train_lm``, exactly as the notebooks do. A notebook trains the
first steps of seed 0 itself (``train_lm(..., stop_after=n)``: the same schedule, cut short), checks that
its curve agrees with the reference's, then loads the reference's weights for the full run.
"""
from __future__ import annotations

import math
import time

import torch

from forge_utils import set_seed
from forge_utils.gpt import GPT, GPTConfig
from forge_utils.lm import (CONTEXT, bpc_by_context, evaluate_bpc, load_thread_data, nats_per_character, repeat_distance,
                            train_lm, unigram_output_bias)
from forge_utils.sequence import CharLM

SEEDS = (0, 1, 2)

# Notebooks 06 (section 7) and 07 (section 6): keep in step with their cells (load_reference checks).
RNN_LSTM = dict(EMBED=64, HIDDEN=128, STEPS=400, BATCH=128, T_TRAIN=32, LR=2e-2, EVAL_EVERY=50, VAL_WINDOWS=256)
# Notebook 11 (sections 4 and 5).
GPT_LSTM = dict(N_LAYER=1, N_HEAD=4, N_EMBD=96, STEPS=600, BATCH=32, LR=1e-2, CONTEXT=64, VAL_WINDOWS=128,
                EVAL_EVERY=100, LSTM_EMBD=64, LSTM_HIDDEN=128)
# Notebook 11 (section 8): a 2-layer GPT and an LSTM of about the same size (0.6 M parameters), windows of 256
# characters, each at the learning rate a short sweep picks on validation, trained for the same wall time.
BUDGET = dict(SECONDS=240, SWEEP_SECONDS=60, LRS=[3e-3, 1e-2, 3e-2], CONTEXT=256, BATCH=16, VAL_WINDOWS=32, EVALS=8,
              GPT=dict(n_layer=2, n_head=4, n_embd=128), LSTM=dict(embed_dim=64, hidden_size=256), FAR=64)


def curve(history: list[dict], per_eval: float = 0.0) -> dict:
    """The evaluated points of a ``train_lm`` history: steps, characters, validation bpc and training
    seconds (the time of the evaluations themselves taken out, ``per_eval`` each)."""
    rows = [r for r in history if "bpc" in r]
    return {"steps": [r["step"] for r in rows], "chars": [r["chars"] for r in rows], "val_bpc": [r["bpc"] for r in rows],
            "seconds": [r["seconds"] - (i + 1) * per_eval for i, r in enumerate(rows)]}


def timed_eval(model: torch.nn.Module, stream: torch.Tensor, unk_nats: torch.Tensor, context: int, device: str) -> float:
    start = time.perf_counter()
    evaluate_bpc(model, stream, context, device=device, unk_nats=unk_nats)
    return time.perf_counter() - start


def test_figures(model: torch.nn.Module, test: torch.Tensor, unk_nats: torch.Tensor, context: int, device: str) -> dict:
    """Test bits per character on the characters every model of the thread is scored on (windows of
    ``CONTEXT``; a model trained on one character reads one) and, for the others, the context curve."""
    scored = (len(test) - 1) // CONTEXT * CONTEXT + 1  # the same characters as with windows of CONTEXT
    window = 1 if context == 1 else CONTEXT
    figures = {"test_bpc": evaluate_bpc(model, test[:scored], window, device=device, unk_nats=unk_nats[:scored])}
    if context > 1:
        curve = bpc_by_context(model, test, unk_nats=unk_nats, device=device)
        figures["test_bpc_by_context"] = {"contexts": list(curve), "bpc": list(curve.values())}
    return figures


def train_and_score(name: str, seed: int, model: torch.nn.Module, streams: dict, nats: dict, val_windows: int,
                    context: int, steps: int, batch: int, lr: float, eval_every: int, device: str) -> dict:
    """Train one model with ``train_lm`` and return its run: curve, seconds, test figures."""
    val_end = val_windows * CONTEXT + 1
    val, val_nats = streams["val"][:val_end], nats["val"][:val_end]
    model.to(device)
    start_bpc = evaluate_bpc(model, val, context, device=device, unk_nats=val_nats)
    history = train_lm(model, streams["train"], steps, batch_size=batch, context=context, lr=lr, seed=seed,
                       device=device, eval_stream=val, eval_unk_nats=val_nats, eval_every=eval_every, progress=False)
    run = {"model": name, "seed": seed, "start_val_bpc": start_bpc,
           **curve(history, timed_eval(model, val, val_nats, context, device)),
           **test_figures(model, streams["test"], nats["test"], context, device)}
    print(f"  {name:<9} seed {seed}: test {run['test_bpc']:.3f}  {run['seconds'][-1]:.0f} s", flush=True)
    return run


def rnn_lstm_lms(device: str) -> tuple[list[dict], dict]:
    s = RNN_LSTM
    vocab, streams, nats = load_thread_data()
    runs, weights = [], {}
    for seed in SEEDS:
        for cell in ("rnn", "lstm"):
            for context, batch, name in ((s["T_TRAIN"], s["BATCH"], cell), (1, s["BATCH"] * s["T_TRAIN"], f"{cell}_ctx1")):
                set_seed(seed)
                model = CharLM(len(vocab), embed_dim=s["EMBED"], hidden_size=s["HIDDEN"], cell=cell)
                unigram_output_bias(model.out, streams["train"])
                runs.append(train_and_score(name, seed, model, streams, nats, s["VAL_WINDOWS"], context, s["STEPS"],
                                            batch, s["LR"], s["EVAL_EVERY"], device))
                if seed == 0:
                    weights[name] = model
    return runs, weights


def gpt_lms(device: str) -> tuple[list[dict], dict]:
    s = GPT_LSTM
    vocab, streams, nats = load_thread_data()
    runs, weights = [], {}
    for seed in SEEDS:
        for name in ("gpt", "lstm", "gpt_ctx1"):
            torch.manual_seed(seed)
            if name.startswith("gpt"):
                model = GPT(GPTConfig(vocab_size=len(vocab), context=s["CONTEXT"], n_layer=s["N_LAYER"],
                                      n_head=s["N_HEAD"], n_embd=s["N_EMBD"]))
                unigram_output_bias(model.lm_head, streams["train"])
            else:
                model = CharLM(len(vocab), s["LSTM_EMBD"], s["LSTM_HIDDEN"], cell="lstm")
                unigram_output_bias(model.out, streams["train"])
            context, batch = (1, s["BATCH"] * s["CONTEXT"]) if name.endswith("ctx1") else (s["CONTEXT"], s["BATCH"])
            runs.append(train_and_score(name, seed, model, streams, nats, s["VAL_WINDOWS"], context, s["STEPS"],
                                        batch, s["LR"], s["EVAL_EVERY"], device))
            if seed == 0:
                weights[name] = model
    return runs, weights


def budget_model(name: str, vocab_size: int, train: torch.Tensor, seed: int) -> torch.nn.Module:
    s = BUDGET
    torch.manual_seed(seed)
    if name == "gpt":
        model = GPT(GPTConfig(vocab_size=vocab_size, context=s["CONTEXT"], **s["GPT"]))
        unigram_output_bias(model.lm_head, train)
    else:
        model = CharLM(vocab_size, cell="lstm", **s["LSTM"])
        unigram_output_bias(model.out, train)
    return model


def seconds_per_step(name: str, vocab_size: int, train: torch.Tensor, lr: float, device: str) -> float:
    """Training seconds per step of a fresh model (3 steps of warm-up, then the best of 3 runs of 10 steps)."""
    s = BUDGET
    times = []
    for steps in (3, 10, 10, 10):
        model = budget_model(name, vocab_size, train, 0).to(device)
        start = time.perf_counter()
        train_lm(model, train, steps, batch_size=s["BATCH"], context=s["CONTEXT"], lr=lr, device=device, progress=False)
        times.append((time.perf_counter() - start) / steps)
    return min(times[1:])


def lm_budget(device: str) -> tuple[list[dict], dict]:
    """The same wall time for a GPT and an LSTM: a short learning-rate sweep (seed 0, ``SWEEP_SECONDS`` each)
    picks each model's rate on validation; then seeds 0–2 train for ``SECONDS`` each. Test figures: the thread's
    bits per character (windows of 64), windows of 256, and on the characters whose last occurrence in the
    window is at least ``FAR`` positions back (copyable only by reading that far) and on the rest."""
    s = BUDGET
    vocab, streams, nats = load_thread_data()
    train, V = streams["train"], len(vocab)
    val_end = s["VAL_WINDOWS"] * s["CONTEXT"] + 1
    val, val_nats = streams["val"][:val_end], nats["val"][:val_end]
    test, test_nats = streams["test"], nats["test"]
    distance = repeat_distance(test, s["CONTEXT"])
    far, near = distance >= s["FAR"], (distance > 0) & (distance < s["FAR"])
    scored = (len(test) - 1) // CONTEXT * CONTEXT + 1  # the thread's characters (windows of CONTEXT)
    runs = []
    for name in ("gpt", "lstm"):
        pace = seconds_per_step(name, V, train, s["LRS"][0], device)
        sweep = {}
        for lr in s["LRS"]:
            model = budget_model(name, V, train, 0).to(device)
            steps = max(10, int(s["SWEEP_SECONDS"] / pace))
            train_lm(model, train, steps, batch_size=s["BATCH"], context=s["CONTEXT"], lr=lr, device=device, progress=False)
            sweep[lr] = evaluate_bpc(model, val, s["CONTEXT"], device=device, unk_nats=val_nats)
            print(f"  {name:<4} sweep lr {lr:g}: {steps} steps, val {sweep[lr]:.3f}", flush=True)
        lr = min(sweep, key=sweep.__getitem__)
        steps = int(s["SECONDS"] / pace)
        for seed in SEEDS:
            model = budget_model(name, V, train, seed).to(device)
            history = train_lm(model, train, steps, batch_size=s["BATCH"], context=s["CONTEXT"], lr=lr, seed=seed,
                               device=device, eval_stream=val, eval_unk_nats=val_nats,
                               eval_every=max(1, steps // s["EVALS"]), progress=False)
            per_char = nats_per_character(model, test, s["CONTEXT"], device=device, unk_nats=test_nats)
            run = {"model": name, "seed": seed, "lr": lr, "sweep_val_bpc": {str(k): v for k, v in sweep.items()},
                   "seconds_per_step": pace, "parameters": sum(p.numel() for p in model.parameters()),
                   **curve(history, timed_eval(model, val, val_nats, s["CONTEXT"], device)),
                   "test_bpc": evaluate_bpc(model, test[:scored], CONTEXT, device=device, unk_nats=test_nats[:scored]),
                   "test_bpc_window": float(per_char.mean()) / math.log(2),
                   "test_bpc_far": float(per_char[far].mean()) / math.log(2),
                   "test_bpc_near": float(per_char[near].mean()) / math.log(2),
                   "n_far": int(far.sum()), "n_near": int(near.sum()), "n_scored": len(per_char)}
            runs.append(run)
            print(f"  {name:<4} seed {seed}: lr {lr:g}, {steps} steps, {run['seconds'][-1]:.0f} s, test {run['test_bpc']:.3f}"
                  f" (window {run['test_bpc_window']:.3f}, far {run['test_bpc_far']:.3f}, near {run['test_bpc_near']:.3f})",
                  flush=True)
    return runs, {}


# name -> (settings, job): a job trains on `device` and returns (runs, {key: model whose weights to store})
JOBS = {"rnn_lstm_lms": (RNN_LSTM, rnn_lstm_lms), "gpt_lms": (GPT_LSTM, gpt_lms), "lm_budget": (BUDGET, lm_budget)}
