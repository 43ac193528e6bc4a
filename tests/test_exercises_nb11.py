import torch

from forge_utils.exercises import nb11
from solutions import nb11 as answers


def test_reference_answers_pass():
    assert nb11.check_top_p(answers.top_p_logits)
    assert nb11.check_parameter_count(answers.gpt_parameters)


def test_top_p_mistakes_are_caught():
    def stops_early(logits, p):  # drops the token that makes the sum reach p
        probs = torch.softmax(logits, -1)
        sorted_probs, order = torch.sort(probs, descending=True)
        keep_sorted = torch.cumsum(sorted_probs, 0) <= p
        keep_sorted[0] = True
        keep = torch.zeros_like(keep_sorted)
        keep[order] = keep_sorted
        return logits.masked_fill(~keep, float("-inf"))

    result = nb11.check_top_p(stops_early)
    assert not result and "之前就停了" in result.message
    result = nb11.check_top_p(lambda logits, p: torch.softmax(logits, -1))
    assert not result and "返回的是概率" in result.message
    result = nb11.check_top_p(lambda logits, p: logits)
    assert not result and "留下了" in result.message

    def rescaled(logits, p):
        return answers.top_p_logits(logits, p) * 2

    result = nb11.check_top_p(rescaled)
    assert not result and "值变了" in result.message


def test_parameter_count_mistakes_are_caught():
    def no_biases(V, context, n_layer, n_embd):
        C = n_embd
        return V * C + context * C + n_layer * (12 * C * C + 4 * C) + 2 * C + C * V

    result = nb11.check_parameter_count(no_biases)
    assert not result and "少算了偏置" in result.message

    def no_positions(V, context, n_layer, n_embd):
        return answers.gpt_parameters(V, context, n_layer, n_embd) - context * n_embd

    result = nb11.check_parameter_count(no_positions)
    assert not result and "少算了位置嵌入" in result.message
    result = nb11.check_parameter_count(lambda *a: 1 / 0)
    assert not result and "ZeroDivisionError" in result.message
