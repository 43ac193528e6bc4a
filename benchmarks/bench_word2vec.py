"""Benchmark: the course's SGNS (forge_utils.embeddings.train_sgns) against gensim's Word2Vec.

Same corpus (gensim's bundled Wikipedia extract, ≈450 k tokens, cut into 1,000-token chunks),
same vocabulary (min_count 5), epochs, window, dimension, negatives, subsampling and learning
rate. Reports the wall time of each, their ratio and the WordSim-353 Spearman correlation of each
(gensim's evaluator, the same covered pairs). Goal: within 3× gensim's time on 2 CPU cores at equal
or better Spearman; on CUDA, faster than gensim.

    .venv/bin/python benchmarks/bench_word2vec.py                 # 2 threads, 3 seeds, CPU
    .venv/bin/python benchmarks/bench_word2vec.py --device cuda   # the course's trainer on the GPU

Takes a few minutes on 2 cores. Every training run is a fresh Python process, so that neither
trainer shares the CPU with the other's idle threads (torch's OpenMP threads keep spinning for a
while after each op and slowed gensim's workers by ≈ 30 % when both ran in one process). On a CPU
shared with other work, set ``OMP_WAIT_POLICY=PASSIVE``: busy-waiting threads then make torch's
small batched ops many times slower, which measures the machine, not the code.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from gensim.corpora import WikiCorpus  # noqa: E402
from gensim.models import Word2Vec  # noqa: E402

from forge_utils.data import gensim_path  # noqa: E402
from forge_utils.embeddings import WordVectors, encode_corpus, train_sgns  # noqa: E402
from forge_utils.text import Vocab  # noqa: E402

MODELS = ("course SGNS (torch)", "gensim sg=1", "gensim sg=0")
WIKI = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"


def load_sentences(chunk: int = 1000) -> list[list[str]]:
    """The Wikipedia extract as lower-case token lists of at most ``chunk`` tokens."""
    articles = list(WikiCorpus(str(gensim_path(WIKI)), dictionary={}, processes=1).get_texts())
    return [a[i : i + chunk] for a in articles for i in range(0, len(a), chunk)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="torch threads and gensim workers")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--dim", type=int, default=50)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=4096)  # as notebook 03
    parser.add_argument("--device", default="cpu", help="device of the course's trainer (cpu, cuda, mps)")
    parser.add_argument("--only", choices=MODELS, help=argparse.SUPPRESS)  # one run, in a child process
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only is None:
        return compare(args)

    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    sentences = load_sentences()
    vocab = Vocab.build(sentences, min_freq=5, specials=(), unknown="error")
    corpus = encode_corpus(sentences, vocab)
    wordsim = str(gensim_path("wordsim353.tsv"))
    print(f"corpus: {len(corpus):,} tokens in {len(sentences)} chunks, V = {len(vocab):,}; "
          f"dim {args.dim}, window {args.window}, negative {args.negative}, epochs {args.epochs}, sample 1e-3")

    def run_course(seed: int) -> tuple[float, float, float]:
        if device.type == "cuda":
            torch.cuda.synchronize()
        start, cpu = time.perf_counter(), time.process_time()
        model, _ = train_sgns(corpus, dim=args.dim, window=args.window, negative=args.negative, epochs=args.epochs,
                              batch_size=args.batch_size, seed=seed, device=device, progress=False)
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        rho = WordVectors(model.vectors, vocab).to_gensim().evaluate_word_pairs(wordsim)[1].statistic
        return seconds, float(rho), cpu

    def run_gensim(seed: int, sg: int) -> tuple[float, float, float]:
        start, cpu = time.perf_counter(), time.process_time()
        model = Word2Vec(sentences, vector_size=args.dim, window=args.window, min_count=5, sg=sg,
                         negative=args.negative, epochs=args.epochs, sample=1e-3, alpha=0.025 if sg else 0.05, min_alpha=1e-4,
                         seed=seed, workers=args.threads)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert len(model.wv) == len(vocab), "gensim and the course built different vocabularies"
        return seconds, float(model.wv.evaluate_word_pairs(wordsim)[1].statistic), cpu

    if args.only == MODELS[0]:
        result = run_course(args.seed)
    else:
        result = run_gensim(args.seed, sg=int(args.only[-1]))
    print("FORGE_RESULT " + json.dumps(result))


def run_child(args: argparse.Namespace, name: str, seed: int) -> tuple[float, float, float]:
    """Run one training in a fresh process → (wall seconds, Spearman, CPU seconds)."""
    flags = ["--threads", str(args.threads), "--epochs", str(args.epochs), "--dim", str(args.dim),
             "--window", str(args.window), "--negative", str(args.negative), "--batch-size", str(args.batch_size),
             "--device", args.device, "--only", name, "--seed", str(seed)]
    out = subprocess.run([sys.executable, __file__, *flags], capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("FORGE_RESULT "))
    if seed == args.seeds[0] and name == MODELS[0]:
        print(next(line for line in out.splitlines() if line.startswith("corpus:")))
    return tuple(json.loads(line.split(" ", 1)[1]))


def compare(args: argparse.Namespace) -> None:
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at start; torch threads / gensim workers: {args.threads}; "
          f"course trainer on {args.device}; batch {args.batch_size}; "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'default')}; each run in its own process")
    rows: dict[str, list[tuple[float, float, float]]] = {name: [] for name in MODELS}
    for k, seed in enumerate(args.seeds):
        # alternate the order so that changing load on a shared machine hits both alike
        order = MODELS[:2] if k % 2 == 0 else MODELS[1::-1]
        for name in (*order, MODELS[2]):
            rows[name].append(run_child(args, name, seed))
            wall, rho, cpu = rows[name][-1]
            print(f"  seed {seed} {name:<20} {wall:6.1f} s wall {cpu:6.1f} s CPU  Spearman {rho:.3f}", flush=True)

    wall_ref = statistics.median(r[0] for r in rows["gensim sg=1"])
    cpu_ref = statistics.median(r[2] for r in rows["gensim sg=1"])
    print(f"\n| model | median wall (s) | wall / gensim sg=1 | median CPU (s) | CPU / gensim sg=1 "
          f"| WordSim-353 Spearman (mean ± sd, {len(args.seeds)} seeds) |")
    print("|---|---|---|---|---|---|")
    for name, results in rows.items():
        wall = statistics.median(r[0] for r in results)
        cpu = statistics.median(r[2] for r in results)
        rhos = [r[1] for r in results]
        spread = statistics.stdev(rhos) if len(rhos) > 1 else 0.0
        print(f"| {name} | {wall:.1f} | {wall / wall_ref:.2f}× | {cpu:.1f} | {cpu / cpu_ref:.2f}× "
              f"| {statistics.mean(rhos):.3f} ± {spread:.3f} |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
