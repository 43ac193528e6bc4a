"""Generate data/zh_en_toy.tsv, the course-made zh→en toy parallel corpus of notebook 09.

Every sentence comes from one small grammar with four optional parts (time, place, negation,
adjective); Chinese and English put them in different places:

    subject [time] [在 place] [不] verb [adjective 的] object
    →  subject [do|does not] verb(s) [adjective] object [place] [time]

e.g. ``我 今天 在 学校 爱 机器 → i love machines at school today`` and
``小明 不 喜欢 红色 的 苹果 → xiaoming does not like red apples``. The English side has third-person
agreement (he likes / they like), do-support for the negation (do not / does not + base form),
and the time and place phrases move to the end in reverse order, so a model has to reorder and
inflect, not copy word by word.

The Chinese side is segmented with the course tokenizer ``forge_utils.text.tokenize_chinese``; a
sentence is kept only if the tokenizer splits it into exactly the grammar's words (jieba glues
some pairs, e.g. 不吃 or 爱书, and those sentences are dropped).

Four splits, so that a test can fail for different reasons:

- ``train``: short sentences (at most ``MAX_ZH`` Chinese and ``MAX_EN`` English tokens), sampled.
- ``random``: more short sentences of the same kind, none of them in train (``我 今天 爱 机器 →
  i love machines today`` is one of them; ``我 爱 机器`` is in train).
- ``combination``: short sentences whose *combination* never occurs in train: a third-person
  subject with a negated 喜欢 or 学习 (train has "i do not like" and "he likes", never
  "he does not like"), or an adjective with a noun it is never paired with in train (红色 的 猫).
- ``longer``: sentences longer than every training sentence on both sides (more than ``MAX_ZH``
  Chinese and ``MAX_EN`` English tokens), without the held-out combinations.

Every word of every test split occurs in train. The sampling is seeded: the file is the same on
every run.

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
SEED = 0
SPLITS = ("train", "random", "combination", "longer")
MAX_ZH, MAX_EN = 6, 8  # train, random and combination sentences are at most this long
N_TRAIN, N_RANDOM, N_COMBINATION, N_LONGER = 3000, 300, 300, 300
MUST_TRAIN = ("我 爱 机器",)  # the lecture's example
MUST_RANDOM = ("我 今天 爱 机器",)  # the held-out reordering sentence notebook 09 decodes step by step

# (Chinese, English, third person singular?)
SUBJECTS = [
    ("我", "i", False), ("你", "you", False), ("他", "he", True), ("她", "she", True),
    ("我们", "we", False), ("他们", "they", False), ("小明", "xiaoming", True),
    ("小红", "xiaohong", True), ("老师", "the teacher", True),
]
TIMES = {"": "", "今天": "today", "每天": "every day"}
PLACES = {"": "", "学校": "at school", "公园": "in the park", "图书馆": "in the library"}
ADJECTIVES = {"": "", "新": "new", "大": "big", "小": "small", "红色": "red"}
OBJECTS = {
    "机器": "machines", "苹果": "apples", "书": "books", "猫": "cats", "狗": "dogs",
    "音乐": "music", "电影": "movies", "咖啡": "coffee", "茶": "tea", "数学": "math",
    "中文": "chinese", "英语": "english", "面包": "bread", "米饭": "rice", "鱼": "fish",
}
# People can be objects too (English object case: 我 → i as subject, me as object); then only
# word order tells who loves whom (我 爱 他 → i love him, 他 爱 我 → he loves me).
PERSON_OBJECTS = {
    "我": "me", "你": "you", "他": "him", "她": "her", "我们": "us", "他们": "them",
    "小明": "xiaoming", "小红": "xiaohong", "老师": "the teacher",
}
OBJECTS.update(PERSON_OBJECTS)
COUNTABLE = {"机器", "苹果", "书", "猫", "狗", "鱼"}  # the nouns that take an adjective
_PEOPLE = list(PERSON_OBJECTS)
_ANY = ["机器", "苹果", "书", "猫", "狗", "音乐", "电影", "咖啡", "茶", "数学", "中文"] + _PEOPLE
# Chinese verb → (English base form, third person singular form, objects it takes)
VERBS = {
    "爱": ("love", "loves", _ANY),
    "喜欢": ("like", "likes", _ANY),
    "讨厌": ("hate", "hates", _ANY),
    "想要": ("want", "wants", ["机器", "苹果", "书", "猫", "狗", "咖啡", "茶", "面包"]),
    "吃": ("eat", "eats", ["苹果", "面包", "米饭", "鱼"]),
    "学习": ("study", "studies", ["中文", "英语", "数学", "音乐"]),
    "买": ("buy", "buys", ["书", "苹果", "机器", "面包"]),
    "看": ("watch", "watches", ["电影"]),
}
# Held-out combinations: never in train, only in the "combination" split.
HELD_NEGATED_THIRD_PERSON = {"喜欢", "学习"}  # he/she/... 不 <verb>  → ... does not <verb>
HELD_ADJECTIVE_NOUN = {("红色", "猫"), ("大", "书"), ("小", "机器")}


def chinese(subject: str, time: str, place: str, negated: bool, verb: str, adjective: str, obj: str) -> list[str]:
    """The Chinese words in Chinese order: subject [time] [在 place] [不] verb [adjective 的] object."""
    return ([subject] + ([time] if time else []) + (["在", place] if place else []) + (["不"] if negated else [])
            + [verb] + ([adjective, "的"] if adjective else []) + [obj])


def english(third: bool, subject_en: str, time: str, place: str, negated: bool, verb: str, adjective: str,
            obj: str) -> list[str]:
    """The English words: subject [do/does not] verb(s) [adjective] object [place] [time]."""
    base, third_form, _ = VERBS[verb]
    words = subject_en.split()
    if negated:
        words += ["does" if third else "do", "not", base]
    else:
        words.append(third_form if third else base)
    for part in (ADJECTIVES[adjective], OBJECTS[obj], PLACES[place], TIMES[time]):
        words += part.split()
    return words


def held_combination(subject_third: bool, negated: bool, verb: str, adjective: str, obj: str) -> bool:
    return (subject_third and negated and verb in HELD_NEGATED_THIRD_PERSON) or (adjective, obj) in HELD_ADJECTIVE_NOUN


def all_sentences() -> list[tuple[list[str], list[str], bool]]:
    """Every grammatical sentence the tokenizer segments as intended: (zh words, en words, held combination?)."""
    out = []
    for subject, subject_en, third in SUBJECTS:
        for time in TIMES:
            for place in PLACES:
                for negated in (False, True):
                    for verb, (_, _, objects) in VERBS.items():
                        for obj in objects:
                            if obj == subject:
                                continue  # 我 爱 我 would need "myself"
                            for adjective in ADJECTIVES if obj in COUNTABLE else [""]:
                                zh = chinese(subject, time, place, negated, verb, adjective, obj)
                                if tokenize_chinese("".join(zh)) != zh:
                                    continue  # jieba glues two of the words: keep the corpus word-aligned
                                en = english(third, subject_en, time, place, negated, verb, adjective, obj)
                                out.append((zh, en, held_combination(third, negated, verb, adjective, obj)))
    return out


def build() -> list[tuple[str, str, str]]:
    """All rows as (split, zh, en) in the order of ``SPLITS``."""
    rng = random.Random(SEED)
    sentences = all_sentences()
    rng.shuffle(sentences)
    short = [s for s in sentences if len(s[0]) <= MAX_ZH and len(s[1]) <= MAX_EN]
    longer = [s for s in sentences if len(s[0]) > MAX_ZH and len(s[1]) > MAX_EN and not s[2]]
    combination = [s for s in short if s[2]]
    ordinary = [s for s in short if not s[2]]
    must_train = [s for s in ordinary if " ".join(s[0]) in MUST_TRAIN]
    must_random = [s for s in ordinary if " ".join(s[0]) in MUST_RANDOM]
    if len(must_train) != len(MUST_TRAIN) or len(must_random) != len(MUST_RANDOM):
        raise SystemExit("a fixed example sentence is missing from the grammar: check MUST_TRAIN / MUST_RANDOM")
    rest = [s for s in ordinary if s not in must_train and s not in must_random]
    random_test = must_random + rest[: N_RANDOM - len(must_random)]
    train = must_train + rest[N_RANDOM - len(must_random): N_RANDOM - len(must_random) + N_TRAIN - len(must_train)]
    zh_words = {w for zh, _, _ in train for w in zh}
    en_words = {w for _, en, _ in train for w in en}

    def known(s) -> bool:
        return set(s[0]) <= zh_words and set(s[1]) <= en_words

    splits = {
        "train": train,
        "random": [s for s in random_test if known(s)],
        "combination": [s for s in combination if known(s)][:N_COMBINATION],
        "longer": [s for s in longer if known(s)][:N_LONGER],
    }
    if len(splits["random"]) != len(random_test):
        raise SystemExit("a random test sentence has a word train lacks: enlarge N_TRAIN")
    return [(name, " ".join(zh), " ".join(en)) for name in SPLITS for zh, en, _ in splits[name]]


def render(rows: list[tuple[str, str, str]]) -> str:
    counts = ", ".join(f"{sum(r[0] == name for r in rows)} {name}" for name in SPLITS)
    header = [
        "# zh_en_toy.tsv: course-made zh->en toy parallel corpus for notebook 09 (CC0 1.0).",
        "# Generated by tools/make_zh_en_toy.py; see data/README.md.",
        f"# {counts} sentence pairs. Columns (tab-separated):",
        "# split (train|random|combination|longer), zh (segmented with forge_utils.text.tokenize_chinese,",
        "# space-separated), en (lower-case, space-separated).",
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
