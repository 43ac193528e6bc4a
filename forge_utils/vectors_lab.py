"""Notebook 05's lab on pretrained vectors (GloVe 6B 50d as a gensim ``KeyedVectors``).

    >>> from forge_utils.data import load_glove, gensim_path
    >>> kv = load_glove()
    >>> analogy_accuracy(kv, gensim_path("questions-words.txt"), restrict_vocab=30000).accuracy   # 0.497
    >>> sentence_vector(["the", "cat", "sat"], kv, weighting="sif")                                # (50,)
    >>> WordVectorExplorer(kv).widget                                                               # ipywidgets UI

- ``analogy_accuracy``: the Google analogy test exactly as gensim's ``evaluate_word_analogies``
  scores it (3CosAdd over the ``restrict_vocab`` most frequent words, inputs excluded), but as a
  few matrix products instead of one ``most_similar`` call per question (≈1 s instead of ≈18 s).
- ``sif_weights`` / ``sentence_vector``: the mean and the SIF-*weighted* mean of word vectors (the
  weighting alone); ``sif_embeddings``: full SIF (Arora et al., 2017), the weighted means with their
  common component (first singular vector) removed.
- ``explore`` / ``draw_view`` / ``WordVectorExplorer``: the neighbour + analogy explorer. ``explore`` is
  a plain function (testable without a browser); the widgets only call it.
"""
from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from forge_utils.explorer import Explorer

if TYPE_CHECKING:
    import matplotlib.pyplot as plt
    from gensim.models import KeyedVectors


# ---------------------------------------------------------------------------------------------
# 1. Google analogies, vectorized
# ---------------------------------------------------------------------------------------------
def read_analogies(path: str | Path) -> dict[str, list[tuple[str, str, str, str]]]:
    """Sections of an analogy file (``: section`` headers, then ``a b c expected`` lines), lower-cased."""
    sections: dict[str, list[tuple[str, str, str, str]]] = {}
    current = None
    for line_no, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(": "):
            current = line[2:].strip()
            sections[current] = []
        elif line.strip():
            if current is None:
                raise ValueError(f"{path}：第 {line_no} 行出现在任何 ': section' 标题之前")
            parts = line.lower().split()
            if len(parts) == 4:
                a, b, c, expected = parts
                sections[current].append((a, b, c, expected))
    return sections


@dataclass
class AnalogyScore:
    """Accuracy over the questions whose four words are all in the restricted vocabulary."""

    accuracy: float
    correct: int
    total: int  # questions scored
    skipped: int  # questions with a word outside the restricted vocabulary
    sections: dict[str, tuple[int, int]] = field(default_factory=dict)  # name → (correct, total)
    predictions: list[str] = field(default_factory=list)  # predicted word per scored question, in order


def _unit_rows(kv: KeyedVectors, restrict_vocab: int) -> np.ndarray:
    vectors = np.asarray(kv.vectors[:restrict_vocab], dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)


def analogy_accuracy(
    kv: KeyedVectors, path: str | Path, restrict_vocab: int = 30000, batch_size: int = 1024
) -> AnalogyScore:
    """Score ``a : b :: c : expected`` questions by 3CosAdd, as gensim's ``evaluate_word_analogies``.

    Only the ``restrict_vocab`` most frequent words count: a question with a word outside them is
    skipped, and the answer is searched among them. The prediction is the word whose unit vector
    has the highest cosine with unit(b) − unit(a) + unit(c), excluding a, b and c themselves.
    Case-insensitive (the file's ``Athens`` matches GloVe's ``athens``).
    """
    if restrict_vocab < 4:
        raise ValueError(f"restrict_vocab 至少要是 4，收到的是 {restrict_vocab}")
    keys = kv.index_to_key[:restrict_vocab]
    index: dict[str, int] = {}
    for i, key in enumerate(keys):
        index.setdefault(key.lower(), i)  # the most frequent spelling wins, as in gensim
    unit = _unit_rows(kv, restrict_vocab)
    questions, names, skipped = [], [], 0
    for name, items in read_analogies(path).items():
        for words in items:
            if all(w in index for w in words):
                questions.append([index[w] for w in words])
                names.append(name)
            else:
                skipped += 1
    if not questions:
        raise ValueError(f"{path} 里没有哪道类比题的四个词都在前 {restrict_vocab} 个词之内")
    ids = np.array(questions)  # (n, 4): a, b, c, expected
    predicted = np.empty(len(ids), dtype=np.int64)
    for start in range(0, len(ids), batch_size):
        a, b, c = (ids[start: start + batch_size, k] for k in range(3))
        query = unit[b] - unit[a] + unit[c]  # (batch, d); its length does not change the argmax
        scores = query @ unit.T  # (batch, restrict_vocab)
        rows = np.arange(len(a))
        scores[rows, a] = scores[rows, b] = scores[rows, c] = -np.inf
        predicted[start: start + batch_size] = scores.argmax(axis=1)
    hits = predicted == ids[:, 3]
    sections: dict[str, tuple[int, int]] = {}
    for name, hit in zip(names, hits):
        correct, total = sections.get(name, (0, 0))
        sections[name] = (correct + int(hit), total + 1)
    return AnalogyScore(float(hits.mean()), int(hits.sum()), len(hits), skipped, sections,
                        [keys[i] for i in predicted])


# ---------------------------------------------------------------------------------------------
# 2. Sentence vectors: mean and SIF
# ---------------------------------------------------------------------------------------------
def zipf_probability(kv: KeyedVectors, word: str) -> float:
    """p(word) estimated from its frequency rank r (GloVe's vocabulary is sorted by frequency):
    Zipf's law p(r) = 1 / (r · H_N), with H_N = 1 + 1/2 + … + 1/N the normaliser over N words."""
    n = len(kv.index_to_key)
    harmonic = np.log(n) + 0.5772156649 + 1 / (2 * n)
    return 1.0 / ((kv.key_to_index[word] + 1) * harmonic)


def sif_weights(tokens: Sequence[str], kv: KeyedVectors, a: float = 1e-3) -> np.ndarray:
    """SIF weights a / (a + p(w)) (Arora et al., 2017) for each token: frequent words weigh less. ``(n,)``"""
    if a <= 0:
        raise ValueError(f"a 必须 > 0，收到的是 {a}")
    n = len(kv.index_to_key)
    harmonic = np.log(n) + 0.5772156649 + 1 / (2 * n)
    ranks = np.array([kv.key_to_index[t] for t in tokens], dtype=np.float64)   # KeyError for unknown words
    return a / (a + 1.0 / ((ranks + 1) * harmonic))


def sentence_vector(tokens: Sequence[str], kv: KeyedVectors, weighting: str = "mean", a: float = 1e-3) -> np.ndarray:
    """Average of the tokens' vectors ``(d,)``; ``weighting="sif"`` weights them by ``sif_weights``
    (the SIF *weighting only*: full SIF also removes a common component, see ``sif_embeddings``).

    Unknown tokens are skipped; a sentence with no known token raises ``ValueError``.
    """
    if isinstance(tokens, str):
        raise TypeError(f"sentence_vector 要的是词元列表，收到的却是字符串 {tokens!r}：请用 text.lower().split()")
    if weighting not in ("mean", "sif"):
        raise ValueError(f"weighting 必须是 'mean' 或 'sif'，收到的是 {weighting!r}")
    known = [t for t in tokens if t in kv.key_to_index]
    if not known:
        raise ValueError(f"{list(tokens)} 里没有一个词元在词表中：GloVe 的词都是小写英文")
    vectors = np.stack([kv[t] for t in known]).astype(np.float64)  # (n, d)
    weights = np.ones(len(known)) if weighting == "mean" else sif_weights(known, kv, a)
    return weights @ vectors / weights.sum()


def common_component(vectors: np.ndarray) -> np.ndarray:
    """First right singular vector ``(d,)`` of ``vectors (n, d)``, not centred (as in Arora et al.):
    the direction all the sentence vectors share most. Its sign is arbitrary."""
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or len(vectors) < 2:
        raise ValueError(f"common_component 需要一个至少有 2 个句向量的矩阵 (n, d)，收到的形状是 {vectors.shape}")
    return np.linalg.svd(vectors, full_matrices=False)[2][0]


def sif_embeddings(sentences: Sequence[Sequence[str]], kv: KeyedVectors, a: float = 1e-3,
                   reference: Sequence[Sequence[str]] | None = None) -> np.ndarray:
    """Full SIF sentence vectors ``(n, d)`` (Arora, Liang & Ma, 2017):

    1. v_s = (1/|s|) Σ_w a / (a + p(w)) · v_w over the known words w of s (``sif_weights``);
    2. u = ``common_component`` of the v_s of ``reference`` (token lists; default: ``sentences``);
    3. v_s ← v_s − (u·v_s) u.

    Estimating u on a larger reference corpus than the sentences being compared is allowed and
    often better; pass it as ``reference``.
    """
    def weighted(tokens: Sequence[str]) -> np.ndarray:
        if isinstance(tokens, str):
            raise TypeError(f"sif_embeddings 要的是由词元列表组成的列表，收到的却是字符串 {tokens!r}：请用 text.lower().split()")
        known = [t for t in tokens if t in kv.key_to_index]
        if not known:
            raise ValueError(f"{list(tokens)} 里没有一个词元在词表中：GloVe 的词都是小写英文")
        return sif_weights(known, kv, a) @ np.stack([kv[t] for t in known]).astype(np.float64) / len(known)

    vectors = np.stack([weighted(s) for s in sentences])
    u = common_component(vectors if reference is None else np.stack([weighted(s) for s in reference]))
    return vectors - np.outer(vectors @ u, u)


# ---------------------------------------------------------------------------------------------
# 3. The explorer: a plain function, a drawing, and the widgets that call them
# ---------------------------------------------------------------------------------------------
@dataclass
class ExplorerView:
    """What the explorer shows for one input: text lines and the words/points to plot."""

    lines: list[str]
    words: list[str]
    points: np.ndarray  # (len(words), 2) PCA coordinates; empty when there is nothing to draw
    roles: list[str]  # one of "query", "neighbour", "analogy" per word


def _key(kv: KeyedVectors, word: str) -> str | None:
    word = word.strip()
    if word in kv.key_to_index:
        return word
    if word.lower() in kv.key_to_index:
        return word.lower()
    return None


def explore(
    kv: KeyedVectors, word: str, topn: int = 8, analogy: Sequence[str] = ("man", "king", "woman")
) -> ExplorerView:
    """Neighbours of ``word`` and the answer to ``a : b :: c : ?`` for ``analogy = (a, b, c)``.

    Never raises for unknown words: the message in ``lines`` says what to type instead.
    """
    if not 1 <= int(topn) <= 50:
        raise ValueError(f"topn 必须在 1 到 50 之间，收到的是 {topn}")
    from forge_utils.plots import pca_2d

    lines, words, roles = [], [], []
    key = _key(kv, word)
    if key is None:
        lines.append(f"“{word.strip()}” 不在词表中："
                     "GloVe 6B 只有小写英文词，试试 father、car、paris。")
    else:
        neighbours = kv.most_similar(key, topn=int(topn))
        lines.append(f"{key} 的近邻：" + ", ".join(f"{w} ({s:.2f})" for w, s in neighbours))
        words += [key] + [w for w, _ in neighbours]
        roles += ["query"] + ["neighbour"] * len(neighbours)
    keys = [_key(kv, w) for w in analogy]
    if len(analogy) != 3 or any(not w.strip() for w in analogy):
        lines.append("类比需要三个词 a : b :: c : ?")
    elif None in keys:
        missing = [w for w, k in zip(analogy, keys) if k is None]
        lines.append(f"类比里的 {'、'.join(missing)} 不在词表中。")
    else:
        a, b, c = keys
        answer, score = kv.most_similar(positive=[b, c], negative=[a], topn=1)[0]
        lines.append(f"{a} : {b} :: {c} : {answer} ({score:.2f})")
        for w in (a, b, c, answer):
            if w not in words:
                words.append(w)
                roles.append("analogy")
    points = pca_2d(np.stack([kv[w] for w in words])) if len(words) >= 2 else np.zeros((0, 2))
    return ExplorerView(lines, words, points, roles)


def draw_view(view: ExplorerView, ax: plt.Axes | None = None) -> plt.Axes:
    """Scatter the view's words in 2-D (colour = role) and return the axes."""
    import matplotlib.pyplot as plt

    from forge_utils.plots import labelled_scatter

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4))
    if len(view.words) < 2:
        ax.text(0.5, 0.5, "没有可画的词", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    names = {"query": "查询词", "neighbour": "近邻", "analogy": "类比"}
    labelled_scatter(view.points, view.words, ax=ax, groups=[names[r] for r in view.roles], title="PCA 二维投影")
    ax.set(xlabel="第一主成分", ylabel="第二主成分")
    return ax


PRESETS = {
    "man : king :: woman : ?": ("man", "king", "woman"),
    "paris : france :: rome : ?": ("paris", "france", "rome"),
    "large : larger :: small : ?": ("large", "larger", "small"),
    "germany : german :: spain : ?": ("germany", "german", "spain"),
}


class WordVectorExplorer(Explorer):
    """The word-vector explorer: a word box, a top-n slider, an analogy preset menu and three analogy
    boxes (CSS classes ``forge-vectors-word``, ``-topn``, ``-preset``, ``-a``, ``-b``, ``-c``); every change
    re-runs ``explore`` and redraws the PCA picture in place. A preset fills a, b, c and redraws once.
    ``set(word="paris", preset="paris : france :: rome : ?")`` drives it from code (see ``Explorer``)."""

    css = "forge-vectors"

    def __init__(self, kv: KeyedVectors, word: str = "father") -> None:
        import ipywidgets as widgets

        self.kv = kv
        first = list(PRESETS)[0]
        boxes = {n: widgets.Text(value=v, description=n, layout=widgets.Layout(width="180px"))
                 for n, v in zip("abc", PRESETS[first])}
        super().__init__({"word": widgets.Text(value=word, description="词"),
                          "topn": widgets.IntSlider(value=8, min=1, max=20, description="近邻数"),
                          "preset": widgets.Dropdown(options=list(PRESETS), value=first, description="类比"),
                          **boxes},
                         rows=[["word", "topn"], ["preset"], ["a", "b", "c"]])

    def set(self, **values: Any) -> WordVectorExplorer:
        if "preset" in values and values["preset"] in PRESETS:  # a preset fills the three analogy boxes
            values = {**dict(zip("abc", PRESETS[values["preset"]])), **values}
        return super().set(**values)

    def _on_change(self, change: Any = None) -> None:
        if not self._quiet and change is not None and change["owner"] is self.controls["preset"]:
            self.set(preset=change["new"])
        else:
            super()._on_change(change)

    def refresh(self) -> None:
        v = self.values
        self.view = explore(self.kv, v["word"], v["topn"], (v["a"], v["b"], v["c"]))  # once per change
        super().refresh()

    def summary(self) -> str:
        return self.view.lines[0]

    def text_html(self) -> str:
        return "<br>".join(html.escape(line) for line in self.view.lines[1:])

    def figure(self) -> plt.Figure:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5.5, 4))
        draw_view(self.view, ax)
        fig.tight_layout()
        return fig
