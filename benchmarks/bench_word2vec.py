"""Benchmark: the course's SGNS (forge_utils.embeddings.train_sgns) against gensim's Word2Vec.

Same corpus (gensim's bundled Wikipedia extract, ≈450 k tokens, cut into 1,000-token chunks),
same vocabulary (min_count 5), epochs, window, dimension, negatives, subsampling and learning
rate. Reports the wall time of each, their ratio and the WordSim-353 Spearman correlation of each
(gensim's evaluator, the same covered pairs). Goal: within 3× gensim's time on 2 CPU cores at equal
or better Spearman; on CUDA, faster than gensim.

    .venv/bin/python benchmarks/bench_word2vec.py                 # 2 threads, 3 seeds, CPU
    .venv/bin/python benchmarks/bench_word2vec.py --device cuda   # the course's trainer on the GPU

Takes a few minutes on 2 cores. ``OMP_WAIT_POLICY=PASSIVE`` is set (unless already set) before
torch is imported: with the default busy-waiting OpenMP threads, a CPU shared with other work
makes torch's small batched ops many times slower, which measures the machine, not the code.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from gensim.corpora import WikiCorpus  # noqa: E402
from gensim.models import Word2Vec  # noqa: E402

from forge_utils.data import gensim_path  # noqa: E402
from forge_utils.embeddings import WordVectors, encode_corpus, train_sgns  # noqa: E402
from forge_utils.text import Vocab  # noqa: E402

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
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--device", default="cpu", help="device of the course's trainer (cpu, cuda, mps)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    sentences = load_sentences()
    vocab = Vocab.build(sentences, min_freq=5, specials=(), unknown="error")
    corpus = encode_corpus(sentences, vocab)
    wordsim = str(gensim_path("wordsim353.tsv"))
    print(f"corpus: {len(corpus):,} tokens in {len(sentences)} chunks, V = {len(vocab):,}; "
          f"dim {args.dim}, window {args.window}, negative {args.negative}, epochs {args.epochs}, sample 1e-3")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at start; torch threads / gensim workers: {args.threads}; "
          f"course trainer on {device.type}; OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}")

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
                         negative=args.negative, epochs=args.epochs, sample=1e-3, alpha=0.025, min_alpha=1e-4,
                         seed=seed, workers=args.threads)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert len(model.wv) == len(vocab), "gensim and the course built different vocabularies"
        return seconds, float(model.wv.evaluate_word_pairs(wordsim)[1].statistic), cpu

    rows: dict[str, list[tuple[float, float, float]]] = {"course SGNS (torch)": [], "gensim sg=1": [], "gensim sg=0": []}
    for k, seed in enumerate(args.seeds):
        # alternate the order so that changing load on a shared machine hits both alike
        runs = [("course SGNS (torch)", lambda: run_course(seed)), ("gensim sg=1", lambda: run_gensim(seed, 1))]
        for name, run in runs if k % 2 == 0 else runs[::-1]:
            rows[name].append(run())
            wall, rho, cpu = rows[name][-1]
            print(f"  seed {seed} {name:<20} {wall:6.1f} s wall {cpu:6.1f} s CPU  Spearman {rho:.3f}", flush=True)
        rows["gensim sg=0"].append(run_gensim(seed, 0))

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
