import math

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from forge_utils.glove import (GloVeParams, adagrad_step, build_vocab, cooccurrence_matrix, glove_gradients,
                               glove_loss, glove_weight, lecture_glove_epoch, lecture_glove_init, ppmi, svd_vectors,
                               train_glove)

TOY = [s.split() for s in ["I love machine learning", "I love deep learning", "machine learning is fun", "deep learning is fun"]]


def lecture_cooccurrence(sentences, words, window_size=2):
    """The lecture's builder (001 §1.3.2), with the vocabulary passed in."""
    index = {w: i for i, w in enumerate(words)}
    matrix = np.zeros((len(words), len(words)))
    for sentence in sentences:
        for i, word in enumerate(sentence):
            for j in range(max(0, i - window_size), min(len(sentence), i + window_size + 1)):
                if i != j:
                    matrix[index[word], index[sentence[j]]] += 1
    return matrix


# ------------------------------------------------------------------ vocabulary and counts
def test_build_vocab_orders_by_frequency_and_filters():
    words = build_vocab(TOY, min_count=2)
    assert words == ["learning", "I", "love", "machine", "deep", "is", "fun"]
    assert build_vocab(TOY, min_count=4) == ["learning"]


@pytest.mark.parametrize("bad, error", [("a sentence", TypeError), (["a", "b"], TypeError)])
def test_build_vocab_rejects_untokenized_corpus(bad, error):
    with pytest.raises(error, match="分词"):
        build_vocab(bad)


def test_build_vocab_rejects_bad_min_count():
    with pytest.raises(ValueError, match="min_count 必须 >= 1"):
        build_vocab(TOY, min_count=0)
    with pytest.raises(ValueError, match="请调低 min_count"):
        build_vocab(TOY, min_count=100)


def test_unweighted_counts_equal_the_lecture_builder():
    words = build_vocab(TOY, min_count=1)
    ours = cooccurrence_matrix(TOY, words, window=2, distance_weighting=False)
    assert sp.issparse(ours) and ours.shape == (len(words), len(words))
    np.testing.assert_array_equal(ours.toarray(), lecture_cooccurrence(TOY, words))


def test_distance_weighting_and_symmetry():
    X = cooccurrence_matrix([["a", "b", "c"]], ["a", "b", "c"], window=2).toarray()
    np.testing.assert_allclose(X, [[0, 1, 0.5], [1, 0, 1], [0.5, 1, 0]])


def test_out_of_vocabulary_words_are_dropped_before_windowing():
    X = cooccurrence_matrix([["a", "zzz", "b"]], ["a", "b"], window=1).toarray()
    np.testing.assert_allclose(X, [[0, 1], [1, 0]])  # a and b become neighbours


def test_short_sentences_give_an_empty_matrix():
    X = cooccurrence_matrix([["a"], []], ["a", "b"], window=3)
    assert X.shape == (2, 2) and X.nnz == 0


@pytest.mark.parametrize("kwargs, message", [({"window": 0}, "window 必须 >= 1"), ({"words": []}, "words 是空的"),
                                             ({"words": ["a", "a"]}, "重复的词")])
def test_cooccurrence_bad_input(kwargs, message):
    args = {"corpus": TOY, "words": ["a", "b"], "window": 2} | kwargs
    with pytest.raises(ValueError, match=message):
        cooccurrence_matrix(**args)


# ------------------------------------------------------------------ PPMI and truncated SVD
def test_ppmi_equals_the_dense_formula():
    counts = cooccurrence_matrix(TOY, build_vocab(TOY, min_count=1), window=2, distance_weighting=False)
    dense = counts.toarray()
    p_wc = dense / dense.sum()
    with np.errstate(divide="ignore"):
        expected = np.maximum(np.log(p_wc / (p_wc.sum(1, keepdims=True) * p_wc.sum(0, keepdims=True))), 0)
    got = ppmi(counts)
    assert sp.issparse(got) and got.shape == counts.shape
    np.testing.assert_allclose(got.toarray(), expected, rtol=1e-12)
    assert (got.toarray()[dense == 0] == 0).all()  # never-seen pairs stay 0, not −∞


def test_ppmi_of_independent_counts_is_zero():
    outer = np.outer([1.0, 2.0, 3.0], [4.0, 5.0])  # P(w, c) = P(w) P(c) everywhere
    assert ppmi(sp.coo_matrix(outer)).nnz == 0


@pytest.mark.parametrize("matrix, message", [(sp.coo_matrix(np.array([[1.0, -1.0], [0.0, 2.0]])), "负数"),
                                             (sp.coo_matrix((3, 3)), "全是 0")])
def test_ppmi_bad_input(matrix, message):
    with pytest.raises(ValueError, match=message):
        ppmi(matrix)


def test_svd_vectors_keep_the_top_singular_directions():
    rng = np.random.default_rng(0)
    matrix = rng.random((40, 30))
    vectors = svd_vectors(sp.csr_matrix(matrix), dim=5)
    u, s, _ = np.linalg.svd(matrix)
    assert vectors.shape == (40, 5)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=0) ** 2, s[:5], rtol=1e-8)  # columns: u_k √s_k
    np.testing.assert_allclose(np.abs(vectors.T @ u[:, :5]), np.diag(np.sqrt(s[:5])), atol=1e-7)  # same directions
    np.testing.assert_array_equal(vectors, svd_vectors(sp.csr_matrix(matrix), dim=5))  # reruns agree


@pytest.mark.parametrize("dim", [0, 30, 2.5])
def test_svd_vectors_bad_dim(dim):
    with pytest.raises(ValueError, match="dim 必须是 1..29"):
        svd_vectors(np.ones((40, 30)), dim=dim)


# ------------------------------------------------------------------ the lecture's loop
def test_lecture_loop_visits_every_cell_and_updates_nonzero_ones():
    words = build_vocab(TOY, min_count=1)
    X = cooccurrence_matrix(TOY, words, window=2, distance_weighting=False).toarray()
    stats = lecture_glove_epoch(X, *lecture_glove_init(len(words), 5), learning_rate=0.001)
    assert stats.cells == len(words) ** 2 and stats.pairs == int((X > 0).sum())
    assert math.isfinite(stats.loss) and stats.first_nonfinite_pair is None


def test_lecture_loop_diverges_on_real_counts():
    from forge_utils.data import load_lee_corpus

    corpus = load_lee_corpus()
    words = build_vocab(corpus, min_count=5)[:300]
    X = cooccurrence_matrix(corpus, words, window=5).toarray()
    stats = lecture_glove_epoch(X, *lecture_glove_init(len(words), 5), max_pairs=2000)
    assert stats.first_nonfinite_pair is not None and math.isnan(stats.loss)


def test_lecture_loop_bounds_and_bad_input():
    X = np.ones((4, 4))
    stats = lecture_glove_epoch(X, *lecture_glove_init(4, 2), learning_rate=0.001, rows=[0, 1])
    assert stats.cells == 8 and stats.pairs == 8
    assert lecture_glove_epoch(X, *lecture_glove_init(4, 2), learning_rate=0.001, max_pairs=3).pairs == 3
    with pytest.raises(ValueError, match="方阵"):
        lecture_glove_epoch(np.ones((3, 4)), *lecture_glove_init(3, 2))
    with pytest.raises(ValueError, match="V = 4"):
        lecture_glove_epoch(X, *lecture_glove_init(5, 2))
    with pytest.raises(ValueError, match="rows 应该是 0"):
        lecture_glove_epoch(X, *lecture_glove_init(4, 2), rows=[7])


# ------------------------------------------------------------------ the course's trainer
def test_weight_is_capped():
    x = torch.tensor([1.0, 50.0, 100.0, 1e6])
    np.testing.assert_allclose(glove_weight(x, 100.0, 0.75), [0.01 ** 0.75, 0.5 ** 0.75, 1.0, 1.0], rtol=1e-6)
    with pytest.raises(ValueError, match="x_max 必须 > 0"):
        glove_weight(x, 0.0)


def _random_problem(seed=0, V=30, n=200):
    gen = torch.Generator().manual_seed(seed)
    params = GloVeParams(*[torch.randn(*s, generator=gen) * 0.3 for s in [(V, 8), (V, 8), (V,), (V,)]])
    rows, cols = torch.randint(0, V, (n,), generator=gen), torch.randint(0, V, (n,), generator=gen)
    values = torch.rand(n, generator=gen) * 30 + 0.1
    return params, rows, cols, values


def test_hand_gradients_equal_autograd():
    params, rows, cols, values = _random_problem()
    loss, grads = glove_gradients(params, rows, cols, torch.log(values), glove_weight(values, 10.0))
    leaves = GloVeParams(*[p.clone().requires_grad_(True) for p in params.tensors()])
    auto = glove_loss(leaves, rows, cols, values, x_max=10.0)
    auto.backward()
    torch.testing.assert_close(loss, auto.detach())
    for mine, leaf in zip(grads, leaves.tensors()):
        torch.testing.assert_close(mine, leaf.grad, atol=1e-5, rtol=1e-5)


def test_adagrad_step_equals_torch_adagrad():
    params, rows, cols, values = _random_problem(1)
    grad_sq = [torch.ones_like(p) for p in params.tensors()]
    ref = [p.clone().requires_grad_(True) for p in params.tensors()]
    optimizer = torch.optim.Adagrad(ref, lr=0.1, initial_accumulator_value=1.0, eps=0.0)
    for _ in range(3):
        _, grads = glove_gradients(params, rows, cols, torch.log(values), glove_weight(values, 10.0))
        adagrad_step(params, grads, grad_sq, lr=0.1)
        optimizer.zero_grad()
        glove_loss(GloVeParams(*ref), rows, cols, values, x_max=10.0).backward()
        optimizer.step()
    for mine, theirs in zip(params.tensors(), ref):
        torch.testing.assert_close(mine, theirs.detach(), atol=1e-5, rtol=1e-5)


def test_train_glove_loss_decreases_and_is_deterministic():
    words = build_vocab(TOY, min_count=1)
    X = cooccurrence_matrix(TOY, words, window=2)
    first = train_glove(X, dim=4, epochs=20, lr=0.1, x_max=2.0, batch_size=8)
    assert first.vectors.shape == (len(words), 4)
    assert all(math.isfinite(v) for v in first.losses) and first.losses[-1] < 0.5 * first.losses[0]
    np.testing.assert_array_equal(first.vectors, train_glove(X, dim=4, epochs=20, lr=0.1, x_max=2.0, batch_size=8).vectors)
    dense = train_glove(X.toarray(), dim=4, epochs=20, lr=0.1, x_max=2.0, batch_size=8)  # dense input works too
    np.testing.assert_allclose(first.vectors, dense.vectors, atol=1e-6)
    np.testing.assert_allclose(first.vectors, (first.params.W + first.params.W_tilde).numpy())


def test_train_glove_on_lee_is_finite_and_decreasing():
    from forge_utils.data import load_lee_corpus

    corpus = load_lee_corpus()
    words = build_vocab(corpus, min_count=5)
    result = train_glove(cooccurrence_matrix(corpus, words, window=5), dim=16, epochs=3, x_max=10)
    assert all(math.isfinite(v) for v in result.losses)
    assert result.losses[2] < result.losses[1] < result.losses[0]


@pytest.mark.parametrize("matrix, kwargs, error, message", [
    (np.ones((2, 3)), {}, ValueError, "方阵"),
    (-np.ones((2, 2)), {}, ValueError, "有负数"),
    (np.zeros((3, 3)), {}, ValueError, "没有任何正数"),
    ("counts", {}, TypeError, "稀疏矩阵"),
    (np.ones((2, 2)), {"dim": 0}, ValueError, "都必须 >= 1"),
    (np.ones((2, 2)), {"lr": 0}, ValueError, "lr 必须 > 0"),
])
def test_train_glove_bad_input(matrix, kwargs, error, message):
    with pytest.raises(error, match=message):
        train_glove(matrix, **kwargs)
