"""Self-checks for notebook 05 (pretrained vectors lab).

The checks build a small random ``KeyedVectors`` (200 words, vectors of very different lengths)
so that common mistakes — not skipping unknown words, summing instead of averaging, forgetting to
normalise, returning an input word — give a different answer than the right one.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from forge_utils.exercises import Result, call_safely, compare_arrays, failed, passed, report

if TYPE_CHECKING:
    from gensim.models import KeyedVectors


def _toy_vectors(seed: int = 0) -> KeyedVectors:
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(200)]
    vectors = rng.standard_normal((200, 10)) * rng.uniform(0.2, 5.0, size=(200, 1))  # lengths vary a lot
    kv = KeyedVectors(vector_size=10)
    kv.add_vectors(words, vectors.astype(np.float32))
    return kv


def check_mean_sentence_vector(mean_sentence_vector: Callable) -> Result:
    """``mean_sentence_vector(tokens, kv)``: average of the known tokens' vectors, unknown ones skipped."""
    kv = _toy_vectors()
    cases = [["w1", "w2", "w3"], ["w5", "unknown-word", "w7"], ["w9", "w9", "w4"]]
    for tokens in cases:
        got: Any  # the student's answer, whatever it is: np.shape below reads the shape of anything
        got, error = call_safely(mean_sentence_vector, list(tokens), kv, what=f"`mean_sentence_vector({tokens}, kv)`")
        if error:
            return report(failed(error))
        known = [t for t in tokens if t in kv.key_to_index]
        want = np.mean([kv[t] for t in known], axis=0)
        result = compare_arrays(got, want, f"`mean_sentence_vector({tokens})`", atol=1e-5)
        if not result:
            values = np.asarray(got, dtype=float) if np.shape(got) == want.shape else None
            if values is not None and np.allclose(values, want * len(known), atol=1e-4):
                return report(failed(f"对 {tokens}，你返回的是向量之和：还要除以已知词的个数"))
            if values is not None and len(known) < len(tokens) and np.allclose(values, want * len(known) / len(tokens), atol=1e-4):
                return report(failed(f"对 {tokens}，你除以了全部 {len(tokens)} 个词元：要跳过未知词"
                                     f"（它们不在 kv.key_to_index 里），除以 {len(known)} 个已知词"))
            return report(result)
    return report(passed("对已知词的向量取平均，并跳过了未知词"))


def _reference_analogy(kv: KeyedVectors, a: str, b: str, c: str, normalise: bool = True, exclude: bool = True) -> str:
    vectors = kv.vectors.astype(np.float64)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    table = unit if normalise else vectors
    ids = [kv.key_to_index[w] for w in (a, b, c)]
    query = table[ids[1]] - table[ids[0]] + table[ids[2]]
    scores = unit @ (query / np.linalg.norm(query))
    if exclude:
        scores[ids] = -np.inf
    return kv.index_to_key[int(np.argmax(scores))]


def check_solve_analogy(solve_analogy: Callable) -> Result:
    """``solve_analogy(kv, a, b, c)`` → the word d for a : b :: c : d by 3CosAdd, inputs excluded."""
    kv = _toy_vectors(1)
    rng = np.random.default_rng(2)
    triples = [tuple(f"w{i}" for i in rng.choice(200, size=3, replace=False)) for _ in range(25)]
    for a, b, c in triples:
        got, error = call_safely(solve_analogy, kv, a, b, c, what=f"`solve_analogy(kv, {a!r}, {b!r}, {c!r})`")
        if error:
            return report(failed(error))
        want = _reference_analogy(kv, a, b, c)
        if got == want:
            continue
        if isinstance(got, (tuple, list)):
            return report(failed(f"`solve_analogy` 应该返回一个词（str），实际得到 {type(got).__name__} {got!r}"))
        if got in (a, b, c):
            return report(failed(f"`solve_analogy(kv, {a!r}, {b!r}, {c!r})` 返回了输入词 {got!r}："
                                 "取最高分之前，要先排除 a、b、c"))
        if got == _reference_analogy(kv, a, b, c, normalise=False):
            return report(failed(f"`solve_analogy(kv, {a!r}, {b!r}, {c!r})` = {got!r}，应为 {want!r}："
                                 "先把每个向量归一化到长度 1，再算 b − a + c"))
        return report(failed(f"`solve_analogy(kv, {a!r}, {b!r}, {c!r})` = {got!r}，应为 {want!r}"
                             "（用余弦相似度拿 b − a + c 和每个词比较）"))
    return report(passed(f"3CosAdd 用了单位向量并排除了输入词：{len(triples)} 道测试类比题全部正确"))


PREDICTIONS = ("higher", "lower", "same")


def check_reversed_analogies(reverse_question: Callable, prediction: str, kv: KeyedVectors,
                             path: str | Path | None = None,
                             restrict_vocab: int = 30000) -> Result:
    """Exercise 3: ``reverse_question((a, b, c, d)) -> (b, a, d, c)``, then the Google test asked backwards.

    ``prediction`` ("higher" / "lower" / "same", within 0.005) is compared with the measured accuracies
    of the forward and the reversed questions (``analogy_accuracy``, gensim's rules).
    """
    from forge_utils.data import gensim_path, output_path
    from forge_utils.vectors_lab import analogy_accuracy, read_analogies

    if not isinstance(prediction, str) or prediction.strip().lower() not in PREDICTIONS:
        return report(failed(f"先写下你的预测：`prediction` 取 {PREDICTIONS} 之一，现在是 {prediction!r}"))
    for question in [("man", "king", "woman", "queen"), ("athens", "greece", "baghdad", "iraq")]:
        got, error = call_safely(reverse_question, question, what=f"`reverse_question({question})`")
        if error:
            return report(failed(error))
        want = (question[1], question[0], question[3], question[2])
        if not isinstance(got, (list, tuple)) or tuple(got) != want:
            hint = ""
            if isinstance(got, (list, tuple)) and tuple(got) == (question[2], question[3], question[0], question[1]):
                hint = "——这是把两对词整体对调（方向没变）；应该把每一对各自反过来：b : a :: d : ?"
            return report(failed(f"`reverse_question({question})` = {got!r}，应为 {want}{hint}"))
    path = gensim_path("questions-words.txt") if path is None else path
    sections = read_analogies(path)
    reversed_path = output_path("analogies-reversed.txt")
    reversed_path.write_text("".join(f": {name}\n" + "".join(" ".join(reverse_question(q)) + "\n" for q in items)
                                     for name, items in sections.items()), encoding="utf-8")
    forward = analogy_accuracy(kv, path, restrict_vocab=restrict_vocab).accuracy
    backward = analogy_accuracy(kv, reversed_path, restrict_vocab=restrict_vocab).accuracy
    actual = "same" if abs(backward - forward) < 0.005 else ("higher" if backward > forward else "lower")
    measured = f"正向 {forward:.3f}，反向 {backward:.3f}"
    if prediction.strip().lower() != actual:
        return report(failed(f"你预测的是 {prediction!r}，实际是 {actual!r}：{measured}。3CosAdd 不是"
                             "对称的：查询向量 b − a + c 变了，它周围的候选答案也跟着变了"))
    return report(passed(f"你的预测 {actual!r} 是对的：{measured}"))
