import numpy as np

from forge_utils.exercises import nb01
from solutions import nb01 as answers


def test_reference_answers_pass():
    assert nb01.check_forward_chain(answers.forward_chain)
    assert nb01.check_q_update(answers.q_update)


def test_single_sweep_is_caught():
    def one_sweep(facts, rules):
        known = set(facts)
        for rule in rules:
            if all(p in known for p in rule.premises):
                known.add(rule.conclusion)
        return known

    result = nb01.check_forward_chain(one_sweep)
    assert not result and "只推一轮不够" in result.message


def test_only_new_facts_is_caught():
    result = nb01.check_forward_chain(lambda facts, rules: answers.forward_chain(facts, rules) - set(facts))
    assert not result and "给定的事实也要一起返回" in result.message


def test_any_premise_is_caught():
    def any_premise(facts, rules):
        known = set(facts)
        for _ in rules:
            for rule in rules:
                if any(p in known for p in rule.premises):
                    known.add(rule.conclusion)
        return known

    result = nb01.check_forward_chain(any_premise)
    assert not result and "前提全部" in result.message


def test_q_update_ignoring_done_is_caught():
    def no_done(q_sa, reward, next_q, done, alpha, gamma):
        return q_sa + alpha * (reward + gamma * np.max(next_q) - q_sa)

    result = nb01.check_q_update(no_done)
    assert not result and "done=True" in result.message


def test_q_update_with_mean_and_crash():
    def mean_next(q_sa, reward, next_q, done, alpha, gamma):
        return q_sa + alpha * (reward + (0 if done else gamma * np.mean(next_q)) - q_sa)

    result = nb01.check_q_update(mean_next)
    assert not result and "max" in result.message
    result = nb01.check_q_update(lambda *args: 1 / 0)
    assert not result and "ZeroDivisionError" in result.message


def test_bird_rules_reference_passes():
    rules, predicted = answers.bird_rules()
    assert nb01.check_bird_rules(rules, predicted)


def test_bird_rules_zebra_prediction_is_explained():
    rules, predicted = answers.bird_rules()
    result = nb01.check_bird_rules(rules, predicted | {"斑马"})
    assert not result and "哺乳动物" in result.message


def test_bird_rules_need_all_premises_and_the_old_rules():
    from forge_utils.paradigms import ANIMAL_RULES, Rule

    loose = list(ANIMAL_RULES) + [Rule(("有羽毛",), "鸟"), Rule(("鸟",), "企鹅")]
    result = nb01.check_bird_rules(loose, {"鸟", "企鹅"})
    assert not result and "全部成立" in result.message
    result = nb01.check_bird_rules(list(ANIMAL_RULES[1:]) + loose[-2:], {"鸟", "企鹅"})
    assert not result and "缺少" in result.message
    assert "先写下你的预测" in nb01.check_bird_rules(answers.bird_rules()[0], set()).message
    result = nb01.check_bird_rules(list(ANIMAL_RULES), {"鸟", "企鹅"})
    assert not result and "还推不出企鹅" in result.message
