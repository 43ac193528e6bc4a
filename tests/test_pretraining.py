import pytest
import torch

from forge_utils import pretraining as pt
from forge_utils.training import fit
from forge_utils.transformer import TransformerEncoderModel


def test_cut_windows_drops_the_tail_and_checks_input():
    windows = pt.cut_windows(torch.arange(10), 4)
    assert windows.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    with pytest.raises(ValueError, match="必须是一维的"):
        pt.cut_windows(torch.zeros(2, 5, dtype=torch.long), 2)
    with pytest.raises(ValueError, match="length 至少要是 2"):
        pt.cut_windows(torch.arange(10), 11)


def test_mask_tokens_proportions_and_labels():
    vocab_size, num_special, mask_id = 1000, 5, 4
    ids = torch.randint(num_special, vocab_size, (400, 100))
    ids[:, -10:] = 0  # padding is never selected
    batch = pt.mask_tokens(ids, mask_id, vocab_size, num_special, generator=torch.Generator().manual_seed(0))
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
    assert (batch.inputs[batch.masked] == mask_id).all()
    assert torch.equal(batch.inputs[batch.kept], ids[batch.kept])
    assert (batch.inputs[batch.randomised] >= num_special).all()


def test_mask_id_above_the_vocabulary_and_ids_outside_it():
    # the character thread: ordinary ids 1..999, [MASK] = 1000, <pad> = 1001 never selected
    ids = torch.randint(1, 1000, (50, 40))
    ids[:, :5] = 1001
    ids[:, 5] = 0
    batch = pt.mask_tokens(ids, 1000, 1000, num_special=1, generator=torch.Generator().manual_seed(1))
    assert not batch.selected[:, :6].any()
    assert (batch.inputs[batch.masked] == 1000).all()
    assert batch.inputs[batch.randomised].max() < 1000 and batch.inputs[batch.randomised].min() >= 1


def test_mask_tokens_is_reproducible_and_checks_input():
    ids = torch.randint(5, 50, (8, 16))
    a = pt.mask_tokens(ids, 4, 50, 5, generator=torch.Generator().manual_seed(3))
    b = pt.mask_tokens(ids, 4, 50, 5, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a.inputs, b.inputs) and torch.equal(a.labels, b.labels)
    with pytest.raises(ValueError, match=r"形状为 \(B, L\) 的 LongTensor"):
        pt.mask_tokens(ids.float(), 4, 50, 5)
    with pytest.raises(ValueError, match="必须满足 0 < select_prob < 1"):
        pt.mask_tokens(ids, 4, 50, 5, select_prob=1.5)
    with pytest.raises(ValueError, match="单独的 id"):
        pt.mask_tokens(ids, 7, 50, 5)
    with pytest.raises(ValueError, match="必须满足 0 <= num_special"):
        pt.mask_tokens(ids, 60, 50, 50)


def _encoder(vocab_size=30, pad_id=0):
    torch.manual_seed(0)
    return TransformerEncoderModel(vocab_size, d_model=16, num_heads=2, num_layers=1, d_ff=32, max_len=12,
                                   pad_id=pad_id)


def test_mlm_model_scores_only_selected_positions(one_thread):
    model = pt.MLMModel(_encoder())
    ids = torch.randint(5, 30, (3, 12))
    assert model(ids).shape == (3, 12, 30)
    batch = pt.mask_tokens(ids, 4, 30, 5, select_prob=0.5, generator=torch.Generator().manual_seed(0))
    loss, accuracy = pt.mlm_loss(model, batch.inputs, batch.labels)
    full = model(batch.inputs)
    want = torch.nn.functional.cross_entropy(full.reshape(-1, 30), batch.labels.reshape(-1), ignore_index=pt.IGNORE)
    assert torch.allclose(loss, want, atol=1e-6) and 0 <= accuracy <= 1
    with pytest.raises(ValueError, match="没有选中任何词元"):
        pt.mlm_loss(model, ids, torch.full_like(ids, pt.IGNORE))


def test_mlm_learns_a_copy_pattern(one_thread):
    # each window repeats one word: a masked token is given away by any visible neighbour
    torch.manual_seed(0)
    model = pt.MLMModel(_encoder(10))
    ids = torch.arange(5, 10).repeat_interleave(12).reshape(5, 12).repeat(4, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    generator = torch.Generator().manual_seed(0)
    batches = (pt.mask_tokens(ids, 4, 10, 5, generator=generator) for _ in range(60))
    fit(model, batches, lambda m, b: pt.mlm_loss(m, b.inputs, b.labels)[0], optimizer, 60)
    batch = pt.mask_tokens(ids, 4, 10, 5, generator=generator)
    with torch.no_grad():
        _, accuracy = pt.mlm_loss(model, batch.inputs, batch.labels)
    assert accuracy > 0.9


def test_classifier_pools_real_tokens_only_and_freezes(one_thread):
    encoder = _encoder(pad_id=29)
    classifier = pt.SequenceClassifier(encoder, num_classes=3)
    ids = torch.tensor([[5, 6, 7, 29, 29], [8, 9, 29, 29, 29]])
    assert classifier(ids).shape == (2, 3)
    with torch.no_grad():
        pooled = classifier.pooled(ids)
        alone = classifier.pooled(ids[:1, :3])   # the same review without its padding
    assert torch.allclose(pooled[0], alone[0], atol=1e-5)
    total = pt.count_trainable(classifier)
    pt.freeze(classifier.encoder)
    assert pt.count_trainable(classifier) == 16 * 3 + 3 < total


def test_tied_mlm_shares_the_table_and_starts_at_scale_one():
    model = pt.MLMModel(_encoder(), tied=True)
    table = model.encoder.embed.embedding.weight
    assert model.head.weight is table
    assert abs(table[1:].std().item() - 16 ** -0.5) < 0.05 and not table[0].any()   # pad row zero


def test_pretrain_mlm_resumes_step_for_step(tmp_path, one_thread):
    windows = torch.randint(1, 50, (200, 12), generator=torch.Generator().manual_seed(0))

    def run(checkpoint=None, stop_after=None):
        model = pt.new_mlm(50, 51, 0, d_model=16, num_heads=2, num_layers=1, d_ff=32, max_len=12)
        history = pt.pretrain_mlm(model, windows, 12, batch_size=8, lr=1e-2, warmup=2, mask_id=50, vocab_size=50,
                                  stop_at=[4, 8], on_stop=lambda step: {"seen": step}, checkpoint=checkpoint,
                                  progress=False, stop_after=stop_after)
        return model, history

    straight, history = run()
    assert [row["step"] for row in history] == [4, 8, 12] and history[1]["seen"] == 8
    run(tmp_path / "run.pt", stop_after=8)           # interrupted after step 8 ...
    resumed, history2 = run(tmp_path / "run.pt")      # ... and resumed
    assert [row["step"] for row in history2] == [4, 8, 12] and history2[-1]["loss"] == history[-1]["loss"]
    assert all(torch.equal(a, b) for a, b in zip(straight.state_dict().values(), resumed.state_dict().values()))
    with pytest.raises(ValueError, match=r"stop_after 必须是 1\.\.steps"):
        run(stop_after=13)


def test_fill_guesses_by_hand():
    # stream: a b c a b c ... so "b" always sits between "a" and "c"; ids a=1, b=2, c=3
    train = torch.tensor([1, 2, 3] * 20)
    inputs = torch.tensor([[1, 9, 3, 1, 2]])              # 9 = [MASK]
    selected = torch.tensor([[False, True, False, False, True]])
    guesses = pt.fill_guesses(train, inputs, selected, vocab_size=9, pad_id=10)
    assert guesses["both"].tolist() == [2, 2] and guesses["left"].tolist() == [2, 2]
    assert guesses["copy"].tolist() == [9, 2] and len(set(guesses["unigram"].tolist())) == 1
    assert guesses["copy_or_both"].tolist() == [2, 2]


def test_fine_tune_stops_when_validation_stops_improving(one_thread):
    torch.manual_seed(0)
    x = torch.randn(64, 4)
    y = (x[:, 0] > 0).long()
    head = torch.nn.Linear(4, 2)
    scores = iter([0.5, 0.7, 0.6, 0.6, 0.6, 0.9])
    run = pt.fine_tune(head, x, y, lambda model: next(scores), lr=1e-2, max_steps=100, every=5, patience=3)
    assert run.score == 0.7 and run.step == 10 and run.steps == 25 and len(run.curve) == 5
    with pytest.raises(ValueError, match="targets 和 inputs 的个数必须相同"):
        pt.fine_tune(head, x, y[:3], lambda model: 0.0, lr=1e-2)


def test_encoder_features_pool_like_the_classifier(one_thread):
    encoder = _encoder()
    ids = torch.randint(1, 30, (5, 12))
    ids[:, 8:] = 0                                         # padding
    pooled = pt.encoder_features(encoder, ids, pooled=True, batch_size=2)
    with torch.no_grad():
        assert torch.allclose(pooled, pt.SequenceClassifier(encoder, 2).pooled(ids), atol=1e-6)
    assert pt.encoder_features(encoder, ids).shape == (5, 12, 16)


def test_evaluate_mlm_splits_by_kind(one_thread):
    model = pt.MLMModel(_encoder())
    ids = torch.randint(5, 30, (40, 12))
    batch = pt.mask_tokens(ids, 4, 30, 5, select_prob=0.5, generator=torch.Generator().manual_seed(0))
    figures = pt.evaluate_mlm(model, batch, batch_size=7)
    loss, accuracy = pt.mlm_loss(model, batch.inputs, batch.labels)
    assert figures["test_loss"] == pytest.approx(loss.item(), abs=1e-5) and figures["acc"] == pytest.approx(accuracy)
    n = {k: int(getattr(batch, k).sum()) for k in ("masked", "randomised", "kept")}
    mixed = sum(figures[f"acc_{k}"] * n[k] for k in n) / sum(n.values())
    assert mixed == pytest.approx(figures["acc"])
