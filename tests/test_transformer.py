import math

import pytest
import torch
from torch import nn

from forge_utils.attention import causal_mask
from forge_utils.transformer import (
    DecoderLayer,
    Encoder,
    EncoderLayer,
    Seq2SeqTransformer,
    TransformerEncoderModel,
    attention_maps,
    beam_search,
    greedy_decode,
    greedy_decode_batch,
    relative_position_matrix,
    sinusoidal_positional_encoding,
)

# ----------------------------------------------------------------------------- positional encoding


def test_pe_matches_the_paper_formula():
    pe = sinusoidal_positional_encoding(30, 16)
    assert pe.shape == (30, 16)
    for pos in (0, 1, 7, 29):
        for i in range(8):
            angle = pos / 10000 ** (2 * i / 16)
            assert pe[pos, 2 * i].item() == pytest.approx(math.sin(angle), abs=1e-5)
            assert pe[pos, 2 * i + 1].item() == pytest.approx(math.cos(angle), abs=1e-5)
    assert torch.equal(pe[0, 0::2], torch.zeros(8)) and torch.equal(pe[0, 1::2], torch.ones(8))


@pytest.mark.parametrize("k", [1, 3, 10])
def test_pe_shift_is_a_fixed_linear_map(k):
    pe = sinusoidal_positional_encoding(60, 32).double()
    m = relative_position_matrix(k, 32)
    shifted = pe[:-k] @ m.T  # row pos → M_k PE[pos]
    assert torch.allclose(shifted, pe[k:], atol=1e-5)
    assert torch.allclose(m @ m.T, torch.eye(32, dtype=torch.float64), atol=1e-12)  # a rotation


def test_pe_dot_product_depends_only_on_offset():
    pe = sinusoidal_positional_encoding(80, 64)
    dots = (pe[:-5] * pe[5:]).sum(-1)
    assert dots.std() < 1e-4


@pytest.mark.parametrize("args", [(10, 7), (0, 8), (10, 0), (2.5, 8)])
def test_pe_bad_sizes(args):
    with pytest.raises(ValueError, match="max_len 必须是正整数|d_model 必须是正偶数"):
        sinusoidal_positional_encoding(*args)


# ----------------------------------------------------------------------------- layers vs torch


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_equals_torch(norm_first):
    torch.manual_seed(0)
    ref = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True, norm_first=norm_first).eval()
    ours = EncoderLayer(32, 4, 64, norm_first=norm_first).load_from_torch(ref)
    x = torch.randn(3, 7, 32)
    pad = torch.tensor([[False] * 7, [False] * 5 + [True] * 2, [False] * 3 + [True] * 4])
    expected = ref(x, src_key_padding_mask=pad)
    got, weights = ours(x, (~pad)[:, None, None, :])
    real = ~pad
    assert torch.allclose(got[real], expected[real], atol=1e-5)
    assert weights.shape == (3, 4, 7, 7)
    assert torch.all(weights[1, :, :, 5:] == 0)  # padding gets no attention


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_equals_torch(norm_first):
    torch.manual_seed(1)
    ref = nn.TransformerDecoderLayer(32, 4, 64, dropout=0.0, batch_first=True, norm_first=norm_first).eval()
    ours = DecoderLayer(32, 4, 64, norm_first=norm_first).load_from_torch(ref)
    y, memory = torch.randn(2, 5, 32), torch.randn(2, 6, 32)
    pad = torch.tensor([[False] * 6, [False] * 4 + [True] * 2])
    expected = ref(y, memory, tgt_mask=~causal_mask(5), memory_key_padding_mask=pad)
    got, self_w, cross_w = ours(y, memory, causal_mask(5), (~pad)[:, None, None, :])
    assert torch.allclose(got, expected, atol=1e-5)
    assert self_w.shape == (2, 4, 5, 5) and cross_w.shape == (2, 4, 5, 6)
    assert torch.all(self_w.triu(1) == 0)  # no peeking at later positions
    assert torch.all(cross_w[1, ..., 4:] == 0)


def test_decoder_is_causal():
    torch.manual_seed(0)
    layer = DecoderLayer(16, 2, 32).eval()
    memory = torch.randn(1, 4, 16)
    y = torch.randn(1, 6, 16)
    y2 = y.clone()
    y2[:, 4:] += 5.0  # change the future
    a, _, _ = layer(y, memory, causal_mask(6))
    b, _, _ = layer(y2, memory, causal_mask(6))
    assert torch.allclose(a[:, :4], b[:, :4], atol=1e-6)
    assert not torch.allclose(a[:, 4:], b[:, 4:])


def test_copy_rejects_mismatched_torch_layer():
    with pytest.raises(ValueError, match="FFN 的大小不同"):
        EncoderLayer(32, 4, 64).load_from_torch(nn.TransformerEncoderLayer(32, 4, 128, batch_first=True))
    with pytest.raises(ValueError, match="norm_first 不一致"):
        EncoderLayer(32, 4, 64).load_from_torch(nn.TransformerEncoderLayer(32, 4, 64, batch_first=True, norm_first=True))
    with pytest.raises(ValueError, match="需要 activation='relu' 的 torch 层"):
        EncoderLayer(32, 4, 64).load_from_torch(nn.TransformerEncoderLayer(32, 4, 64, batch_first=True, activation="gelu"))


def test_pre_norm_stack_has_final_norm():
    assert isinstance(Encoder(2, 16, 2, 32, norm_first=True).norm, nn.LayerNorm)
    assert isinstance(Encoder(2, 16, 2, 32).norm, nn.Identity)


# ----------------------------------------------------------------------------- models and bad input


def test_encoder_model_shapes_and_padding():
    torch.manual_seed(0)
    model = TransformerEncoderModel(vocab_size=20, d_model=32, num_heads=4, num_layers=2, d_ff=64, max_len=16).eval()
    ids = torch.tensor([[5, 6, 7, 0, 0], [8, 9, 10, 11, 12]])
    hidden, weights = model(ids, return_attention=True)
    assert hidden.shape == (2, 5, 32) and len(weights) == 2 and weights[0].shape == (2, 4, 5, 5)
    assert torch.all(weights[0][0, :, :, 3:] == 0)
    # padding does not change the real tokens' states
    alone = model(ids[:1, :3])
    assert torch.allclose(alone, hidden[:1, :3], atol=1e-5)


def test_seq2seq_shapes():
    torch.manual_seed(0)
    model = Seq2SeqTransformer(15, 12, d_model=32, num_heads=4, num_layers=2, d_ff=64, max_len=16)
    logits = model(torch.randint(1, 15, (3, 6)), torch.randint(1, 12, (3, 4)))
    assert logits.shape == (3, 4, 12)


@pytest.mark.parametrize(
    "src, tgt, match",
    [
        (torch.randint(1, 15, (6,)), torch.randint(1, 12, (4,)), r"\(B, L\)|B 相同"),
        (torch.randint(1, 15, (2, 6)), torch.randint(1, 12, (3, 4)), "而且 B 相同"),
        (torch.full((1, 3), 99), torch.randint(1, 12, (1, 4)), r"src 里有超出 0\.\.14 的 id"),
        (torch.randn(1, 3), torch.randint(1, 12, (1, 4)), "整数词元 id"),
        (torch.randint(1, 15, (1, 40)), torch.randint(1, 12, (1, 4)), "超过了 max_len=16 个位置"),
        (torch.zeros(2, 3, dtype=torch.long), torch.randint(1, 12, (2, 4)), "看不到任何键"),  # a source of only <pad>
    ],
)
def test_seq2seq_bad_input(src, tgt, match):
    model = Seq2SeqTransformer(15, 12, d_model=32, num_heads=4, num_layers=1, d_ff=64, max_len=16)
    with pytest.raises(ValueError, match=match):
        model(src, tgt)


def test_heads_must_divide_d_model():
    with pytest.raises(ValueError, match="整除"):
        Seq2SeqTransformer(10, 10, d_model=30, num_heads=4)


def test_encoder_model_bad_mask():
    model = TransformerEncoderModel(vocab_size=20, d_model=16, num_heads=2, num_layers=1, d_ff=32)
    with pytest.raises(ValueError, match="attention_mask 必须是布尔张量"):
        model(torch.tensor([[4, 5]]), attention_mask=torch.tensor([[1, 1]]))


# ----------------------------------------------------------------------------- decoding and training


def _tiny_model(seed=0):
    torch.manual_seed(seed)
    return Seq2SeqTransformer(10, 9, d_model=16, num_heads=2, num_layers=2, d_ff=32, max_len=16)


def test_greedy_decode_shapes():
    model = _tiny_model()
    result = greedy_decode(model, [4, 5, 6], bos_id=2, eos_id=3, max_len=7)
    steps = len(result.tokens)
    assert 1 <= steps <= 7
    assert result.cross_attention.shape == (steps, 2, 2, 3)
    assert torch.allclose(result.cross_attention.sum(-1), torch.ones(steps, 2, 2), atol=1e-5)
    assert result.probs.shape == (steps,)
    if steps < 7:
        assert result.tokens[-1] == 3


def test_greedy_decode_matches_batch_decoding():
    model = _tiny_model(1)
    src = torch.tensor([[4, 5, 6, 0], [7, 8, 9, 4]])
    batch = greedy_decode_batch(model, src, bos_id=2, eos_id=3, max_len=6)
    for row, length in zip(range(2), (3, 4)):
        single = greedy_decode(model, src[row, :length], bos_id=2, eos_id=3, max_len=6).tokens
        assert batch[row, : len(single)].tolist() == single


def test_beam_of_one_is_greedy():
    model = _tiny_model(1)
    src = torch.tensor([[4, 5, 6, 0], [7, 8, 9, 4]])
    assert torch.equal(beam_search(model, src, bos_id=2, eos_id=3, beam=1, max_len=6),
                       greedy_decode_batch(model, src, bos_id=2, eos_id=3, max_len=6))


def _logp(model, src, ids, bos_id=2, eos_id=3):
    """Total log-probability of ids (T,) (no <bos>) up to and including the first <eos>, for one source src (Ls,)."""
    length = ids.index(eos_id) + 1 if eos_id in ids else len(ids)
    tgt_in = torch.tensor([[bos_id] + ids[:length - 1]])
    with torch.no_grad():
        logp = model(src[None], tgt_in).log_softmax(-1)[0, torch.arange(length), ids[:length]]
    return float(logp.sum())


def test_wide_beam_finds_the_most_probable_sequence():
    # A beam as wide as every prefix of length 3 makes beam search exhaustive: compare with brute force.
    model = _tiny_model(2)
    src = torch.tensor([4, 5, 6])
    found = beam_search(model, src[None], bos_id=2, eos_id=3, beam=9 ** 3, max_len=3)[0].tolist()
    candidates = {tuple(ids[: ids.index(3) + 1] if 3 in ids else ids)
                  for ids in ([a, b, c] for a in range(9) for b in range(9) for c in range(9))}
    best = max(_logp(model, src, list(ids)) for ids in candidates)
    assert abs(_logp(model, src, found) - best) < 1e-5
    assert _logp(model, src, greedy_decode_batch(model, src[None], 2, 3, max_len=3)[0].tolist()) <= best + 1e-6


def test_beam_search_bad_beam():
    with pytest.raises(ValueError, match="beam 必须是 ≥ 1 的整数"):
        beam_search(_tiny_model(), torch.tensor([[4, 5]]), bos_id=2, eos_id=3, beam=0)


@pytest.mark.parametrize("src, match", [([], "非空的 id 列表"), ([[4, 5]], "一次只翻译一句话")])
def test_greedy_decode_bad_input(src, match):
    with pytest.raises(ValueError, match=match):
        greedy_decode(_tiny_model(), src, bos_id=2, eos_id=3)


def test_control_without_cross_attention_ignores_the_source():
    torch.manual_seed(0)
    control = Seq2SeqTransformer(10, 9, d_model=16, num_heads=2, num_layers=1, d_ff=32, max_len=16,
                                 cross_attention=False)
    tgt_in = torch.tensor([[2, 4, 5], [2, 4, 5]])
    a = control(torch.tensor([[4, 5, 6]]).repeat(2, 1), tgt_in)
    b = control(torch.tensor([[7, 8, 9]]).repeat(2, 1), tgt_in)
    assert torch.allclose(a, b)  # the source cannot change the prediction
    normal = _tiny_model()
    assert not torch.allclose(normal(torch.tensor([[4, 5, 6]]), tgt_in[:1]), normal(torch.tensor([[7, 8, 9]]), tgt_in[:1]))


@pytest.mark.parametrize("positions", ["sinusoidal", "learned", "none"])
def test_position_options(positions):
    torch.manual_seed(0)
    model = Seq2SeqTransformer(10, 9, d_model=16, num_heads=2, num_layers=1, d_ff=32, max_len=16, positions=positions)
    memory, _, _ = model.encode(torch.tensor([[4, 5, 4, 5]]))
    same_token_same_vector = torch.allclose(memory[0, 0], memory[0, 2], atol=1e-6)
    assert same_token_same_vector == (positions == "none")  # without positions, a bag of tokens
    learned = [n for n, _ in model.named_parameters() if "position_table" in n]
    assert bool(learned) == (positions == "learned")


def test_position_option_is_checked():
    with pytest.raises(ValueError, match="positions 必须是 .* 之一"):
        Seq2SeqTransformer(10, 9, d_model=16, num_heads=2, positions="rotary")


def test_attention_maps_match_greedy_rows():
    model = _tiny_model(2)
    result = greedy_decode(model, [4, 5, 6, 7], bos_id=2, eos_id=3, max_len=5)
    prefix = [2] + result.tokens[:-1]
    maps = attention_maps(model, [4, 5, 6, 7], prefix)
    steps = len(result.tokens)
    assert maps["encoder self"].shape == (2, 2, 4, 4)
    assert maps["decoder self"].shape == (2, 2, steps, steps)
    assert torch.allclose(maps["cross"].permute(2, 0, 1, 3), result.cross_attention, atol=1e-5)
