import pytest

from forge_utils.text import (
    BOS, EOS, PAD, UNK, UnknownTokenError, Vocab, tokenize_chars, tokenize_chinese, tokenize_whitespace,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("今天天气真好", ["今天", "天气", "真", "好"]),
        ("苹果派", ["苹果", "派"]),
        ("苹果手机", ["苹果", "手机"]),
        ("我爱北京天安门", ["我", "爱", "北京", "天安门"]),
        ("我爱机器", ["我", "爱", "机器"]),
        ("苹果公司发布了新产品", ["苹果", "公司", "发布", "了", "新", "产品"]),
        ("小明今天感冒了", ["小明", "今天", "感冒", "了"]),
        ("狗追猫", ["狗", "追", "猫"]),
        ("猫追狗", ["猫", "追", "狗"]),
    ],
)
def test_course_segmentation_matches_the_lectures(text, expected):
    assert tokenize_chinese(text) == expected


def test_jieba_default_merges_what_the_course_splits():
    assert tokenize_chinese("今天天气真好", course_dict=False)[0] == "今天天气"
    assert tokenize_chinese("苹果派", course_dict=False) == ["苹果派"]


def test_course_dict_does_not_leak_into_global_jieba():
    import jieba

    tokenize_chinese("苹果派")
    assert jieba.lcut("苹果派") == ["苹果派"]


def test_tokenize_chinese_rejects_non_strings():
    with pytest.raises(TypeError, match="tokenize_chinese 要的是一个字符串（str），收到的却是 list"):
        tokenize_chinese(["我", "爱"])


def test_simple_tokenizers():
    assert tokenize_whitespace("I love  machines") == ["I", "love", "machines"]
    assert tokenize_whitespace("I Love", lower=True) == ["i", "love"]
    assert tokenize_chars("我 爱你") == ["我", "爱", "你"]
    assert tokenize_chars("我 爱", keep_spaces=True) == ["我", " ", "爱"]


def test_vocab_specials_come_first_and_roundtrip():
    vocab = Vocab.build([["我", "爱", "你"], ["你", "爱", "我"], ["我"]])
    assert vocab.itos[:4] == [PAD, UNK, BOS, EOS]
    assert (vocab.pad_id, vocab.unk_id, vocab.bos_id, vocab.eos_id) == (0, 1, 2, 3)
    assert vocab.itos[4] == "我"  # most frequent first
    ids = vocab.encode(["我", "爱", "你"], add_bos=True, add_eos=True)
    assert ids[0] == vocab.bos_id and ids[-1] == vocab.eos_id
    assert vocab.decode(ids, skip_specials=True) == ["我", "爱", "你"]
    assert vocab.decode(ids)[0] == BOS


def test_unknown_policy_unk_and_error():
    assert Vocab.build([["a"]]).encode(["b"]) == [1]
    strict = Vocab.build([["a"]], unknown="error")
    with pytest.raises(UnknownTokenError, match="'b' 不在词表里（词表共 5 个词元）。请检查它的拼写和分词"):
        strict.encode(["a", "b"])
    assert "b" not in strict and "a" in strict


def test_min_freq_and_max_size():
    vocab = Vocab.build([["a", "a", "b", "c", "c", "c"]], min_freq=2)
    assert vocab.itos[4:] == ["c", "a"]
    assert len(Vocab.build([["a", "b", "c"]], max_size=5)) == 5


def test_bad_input_messages():
    vocab = Vocab.build([["a"]])
    with pytest.raises(TypeError, match="encode 要的是词元列表，收到的却是字符串 'a b'：请先分词"):
        vocab.encode("a b")
    with pytest.raises(TypeError, match="Vocab.build 要的是分好词的句子.*请先分词"):
        Vocab.build(["a sentence as a string"])
    with pytest.raises(IndexError, match="id 99 超出了词表的范围（有效的 id：0..4）"):
        vocab.decode([99])
    with pytest.raises(ValueError, match="unknown 只能是 'unk' 或 'error'，收到的是 'ignore'"):
        Vocab(["a"], unknown="ignore")
    with pytest.raises(ValueError, match="specials 里必须有 '<unk>'；不要 '<unk>' 的话，请传入 unknown='error'"):
        Vocab(["a"], specials=(), unknown="unk")
