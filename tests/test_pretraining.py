import pytest
import torch

from forge_utils import pretraining as pt
from forge_utils.transformer import TransformerEncoderModel

DOCS = [["the", "cat", "sat", "on", "the", "mat"], ["a", "dog", "sat", "on", "a", "log", "today"]]


def test_vocab_has_mask_special():
    vocab = pt.build_mlm_vocab(DOCS, min_freq=1)
    assert vocab.itos[:5] == list(pt.MLM_SPECIALS) and vocab.stoi[pt.MASK] == 4


def test_chunk_windows_pads_the_last_window():
    vocab = pt.build_mlm_vocab(DOCS, min_freq=1)
    windows = pt.chunk_windows(DOCS, vocab, length=4)
    assert windows.shape == (4, 4)  # 6 tokens → 2 windows, 7 tokens → 2 windows
    assert windows[1].tolist()[2:] == [0, 0] and windows[3].tolist()[3:] == [0]
    with pytest.raises(TypeError, match="tokenize"):
        pt.chunk_windows(["the cat"], vocab)
    with pytest.raises(ValueError, match="length"):
        pt.chunk_windows(DOCS, vocab, length=1)


def test_mask_tokens_proportions_and_labels():
    vocab_size, num_special = 1000, 5
    ids = torch.randint(num_special, vocab_size, (400, 100))
    ids[:, -10:] = 0  # padding is never selected
    batch = pt.mask_tokens(ids, mask_id=4, vocab_size=vocab_size, generator=torch.Generator().manual_seed(0))
    real = (ids >= num_special).sum().item()
    n_sel = batch.selected.sum().item()
    assert abs(n_sel / real - 0.15) < 0.01
    assert abs(batch.masked.sum().item() / n_sel - 0.8) < 0.02
    assert abs(batch.randomised.sum().item() / n_sel - 0.1) < 0.02
    assert abs(batch.kept.sum().item() / n_sel - 0.1) < 0.02
    assert not batch.selected[:, -10:].any()
    assert torch.equal(batch.labels[batch.selected], ids[batch.selected])
    assert (batch.labels[~batch.selected] == pt.IGNORE).all()
    assert torch.equal(batch.inputs[~batch.selected], ids[~batch.selected])
    assert (batch.inputs[batch.masked] == 4).all()
    assert torch.equal(batch.inputs[batch.kept], ids[batch.kept])
    assert (batch.inputs[batch.randomised] >= num_special).all()


def test_mask_tokens_is_reproducible_and_checks_input():
    ids = torch.randint(5, 50, (8, 16))
    a = pt.mask_tokens(ids, 4, 50, generator=torch.Generator().manual_seed(3))
    b = pt.mask_tokens(ids, 4, 50, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a.inputs, b.inputs) and torch.equal(a.labels, b.labels)
    with pytest.raises(ValueError, match="LongTensor"):
        pt.mask_tokens(ids.float(), 4, 50)
    with pytest.raises(ValueError, match="select_prob"):
        pt.mask_tokens(ids, 4, 50, select_prob=1.5)
    with pytest.raises(ValueError, match="mask_id"):
        pt.mask_tokens(ids, 7, 50)


def test_unigram_scores():
    ids = torch.tensor([[5, 5, 5, 6, 0]])
    probs = pt.unigram_distribution(ids, vocab_size=8)
    assert probs[5].item() == pytest.approx(0.75) and probs[0] == 0
    labels = torch.tensor([[5, -100, 6, -100]])
    accuracy, loss = pt.unigram_scores(probs, labels)
    assert accuracy == 0.5
    assert loss == pytest.approx(-(torch.tensor(0.75).log() + torch.tensor(0.25).log()).item() / 2)
    with pytest.raises(ValueError, match="no token"):
        pt.unigram_scores(probs, torch.full((1, 3), -100))
    with pytest.raises(ValueError, match="ordinary"):
        pt.unigram_distribution(torch.zeros(2, 2, dtype=torch.long), 8)


def _encoder(vocab_size=30):
    torch.manual_seed(0)
    return TransformerEncoderModel(vocab_size, d_model=16, num_heads=2, num_layers=1, d_ff=32, max_len=12)


def test_mlm_model_scores_only_selected_positions(one_thread):
    model = pt.MLMModel(_encoder())
    ids = torch.randint(5, 30, (3, 12))
    assert model(ids).shape == (3, 12, 30)
    batch = pt.mask_tokens(ids, 4, 30, select_prob=0.5, generator=torch.Generator().manual_seed(0))
    loss, accuracy = pt.mlm_loss(model, batch.inputs, batch.labels)
    full = model(batch.inputs)
    want = torch.nn.functional.cross_entropy(full.reshape(-1, 30), batch.labels.reshape(-1), ignore_index=pt.IGNORE)
    assert torch.allclose(loss, want, atol=1e-6) and 0 <= accuracy <= 1
    with pytest.raises(ValueError, match="no token"):
        pt.mlm_loss(model, ids, torch.full_like(ids, pt.IGNORE))


def test_mlm_learns_a_copy_pattern(one_thread):
    # each window repeats one word: a masked token is given away by any visible neighbour
    torch.manual_seed(0)
    model = pt.MLMModel(_encoder(10))
    ids = torch.arange(5, 10).repeat_interleave(12).reshape(5, 12).repeat(4, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    generator = torch.Generator().manual_seed(0)
    for _ in range(60):
        batch = pt.mask_tokens(ids, 4, 10, generator=generator)
        loss, _ = pt.mlm_loss(model, batch.inputs, batch.labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    batch = pt.mask_tokens(ids, 4, 10, generator=generator)
    with torch.no_grad():
        _, accuracy = pt.mlm_loss(model, batch.inputs, batch.labels)
    assert accuracy > 0.9


def test_classifier_freeze_and_padding(one_thread):
    encoder = _encoder()
    classifier = pt.SequenceClassifier(encoder, num_classes=3)
    ids = torch.tensor([[5, 6, 7, 0, 0], [8, 9, 0, 0, 0]])
    assert classifier(ids).shape == (2, 3)
    total = pt.count_trainable(classifier)
    pt.freeze(classifier.encoder)
    assert pt.count_trainable(classifier) == 16 * 3 + 3 < total


def test_lee_topic():
    assert pt.lee_topic(["taliban", "kabul", "afghanistan", "cricket"]) == "conflict"
    assert pt.lee_topic(["fire", "fires", "cricket", "test", "match"]) is None  # too close to call
    assert pt.lee_topic(["fire"]) is None  # too few hits
