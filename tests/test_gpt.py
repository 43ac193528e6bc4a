import math

import pytest
import torch
import torch.nn.functional as F

from forge_utils.gpt import GPT, GPTConfig, SamplingControl, future_leak, sampling_summary
from forge_utils.lm import CharVocab, train_lm, unigram_output_bias

CONFIG = GPTConfig(vocab_size=30, context=16, n_layer=2, n_head=4, n_embd=32)


def small_gpt(seed: int = 0, **changes) -> GPT:
    torch.manual_seed(seed)
    return GPT(GPTConfig(**{**CONFIG.__dict__, **changes})).eval()


def manual_forward(model: GPT, ids: torch.Tensor) -> torch.Tensor:
    """The same model written out with explicit masked softmax attention (no fused kernel)."""
    B, T = ids.shape
    C, nh = model.config.n_embd, model.config.n_head
    x = model.wte.weight[ids] + model.wpe.weight[:T]
    future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    for block in model.h:
        h = F.layer_norm(x, (C,), block.ln_1.weight, block.ln_1.bias)
        q, k, v = (h @ block.attn.c_attn.weight.T + block.attn.c_attn.bias).split(C, dim=-1)
        q, k, v = (t.reshape(B, T, nh, C // nh).transpose(1, 2) for t in (q, k, v))
        scores = (q @ k.transpose(-1, -2) / math.sqrt(C // nh)).masked_fill(future, -math.inf)
        y = (scores.softmax(-1) @ v).transpose(1, 2).reshape(B, T, C)
        x = x + y @ block.attn.c_proj.weight.T + block.attn.c_proj.bias
        h = F.layer_norm(x, (C,), block.ln_2.weight, block.ln_2.bias)
        h = F.gelu(h @ block.mlp.c_fc.weight.T + block.mlp.c_fc.bias)
        x = x + h @ block.mlp.c_proj.weight.T + block.mlp.c_proj.bias
    x = F.layer_norm(x, (C,), model.ln_f.weight, model.ln_f.bias)
    return x @ model.lm_head.weight.T + model.lm_head.bias


def test_shapes_and_parameters():
    model = small_gpt()
    ids = torch.randint(0, 30, (3, 16))
    assert model(ids).shape == (3, 16, 30)
    assert model(ids[:, :5]).shape == (3, 5, 30)  # shorter inputs use the first positions
    maps = model.attention_weights(ids)
    assert len(maps) == 2 and maps[0].shape == (3, 4, 16, 16)
    assert torch.allclose(maps[0].sum(-1), torch.ones(3, 4, 16))
    per_block = 4 * 32 * 32 + 4 * 32 + 8 * 32 * 32 + 5 * 32 + 4 * 32  # attention, MLP, two LayerNorms
    expected = 30 * 32 + 16 * 32 + 2 * per_block + 2 * 32 + 32 * 30 + 30
    assert model.num_parameters() == expected


def test_equal_to_a_manual_forward():
    model = small_gpt(1)
    ids = torch.randint(0, 30, (2, 12))
    with torch.no_grad():
        assert torch.allclose(model(ids), manual_forward(model, ids), atol=1e-5)


def test_attention_is_causal_and_future_leak_detects_a_leak():
    model = small_gpt(2)
    ids = torch.randint(0, 30, (2, 16))
    maps = model.attention_weights(ids)
    for weights in maps:
        assert torch.all(weights.triu(diagonal=1) == 0)
    for position in (0, 7, 14):
        assert future_leak(model, ids, position, 30) == 0.0

    def leaky(x):  # a model that peeks at the next token
        return model(x) + F.one_hot(torch.roll(x, -1, dims=1), 30).float()

    assert future_leak(leaky, ids, 7, 30) > 0.5
    with pytest.raises(ValueError, match=r"position 必须在 0\.\.14 里（它后面至少要有一个词元），收到的是 15"):
        future_leak(model, ids, 15, 30)


def test_weight_tying_shares_the_embedding():
    model = small_gpt(tie_weights=True)
    assert model.lm_head.weight is model.wte.weight
    assert model.num_parameters() == small_gpt().num_parameters() - 30 * 32


def test_bad_input_says_what_to_do():
    model = small_gpt()
    with pytest.raises(ValueError, match=r"GPT 要的是形状为 \(batch, time\) 的整数 id，收到的是 \(16,\) torch.int64：只有一条序列时请用 ids\[None\]"):
        model(torch.randint(0, 30, (16,)))
    with pytest.raises(ValueError, match=r"序列长度 17 超过了上下文的 16 个位置：请只保留最后 16 个 id"):
        model(torch.randint(0, 30, (1, 17)))
    with pytest.raises(ValueError, match=r"id 必须在 0\.\.29 里，收到的是 3\.\.30"):
        model(torch.tensor([[3, 30]]))
    with pytest.raises(ValueError, match="整数 id"):
        model(torch.rand(1, 4))
    with pytest.raises(ValueError, match="必须能被 n_head（4）整除"):
        GPTConfig(n_embd=30, n_head=4)
    with pytest.raises(ValueError, match="GPTConfig.n_layer 必须是正整数，收到的是 0"):
        GPTConfig(n_layer=0)


def test_it_learns_a_repeating_text(one_thread):
    text = "今天天气真好。" * 400
    vocab = CharVocab(sorted(set(text)))
    stream = vocab.encode_lines([text])
    model = GPT(GPTConfig(vocab_size=len(vocab), context=16, n_layer=1, n_head=2, n_embd=32))
    unigram_output_bias(model.lm_head, stream)
    torch.manual_seed(0)
    history = train_lm(model, stream, 60, batch_size=16, context=16, lr=1e-2, warmup=10, progress=False)
    assert history[0]["loss"] > 1.5 and history[-1]["loss"] < 0.3  # period 7 text: near-certain after training


def test_sampling_control_is_seeded_and_reacts():
    pytest.importorskip("ipywidgets")
    text = "今天天气真好。" * 50
    vocab = CharVocab(sorted(set(text)))
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=len(vocab), context=16, n_layer=1, n_head=2, n_embd=16)).eval()
    with torch.no_grad():
        model.lm_head.bias.copy_(torch.linspace(-3, 3, len(vocab)))  # peaked, line end unlikely: temperature matters
    control = SamplingControl(model, vocab, prompt="今天", temperature=1.0, length=20, context=16, seed=3)
    first = control.sample
    assert first.startswith("今天") and "<b>温度（temperature）1.00" in control.summary_html.value
    assert control.set(temperature=1.0).sample == first  # seeded: same settings, same text
    hot = control.set(temperature=2.0).sample
    assert "2.00" in control.summary_html.value and hot != first
    greedy = control.set(top_k=1).sample
    assert "top-k 1" in control.summary_html.value
    control.seed = 99
    control.refresh()
    assert control.sample == greedy  # top-1 is greedy: the seed no longer matters
    control.seed = 3
    control.controls["temperature"].value = 0.5  # what the browser does
    assert "0.50" in control.summary_html.value
    control.set(prompt="好")
    assert control.sample.startswith("好") and "<b>好</b>" in control.body_html.value
    assert control.image not in control.widget.children  # text only: no picture
    with pytest.raises(ValueError, match="temperature"):  # the slider's range (Explorer.set)
        control.set(temperature=0)
    with pytest.raises(ValueError, match="top_k"):
        control.set(top_k=-1)
    with pytest.raises(ValueError, match=r"temperature 必须在 \(0, 2\] 里.*收到的是 0"):
        SamplingControl(model, vocab, temperature=0)
    with pytest.raises(ValueError, match="top_k 必须是 ≥ 0 的整数（0 表示不限制），收到的是 -1"):
        SamplingControl(model, vocab, top_k=-1)


def test_sampling_summary():
    line = sampling_summary("开头abcab", "开头", 0.7, None)
    assert line == "温度（temperature）0.70 · top-k 全部 · 续写 5 字，其中不同的字 3 个"
