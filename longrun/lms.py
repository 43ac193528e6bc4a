"""The language models of the thread (文字接龙), trained past the notebooks' minute, with their weights.

    python -m longrun rnn_lstm_lms gpt_lms       # about 7 minutes on 2 CPU cores

- ``rnn_lstm_lms`` (06, 07): the character RNN and LSTM at the chapters' settings, seeds 0, 1, 2; the
  validation curve every ``EVAL_EVERY`` steps, the test bits per character; the seed-0 weights of both.
- ``gpt_lms`` (11): the decoder-only Transformer and an LSTM at chapter 11's settings (the same windows,
  steps and learning rate for both), seeds 0, 1, 2; curves with training seconds, test bits per character;
  the seed-0 weights of the GPT.

Every model trains with ``forge_utils.lm.train_lm``, exactly as the notebooks do. A notebook trains the
first steps of seed 0 itself (``train_lm(..., stop_after=n)``: the same schedule, cut short), checks that
its curve agrees with the reference's, then loads the reference's weights for the full run.
"""
from __future__ import annotations

import time

import torch

from forge_utils import set_seed
from forge_utils.gpt import GPT, GPTConfig
from forge_utils.lm import evaluate_bpc, load_thread_data, train_lm, unigram_output_bias
from forge_utils.sequence import CharLM

SEEDS = (0, 1, 2)

# Notebooks 06 (section 7) and 07 (section 6): keep in step with their cells (load_reference checks).
RNN_LSTM = dict(EMBED=64, HIDDEN=128, STEPS=400, BATCH=128, T_TRAIN=32, LR=2e-2, EVAL_EVERY=50, VAL_WINDOWS=256)
# Notebook 11 (sections 4 and 5).
GPT_LSTM = dict(N_LAYER=1, N_HEAD=4, N_EMBD=96, STEPS=600, BATCH=32, LR=1e-2, CONTEXT=64, VAL_WINDOWS=128,
                EVAL_EVERY=100, LSTM_EMBD=64, LSTM_HIDDEN=128)


def curve(history: list[dict], per_eval: float = 0.0) -> dict:
    """The evaluated points of a ``train_lm`` history: steps, characters, validation bpc and training
    seconds (the time of the evaluations themselves taken out, ``per_eval`` each)."""
    rows = [r for r in history if "bpc" in r]
    return {"steps": [r["step"] for r in rows], "chars": [r["chars"] for r in rows], "val_bpc": [r["bpc"] for r in rows],
            "seconds": [r["seconds"] - (i + 1) * per_eval for i, r in enumerate(rows)]}


def timed_eval(model: torch.nn.Module, stream: torch.Tensor, device: str) -> float:
    start = time.perf_counter()
    evaluate_bpc(model, stream, device=device)
    return time.perf_counter() - start


def rnn_lstm_lms(device: str) -> tuple[list[dict], dict]:
    s = RNN_LSTM
    vocab, streams = load_thread_data()
    val = streams["val"][: s["VAL_WINDOWS"] * 64 + 1]
    runs, weights = [], {}
    for seed in SEEDS:
        for cell in ("rnn", "lstm"):
            set_seed(seed)
            model = CharLM(len(vocab), embed_dim=s["EMBED"], hidden_size=s["HIDDEN"], cell=cell).to(device)
            unigram_output_bias(model.out, streams["train"])
            start_bpc = evaluate_bpc(model, val, device=device)
            history = train_lm(model, streams["train"], s["STEPS"], batch_size=s["BATCH"], context=s["T_TRAIN"],
                               lr=s["LR"], seed=seed, device=device, eval_stream=val, eval_every=s["EVAL_EVERY"],
                               progress=False)
            run = {"model": cell, "seed": seed, "start_val_bpc": start_bpc,
                   **curve(history, timed_eval(model, val, device)),
                   "test_bpc": evaluate_bpc(model, streams["test"], device=device)}
            runs.append(run)
            print(f"  {cell:<4} seed {seed}: test {run['test_bpc']:.3f}  {run['seconds'][-1]:.0f} s", flush=True)
            if seed == 0:
                weights[cell] = model
    return runs, weights


def gpt_lms(device: str) -> tuple[list[dict], dict]:
    s = GPT_LSTM
    vocab, streams = load_thread_data()
    train, val = streams["train"], streams["val"][: s["VAL_WINDOWS"] * s["CONTEXT"] + 1]
    runs, weights = [], {}
    for seed in SEEDS:
        for name in ("gpt", "lstm"):
            torch.manual_seed(seed)
            if name == "gpt":
                model = GPT(GPTConfig(vocab_size=len(vocab), context=s["CONTEXT"], n_layer=s["N_LAYER"],
                                      n_head=s["N_HEAD"], n_embd=s["N_EMBD"]))
                unigram_output_bias(model.lm_head, train)
            else:
                model = CharLM(len(vocab), s["LSTM_EMBD"], s["LSTM_HIDDEN"], cell="lstm")
                unigram_output_bias(model.out, train)
            model.to(device)
            history = train_lm(model, train, s["STEPS"], batch_size=s["BATCH"], context=s["CONTEXT"], lr=s["LR"],
                               seed=seed, device=device, eval_stream=val, eval_every=s["EVAL_EVERY"], progress=False)
            run = {"model": name, "seed": seed, **curve(history, timed_eval(model, val, device)),
                   "test_bpc": evaluate_bpc(model, streams["test"], device=device)}
            runs.append(run)
            print(f"  {name:<4} seed {seed}: test {run['test_bpc']:.3f}  {run['seconds'][-1]:.0f} s", flush=True)
            if seed == 0 and name == "gpt":
                weights[name] = model
    return runs, weights


# name -> (settings, job): a job trains on `device` and returns (runs, {key: model whose weights to store})
JOBS = {"rnn_lstm_lms": (RNN_LSTM, rnn_lstm_lms), "gpt_lms": (GPT_LSTM, gpt_lms)}
