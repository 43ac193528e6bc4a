"""Self-checks for notebook 01 (AI paradigms)."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from forge_utils.exercises import Result, call_for_number, call_safely, failed, passed, report
from forge_utils.paradigms import ANIMAL_RULES, Rule
from forge_utils.paradigms import forward_chain as _reference_chain


def check_forward_chain(forward_chain: Callable) -> Result:
    """``forward_chain(facts, rules)`` must return the set of all facts (given + derived)."""
    cases = [
        (["有毛发", "有蹄", "黑条纹"], list(ANIMAL_RULES)),
        (["有毛发", "有蹄", "黑条纹"], list(ANIMAL_RULES[::-1])),  # needs several sweeps
        (["有乳", "吃肉", "黄褐色", "黑条纹"], list(ANIMAL_RULES)),
        (["有毛发", "有爪"], list(ANIMAL_RULES)),
    ]
    for facts, rules in cases:
        order = "reversed rules" if rules[0] is ANIMAL_RULES[-1] else "rules in the lecture's order"
        got: Any  # the student's answer: set() below decides whether it is a collection of facts
        got, error = call_safely(forward_chain, list(facts), rules, what=f"forward_chain({facts}, {order})")
        if error:
            return report(failed(error))
        try:
            got = set(got)
        except TypeError:
            return report(failed(f"forward_chain should return a set of facts, got {type(got).__name__}"))
        want, _ = _reference_chain(facts, rules)
        if got == want:
            continue
        missing, extra = sorted(want - got), sorted(got - want)
        hint = ""
        if set(facts) <= want - got:
            hint = " — return the given facts too, not only the new ones"
        elif missing and order == "reversed rules":
            hint = (" — with the rules in reverse order one sweep is not enough: keep sweeping "
                    "until a whole sweep adds nothing new")
        elif extra:
            hint = " — a rule may fire only when ALL of its premises are known facts"
        return report(failed(f"forward_chain({facts}, {order}): missing {missing}, unexpected {extra}{hint}"))
    return report(passed("forward chaining derives 斑马 and 老虎 and needs no particular rule order"))


def check_q_update(q_update: Callable) -> Result:
    """``q_update(q_sa, reward, next_q, done, alpha, gamma)`` must return the new Q(s, a)."""
    cases = [
        (0.0, -1.0, np.array([0.0, 2.0, -3.0, 1.0]), False, 0.1, 0.9),
        (5.0, -1.0, np.array([10.0, 4.0, 0.0, 0.0]), False, 0.5, 0.9),
        (20.0, 100.0, np.array([7.0, 3.0, 1.0, 2.0]), True, 0.1, 0.9),  # the goal: nothing after it
        (-2.0, -1.0, np.array([-1.0, -4.0, -2.0, -3.0]), False, 1.0, 0.5),
    ]
    for q_sa, reward, next_q, done, alpha, gamma in cases:
        args = (q_sa, reward, next_q.copy(), done, alpha, gamma)
        what = f"q_update(q_sa={q_sa}, reward={reward}, next_q={next_q.tolist()}, done={done}, alpha={alpha}, gamma={gamma})"
        value, error = call_for_number(q_update, *args, what=what)
        if error:
            return report(failed(error))
        assert value is not None  # call_for_number: no error means a number
        target = reward + (0.0 if done else gamma * next_q.max())
        want = q_sa + alpha * (target - q_sa)
        if np.isclose(value, want, atol=1e-9):
            continue
        hint = ""
        if done and np.isclose(value, q_sa + alpha * (reward + gamma * next_q.max() - q_sa)):
            hint = " — after the goal (done=True) there is no future: the target is just the reward"
        elif np.isclose(value, q_sa + alpha * (reward + gamma * next_q.mean() - q_sa)):
            hint = " — use the best next action (max of next_q), not the average"
        elif np.isclose(value, target):
            hint = " — move only a step alpha towards the target: q_sa + alpha * (target - q_sa)"
        return report(failed(f"{what} = {value:.4f}, expected {want:.4f}{hint}"))
    return report(passed("the Q-learning update is right, including the terminal step"))


BIRD_PROBE = ("有羽毛", "不会飞", "会游泳", "有蹄", "黑条纹")


def check_bird_rules(rules: Sequence[Rule], predicted_new_facts: Iterable[str]) -> Result:
    """Exercise 3: ``rules`` = the lecture's 10 rules + 有羽毛 → 鸟 and 鸟 + 不会飞 + 会游泳 → 企鹅;
    ``predicted_new_facts`` = the facts the student expects forward chaining to add to ``BIRD_PROBE``."""
    try:
        rules = list(rules)
        pairs = [(frozenset(r.premises), r.conclusion) for r in rules]
    except (TypeError, AttributeError):
        return report(failed("my_rules should be a list of paradigms.Rule(premises, conclusion)"))
    if any(isinstance(r.premises, str) for r in rules):
        return report(failed("a rule's premises must be a tuple such as ('有羽毛',), not the str '有羽毛' "
                             "(a str would be read character by character)"))
    missing = [str(r) for r in ANIMAL_RULES if (frozenset(r.premises), r.conclusion) not in pairs]
    if missing:
        return report(failed(f"keep the lecture's 10 rules in my_rules; missing: {missing}"))
    if not predicted_new_facts:
        return report(failed("write your prediction first: predicted_new_facts = {...} (the facts the system adds)"))
    if isinstance(predicted_new_facts, str):
        return report(failed("predicted_new_facts should be a set of facts such as {'鸟'}, not one str"))

    def derive(facts: Iterable[str]) -> set[str]:
        known, _ = _reference_chain(facts, rules, strict=False)
        return known - set(facts)

    if "企鹅" not in derive(["有羽毛", "不会飞", "会游泳"]):
        return report(failed("有羽毛 + 不会飞 + 会游泳 does not give 企鹅 yet: add IF 有羽毛 THEN 鸟 and "
                             "IF 鸟 且 不会飞 且 会游泳 THEN 企鹅"))
    if "企鹅" in derive(["有羽毛", "会游泳"]):
        return report(failed("有羽毛 + 会游泳 (a duck?) already gives 企鹅: the penguin rule needs ALL of 鸟, 不会飞, 会游泳"))
    if derive(["有毛发", "有蹄", "黑条纹"]) != {"哺乳动物", "有蹄类", "斑马"}:
        return report(failed("with your rules 有毛发 + 有蹄 + 黑条纹 no longer gives exactly 哺乳动物, 有蹄类, 斑马: "
                             "add rules, do not change the old ones"))
    actual = derive(BIRD_PROBE)
    predicted = set(predicted_new_facts)
    if predicted != actual:
        hint = ""
        if "斑马" in predicted - actual:
            hint = (" — 斑马 needs 有蹄类, and 有蹄类 needs 哺乳动物, which nothing here gives: the system "
                    "only follows its rules, it does not know that a bird has no hooves")
        return report(failed(f"your prediction {sorted(predicted)}, but the system derived {sorted(actual)} "
                             f"from {list(BIRD_PROBE)}{hint}"))
    return report(passed(f"your rules recognise the penguin and your prediction {sorted(actual)} was right"))
