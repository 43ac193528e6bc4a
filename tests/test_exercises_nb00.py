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
    assert not result and "温度被忽略了" in result.message


def test_multiplying_by_the_temperature_is_named():
    def times(scores, temperature):
        z = np.exp(scores * temperature - (scores * temperature).max())
        return z / z.sum()

    result = nb00.check_softmax(times)
    assert not result and "乘上了温度" in result.message


def test_overflow_is_explained():
    def naive(scores, temperature):
        with np.errstate(over="ignore", invalid="ignore"):
            z = np.exp(scores / temperature)
            return z / z.sum()

    result = nb00.check_softmax(naive)
    assert not result and "先减去最大的分数" in result.message


def test_temperature_predictions_reference_passes():
    assert nb00.check_temperature_predictions(answers.softmax, answers.doubled_equals_temperature,
                                              answers.p_first_at_high_temperature)


def test_temperature_predictions_wrong_ones_are_explained():
    result = nb00.check_temperature_predictions(answers.softmax, 2.0, 0.25)
    assert not result and "调低温度" in result.message
    result = nb00.check_temperature_predictions(answers.softmax, 0.5, 0.0)
    assert not result and "s/T → 0" in result.message
    assert "先写下你的预测" in nb00.check_temperature_predictions(answers.softmax, None, 0.25).message
    def todo(scores, temperature):
        raise NotImplementedError
    assert "先完成练习 1" in nb00.check_temperature_predictions(todo, 0.5, 0.25).message


def test_feedback_is_in_chinese(capsys):
    def todo(scores, temperature):
        raise NotImplementedError

    result = nb00.check_softmax(todo)
    printed = capsys.readouterr().out
    assert not result and printed.startswith("× 还不对：`softmax(")
    assert "还没有实现：把 `raise NotImplementedError` 换成你的代码" in result.message
    assert nb00.check_softmax(answers.softmax)
    assert capsys.readouterr().out.startswith("✓ 正确：")
