"""The character RNN of notebook 06 and the LSTM of notebook 07 at their own settings, seeds 0, 1, 2.

    .venv/bin/python benchmarks/bench_rnn_lstm.py                 # writes benchmarks/rnn_lstm_seeds.json
    .venv/bin/python benchmarks/bench_rnn_lstm.py --device cuda

Each notebook trains seed 0 itself (about 20 s on 2 CPU cores); training all six runs would take the
notebooks past their time budget. This script trains every (cell, seed) with ``forge_utils.lm.train_lm``
exactly as the notebooks do and records the test bits per character. Notebooks 06 and 07 read the JSON,
check that its settings are their own and that its seed 0 matches the run in the notebook, and put
seeds 1 and 2 beside it.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from forge_utils import set_seed
from forge_utils.device import numerics_fingerprint
from forge_utils.lm import evaluate_bpc, load_thread_data, train_lm, unigram_output_bias
from forge_utils.sequence import CharLM

# The settings of notebooks 06 (section 7) and 07 (section 6): keep in step with their cells.
EMBED, HIDDEN, STEPS, BATCH, T_TRAIN, LR = 64, 128, 400, 128, 32, 2e-2
OUT = Path(__file__).resolve().parent / "rnn_lstm_seeds.json"


def run(cell: str, seed: int, streams: dict, V: int, device: str) -> dict:
    set_seed(seed)
    model = CharLM(V, embed_dim=EMBED, hidden_size=HIDDEN, cell=cell).to(device)
    unigram_output_bias(model.out, streams["train"])
    start = time.perf_counter()
    train_lm(model, streams["train"], STEPS, batch_size=BATCH, context=T_TRAIN, lr=LR, seed=seed, device=device,
             progress=False)
    seconds = time.perf_counter() - start
    return {"cell": cell, "seed": seed, "seconds": seconds, "test_bpc": evaluate_bpc(model, streams["test"], device=device)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    vocab, streams = load_thread_data()
    results = {"script": "benchmarks/bench_rnn_lstm.py", "settings": dict(EMBED=EMBED, HIDDEN=HIDDEN, STEPS=STEPS, BATCH=BATCH, T_TRAIN=T_TRAIN, LR=LR,
                                device=args.device, threads=torch.get_num_threads(),
                                machine=numerics_fingerprint(args.device)), "runs": []}
    for seed in args.seeds:
        for cell in ("rnn", "lstm"):
            row = run(cell, seed, streams, len(vocab), args.device)
            results["runs"].append(row)
            print(f"{cell:<4} seed {seed}: test {row['test_bpc']:.3f}  {row['seconds']:.1f} s", flush=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
