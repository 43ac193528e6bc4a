"""tools/make_zh_en_toy.py: the grammar, the four splits and --check."""
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "make_zh_en_toy.py"


@pytest.fixture(scope="module")
def toy():
    spec = importlib.util.spec_from_file_location("make_zh_en_toy", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(toy):
    """One fresh build for the whole module (jieba segments every candidate sentence: seconds)."""
    return toy.build()


def test_english_grammar(toy):
    assert toy.english(False, "i", "今天", "学校", False, "爱", "", "机器") == "i love machines at school today".split()
    assert toy.english(True, "the teacher", "每天", "", True, "学习", "", "英语") == \
        "the teacher does not study english every day".split()
    assert toy.english(True, "he", "", "公园", False, "喜欢", "红色", "苹果") == "he likes red apples in the park".split()
    assert toy.english(False, "they", "", "", False, "爱", "", "我") == "they love me".split()


def test_chinese_order(toy):
    assert toy.chinese("我", "今天", "学校", True, "吃", "大", "苹果") == "我 今天 在 学校 不 吃 大 的 苹果".split()


def test_held_combinations(toy):
    assert toy.held_combination(True, True, "喜欢", "", "书")
    assert not toy.held_combination(False, True, "喜欢", "", "书")  # i do not like: in train
    assert not toy.held_combination(True, False, "喜欢", "", "书")  # he likes: in train
    assert toy.held_combination(False, False, "爱", "红色", "猫")


def test_build_is_split_as_documented(toy, built):
    rows = built
    counts = {name: sum(r[0] == name for r in rows) for name in toy.SPLITS}
    assert counts == {"train": toy.N_TRAIN, "random": toy.N_RANDOM, "combination": toy.N_COMBINATION,
                      "longer": toy.N_LONGER}
    train = [r for r in rows if r[0] == "train"]
    assert max(len(r[1].split()) for r in train) <= toy.MAX_ZH and max(len(r[2].split()) for r in train) <= toy.MAX_EN
    assert len({(r[1], r[2]) for r in rows}) == len(rows)  # no sentence in two splits


def test_check_passes_on_the_shipped_file(toy, built, monkeypatch, capsys):
    # the shipped file equals a fresh build: the generator is deterministic across runs and machines
    monkeypatch.setattr(toy, "build", lambda: built)
    monkeypatch.setattr(sys, "argv", ["make_zh_en_toy.py", "--check"])
    toy.main()
    assert "up to date" in capsys.readouterr().out


def test_check_fails_on_a_changed_file(toy, built, tmp_path, monkeypatch):
    changed = tmp_path / "zh_en_toy.tsv"
    changed.write_text(toy.OUT.read_text(encoding="utf-8").replace("i love machines", "i like machines", 1),
                       encoding="utf-8")
    monkeypatch.setattr(toy, "OUT", changed)
    monkeypatch.setattr(toy, "build", lambda: built)
    monkeypatch.setattr(sys, "argv", ["make_zh_en_toy.py", "--check"])
    with pytest.raises(SystemExit, match="differs"):
        toy.main()
