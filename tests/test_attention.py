"""forge_utils.attention against torch's own attention, masks and bad input."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from forge_utils.attention import (MultiHeadAttention, attention_weights, causal_mask, padding_mask,
                                   scaled_dot_product_attention)


def _qkv(*lead, lq=5, lk=7, d=8, dv=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*lead, lq, d, generator=g), torch.randn(*lead, lk, d, generator=g),
            torch.randn(*lead, lk, dv, generator=g))


def test_sdpa_matches_torch_without_mask():
    q, k, v = _qkv(2, 3)
    out, weights = scaled_dot_product_attention(q, k, v)
    assert out.shape == (2, 3, 5, 6) and weights.shape == (2, 3, 5, 7)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v))
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3, 5))


def test_sdpa_2d_inputs_and_worked_example():
    q, k, v = _qkv()
    out, weights = scaled_dot_product_attention(q, k, v)
    expected = torch.softmax(q @ k.T / 8**0.5, dim=-1)
    torch.testing.assert_close(weights, expected)
    torch.testing.assert_close(out, expected @ v)


@pytest.mark.parametrize("mask_shape", [(5, 7), (1, 7), (2, 1, 5, 7), (2, 3, 5, 7), (3, 1, 7)])
def test_sdpa_matches_torch_with_boolean_mask(mask_shape):
    q, k, v = _qkv(2, 3)
    mask = torch.rand(*mask_shape, generator=torch.Generator().manual_seed(1)) > 0.4
    mask[..., 0] = True  # every row keeps at least one key
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=mask))
    assert (weights.masked_select(~mask.expand_as(weights)) == 0).all()


def test_causal_mask_blocks_the_future():
    m = causal_mask(4)
    assert m.dtype == torch.bool and m.tolist() == [
        [True, False, False, False], [True, True, False, False], [True, True, True, False], [True, True, True, True]]
    q, k, v = _qkv(1, lq=4, lk=4)
    out, weights = scaled_dot_product_attention(q, k, v, m)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, is_causal=True))
    assert torch.all(weights.triu(1) == 0)
    # changing a future position leaves earlier outputs unchanged
    v2 = v.clone()
    v2[:, 3] += 100
    out2, _ = scaled_dot_product_attention(q, k, v2, m)
    torch.testing.assert_close(out[:, :3], out2[:, :3])


def test_padding_mask_from_ids_and_lengths():
    ids = torch.tensor([[5, 6, 7, 0], [8, 9, 0, 0]])
    m = padding_mask(ids, pad_id=0)
    assert m.shape == (2, 1, 1, 4) and m.dtype == torch.bool
    assert m[:, 0, 0].tolist() == [[True, True, True, False], [True, True, False, False]]
    assert torch.equal(padding_mask(torch.tensor([3, 2])), m[..., :3])  # max_len = longest
    assert torch.equal(padding_mask([3, 2], max_len=4), m)
    assert padding_mask([1, 2], max_len=5).shape == (2, 1, 1, 5)
    assert padding_mask(torch.tensor([[3, 3, 9]]), pad_id=9)[0, 0, 0].tolist() == [True, True, False]


def test_padding_keys_do_not_change_the_output():
    q, k, v = _qkv(1, lq=3, lk=3)
    k_pad = torch.cat([k, torch.randn(1, 2, 8)], dim=1)
    v_pad = torch.cat([v, torch.randn(1, 2, 6)], dim=1)
    mask = padding_mask([3], max_len=5)[:, 0]  # (1, 1, 5)
    out_pad, w = scaled_dot_product_attention(q, k_pad, v_pad, mask)
    out, _ = scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(out_pad, out)
    assert torch.all(w[..., 3:] == 0)


def test_fully_masked_row_raises_instead_of_nan():
    q, k, v = _qkv(lq=2, lk=3)
    mask = torch.tensor([[True, False, False], [False, False, False]])
    with pytest.raises(ValueError, match="看不到任何键"):
        scaled_dot_product_attention(q, k, v, mask)


def test_sdpa_bad_input():
    q, k, v = _qkv()
    with pytest.raises(ValueError, match="最后一维 d_k 必须相同"):
        scaled_dot_product_attention(q, k[:, :4], v)
    with pytest.raises(ValueError, match="长度 Lk 必须相同"):
        scaled_dot_product_attention(q, k, v[:3])
    with pytest.raises(ValueError, match=r"必须是形状为 \(\.\.\., L, d\)"):
        scaled_dot_product_attention(torch.randn(8), k, v)
    with pytest.raises(TypeError, match="必须是布尔张量"):
        scaled_dot_product_attention(q, k, v, torch.zeros(5, 7))
    with pytest.raises(ValueError, match="无法广播"):
        scaled_dot_product_attention(q, k, v, torch.ones(7, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="无法广播"):
        scaled_dot_product_attention(q, k, v, torch.ones(2, 5, 7, dtype=torch.bool))  # would enlarge the output
    with pytest.raises(ValueError):
        causal_mask(0)
    with pytest.raises(ValueError, match=r"\(B, L\)"):
        padding_mask(torch.zeros(1, 2, 3, dtype=torch.long))
    with pytest.raises(TypeError, match="整数 id"):
        padding_mask(torch.ones(2, 3))
    with pytest.raises(ValueError, match="max_len"):
        padding_mask([3, 5], max_len=4)


def _pair(d_model=16, heads=4, seed=0):
    torch.manual_seed(seed)
    theirs = nn.MultiheadAttention(d_model, heads, batch_first=True)
    nn.init.normal_(theirs.in_proj_bias)  # torch zero-inits the biases; make them count
    nn.init.normal_(theirs.out_proj.bias)
    ours = MultiHeadAttention(d_model, heads).load_from_torch(theirs)
    return ours, theirs


def test_mha_layout_and_shapes():
    mha = MultiHeadAttention(512, 8)
    assert mha.d_k == 64
    for name in ("w_q", "w_k", "w_v", "w_o"):
        layer = getattr(mha, name)
        assert isinstance(layer, nn.Linear) and layer.weight.shape == (512, 512) and layer.bias is not None
    x = torch.randn(2, 5, 512)
    out, weights = mha(x, x, x)
    assert out.shape == (2, 5, 512) and weights.shape == (2, 8, 5, 5)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 8, 5))


def test_mha_equals_torch_self_attention():
    ours, theirs = _pair()
    x = torch.randn(3, 6, 16)
    out, weights = ours(x, x, x)
    ref, ref_w = theirs(x, x, x, need_weights=True, average_attn_weights=False)
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(weights, ref_w, atol=1e-6, rtol=1e-5)


def test_mha_equals_torch_cross_attention_with_masks():
    ours, theirs = _pair(seed=1)
    tgt, mem = torch.randn(2, 4, 16), torch.randn(2, 6, 16)
    ids = torch.tensor([[4, 5, 6, 7, 8, 9], [4, 5, 6, 0, 0, 0]])
    out, weights = ours(tgt, mem, mem, padding_mask(ids))
    ref, ref_w = theirs(tgt, mem, mem, key_padding_mask=ids == 0, average_attn_weights=False)
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(weights, ref_w, atol=1e-6, rtol=1e-5)
    # causal self-attention: torch's float/bool attn_mask means True = NOT allowed, the opposite convention
    x = torch.randn(2, 5, 16)
    out, _ = ours(x, x, x, causal_mask(5))
    ref, _ = theirs(x, x, x, attn_mask=~causal_mask(5))
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("shape", [(5, 5), (2, 5, 5), (2, 1, 5, 5), (2, 4, 5, 5), (1, 1, 5, 5)])
def test_mha_accepted_mask_shapes_agree(shape):
    ours, _ = _pair()
    x = torch.randn(2, 5, 16)
    out, weights = ours(x, x, x, causal_mask(5).expand(*shape))
    ref, _ = ours(x, x, x, causal_mask(5))
    torch.testing.assert_close(out, ref)
    assert torch.all(weights.triu(1) == 0)


def test_mha_bad_input():
    with pytest.raises(ValueError, match="整除"):
        MultiHeadAttention(10, 3)
    mha = MultiHeadAttention(16, 4)
    x = torch.randn(2, 5, 16)
    with pytest.raises(ValueError, match="d_model=16"):
        mha(x, torch.randn(2, 5, 8), x)
    with pytest.raises(ValueError, match="批维在前"):
        mha(torch.randn(5, 16), x, x)
    with pytest.raises(ValueError, match="批大小必须相同"):
        mha(x, torch.randn(3, 5, 16), torch.randn(3, 5, 16))
    with pytest.raises(ValueError, match="长度 Lk 必须相同"):
        mha(x, x, torch.randn(2, 4, 16))
    with pytest.raises(ValueError, match="可接受的形状"):
        mha(x, x, x, torch.ones(5, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="可接受的形状"):
        mha(x, x, x, torch.ones(2, 3, 5, 5, dtype=torch.bool))  # 3 heads ≠ 4
    with pytest.raises(ValueError, match="的布尔张量；收到的是"):
        mha(x, x, x, torch.ones(5, dtype=torch.bool))
    with pytest.raises(TypeError, match="必须是布尔张量"):
        mha(x, x, x, torch.ones(5, 5))
    with pytest.raises(ValueError, match="embed_dim"):
        mha.load_from_torch(nn.MultiheadAttention(8, 2))


def test_mha_gradients_flow_and_runs_in_float64():
    mha = MultiHeadAttention(8, 2).double()
    x = torch.randn(1, 3, 8, dtype=torch.float64, requires_grad=True)
    out, _ = mha(x, x, x, causal_mask(3))
    out.sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    assert all(p.grad is not None for p in mha.parameters())


def test_attention_weights_is_the_arithmetic_of_sdpa():
    q, k, v = _qkv(lq=4, lk=6)
    mask = padding_mask([4], max_len=6)[0, 0]  # (1, 6): the last two keys are padding
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    torch.testing.assert_close(attention_weights(q, k, mask), weights)
    torch.testing.assert_close(out, weights @ v)


def test_multi_head_attention_still_refuses_a_fully_masked_row_on_cpu():
    mha = MultiHeadAttention(d_model=8, num_heads=2)
    x = torch.randn(2, 3, 8)
    mask = torch.ones(2, 3, 3, dtype=torch.bool)
    mask[1, 2] = False  # query 2 of sequence 1 may look at nothing
    with pytest.raises(ValueError, match="看不到任何键"):
        mha(x, x, x, mask)


def test_alibi_bias_penalises_distance_per_head():
    from forge_utils.attention import MultiHeadAttention, alibi_bias

    bias = alibi_bias(4, 5)
    assert bias.shape == (4, 5, 5)
    assert bias[0, 0, 3] == -3 and bias[1, 3, 0] == -1.5 and bias[3, 2, 4] == -0.25 and (bias.diagonal(0, 1, 2) == 0).all()
    torch.manual_seed(0)
    mha = MultiHeadAttention(8, 4)
    x = torch.randn(2, 5, 8)
    _, plain = mha(x, x, x)
    _, biased = mha(x, x, x, bias=bias)
    # the bias is added to the scores before the softmax: weights ∝ plain weights × exp(bias)
    want = plain * bias.exp()
    assert torch.allclose(biased, want / want.sum(-1, keepdim=True), atol=1e-6)
