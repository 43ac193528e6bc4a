"""Generate data/zh_en_toy.tsv, the course-made zh→en toy parallel corpus of notebook 09.

Every sentence is built from a small lexicon with one template:

    subject [time] [不] verb object   →   subject (do|does not)? verb(s) object [time]

e.g. ``我 爱 机器 → i love machines`` and ``小明 今天 不 喜欢 猫 → xiaoming does not like cats today``.
The English side has third-person agreement (he likes / they like), do-support for the negation
and the time word moved to the end, so the model has to reorder, not copy word by word.

The Chinese side is segmented with the course tokenizer ``forge_utils.text.tokenize_chinese``;
a sentence is kept only if the tokenizer splits it into exactly the lexicon's words (jieba glues
some pairs, e.g. 不吃 or 爱猫, and those sentences are dropped). The split is random (seed 0),
with two guarantees: ``我 爱 机器`` is in train (the lecture's example), and every word of the
test split also occurs in train, so the test split holds new *combinations* of known words.

    .venv/bin/python tools/make_zh_en_toy.py          # rewrites data/zh_en_toy.tsv
    .venv/bin/python tools/make_zh_en_toy.py --check  # fails if the file differs from a fresh build

Licence of the output: CC0 1.0 (made for the course, no third-party text).
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forge_utils.text import tokenize_chinese  # noqa: E402

OUT = ROOT / "data" / "zh_en_toy.tsv"
TEST_FRACTION = 0.12
SEED = 0

# (Chinese, English, third person singular?)
SUBJECTS = [
    ("我", "i", False), ("你", "you", False), ("他", "he", True), ("她", "she", True),
    ("我们", "we", False), ("他们", "they", False), ("小明", "xiaoming", True),
    ("小红", "xiaohong", True), ("老师", "the teacher", True),
]
TIMES = [("", ""), ("今天", "today"), ("每天", "every day")]
OBJECTS = {
    "机器": "machines", "苹果": "apples", "书": "books", "猫": "cats", "狗": "dogs",
    "音乐": "music", "电影": "movies", "咖啡": "coffee", "茶": "tea", "数学": "math",
    "中文": "chinese", "英语": "english", "面包": "bread", "米饭": "rice", "鱼": "fish",
}
_ANY = ["机器", "苹果", "书", "猫", "狗", "音乐", "电影", "咖啡", "茶", "数学", "中文"]
# Chinese verb → (English base form, third person singular form, objects it takes)
VERBS = {
    "爱": ("love", "loves", _ANY),
    "喜欢": ("like", "likes", _ANY),
    "讨厌": ("hate", "hates", _ANY),
    "想要": ("want", "wants", ["机器", "苹果", "书", "猫", "狗", "咖啡", "茶", "面包"]),
    "吃": ("eat", "eats", ["苹果", "面包", "米饭", "鱼"]),
    "学习": ("study", "studies", ["中文", "英语", "数学", "音乐"]),
    "买": ("buy", "buys", ["书", "苹果", "机器", "面包"]),
    "画": ("draw", "draws", ["机器"]),
    "看": ("watch", "watches", ["电影"]),
}


def english(subject: tuple[str, str, bool], time: str, negated: bool, verb: str, obj: str) -> str:
    _, subj_en, third = subject
    base, third_form, _ = VERBS[verb]
    if negated:
        words = [subj_en, "does not" if third else "do not", base]
    else:
        words = [subj_en, third_form if third else base]
    words.append(OBJECTS[obj])
    if time:
        words.append(dict(TIMES)[time])
    return " ".join(words)


def build() -> list[tuple[str, str, str]]:
    """All kept sentences as (split, zh, en), train first."""
    pairs: list[tuple[list[str], str]] = []
    for subject in SUBJECTS:
        for time, _ in TIMES:
            for negated in (False, True):
                for verb, (_, _, objects) in VERBS.items():
                    for obj in objects:
                        words = [subject[0]] + ([time] if time else []) + (["不"] if negated else []) + [verb, obj]
                        if tokenize_chinese("".join(words)) != words:
                            continue  # jieba glues two of the words: keep the corpus word-aligned
                        pairs.append((words, english(subject, time, negated, verb, obj)))
    rng = random.Random(SEED)
    order = list(range(len(pairs)))
    rng.shuffle(order)
    n_test = round(TEST_FRACTION * len(pairs))
    test = set(order[:n_test])
    must_train = {i for i, (words, _) in enumerate(pairs) if words == ["我", "爱", "机器"]}
    test -= must_train
    # every word of a test sentence must occur in train: move offenders to train until stable
    while True:
        train_zh = {w for i, (words, _) in enumerate(pairs) if i not in test for w in words}
        train_en = {w for i, (_, en) in enumerate(pairs) if i not in test for w in en.split()}
        unseen = {
            i for i in test
            if not set(pairs[i][0]) <= train_zh or not set(pairs[i][1].split()) <= train_en
        }
        if not unseen:
            break
        test -= unseen
    rows = [("train", " ".join(w), en) for i, (w, en) in enumerate(pairs) if i not in test]
    rows += [("test", " ".join(w), en) for i, (w, en) in enumerate(pairs) if i in test]
    return rows


def render(rows: list[tuple[str, str, str]]) -> str:
    n_train = sum(r[0] == "train" for r in rows)
    header = [
        "# zh_en_toy.tsv: course-made zh->en toy parallel corpus for notebook 09 (CC0 1.0).",
        "# Generated by tools/make_zh_en_toy.py; see data/README.md.",
        f"# {n_train} train + {len(rows) - n_train} test sentences. Columns (tab-separated):",
        "# split (train|test), zh (segmented with forge_utils.text.tokenize_chinese, space-separated),",
        "# en (lower-case, space-separated).",
    ]
    return "\n".join(header + ["\t".join(r) for r in rows]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped file instead of writing")
    args = parser.parse_args()
    text = render(build())
    if args.check:
        if OUT.read_text(encoding="utf-8") != text:
            sys.exit(f"{OUT.name} differs from a fresh build: run tools/make_zh_en_toy.py")
        print(f"{OUT.name} is up to date")
        return
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text.encode())} bytes, {text.count(chr(10)) - 5} sentences)")


if __name__ == "__main__":
    main()
