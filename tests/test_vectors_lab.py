import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from gensim.models import KeyedVectors

from forge_utils.data import MissingDataError, gensim_path, load_glove
from forge_utils.vectors_lab import (PRESETS, WordVectorExplorer, analogy_accuracy, draw_view, explore, read_analogies,
                                     sentence_vector, sif_weights)


@pytest.fixture(scope="module")
def glove():
    try:
        return load_glove()
    except MissingDataError as err:
        pytest.skip(str(err))


@pytest.fixture
def toy_kv():
    rng = np.random.default_rng(0)
    kv = KeyedVectors(vector_size=6)
    kv.add_vectors([f"w{i}" for i in range(60)], (rng.standard_normal((60, 6)) * rng.uniform(0.3, 3, (60, 1))).astype(np.float32))
    return kv


def write_questions(path, sections):
    path.write_text("".join(f": {name}\n" + "".join(" ".join(q) + "\n" for q in qs) for name, qs in sections.items()))
    return path


# ------------------------------------------------------------------ analogies
def test_read_analogies_parses_sections_and_lower_cases(tmp_path):
    path = write_questions(tmp_path / "q.txt", {"caps": [("Athens", "Greece", "Baghdad", "Iraq")], "other": []})
    assert read_analogies(path) == {"caps": [("athens", "greece", "baghdad", "iraq")], "other": []}
    (tmp_path / "bad.txt").write_text("a b c d\n")
    with pytest.raises(ValueError, match="': section' 标题之前"):
        read_analogies(tmp_path / "bad.txt")


def test_vectorized_analogies_equal_gensim_on_random_vectors(tmp_path, toy_kv):
    rng = np.random.default_rng(1)
    questions = [tuple(f"w{i}" for i in rng.choice(60, 4, replace=False)) for _ in range(150)]
    questions += [("w1", "w2", "w3", "unknown")]  # skipped by both
    path = write_questions(tmp_path / "q.txt", {"one": questions[:80], "two": questions[80:]})
    ours = analogy_accuracy(toy_kv, path, restrict_vocab=50)
    score, sections = toy_kv.evaluate_word_analogies(str(path), restrict_vocab=50)
    assert ours.accuracy == pytest.approx(score)
    for section in sections[:-1]:
        assert ours.sections[section["section"]] == (len(section["correct"]), len(section["correct"]) + len(section["incorrect"]))


def test_analogy_accuracy_bad_input(tmp_path, toy_kv):
    path = write_questions(tmp_path / "q.txt", {"s": [("x", "y", "z", "w")]})
    with pytest.raises(ValueError, match="没有哪道类比题"):
        analogy_accuracy(toy_kv, path)
    with pytest.raises(ValueError, match="restrict_vocab 至少要是 4"):
        analogy_accuracy(toy_kv, path, restrict_vocab=2)


def test_google_analogies_on_glove_match_gensim(glove, tmp_path):
    score = analogy_accuracy(glove, gensim_path("questions-words.txt"), restrict_vocab=30000)
    assert round(score.accuracy, 3) == 0.497 and score.total == 14877
    family = read_analogies(gensim_path("questions-words.txt"))["family"]
    path = write_questions(tmp_path / "family.txt", {"family": family})
    _, sections = glove.evaluate_word_analogies(str(path), restrict_vocab=30000)
    assert score.sections["family"] == (len(sections[0]["correct"]), len(sections[0]["correct"]) + len(sections[0]["incorrect"]))


# ------------------------------------------------------------------ sentence vectors
def test_mean_sentence_vector_skips_unknown_words_and_ignores_order(toy_kv):
    got = sentence_vector(["w1", "nope", "w2"], toy_kv)
    np.testing.assert_allclose(got, (toy_kv["w1"] + toy_kv["w2"]) / 2, rtol=1e-6)
    np.testing.assert_allclose(sentence_vector(["w2", "w1"], toy_kv), got, rtol=1e-6)


def test_sif_down_weights_frequent_words(toy_kv):
    weights = sif_weights(["w0", "w59"], toy_kv)  # w0 is the most frequent rank
    assert 0 < weights[0] < weights[1] < 1
    sif = sentence_vector(["w0", "w59"], toy_kv, weighting="sif")
    np.testing.assert_allclose(sif, weights @ np.stack([toy_kv["w0"], toy_kv["w59"]]) / weights.sum(), rtol=1e-6)
    with pytest.raises(ValueError, match="a 必须 > 0"):
        sif_weights(["w0"], toy_kv, a=0)


@pytest.mark.parametrize("tokens, kwargs, error, message", [
    ("w1 w2", {}, TypeError, "sentence_vector 要的是词元列表"),
    (["nope", "nada"], {}, ValueError, "里没有一个词元在词表中"),
    ([], {}, ValueError, "里没有一个词元在词表中"),
    (["w1"], {"weighting": "max"}, ValueError, "weighting 必须是 'mean' 或 'sif'"),
])
def test_sentence_vector_bad_input(toy_kv, tokens, kwargs, error, message):
    with pytest.raises(error, match=message):
        sentence_vector(tokens, toy_kv, **kwargs)


# ------------------------------------------------------------------ explorer
def test_explore_neighbours_and_analogy(glove):
    view = explore(glove, "Father", topn=5, analogy=("man", "king", "woman"))
    assert view.words[0] == "father" and view.roles[:6] == ["query"] + ["neighbour"] * 5
    assert "queen" in view.words and view.points.shape == (len(view.words), 2)
    assert any("queen" in line for line in view.lines)


def test_explore_unknown_words_give_messages_not_errors(glove):
    view = explore(glove, "qwertyzz", topn=3, analogy=("man", "kingg", "woman"))
    assert "不在词表中" in view.lines[0] and "kingg" in view.lines[1]
    assert "vocabulary" not in view.lines[0]                       # the message is Chinese only
    assert view.words == [] and view.points.shape == (0, 2)
    assert "三个词" in explore(glove, "car", 3, ("man", "", "woman")).lines[1]
    with pytest.raises(ValueError, match="topn 必须在 1 到 50 之间"):
        explore(glove, "car", topn=0)


def test_draw_view_handles_empty_and_full_views(glove):
    ax = draw_view(explore(glove, "car", 4))
    assert len(ax.texts) >= 5
    empty = draw_view(explore(glove, "qwertyzz", 4, ("x1x", "y", "z")))
    assert "没有可画的词" in empty.texts[0].get_text()


def test_word_vector_explorer_reacts_to_widgets(glove):
    from forge_utils.plots import use_chinese_font

    use_chinese_font()  # the picture has Chinese labels
    explorer = WordVectorExplorer(glove, word="car")
    assert explorer.controls["word"].description == "词"
    assert explorer.summary().startswith("car 的近邻") and explorer.image.value[:4] == b"\x89PNG"
    explorer.controls["word"].value = "paris"                      # what typing in the box does
    assert explorer.summary().startswith("paris 的近邻")
    redraws = []
    explorer.image.observe(lambda change: redraws.append(1), names="value")
    second = list(PRESETS)[1]
    explorer.controls["preset"].value = second                     # a preset fills a, b, c and redraws once
    assert tuple(explorer.values[n] for n in "abc") == PRESETS[second] and len(redraws) == 1
    assert PRESETS[second][2] in explorer.body_html.value          # the analogy line names c
    assert explorer.set(topn=3, preset=list(PRESETS)[0]).values["a"] == PRESETS[list(PRESETS)[0]][0]
    assert explorer.set(word="Qwertyzz").summary().startswith("“Qwertyzz” 不在词表中")   # a hint, not an error
    with pytest.raises(ValueError, match=r"topn 必须在 1\.\.20 里"):
        explorer.set(topn=30)


# ------------------------------------------------------------------ full SIF
def test_sif_embeddings_remove_the_common_component(toy_kv):
    from forge_utils.vectors_lab import common_component, sif_embeddings

    sentences = [["w0", "w3", "w7"], ["w1", "w9"], ["w2", "w5", "w30", "w59"], ["w4", "w8"]]
    full = sif_embeddings(sentences, toy_kv)
    weighted = np.stack([sif_weights(s, toy_kv) @ np.stack([toy_kv[t] for t in s]) / len(s) for s in sentences])
    u = np.linalg.svd(weighted, full_matrices=False)[2][0]
    np.testing.assert_allclose(full, weighted - np.outer(weighted @ u, u), atol=1e-9)
    np.testing.assert_allclose(full @ u, 0, atol=1e-9)                       # nothing left along u
    assert np.abs(weighted @ u).min() > 1e-6                                   # and there was something to remove
    np.testing.assert_allclose(np.abs(common_component(weighted)), np.abs(u), atol=1e-12)
    # a reference corpus gives its own component, the weighting is the same
    other = sif_embeddings(sentences, toy_kv, reference=[["w10", "w11"], ["w12", "w13", "w0"], ["w20"]])
    assert not np.allclose(other, full)


def test_sif_embeddings_bad_input(toy_kv):
    from forge_utils.vectors_lab import common_component, sif_embeddings

    with pytest.raises(TypeError, match="由词元列表组成的列表"):
        sif_embeddings(["w1 w2", "w3"], toy_kv)
    with pytest.raises(ValueError, match="里没有一个词元在词表中"):
        sif_embeddings([["nope"], ["w1"]], toy_kv)
    with pytest.raises(ValueError, match="至少有 2 个句向量"):
        common_component(np.ones((1, 6)))
