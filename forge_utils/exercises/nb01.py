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
        order = "ANIMAL_RULES[::-1]" if rules[0] is ANIMAL_RULES[-1] else "ANIMAL_RULES"
        got: Any  # the student's answer: set() below decides whether it is a collection of facts
        got, error = call_safely(forward_chain, list(facts), rules, what=f"`forward_chain({facts}, {order})`")
        if error:
            return report(failed(error))
        try:
            got = set(got)
        except TypeError:
            return report(failed(f"`forward_chain` 应该返回由事实组成的集合（set），实际得到 {type(got).__name__}"))
        want, _ = _reference_chain(facts, rules)
        if got == want:
            continue
        missing, extra = sorted(want - got), sorted(got - want)
        hint = ""
        if set(facts) <= want - got:
            hint = "——给定的事实也要一起返回，不能只返回新推出的"
        elif missing and order == "ANIMAL_RULES[::-1]":
            hint = ("——规则倒过来排时，只推一轮不够：要一轮接一轮地推，"
                    "直到一整轮都推不出新事实为止")
        elif extra:
            hint = "——只有前提全部是已知事实时，规则才能触发"
        return report(failed(f"`forward_chain({facts}, {order})`：缺少 {missing}，多出 {extra}{hint}"))
    return report(passed("前向链推理推出了斑马和老虎，而且不依赖规则的顺序"))


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
        what = f"`q_update(q_sa={q_sa}, reward={reward}, next_q={next_q.tolist()}, done={done}, alpha={alpha}, gamma={gamma})`"
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
            hint = "——到达目标（done=True）之后就没有未来了：目标值就是奖励本身"
        elif np.isclose(value, q_sa + alpha * (reward + gamma * next_q.mean() - q_sa)):
            hint = "——用下一步最好的动作（next_q 的 max），而不是平均值"
        elif np.isclose(value, target):
            hint = "——只朝目标值走一小步 alpha：q_sa + alpha * (target - q_sa)"
        return report(failed(f"{what} = {value:.4f}，应为 {want:.4f}{hint}"))
    return report(passed("Q 学习的更新正确，终点那一步也对"))


BIRD_PROBE = ("有羽毛", "不会飞", "会游泳", "有蹄", "黑条纹")


def check_bird_rules(rules: Sequence[Rule], predicted_new_facts: Iterable[str]) -> Result:
    """Exercise 3: ``rules`` = the lecture's 10 rules + 有羽毛 → 鸟 and 鸟 + 不会飞 + 会游泳 → 企鹅;
    ``predicted_new_facts`` = the facts the student expects forward chaining to add to ``BIRD_PROBE``."""
    try:
        rules = list(rules)
        pairs = [(frozenset(r.premises), r.conclusion) for r in rules]
    except (TypeError, AttributeError):
        return report(failed("`my_rules` 应该是由 `paradigms.Rule(premises, conclusion)` 组成的列表"))
    if any(isinstance(r.premises, str) for r in rules):
        return report(failed("规则的前提必须是元组，比如 `('有羽毛',)`，而不是字符串 `'有羽毛'`"
                             "（字符串会被一个字一个字地拆开）"))
    missing = [str(r) for r in ANIMAL_RULES if (frozenset(r.premises), r.conclusion) not in pairs]
    if missing:
        return report(failed(f"`my_rules` 里要保留讲义的 10 条规则；缺少：{missing}"))
    if not predicted_new_facts:
        return report(failed("先写下你的预测：`predicted_new_facts = {...}`（系统会新推出哪些事实）"))
    if isinstance(predicted_new_facts, str):
        return report(failed("`predicted_new_facts` 应该是由事实组成的集合，比如 `{'鸟'}`，而不是一个字符串"))

    def derive(facts: Iterable[str]) -> set[str]:
        known, _ = _reference_chain(facts, rules, strict=False)
        return known - set(facts)

    if "企鹅" not in derive(["有羽毛", "不会飞", "会游泳"]):
        return report(failed("有羽毛 + 不会飞 + 会游泳 还推不出企鹅：加上 有羽毛 → 鸟 和 "
                             "鸟 + 不会飞 + 会游泳 → 企鹅 这两条规则"))
    if "企鹅" in derive(["有羽毛", "会游泳"]):
        return report(failed("有羽毛 + 会游泳（也许是只鸭子？）就已经推出企鹅了：企鹅规则要求 鸟、不会飞、会游泳 全部成立"))
    if derive(["有毛发", "有蹄", "黑条纹"]) != {"哺乳动物", "有蹄类", "斑马"}:
        return report(failed("用你的规则，有毛发 + 有蹄 + 黑条纹 推出的不再恰好是 哺乳动物、有蹄类、斑马："
                             "只添加新规则，不要改旧规则"))
    actual = derive(BIRD_PROBE)
    predicted = set(predicted_new_facts)
    if predicted != actual:
        hint = ""
        if "斑马" in predicted - actual:
            hint = ("——斑马需要有蹄类，有蹄类又需要哺乳动物，而这里没有哪条事实能推出哺乳动物：系统"
                    "只会照规则推理，它并不知道鸟没有蹄")
        return report(failed(f"你预测的是 {sorted(predicted)}，但系统从 {list(BIRD_PROBE)} "
                             f"推出的是 {sorted(actual)}{hint}"))
    return report(passed(f"你的规则能认出企鹅，你的预测 {sorted(actual)} 也是对的"))
