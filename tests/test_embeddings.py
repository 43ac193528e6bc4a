import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from forge_utils.embeddings import (
    CBOW,
    Corpus,
    SkipGram,
    SkipGramNS,
    WordVectors,
    cosine_similarity,
    encode_corpus,
    keep_probabilities,
    noise_distribution,
    sgns_step,
    skipgram_pairs,
    train_gensim_word2vec,
    train_sgns,
    unigram_table,
)
from forge_utils.text import Vocab

# ----------------------------------------------------------------------------- similarity


def test_cosine_similarity_shapes_and_values():
    a = torch.tensor([[1.0, 0.0], [3.0, 4.0]])
    b = torch.tensor([[2.0, 0.0], [0.0, 1.0], [4.0, 3.0]])
    sims = cosine_similarity(a, b)
    assert sims.shape == (2, 3)
    assert torch.allclose(sims, torch.tensor([[1.0, 0.0, 0.8], [0.6, 0.8, 0.96]]))
    assert cosine_similarity(a[1], b).shape == (3,)
    assert math.isclose(float(cosine_similarity([1.0, 1.0], [-2.0, -2.0])), -1.0, abs_tol=1e-6)
    assert torch.allclose(cosine_similarity(a, b), F.cosine_similarity(a[:, None], b[None], dim=-1))


def test_cosine_similarity_zero_vector_is_zero_not_nan():
    assert float(cosine_similarity([0.0, 0.0], [1.0, 2.0])) == 0.0


def test_cosine_similarity_bad_input():
    with pytest.raises(ValueError, match="a 是空的"):
        cosine_similarity(torch.empty(0, 3), torch.ones(2, 3))
    with pytest.raises(ValueError, match="两者必须相同"):
        cosine_similarity(torch.ones(2, 3), torch.ones(2, 4))
    with pytest.raises(ValueError, match=r"\(n, d\)"):
        cosine_similarity(torch.ones(2, 3, 4), torch.ones(2, 4))


def _toy_vectors() -> WordVectors:
    words = ["man", "king", "woman", "queen", "apple"]
    vectors = torch.tensor([[1.0, 0.0, 0.1], [1.0, 1.0, 0.0], [-1.0, 0.0, 0.1], [-1.0, 1.0, 0.0], [0.0, -1.0, 1.0]])
    return WordVectors(vectors, words)


def test_most_similar_excludes_the_word_and_is_sorted():
    wv = _toy_vectors()
    neighbours = wv.most_similar("king", k=4)
    assert [w for w, _ in neighbours][0] != "king" and "king" not in [w for w, _ in neighbours]
    sims = [s for _, s in neighbours]
    assert sims == sorted(sims, reverse=True) and len(neighbours) == 4
    assert len(wv.most_similar("king", k=100)) == 4  # k larger than the vocabulary: all other words


def test_analogy_finds_queen():
    assert _toy_vectors().analogy("man", "king", "woman")[0][0] == "queen"


def test_similarity_and_lookup():
    wv = _toy_vectors()
    assert math.isclose(wv.similarity("king", "king"), 1.0, rel_tol=1e-6)
    assert wv["queen"].shape == (3,) and "queen" in wv and "prince" not in wv


def test_unknown_word_says_what_to_do():
    wv = _toy_vectors()
    with pytest.raises(KeyError, match="不在词表里"):
        wv.most_similar("prince")
    with pytest.raises(KeyError, match="试试小写的 'king'"):
        wv["King"]
    with pytest.raises(TypeError):
        wv.most_similar(3)
    with pytest.raises(ValueError, match="k 至少要是 1"):
        wv.most_similar("king", k=0)


def test_specials_are_never_neighbours():
    vocab = Vocab(["a", "b"])  # <pad> <unk> <bos> <eos> a b
    vectors = torch.ones(len(vocab), 2)
    wv = WordVectors(vectors, vocab)
    assert [w for w, _ in wv.most_similar("a", k=10)] == ["b"]
    with pytest.raises(KeyError):
        wv["<unk>"]


def test_word_vectors_bad_shapes():
    with pytest.raises(ValueError, match="词表里每个条目一行"):
        WordVectors(torch.ones(3, 2), ["a", "b"])
    with pytest.raises(ValueError, match="vectors 是空的"):
        WordVectors(torch.empty(0, 2), [])
    with pytest.raises(ValueError, match="词表里每个条目一行"):
        WordVectors(torch.ones(2), ["a", "b"])
    with pytest.raises(TypeError):
        WordVectors(torch.ones(2, 2), "ab")


def test_to_gensim_agrees():
    wv = _toy_vectors()
    kv = wv.to_gensim()
    ours = wv.most_similar("king", k=3)
    theirs = kv.most_similar("king", topn=3)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    assert np.allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)


# ----------------------------------------------------------------------------- full-softmax models


def test_full_softmax_models_shapes():
    V, d = 11, 4
    sg, cbow = SkipGram(V, d), CBOW(V, d)
    assert sg.W_in.shape == (V, d) and sg.W_out.shape == (d, V)
    assert sg(torch.tensor([1, 2, 3])).shape == (3, V)
    assert cbow(torch.tensor([[1, 2, 4, 5], [0, 1, 2, 3]])).shape == (2, V)
    expected = cbow.W_in[torch.tensor([1, 2, 4, 5])].mean(0) @ cbow.W_out
    assert torch.allclose(cbow(torch.tensor([[1, 2, 4, 5]]))[0], expected)
    with pytest.raises(ValueError, match=r"\(B,\)"):
        sg(torch.tensor([[1, 2]]))
    with pytest.raises(ValueError, match=r"\(B, C\)"):
        cbow(torch.tensor([1, 2]))


def test_softmax_gradient_formula_equals_autograd():
    """Seed 002: ∂ log P(w_o|w_c) / ∂v_c = u_o − Σ_j P(w_j|w_c) u_j."""
    torch.manual_seed(0)
    model = SkipGram(20, 6)
    c, o = 3, 7
    log_p = F.log_softmax(model(torch.tensor([c])), dim=-1)[0, o]
    (autograd,) = torch.autograd.grad(log_p, model.W_in)
    with torch.no_grad():
        p = torch.softmax(model.W_in[c] @ model.W_out, dim=0)  # (V,)
        by_hand = model.W_out[:, o] - model.W_out @ p  # u_o − Σ_j P_j u_j
    assert torch.allclose(autograd[c], by_hand, atol=1e-6)
    assert autograd[torch.arange(20) != c].abs().max() == 0  # only v_c gets a gradient


# ----------------------------------------------------------------------------- negative sampling pieces


def test_noise_distribution_is_unigram_to_the_075():
    counts = torch.tensor([100.0, 10.0, 1.0, 0.0])
    p = noise_distribution(counts)
    want = counts**0.75 / (counts**0.75).sum()
    assert torch.allclose(p, want.float()) and math.isclose(float(p.sum()), 1.0, rel_tol=1e-6)
    assert p[2] > counts[2] / counts.sum()  # rare words gain, frequent ones lose
    assert p[0] < counts[0] / counts.sum()
    with pytest.raises(ValueError, match="非空的一维"):
        noise_distribution([])
    with pytest.raises(ValueError, match="至少有一个正的计数"):
        noise_distribution([0, 0])


def test_unigram_table_samples_the_distribution():
    probs = torch.tensor([0.5, 0.3, 0.15, 0.05])
    table = unigram_table(probs, size=10_000)
    freq = torch.bincount(table, minlength=4).float() / len(table)
    assert torch.allclose(freq, probs, atol=1e-3)
    with pytest.raises(ValueError):
        unigram_table(torch.tensor([]))


def test_keep_probabilities_formula():
    counts = torch.tensor([10_000.0, 100.0, 1.0])
    keep = keep_probabilities(counts, sample=1e-3)
    f = counts[0] / counts.sum()
    assert math.isclose(float(keep[0]), float((math.sqrt(f / 1e-3) + 1) * 1e-3 / f), rel_tol=1e-5)
    assert keep[0] < 0.5 and keep[2] == 1.0
    assert torch.equal(keep_probabilities(counts, sample=0), torch.ones(3))
    with pytest.raises(ValueError):
        keep_probabilities(counts, sample=-1)
    with pytest.raises(ValueError):
        keep_probabilities(torch.tensor([]))


def test_encode_corpus_drops_unknown_words_and_rejects_empty():
    vocab = Vocab.build([["a", "b", "a"]], specials=(), unknown="error")
    corpus = encode_corpus([["a", "x", "b"], ["b"]], vocab)
    assert corpus.tokens.tolist() == [vocab["a"], vocab["b"], vocab["b"]]
    assert corpus.sentence.tolist() == [0, 0, 1] and corpus.counts.tolist() == [1, 2]
    with pytest.raises(ValueError, match="语料是空的"):
        encode_corpus([["x"]], vocab)
    with pytest.raises(ValueError, match="语料是空的"):
        encode_corpus([], vocab)
    with pytest.raises(TypeError, match="请先分词"):
        encode_corpus(["a b"], vocab)


def test_skipgram_pairs_stay_inside_sentences():
    tokens = torch.tensor([0, 1, 2, 3, 4])
    sentence = torch.tensor([0, 0, 0, 1, 1])
    centers, contexts = skipgram_pairs(tokens, sentence, window=1)  # window 1: no randomness
    pairs = sorted(zip(centers.tolist(), contexts.tolist()))
    assert pairs == [(0, 1), (1, 0), (1, 2), (2, 1), (3, 4), (4, 3)]
    g = torch.Generator().manual_seed(0)
    centers, contexts = skipgram_pairs(tokens, sentence, window=5, generator=g)
    assert all((c < 3) == (o < 3) for c, o in zip(centers.tolist(), contexts.tolist()))
    with pytest.raises(ValueError, match="window 必须 ≥ 1"):
        skipgram_pairs(tokens, sentence, window=0)
    with pytest.raises(ValueError, match=r"\(N,\)"):
        skipgram_pairs(tokens, sentence[:3], window=2)


def test_skipgram_ns_bad_shapes():
    model = SkipGramNS(10, 4)
    with pytest.raises(ValueError, match=r"SkipGramNS 要的是 center \(B,\)"):
        model(torch.tensor([1, 2]), torch.tensor([3, 4]), torch.tensor([5, 6]))


def test_sgns_step_equals_autograd_sgd():
    torch.manual_seed(0)
    V, d, B, K, lr = 30, 8, 16, 5, 0.1
    model = SkipGramNS(V, d)
    with torch.no_grad():
        model.out_embed.weight.normal_(0, 0.3)  # non-zero, so every gradient term is exercised
    center, context = torch.randint(0, V, (B,)), torch.randint(0, V, (B,))
    negatives = torch.randint(0, V, (B, K))
    negatives[0, 0] = context[0]  # a negative equal to the context word is skipped
    center[1] = center[0]  # a repeated row must get both updates
    W_in, W_out = model.in_embed.weight.detach().clone(), model.out_embed.weight.detach().clone()

    loss = model(center, context, negatives)
    loss.backward()
    with torch.no_grad():  # plain SGD (torch.optim.SGD does the same, but its first import is slow)
        for p in model.parameters():
            p -= lr * p.grad.to_dense()

    mean_loss = sgns_step(W_in, W_out, center, context, negatives, lr)
    assert math.isclose(float(mean_loss), loss.item() / B, rel_tol=1e-5)
    assert torch.allclose(W_in, model.in_embed.weight, atol=1e-6)
    assert torch.allclose(W_out, model.out_embed.weight, atol=1e-6)


def _two_topic_corpus(seed: int = 0) -> tuple[list[list[str]], list[str], list[str]]:
    rng = np.random.default_rng(seed)
    fruit = ["apple", "banana", "cherry", "grape", "lemon", "mango"]
    tech = ["phone", "laptop", "screen", "chip", "cable", "router"]
    sentences = [list(rng.choice(fruit if i % 2 else tech, size=8)) for i in range(200)]
    return sentences, fruit, tech


def test_train_sgns_learns_topics():
    sentences, fruit, tech = _two_topic_corpus(0)
    vocab = Vocab.build(sentences, specials=(), unknown="error")
    corpus = encode_corpus(sentences, vocab)
    model, losses = train_sgns(corpus, dim=16, window=2, negative=5, epochs=2, batch_size=16,
                               sample=0, lr=0.05, seed=0, progress=False)
    assert model.vectors.shape == (12, 16)
    assert losses[-1] < 0.7 * 6 * math.log(2)  # untrained (u = 0): (K + 1) log 2 per pair
    sims = WordVectors(model.vectors, vocab)
    within = np.mean([sims.similarity(a, b) for a in fruit for b in fruit if a != b])
    across = np.mean([sims.similarity(a, b) for a in fruit for b in tech])
    assert within > 0.6 and within - across > 0.5, (within, across)
    assert all(w in fruit for w, _ in sims.most_similar("apple", k=5))


def test_train_sgns_bad_input():
    vocab = Vocab.build([["a", "b"]], specials=(), unknown="error")
    corpus = encode_corpus([["a", "b"]], vocab)
    with pytest.raises(ValueError, match="至少要有两个词元"):
        train_sgns(Corpus(corpus.tokens[:1], corpus.sentence[:1], corpus.counts, vocab), progress=False)
    with pytest.raises(ValueError, match="都必须 ≥ 1"):
        train_sgns(corpus, dim=0, progress=False)


# ----------------------------------------------------------------------------- Chinese word tests

from forge_utils.data import load_zh_word_tests  # noqa: E402
from forge_utils.embeddings import analogy_accuracy, analogy_questions, group_accuracy, parse_word_tests  # noqa: E402


def test_parse_word_tests_reads_sections_and_rejects_bad_lines():
    tests = parse_word_tests(["# comment", "[analogy 国家-首都]", "中国 北京", "日本 东京", "", "[group 国家]", "美国 日本", "英国"])
    assert tests.analogies == {"国家-首都": [("中国", "北京"), ("日本", "东京")]}
    assert tests.groups == {"国家": ["美国", "日本", "英国"]}
    with pytest.raises(ValueError, match="只能有一对词"):
        parse_word_tests(["[analogy a]", "中国 北京 东京"])
    with pytest.raises(ValueError, match="标题之前就出现了词"):
        parse_word_tests(["中国 北京"])
    with pytest.raises(ValueError, match="行：应该是"):
        parse_word_tests(["[pairs a]"])


def test_shipped_zh_word_tests_use_words_of_the_corpus():
    from collections import Counter

    from forge_utils.data import load_peoples_daily

    tests = load_zh_word_tests()
    counts = Counter(w for line in load_peoples_daily("train") for w in line)
    words = {w for pairs in tests.analogies.values() for pair in pairs for w in pair}
    words |= {w for group in tests.groups.values() for w in group}
    assert len(words) > 100 and min(counts[w] for w in words) >= 10
    assert all(len(set(p)) == len(p) for p in tests.analogies.values())  # no pair listed twice


def test_analogy_questions_are_all_ordered_pairs_of_pairs():
    questions = analogy_questions([("a", "b"), ("c", "d"), ("e", "f")])
    assert len(questions) == 6 and ("a", "b", "c", "d") in questions and ("c", "d", "a", "b") in questions
    assert all(q[0] != q[2] for q in questions)


def _toy_vectors():
    # man→woman is the same offset as king→queen; "apple" is far from everything
    words = ["man", "woman", "king", "queen", "apple"]
    vectors = torch.tensor([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [3.0, 0.0, 0.2], [3.0, 1.0, 0.2], [0.0, 0.0, 5.0]])
    return WordVectors(vectors, words)


def test_analogy_accuracy_counts_hits_and_skips_unknown_words():
    wv = _toy_vectors()
    acc, covered = analogy_accuracy(wv, [("man", "woman", "king", "queen"), ("man", "woman", "king", "apple"),
                                         ("man", "woman", "king", "prince")])
    assert covered == 2 and acc == 0.5
    assert math.isnan(analogy_accuracy(wv, [("x", "y", "z", "w")])[0])


def test_group_accuracy_and_its_chance_level():
    vectors = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    wv = WordVectors(vectors, ["a1", "a2", "b1", "b2"])
    acc, chance, n = group_accuracy(wv, {"a": ["a1", "a2", "missing"], "b": ["b1", "b2"]})
    assert (acc, n) == (1.0, 4) and chance == pytest.approx(1 / 3)
    swapped = group_accuracy(wv, {"a": ["a1", "b1"], "b": ["a2", "b2"]})
    assert swapped[0] == 0.0


def test_train_gensim_word2vec_repeats_and_checks_sg():
    sentences = [["猫", "吃", "鱼"], ["狗", "吃", "肉"], ["猫", "喝", "水"], ["狗", "喝", "水"]] * 20
    a = train_gensim_word2vec(sentences, sg=1, seed=3, dim=8, min_count=1, epochs=2)
    b = train_gensim_word2vec(sentences, sg=1, seed=3, dim=8, min_count=1, epochs=2)
    cbow = train_gensim_word2vec(sentences, sg=0, seed=3, dim=8, min_count=1, epochs=2)
    assert isinstance(a, WordVectors) and sorted(a.words) == sorted({w for s in sentences for w in s})
    assert torch.equal(a.vectors, b.vectors)                    # one worker: the same seed, the same vectors
    assert not torch.equal(a.vectors, cbow.vectors)
    with pytest.raises(ValueError, match="sg 必须是 1"):
        train_gensim_word2vec(sentences, sg=2, seed=0)
