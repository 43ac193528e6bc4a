import numpy as np

from forge_utils.exercises import nb00
from solutions import nb00 as answers


def test_reference_answer_passes():
    assert nb00.check_softmax(answers.softmax)


def test_ignoring_the_temperature_is_named():
    def plain(scores, temperature):
        z = np.exp(scores - scores.max())
        return z / z.sum()

    result = nb00.check_softmax(plain)
    assert not result and "temperature is ignored" in result.message


def test_multiplying_by_the_temperature_is_named():
    def times(scores, temperature):
        z = np.exp(scores * temperature - (scores * temperature).max())
        return z / z.sum()

    result = nb00.check_softmax(times)
    assert not result and "multiplied" in result.message


def test_overflow_is_explained():
    def naive(scores, temperature):
        with np.errstate(over="ignore", invalid="ignore"):
            z = np.exp(scores / temperature)
            return z / z.sum()

    result = nb00.check_softmax(naive)
    assert not result and "Subtract the largest score" in result.message


def test_temperature_predictions_reference_passes():
    assert nb00.check_temperature_predictions(answers.softmax, answers.doubled_equals_temperature,
                                              answers.p_first_at_high_temperature)


def test_temperature_predictions_wrong_ones_are_explained():
    result = nb00.check_temperature_predictions(answers.softmax, 2.0, 0.25)
    assert not result and "LOWER temperature" in result.message
    result = nb00.check_temperature_predictions(answers.softmax, 0.5, 0.0)
    assert not result and "s/T → 0" in result.message
    assert "prediction first" in nb00.check_temperature_predictions(answers.softmax, None, 0.25).message
    def todo(scores, temperature):
        raise NotImplementedError
    assert "exercise 1" in nb00.check_temperature_predictions(todo, 0.5, 0.25).message
