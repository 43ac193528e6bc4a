import pytest
import torch

from forge_utils.data import load_zh_en_toy
from forge_utils.text import Vocab
from forge_utils.transformer import Seq2SeqTransformer
from forge_utils.translation import encode_pairs, evaluate_translation, train_seq2seq


def _toy_tensors(test_split="random", n_test=100):
    train, test = load_zh_en_toy("train"), load_zh_en_toy(test_split)
    sv = Vocab.build([z for z, _ in train], unknown="error")
    tv = Vocab.build([e for _, e in train], unknown="error")
    return sv, tv, encode_pairs(train, sv, tv), encode_pairs(test[:n_test], sv, tv)


def test_training_translates_held_out_toy_sentences(one_thread):
    sv, tv, (src, tgt), (test_src, test_tgt) = _toy_tensors()
    torch.manual_seed(0)
    model = Seq2SeqTransformer(len(sv), len(tv), d_model=32, num_heads=4, num_layers=1, d_ff=64, max_len=16)
    losses = train_seq2seq(model, src, tgt, steps=100, batch_size=64, lr=3e-3, progress=False)
    assert losses[-1] < 0.2 * losses[0]
    scores = evaluate_translation(model, test_src, test_tgt, bos_id=tv.bos_id, eos_id=tv.eos_id)
    assert scores["token_accuracy"] > 0.85, scores


def test_train_rejects_mismatched_data():
    torch.manual_seed(0)
    model = Seq2SeqTransformer(10, 9, d_model=16, num_heads=2, num_layers=1, d_ff=32, max_len=16)
    with pytest.raises(ValueError, match="每个句对占一行"):
        train_seq2seq(model, torch.ones(4, 3, dtype=torch.long), torch.ones(5, 3, dtype=torch.long), steps=1)


def test_encode_pairs():
    pairs = [(["我", "爱", "机器"], ["i", "love", "machines"]), (["你"], ["you"])]
    sv = Vocab.build([z for z, _ in pairs], unknown="error")
    tv = Vocab.build([e for _, e in pairs], unknown="error")
    src, tgt = encode_pairs(pairs, sv, tv)
    assert src.shape == (2, 3) and tgt.shape == (2, 5)
    assert tgt[0, 0] == tv.bos_id and tgt[0, 4] == tv.eos_id and tgt[1, 3] == tv.pad_id
