import math

import numpy as np
import pytest
import torch
import torch.nn as nn

from forge_utils import lm
from forge_utils.lm import BigramLM, CharVocab


def free(stream: torch.Tensor) -> torch.Tensor:
    """No naming cost anywhere: id 0 of these tiny streams is an ordinary symbol, not <unk>."""
    return torch.zeros(len(stream), dtype=torch.float64)


# --- the vocabulary ----------------------------------------------------------------------------------


def test_char_vocab_reserves_unk_and_line_end():
    vocab = CharVocab.build([list("abcab"), list("ba")], size=4)
    assert vocab.itos[:2] == [lm.UNK_CHAR, lm.LINE_END]
    assert vocab.stoi["<unk>"] == 0 and vocab.stoi["\n"] == 1
    assert vocab.itos[2:] == ["a", "b"]  # the size − 2 most frequent: a and b (3 each), c is dropped
    assert len(vocab) == 4


def test_char_vocab_ties_keep_first_seen_order():
    assert CharVocab.build([list("xyzzyx")], size=5).itos[2:] == ["x", "y", "z"]


def test_char_vocab_encode_decode_and_coverage():
    vocab = CharVocab(list("ab"))
    stream = vocab.encode_lines([list("ab"), list("bc")])
    assert stream.dtype == torch.long
    assert stream.tolist() == [2, 3, 1, 3, 0, 1]  # every line ends with the line end; c is <unk>
    assert vocab.decode(stream) == "ab\nb□\n"
    assert vocab.coverage([list("ab"), list("bc")]) == pytest.approx(3 / 4)


def test_char_vocab_bad_input():
    with pytest.raises(ValueError, match="size 至少要是 3（<unk>、换行符，再加至少一个字），收到的是 2"):
        CharVocab.build([list("abc")], size=2)
    with pytest.raises(ValueError, match="CharVocab 收到了重复的字"):
        CharVocab(list("aba"))


@pytest.fixture(scope="module")
def thread():
    return lm.load_thread_data()


def test_thread_vocabulary_covers_904_per_cent_of_test_text(thread):
    from forge_utils.data import load_peoples_daily

    vocab, streams, unk_nats = thread
    assert len(vocab) == lm.VOCAB_SIZE and set(streams) == set(unk_nats) == {"train", "val", "test"}
    assert round(vocab.coverage(load_peoples_daily("test", "char")), 3) == 0.904
    assert len(streams["test"]) == sum(len(line) + 1 for line in load_peoples_daily("test", "char"))
    for split in streams:  # a naming cost exactly where the stream says <unk>
        assert torch.equal(unk_nats[split] > 0, streams[split] == 0)


def test_unk_bits_by_hand():
    # training text: a ×4, b ×3, then out of vocabulary c ×3, d ×1, e ×1 → T = 5, n1 = 2
    vocab = CharVocab.build([list("aaaabbbcccde")], size=4)
    assert vocab.itos[2:] == ["a", "b"] and vocab.unk_total == 5 and vocab.unk_once == 2
    assert vocab.unk_bits("a") == 0.0
    assert vocab.unk_bits("c") == pytest.approx(math.log2(7 / 3))  # 3 / (T + n1)
    assert vocab.unk_bits("d") == pytest.approx(math.log2(7))
    assert vocab.unk_bits("z") == pytest.approx(math.log2(7 / 2) + 16)  # never seen: n1 / (T + n1) / 2**16
    # a proper distribution: the seen shares and the new-character mass add up to 1
    assert sum(2 ** -vocab.unk_bits(c) for c in "cde") + 2 / 7 == pytest.approx(1.0)
    nats = vocab.unk_nats([list("acz"), list("b")])
    assert nats.dtype == torch.float64 and nats.shape == vocab.encode_lines([list("acz"), list("b")]).shape
    assert nats.tolist() == pytest.approx([0, math.log(7 / 3), (math.log2(3.5) + 16) * math.log(2), 0, 0, 0])


def test_every_scorer_refuses_an_uncharged_unk():
    vocab = CharVocab.build([list("aaaabbbcccde")], size=4)
    stream, nats = vocab.encode_lines([list("abcab") * 20]), vocab.unk_nats([list("abcab") * 20])
    bigram = BigramLM.fit(stream, len(vocab))
    for score in (lambda **kw: lm.evaluate_bpc(bigram, stream, context=8, **kw),
                  lambda **kw: bigram.bpc(stream, context=8, **kw),
                  lambda **kw: lm.bpc_by_context(bigram, stream, (1, 2), n_targets=20, **kw)[1]):
        with pytest.raises(ValueError, match=r"是 <unk>（id 0）：请传入 unk_nats"):
            score()
        charged, uncharged = score(unk_nats=nats), score(unk_nats=torch.zeros_like(nats))
        assert charged > uncharged  # naming the c's costs something
    with pytest.raises(ValueError, match="id 流的形状却是.*每个 id 要有一个命名费用"):
        lm.evaluate_bpc(bigram, stream, context=8, unk_nats=nats[:-1])
    # the charge is exactly log2(7/3) bits for each scored c, spread over the scored characters
    n_c = int((stream[1 : 1 + (len(stream) - 1) // 8 * 8] == 0).sum())
    extra = bigram.bpc(stream, context=8, unk_nats=nats) - bigram.bpc(stream, context=8, unk_nats=torch.zeros_like(nats))
    assert extra == pytest.approx(n_c * math.log2(7 / 3) / ((len(stream) - 1) // 8 * 8))


def test_thread_bigram_is_charged_about_one_bit_per_character_for_unk(thread):
    vocab, streams, unk_nats = thread
    bigram = BigramLM.fit(streams["train"], len(vocab)).tune(streams["val"])
    charged = bigram.bpc(streams["test"], unk_nats=unk_nats["test"])
    uncharged = bigram.bpc(streams["test"], unk_nats=torch.zeros_like(unk_nats["test"]))
    assert 0.9 < charged - uncharged < 1.2  # measured 1.04: ~9.6 % of characters × ~10.9 bits each


# --- the metric ----------------------------------------------------------------------------------------


def test_bits_per_char_by_hand():
    assert lm.bits_per_char(10 * math.log(2), 10) == pytest.approx(1.0)
    assert lm.bits_per_char(3 * math.log(8), 3) == pytest.approx(3.0)
    with pytest.raises(ValueError, match="n_chars 必须大于 0"):
        lm.bits_per_char(1.0, 0)


def test_perplexity_to_bpc_by_hand():
    assert lm.perplexity_to_bpc(2.0) == pytest.approx(1.0)
    assert lm.perplexity_to_bpc(256.0, tokens_per_char=0.5) == pytest.approx(4.0)  # 8 bits per token, 2 chars each
    assert lm.perplexity_to_bpc(300.0, 1 / 1.6) == pytest.approx(5.14, abs=0.01)  # the docstring's example


def test_evaluation_windows_score_every_target_once():
    stream = torch.arange(23)
    inputs, targets = lm.evaluation_windows(stream, context=5)
    assert inputs.shape == targets.shape == (4, 5)  # (23 − 1) // 5 = 4 windows, 2 ids of tail dropped
    assert targets.reshape(-1).tolist() == list(range(1, 21))  # stream[1 : 1 + W·context], each once
    assert torch.equal(inputs + 1, targets)  # the target is the next id of the stream
    with pytest.raises(ValueError, match="这条 id 流只有 5 个 id，不够一个窗口（6 个 id）"):
        lm.evaluation_windows(torch.arange(5), context=5)


def test_evaluate_bpc_of_uniform_logits_is_log2_v():
    def uniform(ids):
        return torch.zeros(*ids.shape, 8)

    stream = torch.randint(0, 8, (100,))
    assert lm.evaluate_bpc(uniform, stream, context=7, batch_size=3, unk_nats=free(stream)) == pytest.approx(3.0)


def test_nats_per_character_adds_up_to_evaluate_bpc():
    stream = torch.tensor([0, 1, 2, 2, 0, 1, 1, 0, 2, 1, 0, 2, 1])
    bigram = BigramLM.fit(TINY, 3, lam=0.6)
    nats = lm.nats_per_character(bigram, stream, context=4, unk_nats=free(stream))
    assert nats.shape == (12,) and nats.dtype == torch.float64
    p = bigram.probs(stream[:12].numpy(), stream[1:13].numpy())
    assert nats.numpy() == pytest.approx(-np.log(p), rel=1e-5)
    assert lm.evaluate_bpc(bigram, stream, context=4, unk_nats=free(stream)) == pytest.approx(
        float(nats.sum()) / 12 / math.log(2))


def test_repeat_distance_by_hand():
    # ids a 2, b 3, c 4; windows of 5 read "a b c a <unk>" and "b b c a b", targets shifted by one
    stream = torch.tensor([2, 3, 4, 2, 0, 3, 3, 4, 2, 3, 1])
    assert lm.repeat_distance(stream, context=5).tolist() == [
        0, 0, 3, 0, 4,  # b, c new; a seen 3 back; <unk> never counts; b seen 4 back (behind the <unk>)
        1, 0, 0, 3, 0,  # b right before; c, a new in this window; b 3 back; the line end never seen
    ]


def test_bpc_by_context_truncates_the_history():
    stream = torch.tensor([3, 1, 2] * 40)  # 3 → 1 → 2 → 3 ...

    def last_two(ids):  # sure of the next id once it is shown two ids; with one it guesses among 4 (2 bits)
        logits = torch.zeros(*ids.shape, 4)
        if ids.shape[1] >= 2:
            nxt = torch.tensor([0, 2, 3, 1])[ids[:, -1]]
            logits[:, -1] = -30.0
            logits[torch.arange(len(ids)), -1, nxt] = 30.0
        return logits

    curve = lm.bpc_by_context(last_two, stream, (1, 2, 8), n_targets=50)
    assert list(curve) == [1, 2, 8]
    assert curve[1] == pytest.approx(2.0) and curve[2] < 1e-6 and curve[8] < 1e-6
    with pytest.raises(ValueError, match=r"contexts 应该是一组正整数长度.*收到的是 \(0, 2\)"):
        lm.bpc_by_context(last_two, stream, (0, 2))

    def likes_three(ids):  # the same guess whatever it is shown: its score depends only on the targets
        logits = torch.zeros(*ids.shape, 4)
        logits[..., 3] = 2.0
        return logits

    shifted = torch.cat([torch.ones(3, dtype=torch.long), stream])  # id 0 would be <unk>
    full = lm.bpc_by_context(likes_three, shifted, (1, 3), n_targets=7)  # targets spread over shifted[3:]
    alone = lm.bpc_by_context(likes_three, shifted, (1,), n_targets=7)  # over shifted[1:]: other targets
    same = lm.bpc_by_context(likes_three, shifted, (1,), n_targets=7, min_history=3)
    assert same[1] == full[1] != alone[1]
    with pytest.raises(ValueError, match="min_history=4 比最长的上下文 8 还短"):
        lm.bpc_by_context(last_two, stream, (1, 8), min_history=4)
    with pytest.raises(ValueError, match="这条 id 流只有 8 个 id，不够给出 8 个字的历史"):
        lm.bpc_by_context(last_two, stream[:8], (8,))


# --- counting models ------------------------------------------------------------------------------------

# A stream over V = 3 ids: pairs 0→1 three times, 1→2 twice, 1→0 once, 2→0 once.
TINY = torch.tensor([0, 1, 2, 0, 1, 0, 1, 2])


def test_unigram_probs_by_hand():
    p = lm.unigram_probs(TINY, 3)  # counts 3, 3, 2, plus one each → 4, 4, 3 over 11
    assert p == pytest.approx([4 / 11, 4 / 11, 3 / 11])
    assert lm.unigram_probs(TINY, 4, add=0.0) == pytest.approx([3 / 8, 3 / 8, 2 / 8, 0])


def test_bigram_counts_and_interpolated_probs_by_hand():
    bigram = BigramLM.fit(TINY, 3, lam=0.75)
    assert bigram.pair_counts.tolist() == [[0, 3, 0], [1, 0, 2], [1, 0, 0]]
    # p(2 | 1) = 0.75 · 2/3 + 0.25 · 3/11 ;  p(1 | 2) = 0.75 · 0 + 0.25 · 4/11
    got = bigram.probs(np.array([1, 2]), np.array([2, 1]))
    assert got == pytest.approx([0.75 * 2 / 3 + 0.25 * 3 / 11, 0.25 * 4 / 11])
    rows = bigram.probs(np.repeat(np.arange(3), 3), np.tile(np.arange(3), 3)).reshape(3, 3)
    assert rows.sum(axis=1) == pytest.approx([1, 1, 1])


def test_unsmoothed_bigram_gives_infinite_bits_to_an_unseen_pair():
    bigram = BigramLM.fit(TINY, 3, lam=1.0)
    ok, unseen = torch.tensor([0, 1, 2, 0]), torch.tensor([0, 1, 2, 1])
    assert bigram.bpc(ok, context=3, unk_nats=free(ok)) == pytest.approx(-math.log2(1 * (2 / 3) * 1) / 3)
    assert bigram.bpc(unseen, context=3, unk_nats=free(unseen)) == math.inf  # 2 → 1 never seen


def test_bigram_bpc_scores_the_same_characters_as_evaluate_bpc():
    bigram = BigramLM.fit(TINY, 3, lam=0.6)
    stream = torch.tensor([0, 1, 2, 2, 0, 1, 1, 0, 2, 1, 0])
    assert lm.evaluate_bpc(bigram, stream, context=4, unk_nats=free(stream)) == pytest.approx(
        bigram.bpc(stream, context=4, unk_nats=free(stream)), rel=1e-6)


def test_tune_picks_the_validation_best_lambda():
    bigram = BigramLM.fit(TINY, 3)
    val = torch.tensor([0, 1, 2, 0, 1, 2, 1, 0, 1, 2, 2, 0, 1] * 12)  # longer than one window of CONTEXT + 1
    grid = (0.1, 0.3, 0.5, 0.7, 0.9)
    scores = {lam: BigramLM(bigram.pair_counts, bigram.unigram, lam).bpc(val, unk_nats=free(val)) for lam in grid}
    assert bigram.tune(val, grid) is bigram
    assert bigram.lam == min(scores, key=scores.get)
    assert bigram.lam not in (grid[0], grid[-1])  # an inner optimum: neither end of the grid wins here
    assert bigram.bpc(val, unk_nats=free(val)) == min(scores.values())


def test_bigram_logits_agree_with_probs():
    bigram = BigramLM.fit(TINY, 3, lam=0.8)
    ids = torch.tensor([[0, 2, 1], [1, 1, 0]])
    logits = bigram(ids)
    assert logits.shape == (2, 3, 3)
    want = bigram.probs(np.repeat(ids.reshape(-1).numpy(), 3), np.tile(np.arange(3), 6)).reshape(2, 3, 3)
    assert torch.allclose(logits.exp(), torch.from_numpy(want).float(), atol=1e-6)


# --- training helpers -----------------------------------------------------------------------------------


def test_warmup_cosine():
    assert lm.warmup_cosine(0, total=100, warmup=10) == pytest.approx(0.1)
    assert lm.warmup_cosine(9, total=100, warmup=10) == pytest.approx(1.0)
    assert lm.warmup_cosine(10, total=100, warmup=10) == pytest.approx(1.0)
    assert lm.warmup_cosine(55, total=100, warmup=10) == pytest.approx(0.5)
    assert lm.warmup_cosine(100, total=100, warmup=10) == pytest.approx(0.0)


def test_random_windows_shapes_shift_and_determinism():
    stream = torch.arange(50)
    x, y = lm.random_windows(stream, 6, 8, torch.Generator().manual_seed(3))
    assert x.shape == y.shape == (6, 8)
    assert torch.equal(x + 1, y)
    again, _ = lm.random_windows(stream, 6, 8, torch.Generator().manual_seed(3))
    other, _ = lm.random_windows(stream, 6, 8, torch.Generator().manual_seed(4))
    assert torch.equal(x, again) and not torch.equal(x, other)


def test_unigram_output_bias_starts_at_the_unigram_model():
    linear = nn.Linear(4, 3)
    lm.unigram_output_bias(linear, TINY)
    assert torch.allclose(linear.bias, torch.log(torch.tensor([4 / 11, 4 / 11, 3 / 11])))
    nn.init.zeros_(linear.weight)
    embed = nn.Embedding(3, 4)

    def model(ids):
        return linear(embed(ids))

    stream = torch.tensor([0, 1, 2, 0, 1, 0, 2, 2, 1])
    want = -np.log2(lm.unigram_probs(TINY, 3)[stream[1:].numpy()]).mean()
    assert lm.evaluate_bpc(model, stream, context=4, unk_nats=free(stream)) == pytest.approx(want, rel=1e-5)


def test_sample_is_seeded_and_checks_temperature():
    vocab = CharVocab(list("ab"))
    bigram = BigramLM.fit(vocab.encode_lines([list("abab"), list("bba"), list("aab")]), len(vocab), lam=0.9)
    first = lm.sample(bigram, vocab, "a", 20, seed=1)
    assert first == lm.sample(bigram, vocab, "a", 20, seed=1) and first.startswith("a")
    assert "\n" not in first and len(first) <= 21  # stops at a line end, never prints it
    assert {lm.sample(bigram, vocab, "a", 20, seed=s) for s in range(10)} != {first}
    with pytest.raises(ValueError, match="temperature 必须大于 0，收到的是 0"):
        lm.sample(bigram, vocab, "a", temperature=0)
    for bad in (0, -1):  # 0 is not "no limit" here (that is top_k=None)
        with pytest.raises(ValueError, match=f"top_k 必须是 ≥ 1 的整数.*收到的是 {bad}；不想限制就传 top_k=None"):
            lm.sample(bigram, vocab, "a", top_k=bad)


def test_sample_top_1_is_greedy():
    vocab = CharVocab(list("ab"))
    # after a comes b (always), after b comes a (always): top_k = 1 alternates, whatever the seed
    bigram = BigramLM.fit(vocab.encode_lines([list("ababab")] * 3), len(vocab), lam=0.99)
    assert lm.sample(bigram, vocab, "a", 5, top_k=1, seed=0) == lm.sample(bigram, vocab, "a", 5, top_k=1, seed=7) == "ababab"


def test_sample_never_draws_unk():
    vocab = CharVocab(list("ab"))                                  # ids: <unk> 0, line end 1, a 2, b 3

    def unk_heavy(ids):                                            # <unk> almost surely
        return torch.tensor([8.0, -9.0, 0.0, 0.0]).expand(*ids.shape, 4)

    text = lm.sample(unk_heavy, vocab, "a", 30, seed=0)
    assert len(text) == 31 and set(text[1:]) <= {"a", "b"} and len(set(text[1:])) == 2


def test_train_lm_lowers_the_loss(one_thread):
    torch.manual_seed(0)
    stream = torch.tensor([0, 1, 2, 3] * 200)  # fully predictable from the last id

    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed, self.out = nn.Embedding(4, 8), nn.Linear(8, 4)

        def forward(self, ids):
            return self.out(self.embed(ids))

    model = Tiny()
    history = lm.train_lm(model, stream, steps=60, batch_size=8, context=8, lr=0.05, warmup=5, progress=False,
                          eval_stream=stream[:100], eval_unk_nats=free(stream[:100]), eval_every=30)
    assert {"step", "loss", "seconds", "chars"} <= set(history[0])
    assert history[-1]["step"] == 60 and "bpc" in history[-1]
    assert history[-1]["loss"] < 0.5 * history[0]["loss"]
    assert history[-1]["bpc"] < 1.0  # log2 4 = 2 bits for a guess
    assert not model.training


def test_train_lm_stop_after_retraces_the_start_of_the_full_run(one_thread):
    stream = torch.arange(400) % 7

    def run(**kwargs):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Embedding(7, 8), nn.Linear(8, 7))
        history = lm.train_lm(model, stream, steps=40, batch_size=4, context=8, lr=0.05, warmup=5, progress=False,
                              eval_stream=stream[:65], eval_unk_nats=free(stream[:65]), eval_every=10,
                              **kwargs)
        return model, [(r["step"], r["loss"], r.get("bpc")) for r in history]

    full, full_history = run()
    short, short_history = run(stop_after=20)
    assert short_history == [row for row in full_history if row[0] <= 20]      # the same steps, the same schedule
    assert short_history[-1][0] == 20
    with pytest.raises(ValueError, match="stop_after 必须是 0 到 steps（40）之间的整数，收到的是 41"):
        run(stop_after=41)
    with pytest.raises(ValueError, match="stop_after 必须是 0 到 steps（40）之间的整数，收到的是 2.5"):
        run(stop_after=2.5)
