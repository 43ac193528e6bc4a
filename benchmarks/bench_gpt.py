"""GPT vs LSTM at notebook 11's settings, seeds 0, 1 and 2 (about 2.5 minutes on 2 CPU cores).

    .venv/bin/python benchmarks/bench_gpt.py                 # seeds 0 1 2, writes benchmarks/gpt_seeds.json
    .venv/bin/python benchmarks/bench_gpt.py --device cuda

Each (model, seed) trains in this process with ``forge_utils.lm.train_lm`` exactly as the notebook does
(same sizes, steps, batch, learning rate, windows) and records the validation-subset curve, the training
seconds (evaluation time subtracted) and the test bits per character. Notebook 11 reads the JSON and checks
that these settings are its own. It trains the GPT of seed 0 itself and checks that its curve equals the
file's; the LSTM's curves (all seeds) and the GPT's seeds 1 and 2 come from the file. The notebook does not
use the seconds recorded here: it times both models side by side on the reader's machine.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from forge_utils.device import numerics_fingerprint
from forge_utils.gpt import GPT, GPTConfig
from forge_utils.lm import evaluate_bpc, load_thread_data, train_lm, unigram_output_bias
from forge_utils.sequence import CharLM

# Notebook 11's settings (keep in step with its section 4 and 5 cells).
N_LAYER, N_HEAD, N_EMBD, STEPS, BATCH, LR = 1, 4, 96, 600, 32, 1e-2
LSTM_EMBD, LSTM_HIDDEN = 64, 128
CONTEXT, VAL_WINDOWS = 64, 128
OUT = Path(__file__).resolve().parent / "gpt_seeds.json"


def run(name: str, seed: int, streams: dict, V: int, device: str) -> dict:
    train, val, test = streams["train"], streams["val"][: VAL_WINDOWS * CONTEXT + 1], streams["test"]
    torch.manual_seed(seed)
    if name == "GPT":
        model = GPT(GPTConfig(vocab_size=V, context=CONTEXT, n_layer=N_LAYER, n_head=N_HEAD, n_embd=N_EMBD))
        unigram_output_bias(model.lm_head, train)
    else:
        model = CharLM(V, LSTM_EMBD, LSTM_HIDDEN, cell="lstm")   # = notebook 11's LSTMLM, parameter for parameter
        unigram_output_bias(model.out, train)
    model.to(device)
    history = train_lm(model, train, STEPS, batch_size=BATCH, context=CONTEXT, lr=LR, seed=seed, device=device,
                       eval_stream=val, eval_every=STEPS // 6, progress=False)
    start = time.perf_counter()
    evaluate_bpc(model, val, device=device)
    per_eval = time.perf_counter() - start
    rows = [r for r in history if "bpc" in r]
    return {"model": name, "seed": seed, "chars": [r["chars"] for r in rows], "bpc": [r["bpc"] for r in rows],
            "seconds": [r["seconds"] - (i + 1) * per_eval for i, r in enumerate(rows)],
            "test_bpc": evaluate_bpc(model, test, device=device)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--models", nargs="+", default=["GPT", "LSTM"], choices=["GPT", "LSTM"])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    vocab, streams = load_thread_data()
    results = json.loads(args.out.read_text()) if args.out.exists() else {"runs": []}
    results["script"] = "benchmarks/bench_gpt.py"
    results["settings"] = dict(N_LAYER=N_LAYER, N_HEAD=N_HEAD, N_EMBD=N_EMBD, STEPS=STEPS, BATCH=BATCH, LR=LR,
                               LSTM_EMBD=LSTM_EMBD, LSTM_HIDDEN=LSTM_HIDDEN, device=args.device,
                               threads=torch.get_num_threads(), machine=numerics_fingerprint(args.device))
    for seed in args.seeds:
        for name in args.models:
            row = run(name, seed, streams, len(vocab), args.device)
            results["runs"] = [r for r in results["runs"] if (r["model"], r["seed"]) != (name, seed)] + [row]
            print(f"{name:<5} seed {seed}: val {row['bpc'][-1]:.3f}  test {row['test_bpc']:.3f}  "
                  f"{row['seconds'][-1]:.1f} s", flush=True)
            args.out.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
