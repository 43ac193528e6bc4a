import pytest
import torch
import torch.nn.functional as F

from forge_utils.baseline import bag_of_tokens, fit_logistic, logistic_accuracy


def test_bag_of_tokens_counts_characters_and_words():
    index = {"好": 0, "很": 1, "差": 2}
    X = bag_of_tokens(["很好很好", "差", "没有"], index).to_dense()
    assert X.tolist() == [[2, 2, 0], [0, 0, 1], [0, 0, 0]]   # unknown characters carry nothing
    words = bag_of_tokens([["很", "好"], ["好", "好"]], index).to_dense()
    assert words.tolist() == [[1, 1, 0], [2, 0, 0]]


def test_bag_of_tokens_empty_index_says_what_to_do():
    with pytest.raises(ValueError, match="index 是空的"):
        bag_of_tokens(["好"], {})


def test_fit_logistic_separates_and_reaches_a_stationary_point():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(200, 5, generator=g)
    y = (X[:, 0] - 2 * X[:, 1] > 0).long()
    w, b = fit_logistic(X, y, C=1.0, iterations=100)
    assert logistic_accuracy(X, y, w, b) > 0.95
    # the gradient of the regularised objective vanishes at the answer
    w, b = w.clone().requires_grad_(), b.clone().requires_grad_()
    loss = F.binary_cross_entropy_with_logits((X @ w)[:, 0] + b, y.float()) + (w**2).sum() / (2 * len(y))
    gw, gb = torch.autograd.grad(loss, [w, b])
    assert gw.abs().max() < 1e-4 and gb.abs().max() < 1e-4


def test_fit_logistic_same_answer_sparse_and_dense():
    index = {ch: i for i, ch in enumerate("好差很不")}
    texts, labels = ["很好", "不好", "很差", "不差", "好好"], torch.tensor([1, 0, 0, 1, 1])
    X = bag_of_tokens(texts, index)
    w_sparse, b_sparse = fit_logistic(X, labels)
    w_dense, b_dense = fit_logistic(X.to_dense(), labels)
    assert torch.allclose(w_sparse, w_dense, atol=1e-5) and torch.allclose(b_sparse, b_dense, atol=1e-5)


def test_fit_logistic_bad_labels():
    with pytest.raises(ValueError, match="0/1"):
        fit_logistic(torch.zeros(3, 2), torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="行，但 y 有"):
        fit_logistic(torch.zeros(3, 2), torch.tensor([0, 1]))
