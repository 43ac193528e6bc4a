"""Reference answers for notebook 01's exercises (run by tests/test_exercises_nb01.py)."""
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
    """Exercise 3: the lecture's rules plus two for birds, and the predicted new facts."""
    from forge_utils.paradigms import ANIMAL_RULES, Rule

    rules = list(ANIMAL_RULES) + [Rule(("有羽毛",), "鸟"), Rule(("鸟", "不会飞", "会游泳"), "企鹅")]
    # 有蹄 + 黑条纹 look like a zebra, but 斑马 needs 有蹄类, which needs 哺乳动物: nothing gives it.
    return rules, {"鸟", "企鹅"}
