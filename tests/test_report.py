import math

import pytest

from forge_utils import report


@pytest.fixture(autouse=True)
def fresh_record(monkeypatch):
    monkeypatch.setattr(report, "_RECORDED", {})


def test_record_returns_the_value_and_recorded_lists_it():
    assert report.record("bpc/bigram", 6.469) == 6.469
    assert report.record("acc/reviews_lstm", 0.875) == 0.875
    assert report.recorded() == {"bpc/bigram": 6.469, "acc/reviews_lstm": 0.875}


def test_a_later_record_replaces_and_recorded_is_a_copy():
    report.record("bpc/unigram", 8.6)
    report.record("bpc/unigram", 8.56)
    snapshot = report.recorded()
    snapshot["bpc/unigram"] = 0.0
    assert report.recorded() == {"bpc/unigram": 8.56}


def test_numbers_are_stored_as_floats():
    import numpy as np
    import torch

    report.record("n/a", np.float32(0.5))
    report.record("n/b", torch.tensor(2))
    assert report.recorded() == {"n/a": 0.5, "n/b": 2.0}
    assert all(type(v) is float for v in report.recorded().values())


@pytest.mark.parametrize("name", ["bigram", "/bigram", "bpc/", "", None, 3])
def test_bad_names_raise(name):
    with pytest.raises(ValueError, match="kind/what"):
        report.record(name, 1.0)
    assert report.recorded() == {}


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_non_finite_values_raise(value):
    with pytest.raises(ValueError, match="only finite numbers"):
        report.record("bpc/bigram", value)
    assert report.recorded() == {}


def test_non_numbers_raise():
    with pytest.raises((TypeError, ValueError)):
        report.record("bpc/bigram", "six")


# ----------------------------------------------------------------------------- benchmark files


def _write_benchmark(folder, name, settings, runs):
    import json

    (folder / f"{name}.json").write_text(json.dumps({"script": f"benchmarks/bench_x.py {name}", "settings": settings,
                                                     "runs": runs}), encoding="utf-8")


def test_load_benchmark_returns_runs_machine_and_script(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "BENCHMARKS", tmp_path)
    _write_benchmark(tmp_path, "demo_seeds", {"STEPS": 10, "shape": [1, 2], "device": "cuda:0"}, [{"seed": 1}])
    bench = report.load_benchmark("demo_seeds", {"STEPS": 10, "shape": (1, 2)})   # a tuple equals the stored list
    assert bench.runs == [{"seed": 1}]
    assert bench.script == "benchmarks/bench_x.py demo_seeds" and bench.machine == "unknown"   # no fingerprint stored
    assert not bench.made_here("cpu")


def _bench(machine: str) -> report.Benchmark:
    return report.Benchmark(runs=[], machine=machine, script="benchmarks/bench_x.py demo")


def test_check_seed0_on_the_machine_that_made_the_file_asserts(capsys):
    from forge_utils.device import numerics_fingerprint

    bench = _bench(numerics_fingerprint("cpu"))
    assert bench.made_here("cpu")
    assert bench.check_seed0([0.5, 0.25], [0.5, 0.25], "cpu") == 0.0          # identical: passes at atol 0
    assert "一致" in capsys.readouterr().out
    assert bench.check_seed0(6.40, 6.41, "cpu", atol=0.02) == pytest.approx(0.01)
    with pytest.raises(AssertionError, match=r"bench_x.py demo.*no longer train the same way"):
        bench.check_seed0([0.5, 0.25], [0.5, 0.26], "cpu")
    with pytest.raises(AssertionError):
        bench.check_seed0(float("nan"), 0.5, "cpu", atol=1.0)               # NaN never counts as equal


def test_check_seed0_elsewhere_only_prints_the_gap(capsys):
    bench = _bench("torch 0.0 · cpu · another processor · AVX2 · 8 threads")
    assert not bench.made_here("cpu")
    assert bench.check_seed0([[0.9, 0.8]], [[0.7, 0.8]], "cpu") == pytest.approx(0.2)
    out = capsys.readouterr().out
    assert "0.2" in out and "another processor" in out


def test_check_seed0_rejects_results_of_different_shapes():
    with pytest.raises(ValueError, match="shapes"):
        _bench("x").check_seed0([1.0, 2.0], [1.0], "cpu")


def test_load_benchmark_with_other_settings_names_the_script(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "BENCHMARKS", tmp_path)
    _write_benchmark(tmp_path, "demo_seeds", {"STEPS": 10}, [])
    with pytest.raises(ValueError, match=r"STEPS.*20, 10.*bench_x.py demo_seeds"):
        report.load_benchmark("demo_seeds", {"STEPS": 20})
    with pytest.raises(ValueError, match="LR"):                  # a setting the file does not have
        report.load_benchmark("demo_seeds", {"STEPS": 10, "LR": 0.1})


def test_load_benchmark_missing_file_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "BENCHMARKS", tmp_path)
    with pytest.raises(FileNotFoundError, match="make bench"):
        report.load_benchmark("nothing_seeds", {})


@pytest.mark.parametrize("name", ["rnn_lstm_seeds", "gpt_seeds", "word2vec_zh_seeds", "glove_zh_seeds",
                                  "memory_seeds", "reviews_seeds", "translation_seeds"])
def test_the_committed_benchmark_files_load(name):
    bench = report.load_benchmark(name, {})
    assert bench.runs
    assert bench.machine.startswith("torch ")          # made by a script that records its machine
    assert bench.machine.split(" · ")[1] in ("cpu", "cuda", "mps")     # the device kind it ran on
