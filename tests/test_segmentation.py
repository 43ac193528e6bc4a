import pytest
import torch

from forge_utils import segmentation as sg
from forge_utils.lm import CharVocab


def test_word_tags_are_bmes():
    assert sg.word_tags(["我", "爱", "北京", "天安门"]) == [sg.S, sg.S, sg.B, sg.E, sg.B, sg.M, sg.E]


def test_segmentation_prf_counts_exact_spans_and_checks_the_text():
    assert sg.segmentation_prf([["我", "爱", "北京", "天安门"]], [["我", "爱", "北京天安门"]]) == pytest.approx((2 / 3, 1 / 2, 4 / 7))
    with pytest.raises(ValueError, match="文字不同"):
        sg.segmentation_prf([["我", "爱"]], [["你", "爱"]])
    with pytest.raises(ValueError, match="标准答案有 .* 行，预测有"):
        sg.segmentation_prf([["我"]], [])


def _vocab():
    return CharVocab(list("我爱北京天安门人民日报"))


def test_pieces_never_cut_a_word_and_pad_with_ignore():
    lines = [["我", "爱", "北京", "天安门"], ["人民日报"]]
    pieces = sg.tagging_pieces(lines, _vocab(), length=4, pad_id=99)
    # 我爱北京 | 天安门 | 人民日报
    assert pieces.ids.shape == (3, 4)
    assert pieces.ids[1, 3] == 99 and pieces.tags[1, 3] == sg.IGNORE
    assert pieces.tags[0].tolist() == [sg.S, sg.S, sg.B, sg.E] and pieces.tags[1, :3].tolist() == [sg.B, sg.M, sg.E]
    long = sg.tagging_pieces([["天安门人民日报"]], _vocab(), length=4, pad_id=99)   # a word longer than a piece
    assert long.ids.shape == (2, 4)


def test_boundary_prf_equals_segmentation_prf_on_whole_lines():
    gold = [["我", "爱", "北京", "天安门"], ["人民", "日报"]]
    predicted = [["我", "爱", "北京天安门"], ["人民日报"]]
    vocab = _vocab()
    g = sg.tagging_pieces(gold, vocab, length=8, pad_id=99)
    p = sg.tagging_pieces(predicted, vocab, length=8, pad_id=99)
    assert sg.boundary_prf(g.tags, p.tags) == pytest.approx(sg.segmentation_prf(gold, predicted))
    # a predicted end inside a gold word breaks it: 北 | 京 is wrong twice
    broken = g.tags.clone()
    broken[0, 2] = sg.S
    broken[0, 3] = sg.S
    assert sg.boundary_prf(g.tags, broken)[:2] == pytest.approx((5 / 7, 5 / 6))
    with pytest.raises(ValueError, match="标签形状不同"):
        sg.boundary_prf(g.tags, g.tags[:1])


def test_majority_tags_and_unseen_characters():
    ids = torch.tensor([[1, 2, 1, 3]])
    tags = torch.tensor([[sg.B, sg.E, sg.B, sg.S]])
    table = sg.majority_tags(ids, tags, vocab_size=6)
    assert table[1] == sg.B and table[2] == sg.E and table[3] == sg.S and table[5] == sg.S
