"""Seeds 0, 1 and 2 of the experiments that notebooks 03, 04, 06, 07 and 09 show over three seeds.

    python -m longrun word2vec_zh_seeds memory_seeds      # some of them (all five: about 17 minutes on 2 cores; reviews_seeds is 13 of them)

Each notebook trains seed 0 itself; training seeds 1 and 2 as well would take it past its minute. These
jobs train every seed with the package's functions at the notebooks' settings; a notebook reads the
reference with ``forge_utils.reference.load_reference``, which refuses a file made with other settings,
and shows seeds 1 and 2 beside its own run.

- ``word2vec_zh_seeds`` (03): the course's SGNS, gensim skip-gram and gensim CBOW on 3,000 lines of
  People's Daily; accuracy on the course's Chinese analogies and word groups.
- ``glove_zh_seeds`` (04): the course's GloVe and gensim skip-gram on the same lines and tests.
- ``reviews_seeds`` (06): review classifiers on the first 64 characters (RNN, mean-pooled RNN, GRU, LSTM),
  each trained until its validation accuracy stops improving: curves per epoch, test figures, seed-0 weights.
- ``memory_seeds`` (07): the memory task, RNN and LSTM (two forget-gate biases) at T = 30 and 100.
- ``translation_seeds`` (09): the toy zh→en Transformer, exact match (greedy and beam 4) and token accuracy on
  its three test sets.
"""
from __future__ import annotations

import time
from collections import Counter

import torch

from forge_utils import set_seed
from forge_utils.data import load_online_reviews, load_peoples_daily, load_zh_en_toy, load_zh_word_tests
from forge_utils.device import one_thread
from forge_utils.embeddings import (WordVectors, analogy_accuracy, analogy_questions, encode_corpus,
                                    group_accuracy, train_gensim_word2vec, train_sgns)
from forge_utils.glove import build_vocab, cooccurrence_matrix, train_glove
from forge_utils.sequence import review_ids, review_scores, train_memory_reader, train_review_rnn
from forge_utils.text import Vocab
from forge_utils.transformer import Seq2SeqTransformer
from forge_utils.translation import encode_pairs, evaluate_translation, train_seq2seq

SEEDS = (0, 1, 2)

# The notebooks' settings: keep in step with their cells (load_reference checks them there).
WORD2VEC_ZH = dict(N_LINES=3000, min_count=5, dim=50, window=5, negative=5, epochs=5, sample=1e-3, lr=0.025,
                   batch_size=4096)                                                    # 03, section 7
GLOVE_ZH = dict(N_LINES=3000, min_count=5, window=5, dim=50, glove_epochs=10, glove_lr=0.05, x_max=10)  # 04, section 6
MEMORY = dict(K=4, STEPS=240, BATCH=128, LR=1e-2, H=32,                                # 07, section 4
              MODELS={"rnn": ["rnn", None, None, [30, 100]], "lstm_bf5": ["lstm", 5.0, -5.0, [30, 100]],
                      "lstm_bf1": ["lstm", 1.0, None, [30]]})
REVIEWS = dict(MAXLEN=64, N_CHARS=2000, MAX_EPOCHS=20, PATIENCE=3, batch_size=256, lr=3e-3,  # 06, section 8
               MODELS={"rnn": ["rnn", "last"], "rnn_mean": ["rnn", "mean"], "gru": ["gru", "last"],
                       "lstm": ["lstm", "last"]})
TRANSLATION = dict(config=dict(d_model=64, num_heads=4, num_layers=2, d_ff=128, max_len=32),  # 09, section 6
                   steps=200, batch_size=64, lr=2e-3, warmup=30, beam=4)


def score_seeds(trainers: dict) -> list[dict]:
    """Train each ``{model: seed -> WordVectors}`` on every seed; score it on the course's Chinese tests."""
    tests = load_zh_word_tests()
    questions = [q for pairs in tests.analogies.values() for q in analogy_questions(pairs)]
    runs = []
    for seed in SEEDS:
        for model, train in trainers.items():
            start = time.perf_counter()
            wv = train(seed)
            seconds = time.perf_counter() - start
            (analogy, _), (grouped, _, _) = analogy_accuracy(wv, questions), group_accuracy(wv, tests.groups)
            runs.append({"model": model, "seed": seed, "seconds": seconds, "analogy": analogy, "groups": grouped})
    return runs


def word2vec_zh(device: str) -> tuple[list[dict], dict]:
    s = WORD2VEC_ZH
    sentences = [list(line) for line in load_peoples_daily("train")[: s["N_LINES"]]]
    vocab = Vocab.build(sentences, min_freq=s["min_count"], specials=(), unknown="error")
    corpus = encode_corpus(sentences, vocab)
    shared = {k: s[k] for k in ("dim", "window", "negative", "epochs", "sample")}
    trainers = {
        "course": lambda seed: WordVectors(train_sgns(corpus, lr=s["lr"], batch_size=s["batch_size"], seed=seed,
                                                      device=device, progress=False, **shared)[0].vectors, vocab),
        "gensim_sg": lambda seed: train_gensim_word2vec(sentences, 1, seed, min_count=s["min_count"], **shared),
        "gensim_cbow": lambda seed: train_gensim_word2vec(sentences, 0, seed, min_count=s["min_count"], **shared),
    }
    return score_seeds(trainers), {}


def glove_zh(device: str) -> tuple[list[dict], dict]:
    s = GLOVE_ZH
    news = [list(line) for line in load_peoples_daily("train")[: s["N_LINES"]]]
    words = build_vocab(news, min_count=s["min_count"])
    X = cooccurrence_matrix(news, words, window=s["window"])
    trainers = {
        "course": lambda seed: WordVectors(train_glove(X, dim=s["dim"], epochs=s["glove_epochs"], lr=s["glove_lr"],
                                                       x_max=s["x_max"], seed=seed, device=device).vectors, words),
        "gensim_sg": lambda seed: train_gensim_word2vec(news, 1, seed, dim=s["dim"], window=s["window"],
                                                        min_count=s["min_count"]),
    }
    return score_seeds(trainers), {}


def memory(device: str) -> tuple[list[dict], dict]:
    s = MEMORY
    runs = []
    with one_thread():  # as notebook 07: these matrices are tiny
        for model, (kind, forget, input_bias, lengths) in s["MODELS"].items():
            for length in lengths:
                for seed in SEEDS:
                    _, accuracy = train_memory_reader(kind, length, seed, forget_bias=forget, input_bias=input_bias,
                                                      steps=s["STEPS"], batch_size=s["BATCH"], lr=s["LR"],
                                                      hidden=s["H"], num_symbols=s["K"], device=device)
                    runs.append({"model": model, "length": length, "seed": seed, "accuracy": accuracy})
    return runs, {}


def reviews(device: str) -> tuple[list[dict], dict]:
    """06's review classifiers: each kind × seed trained until the validation accuracy stops improving
    (``PATIENCE`` epochs, at most ``MAX_EPOCHS``); the curves per epoch and the test figures of the best epoch."""
    s = REVIEWS
    rows = {split: load_online_reviews(split) for split in ("train", "val", "test")}
    counts = Counter(ch for text, _ in rows["train"] for ch in text)
    char_index = {ch: i for i, (ch, _) in enumerate(counts.most_common(s["N_CHARS"]))}
    data = {split: (*review_ids([t for t, _ in r], char_index, s["MAXLEN"]), torch.tensor([y for _, y in r]))
            for split, r in rows.items()}
    runs, weights = [], {}
    for seed in SEEDS:
        for name, (cell, pool) in s["MODELS"].items():
            start = time.perf_counter()
            model, history = train_review_rnn(*data["train"], vocab_size=s["N_CHARS"] + 2, seed=seed,
                                              epochs=s["MAX_EPOCHS"], batch_size=s["batch_size"], lr=s["lr"],
                                              device=device, cell=cell, pool=pool, val=data["val"],
                                              patience=s["PATIENCE"])
            test_loss, test_acc = review_scores(model, *data["test"], device=device)
            runs.append({"model": name, "seed": seed, "history": history, "best_epoch": history[-1]["best_epoch"],
                         "test_loss": test_loss, "test_acc": test_acc, "seconds": time.perf_counter() - start})
            print(f"  {name:<9} seed {seed}: best epoch {history[-1]['best_epoch']:>2}, test {test_acc:.3f}", flush=True)
            if seed == 0:
                weights[name] = model
    return runs, weights


def translation(device: str) -> tuple[list[dict], dict]:
    s = TRANSLATION
    splits = {name: load_zh_en_toy(name) for name in ("train", "random", "combination", "longer")}
    src_vocab = Vocab.build([zh for zh, _ in splits["train"]], unknown="error")
    tgt_vocab = Vocab.build([en for _, en in splits["train"]], unknown="error")
    src, tgt = encode_pairs(splits["train"], src_vocab, tgt_vocab, device=device)
    tests = {name: encode_pairs(pairs, src_vocab, tgt_vocab, device=device)
             for name, pairs in splits.items() if name != "train"}
    runs = []
    with one_thread():  # as notebook 09
        for seed in SEEDS:
            set_seed(seed)
            model = Seq2SeqTransformer(len(src_vocab), len(tgt_vocab), **s["config"]).to(device)
            train_seq2seq(model, src, tgt, steps=s["steps"], batch_size=s["batch_size"], lr=s["lr"],
                          warmup=s["warmup"], seed=seed, progress=False)
            scores = {name: evaluate_translation(model, x, y, tgt_vocab.bos_id, tgt_vocab.eos_id)
                      for name, (x, y) in tests.items()}
            for name, (x, y) in tests.items():   # the same model decoded with beam search (09, greedy vs beam)
                beamed = evaluate_translation(model, x, y, tgt_vocab.bos_id, tgt_vocab.eos_id, beam=s["beam"])
                scores[name][f"exact_match_beam{s['beam']}"] = beamed["exact_match"]
            runs.append({"seed": seed, "scores": scores})
    return runs, {}


# name -> (settings, job): a job trains on `device` and returns (runs, weights to store: {} here)
JOBS = {"word2vec_zh_seeds": (WORD2VEC_ZH, word2vec_zh), "glove_zh_seeds": (GLOVE_ZH, glove_zh),
        "memory_seeds": (MEMORY, memory), "reviews_seeds": (REVIEWS, reviews),
        "translation_seeds": (TRANSLATION, translation)}
