import pytest
import torch
import torch.nn as nn

from forge_utils.sequence import (
    LSTM,
    RNN,
    CharLM,
    MemoryReader,
    ReviewRNN,
    bidirectional,
    gradient_vs_distance,
    init_gate_bias,
    lstm_step,
    memory_task,
    per_step_factor,
    review_ids,
    rnn_step,
    train_memory_reader,
    review_scores,
    train_review_rnn,
)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


# ----------------------------------------------------------------------------- equal to torch


def test_rnn_equals_nn_rnn_with_copied_weights():
    torch_rnn = nn.RNN(6, 10, batch_first=True)
    x, h0 = torch.randn(4, 7, 6), torch.randn(4, 10)
    ours, h_last = RNN.from_torch(torch_rnn)(x, h0)
    theirs, h_n = torch_rnn(x, h0[None])
    assert ours.shape == (4, 7, 10)
    assert torch.allclose(ours, theirs, atol=1e-6)
    assert torch.allclose(h_last, h_n[0], atol=1e-6)


def test_lstm_equals_nn_lstm_with_copied_weights():
    torch_lstm = nn.LSTM(6, 10, batch_first=True)
    x, h0, c0 = torch.randn(4, 7, 6), torch.randn(4, 10), torch.randn(4, 10)
    ours, (h_T, c_T) = LSTM.from_torch(torch_lstm)(x, (h0, c0))
    theirs, (h_n, c_n) = torch_lstm(x, (h0[None], c0[None]))
    assert torch.allclose(ours, theirs, atol=1e-6)
    assert torch.allclose(h_T, h_n[0], atol=1e-6) and torch.allclose(c_T, c_n[0], atol=1e-6)


def test_lstm_run_returns_gates_in_range_and_states_in_graph():
    lstm = LSTM(3, 5)
    hs, cs, gates = lstm.run(torch.randn(2, 4, 3))
    assert len(hs) == len(cs) == 4 and set(gates) == {"i", "f", "g", "o"}
    assert all(g.shape == (2, 4, 5) for g in gates.values())
    assert gates["f"].min() > 0 and gates["f"].max() < 1 and gates["g"].abs().max() < 1
    grad = torch.autograd.grad(hs[-1].sum(), cs[0])[0]
    assert grad.shape == (2, 5) and grad.abs().sum() > 0


def test_bidirectional_equals_nn_rnn_bidirectional():
    birnn = nn.RNN(6, 8, batch_first=True, bidirectional=True)
    forward_rnn, backward_rnn = RNN(6, 8), RNN(6, 8)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(forward_rnn, name).copy_(getattr(birnn, f"{name}_l0"))
            getattr(backward_rnn, name).copy_(getattr(birnn, f"{name}_l0_reverse"))
    x = torch.randn(3, 5, 6)
    assert torch.allclose(bidirectional(forward_rnn, backward_rnn, x), birnn(x)[0], atol=1e-6)


def test_steps_match_the_equations():
    x, h, c = torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4)
    W, U, b1, b2 = torch.randn(4, 3), torch.randn(4, 4), torch.randn(4), torch.randn(4)
    assert torch.allclose(rnn_step(x, h, W, U, b1, b2), torch.tanh(x @ W.T + h @ U.T + b1 + b2))
    assert torch.allclose(rnn_step(x, h, W, U, b1, b2, "sigmoid"), torch.sigmoid(x @ W.T + h @ U.T + b1 + b2))
    W4, U4, b4, zero = torch.randn(16, 3), torch.randn(16, 4), torch.randn(16), torch.zeros(16)
    h_new, c_new, gates = lstm_step(x, h, c, W4, U4, b4, zero)
    assert torch.allclose(c_new, gates["f"] * c + gates["i"] * gates["g"])
    assert torch.allclose(h_new, gates["o"] * torch.tanh(c_new))


def test_init_gate_bias_sets_exact_totals():
    for module in (nn.LSTM(3, 5), LSTM(3, 5)):
        init_gate_bias(module, forget=5.0, input=-5.0)
        bias_ih = module.bias_ih_l0 if isinstance(module, nn.LSTM) else module.bias_ih
        bias_hh = module.bias_hh_l0 if isinstance(module, nn.LSTM) else module.bias_hh
        total = (bias_ih + bias_hh).detach()
        assert torch.allclose(total[5:10], torch.full((5,), 5.0))
        assert torch.allclose(total[:5], torch.full((5,), -5.0))
    with pytest.raises(TypeError, match="带偏置的 LSTM"):
        init_gate_bias(nn.Linear(2, 2), forget=1.0)


# ----------------------------------------------------------------------------- bad input


def test_wrong_input_shapes_say_what_to_do():
    rnn, lstm = RNN(4, 6), LSTM(4, 6)
    with pytest.raises(ValueError, match="加上批维"):
        rnn(torch.randn(5, 4))
    with pytest.raises(ValueError, match="input_size=4"):
        rnn(torch.randn(2, 5, 3))
    with pytest.raises(ValueError, match=r"h0 的形状应该是 \(batch, hidden\) = \(2, 6\).*h0\[0\]"):
        rnn(torch.randn(2, 5, 4), torch.zeros(1, 2, 6))
    with pytest.raises(ValueError, match="c0 的形状应该是"):
        lstm(torch.randn(2, 5, 4), (torch.zeros(2, 6), torch.zeros(3, 6)))
    with pytest.raises(ValueError, match="没有时间步"):
        lstm(torch.randn(2, 0, 4))
    with pytest.raises(TypeError, match="的张量，收到的是 list"):
        rnn([[1.0, 2.0]])
    with pytest.raises(ValueError, match="activation 必须是"):
        RNN(4, 6, activation="relu")


def test_from_torch_rejects_what_it_cannot_copy():
    with pytest.raises(ValueError, match="只能复制单层、单向"):
        RNN.from_torch(nn.RNN(3, 4, bidirectional=True))
    with pytest.raises(ValueError, match="num_layers=2"):
        LSTM.from_torch(nn.LSTM(3, 4, num_layers=2))
    with pytest.raises(TypeError, match="要的是 torch 的 LSTM"):
        LSTM.from_torch(nn.RNN(3, 4))
    with pytest.raises(ValueError, match="只能复制 tanh"):
        RNN.from_torch(nn.RNN(3, 4, nonlinearity="relu"))


# ----------------------------------------------------------------------------- memory task


def test_memory_task_shapes_marker_and_target():
    x, y = memory_task(8, 12, num_symbols=4, generator=torch.Generator().manual_seed(0))
    assert x.shape == (8, 12, 5) and y.shape == (8,) and y.dtype == torch.long
    assert torch.equal(x[..., :4].sum(-1), torch.ones(8, 12))           # one symbol per step
    assert torch.equal(x[:, 0, 4], torch.ones(8)) and x[:, 1:, 4].sum() == 0   # only the first step is marked
    assert torch.equal(x[:, 0, :4].argmax(-1), y)                        # the target is the marked symbol


def test_memory_task_is_reproducible_and_uses_the_same_symbols_as_distractors():
    a = memory_task(64, 20, generator=torch.Generator().manual_seed(3))
    b = memory_task(64, 20, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    distractors = a[0][:, 1:, :4].argmax(-1)
    assert set(distractors.unique().tolist()) == {0, 1, 2, 3}
    with pytest.raises(ValueError, match="length >= 1"):
        memory_task(4, 0)


# ----------------------------------------------------------------------------- gradient measurement


def test_gradient_vs_distance_matches_the_chain_rule_for_a_linear_case():
    # zero input, zero biases, U = 0.5·I: every state stays 0 where tanh' = 1, so each step
    # back multiplies the gradient by exactly 0.5
    rnn = RNN(2, 3)
    with torch.no_grad():
        rnn.weight_ih.zero_()
        rnn.bias_ih.zero_()
        rnn.bias_hh.zero_()
        rnn.weight_hh.copy_(0.5 * torch.eye(3))
    norms = gradient_vs_distance(rnn, torch.zeros(4, 10, 2))
    assert norms.shape == (10,)
    assert torch.allclose(norms, 0.5 ** torch.arange(10, dtype=torch.float64), rtol=1e-5)
    assert per_step_factor(norms) == pytest.approx(0.5, rel=1e-6)


def test_gradient_vs_distance_lstm_cell_follows_the_forget_gate():
    lstm = LSTM(5, 16)
    init_gate_bias(lstm, forget=5.0, input=-5.0)
    x, _ = memory_task(8, 60, generator=torch.Generator().manual_seed(0))
    factor = per_step_factor(gradient_vs_distance(lstm, x, state="c"), 1, 50)
    assert factor == pytest.approx(torch.sigmoid(torch.tensor(5.0)).item(), abs=0.01)
    rnn_factor = per_step_factor(gradient_vs_distance(RNN(5, 16), x), 1, 50)
    assert rnn_factor < 0.8


def test_gradient_vs_distance_bad_arguments():
    with pytest.raises(ValueError, match="没有细胞状态"):
        gradient_vs_distance(RNN(2, 3), torch.zeros(1, 4, 2), state="c")
    with pytest.raises(ValueError, match="'h' 或 'c'"):
        gradient_vs_distance(LSTM(2, 3), torch.zeros(1, 4, 2), state="x")
    with pytest.raises(TypeError, match="RNN 或 LSTM"):
        gradient_vs_distance(nn.RNN(2, 3), torch.zeros(1, 4, 2))
    with pytest.raises(ValueError, match="至少要有两个"):
        per_step_factor(torch.tensor([1.0, 0.0, 0.0]))


def test_per_step_factor_fits_growth_and_ignores_underflow():
    d = torch.arange(20, dtype=torch.float64)
    assert per_step_factor(3 * 1.2**d) == pytest.approx(1.2)
    decayed = 0.1**d
    decayed[15:] = 0.0  # underflow
    assert per_step_factor(decayed) == pytest.approx(0.1)



# ----------------------------------------------------------------------------- character language model


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_char_lm_predicts_every_position_from_the_past_only(cell):
    lm = CharLM(vocab_size=11, embed_dim=4, hidden_size=6, cell=cell)
    ids = torch.randint(0, 11, (3, 7))
    logits = lm(ids)
    assert logits.shape == (3, 7, 11)
    changed = ids.clone()
    changed[:, 4] = (changed[:, 4] + 1) % 11                   # change character 4
    after = lm(changed)
    assert torch.allclose(after[:, :4], logits[:, :4], atol=1e-6)   # positions before it cannot see it
    assert not torch.allclose(after[:, 4:], logits[:, 4:], atol=1e-4)


def test_char_lm_equals_embedding_rnn_linear_by_hand():
    lm = CharLM(vocab_size=9, embed_dim=3, hidden_size=5, cell="rnn")
    ids = torch.randint(0, 9, (2, 4))
    rnn = RNN.from_torch(lm.rnn)
    states, _ = rnn(lm.embed.weight[ids])
    assert torch.allclose(lm(ids), states @ lm.out.weight.T + lm.out.bias, atol=1e-5)


def test_char_lm_trains_with_the_thread_loop():
    from forge_utils.lm import evaluate_bpc, train_lm

    torch.manual_seed(0)
    stream = torch.tensor([0, 1, 2, 3, 4, 5] * 200)                 # a fully predictable cycle
    lm = CharLM(vocab_size=6, embed_dim=4, hidden_size=16, cell="lstm")
    no_unk = torch.zeros(len(stream), dtype=torch.float64)  # id 0 here is an ordinary symbol
    before = evaluate_bpc(lm, stream, context=8, unk_nats=no_unk)
    train_lm(lm, stream, steps=60, batch_size=16, context=8, lr=3e-2, warmup=5, progress=False)
    after = evaluate_bpc(lm, stream, context=8, unk_nats=no_unk)
    assert before > 2.0 and after < 0.3


def test_char_lm_bad_arguments_say_what_to_do():
    with pytest.raises(ValueError, match="cell 必须是 .* 之一"):
        CharLM(10, cell="transformer")
    with pytest.raises(ValueError, match="都必须是正数"):
        CharLM(0)
    lm = CharLM(10, embed_dim=2, hidden_size=3)
    with pytest.raises(ValueError, match=r"只有一条序列？请用 ids\.unsqueeze\(0\)"):
        lm(torch.tensor([1, 2, 3]))
    with pytest.raises(ValueError, match=r"torch\.float32.*是浮点数？请用 ids\.long\(\)"):
        lm(torch.zeros(2, 3))


def test_memory_reader_shapes_and_initialisation():
    x, _ = memory_task(3, 7, num_symbols=4, generator=torch.Generator().manual_seed(0))
    rnn, lstm = MemoryReader("rnn", hidden=8), MemoryReader("lstm", forget_bias=5.0, input_bias=-5.0, hidden=8)
    assert rnn(x).shape == lstm(x).shape == (3, 4)
    u = rnn.rnn.weight_hh_l0
    assert torch.allclose(u @ u.T, torch.eye(8), atol=1e-5)                       # orthogonal U
    total = lstm.rnn.bias_ih_l0 + lstm.rnn.bias_hh_l0
    assert torch.allclose(total[8:16], torch.full((8,), 5.0)) and torch.allclose(total[:8], torch.full((8,), -5.0))
    with pytest.raises(ValueError, match="'rnn' 或 'lstm'"):
        MemoryReader("gru")


def test_train_memory_reader_learns_a_short_recall_and_repeats():
    model, accuracy = train_memory_reader("lstm", 5, seed=0, forget_bias=1.0, steps=60, hidden=16)
    _, again = train_memory_reader("lstm", 5, seed=0, forget_bias=1.0, steps=60, hidden=16)
    _, untrained = train_memory_reader("lstm", 5, seed=0, forget_bias=1.0, steps=0, hidden=16)
    assert accuracy == again                                     # one seed, one result
    assert accuracy > 0.9 and untrained < 0.5                    # chance is 0.25
    assert isinstance(model, MemoryReader)


def test_review_rnn_reads_the_last_real_character_like_pack_padded_sequence():
    ids, lengths = review_ids(["好好好", "差", "", "好差好差好差"], {"好": 0, "差": 1}, maxlen=4)
    assert ids.tolist()[:3] == [[2, 2, 2, 0], [3, 0, 0, 0], [1, 0, 0, 0]] and lengths.tolist() == [3, 1, 1, 4]
    torch.manual_seed(0)
    model = ReviewRNN(4, embed_dim=8, hidden_size=6)
    packed = nn.utils.rnn.pack_padded_sequence(model.embed(ids), lengths, batch_first=True, enforce_sorted=False)
    _, h = model.rnn(packed)
    assert torch.allclose(model(ids, lengths), model.out(h[0]), atol=1e-6)


def test_train_review_rnn_learns_a_keyword_and_repeats():
    texts = ["好" * (i % 5 + 1) + "的" for i in range(40)] + ["差" * (i % 5 + 1) + "的" for i in range(40)]
    ids, lengths = review_ids(texts, {"好": 0, "差": 1, "的": 2}, maxlen=8)
    labels = torch.tensor([1] * 40 + [0] * 40)
    a, history = train_review_rnn(ids, lengths, labels, vocab_size=5, seed=1, epochs=30, batch_size=16, lr=1e-2)
    b, _ = train_review_rnn(ids, lengths, labels, vocab_size=5, seed=1, epochs=30, batch_size=16, lr=1e-2)
    with torch.no_grad():
        assert torch.equal(a(ids, lengths), b(ids, lengths))
        assert (a(ids, lengths).argmax(-1) == labels).float().mean() == 1.0
    assert [row["epoch"] for row in history] == list(range(1, 31)) and history[-1]["train_acc"] == 1.0
    assert "val_acc" not in history[-1]


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_review_rnn_cells_and_mean_pooling_ignore_the_padding(cell):
    ids, lengths = review_ids(["好好差", "差"], {"好": 0, "差": 1}, maxlen=5)
    torch.manual_seed(0)
    model = ReviewRNN(4, embed_dim=8, hidden_size=6, cell=cell, pool="mean")
    states, _ = model.rnn(model.embed(ids))
    want = torch.stack([states[0, :3].mean(0), states[1, :1].mean(0)])  # the real characters only
    assert torch.allclose(model(ids, lengths), model.out(want), atol=1e-6)
    longer, _ = review_ids(["好好差", "差"], {"好": 0, "差": 1}, maxlen=9)  # more padding: the same logits
    assert torch.allclose(model(longer, lengths), model(ids, lengths), atol=1e-6)
    with pytest.raises(ValueError, match="cell 必须是 .* 之一"):
        ReviewRNN(4, cell="transformer")


def test_train_review_rnn_stops_early_and_returns_the_best_epoch():
    texts = ["好" * (i % 5 + 1) + "的" for i in range(40)] + ["差" * (i % 5 + 1) + "的" for i in range(40)]
    ids, lengths = review_ids(texts, {"好": 0, "差": 1, "的": 2}, maxlen=8)
    labels = torch.tensor([1] * 40 + [0] * 40)
    val = (ids[::4], lengths[::4], labels[::4])
    model, history = train_review_rnn(ids, lengths, labels, vocab_size=5, seed=1, epochs=30, batch_size=16, lr=1e-2,
                                      val=val, patience=2)
    best = history[-1]["best_epoch"]
    assert len(history) == best + 2 < 30  # perfect soon, then two epochs without improvement
    assert history[best - 1]["val_acc"] == max(row["val_acc"] for row in history) == 1.0
    assert review_scores(model, *val)[1] == 1.0
    with pytest.raises(ValueError, match="patience 需要验证集"):
        train_review_rnn(ids, lengths, labels, vocab_size=5, seed=1, patience=2)
