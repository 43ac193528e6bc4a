"""第 01 章练习的参考答案（先自己试一试，再来对照）。"""
import numpy as np


def forward_chain(facts, rules):
    known = set(facts)
    changed = True
    while changed:
        changed = False
        for rule in rules:
            if rule.conclusion not in known and all(p in known for p in rule.premises):
                known.add(rule.conclusion)
                changed = True
    return known


def q_update(q_sa, reward, next_q, done, alpha, gamma):
    target = reward if done else reward + gamma * float(np.max(next_q))
    return q_sa + alpha * (target - q_sa)


def bird_rules():
    """练习 3：讲义的规则再加两条关于鸟的规则，以及预测会推出的新事实。"""
    from forge_utils.paradigms import ANIMAL_RULES, Rule

    rules = list(ANIMAL_RULES) + [Rule(("有羽毛",), "鸟"), Rule(("鸟", "不会飞", "会游泳"), "企鹅")]
    # 有蹄 + 黑条纹 看起来像斑马，但“斑马”要先有“有蹄类”，“有蹄类”又要先有“哺乳动物”：没有哪条规则给出它。
    return rules, {"鸟", "企鹅"}
