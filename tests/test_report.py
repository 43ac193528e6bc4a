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
    with pytest.raises(ValueError, match="只能记录有限的数"):
        report.record("bpc/bigram", value)
    assert report.recorded() == {}


def test_non_numbers_raise():
    with pytest.raises((TypeError, ValueError)):
        report.record("bpc/bigram", "six")
