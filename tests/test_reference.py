import json

import pytest
import torch
from torch import nn

from forge_utils import reference
from forge_utils.reference import load_reference, save_reference


def test_save_then_load_keeps_settings_runs_and_what_made_it(tmp_path):
    settings = {"STEPS": 10, "shape": (1, 2), "nested": {"a": [1, 2]}}
    save_reference("demo", settings, [{"seed": 0, "acc": 0.5}], script="python -m longrun demo", folder=tmp_path)
    ref = load_reference("demo", {"STEPS": 10, "shape": (1, 2), "nested": {"a": (1, 2)}}, folder=tmp_path)  # tuples == lists
    assert ref.runs == [{"seed": 0, "acc": 0.5}] and ref.script == "python -m longrun demo"
    assert ref.settings == {"STEPS": 10, "shape": [1, 2], "nested": {"a": [1, 2]}}
    made = ref.made_with
    assert made["torch"] == torch.__version__ and made["device"] == "cpu" and made["threads"] >= 1
    assert {"python", "numpy", "scipy", "gensim", "processor", "date"} <= set(made)


def test_settings_must_agree_both_ways(tmp_path):
    save_reference("demo", {"STEPS": 10, "LR": 0.1}, [], script="python -m longrun demo", folder=tmp_path)
    with pytest.raises(ValueError, match=r"demo.json 是用别的设置生成的.*STEPS.*20, 10.*改完设置后请重新运行 `python -m longrun demo`"):
        load_reference("demo", {"STEPS": 20, "LR": 0.1}, folder=tmp_path)
    with pytest.raises(ValueError, match=r"'LR': \('<missing>', 0.1\)"):           # the file has a setting we lack
        load_reference("demo", {"STEPS": 10}, folder=tmp_path)
    with pytest.raises(ValueError, match=r"'H': \(32, '<missing>'\)"):              # we have a setting the file lacks
        load_reference("demo", {"STEPS": 10, "LR": 0.1, "H": 32}, folder=tmp_path)


def test_a_missing_reference_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"找不到 .*nothing.json：请运行 `make pretrain`"):
        load_reference("nothing", {}, folder=tmp_path)


def test_weights_round_trip_through_safetensors(tmp_path, monkeypatch):
    monkeypatch.setattr(reference, "REFERENCE_DIR", tmp_path)
    torch.manual_seed(0)
    trained, other = nn.Linear(3, 2), nn.Sequential(nn.Linear(3, 2))
    save_reference("demo", {}, [], script="python -m longrun demo", weights={"lin": trained, "seq": other})
    assert not (tmp_path / "demo.safetensors").read_bytes().startswith(b"\x80")       # not a pickle
    fresh = nn.Linear(3, 2)
    ref = load_reference("demo", {})
    assert ref.load_weights(fresh, "lin") is fresh
    assert torch.equal(fresh.weight, trained.weight) and torch.equal(fresh.bias, trained.bias)
    with pytest.raises(KeyError, match=r"demo.safetensors 里没有 'nope' 下的权重；它有的是 \['lin', 'seq'\]"):
        ref.load_weights(fresh, "nope")
    with pytest.raises(RuntimeError):                                               # another shape: refused
        ref.load_weights(nn.Linear(4, 2), "lin")


def test_load_weights_without_the_file_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setattr(reference, "REFERENCE_DIR", tmp_path)
    save_reference("demo", {}, [], script="python -m longrun demo")
    with pytest.raises(FileNotFoundError, match=r"找不到 .*demo.safetensors：请运行 `python -m longrun demo`"):
        load_reference("demo", {}).load_weights(nn.Linear(3, 2), "lin")


def test_the_record_is_plain_json(tmp_path):
    path = save_reference("demo", {"a": 1}, [{"x": 1.5}], script="s", folder=tmp_path, started=0.0)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"script", "settings", "made_with", "runs"} and data["made_with"]["seconds"] > 0
