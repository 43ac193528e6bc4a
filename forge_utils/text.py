"""Vocabulary and tokenizers (the course's replacement for the discontinued torchtext).

    >>> tokens = tokenize_chinese("今天天气真好")        # ['今天', '天气', '真', '好']
    >>> vocab = Vocab.build([tokens])
    >>> vocab.encode(tokens)                            # [4, 5, 6, 7]
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
SPECIALS: tuple[str, ...] = (PAD, UNK, BOS, EOS)
COURSE_DICT = Path(__file__).parent / "resources" / "course_dict.txt"


class UnknownTokenError(KeyError):
    """Raised by ``Vocab.encode(..., unknown="error")`` for a token that is not in the vocabulary."""

    def __str__(self) -> str:  # KeyError would print the message with quotes around it
        return str(self.args[0])


class Vocab:
    """A token ↔ id table with the specials ``<pad> <unk> <bos> <eos>`` at ids 0–3.

    ``unknown`` decides what ``encode`` does with a token outside the table:
    ``"unk"`` maps it to ``<unk>`` (id 1), ``"error"`` raises ``UnknownTokenError``.
    """

    counts: Counter[str]  # token frequencies counted by ``build`` (a Vocab made from a token list has none)

    def __init__(self, tokens: Iterable[str], specials: Sequence[str] = SPECIALS, unknown: str = "unk") -> None:
        if unknown not in ("unk", "error"):
            raise ValueError(f"unknown 只能是 'unk' 或 'error'，收到的是 {unknown!r}")
        if unknown == "unk" and UNK not in specials:
            raise ValueError(
                f"unknown='unk' 会把词表外的词元换成 {UNK!r}，所以 specials 里必须有 {UNK!r}；"
                f"不要 {UNK!r} 的话，请传入 unknown='error'"
            )
        self.unknown = unknown
        self.itos: list[str] = []
        self.stoi: dict[str, int] = {}
        for token in (*specials, *tokens):
            if token not in self.stoi:
                self.stoi[token] = len(self.itos)
                self.itos.append(token)
        self.specials = tuple(specials)

    @classmethod
    def build(
        cls,
        sentences: Iterable[Sequence[str]],
        min_freq: int = 1,
        max_size: int | None = None,
        specials: Sequence[str] = SPECIALS,
        unknown: str = "unk",
    ) -> "Vocab":
        """Build from tokenized sentences: most frequent first, ties in order of first appearance."""
        counts: Counter[str] = Counter()
        for sentence in sentences:
            if isinstance(sentence, str):
                raise TypeError(
                    "Vocab.build 要的是分好词的句子（每句一个词元列表），收到的却是字符串："
                    "请先分词（中文用 tokenize_chinese(text)，英文用 text.split()）"
                )
            counts.update(sentence)
        kept = [t for t, c in counts.most_common() if c >= min_freq and t not in specials]
        if max_size is not None:
            kept = kept[: max(0, max_size - len(specials))]
        vocab = cls(kept, specials=specials, unknown=unknown)
        vocab.counts = counts
        return vocab

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: object) -> bool:
        return token in self.stoi

    def __getitem__(self, token: str) -> int:
        return self.encode([token])[0]

    @property
    def pad_id(self) -> int:
        return self.stoi[PAD]

    @property
    def unk_id(self) -> int:
        return self.stoi[UNK]

    @property
    def bos_id(self) -> int:
        return self.stoi[BOS]

    @property
    def eos_id(self) -> int:
        return self.stoi[EOS]

    def encode(self, tokens: Sequence[str], add_bos: bool = False, add_eos: bool = False) -> list[int]:
        """Tokens → ids, optionally wrapped in ``<bos>`` … ``<eos>``."""
        if isinstance(tokens, str):
            raise TypeError(
                f"encode 要的是词元列表，收到的却是字符串 {tokens!r}："
                "请先分词（中文用 tokenize_chinese(text)，英文用 text.split()）"
            )
        ids = [self.bos_id] if add_bos else []
        for token in tokens:
            index = self.stoi.get(token)
            if index is None:
                if self.unknown == "error":
                    raise UnknownTokenError(
                        f"{token!r} 不在词表里（词表共 {len(self)} 个词元）。请检查它的拼写和分词；"
                        "想把词表外的词元都换成 <unk>，就用 unknown='unk' 建 Vocab。"
                    )
                index = self.unk_id
            ids.append(index)
        if add_eos:
            ids.append(self.eos_id)
        return ids

    def decode(self, ids: Iterable[int], skip_specials: bool = False) -> list[str]:
        """Ids → tokens. ``skip_specials`` drops ``<pad>``, ``<bos>``, ``<eos>`` (keeps ``<unk>``)."""
        out = []
        for index in ids:
            index = int(index)
            if not 0 <= index < len(self.itos):
                raise IndexError(f"id {index} 超出了词表的范围（有效的 id：0..{len(self) - 1}）")
            token = self.itos[index]
            if skip_specials and token in self.specials and token != UNK:
                continue
            out.append(token)
        return out

    def __repr__(self) -> str:
        preview = ", ".join(self.itos[len(self.specials) : len(self.specials) + 5])
        return f"Vocab(size={len(self)}, unknown={self.unknown!r}, first=[{preview}, ...])"


def tokenize_whitespace(text: str, lower: bool = False) -> list[str]:
    """Split on whitespace: ``"I love machines"`` → ``['I', 'love', 'machines']``."""
    return (text.lower() if lower else text).split()


def tokenize_chars(text: str, keep_spaces: bool = False) -> list[str]:
    """One token per character: ``"我爱你"`` → ``['我', '爱', '你']``."""
    return [ch for ch in text if keep_spaces or not ch.isspace()]


@lru_cache(maxsize=1)
def _course_jieba() -> jieba.Tokenizer:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(COURSE_DICT))  # a word with frequency 0 is never kept as one word
    return tokenizer


def tokenize_chinese(text: str, course_dict: bool = True) -> list[str]:
    """Segment Chinese with jieba. With ``course_dict`` the lectures' segmentations hold.

    ``"今天天气真好"`` → ``['今天', '天气', '真', '好']`` and ``"苹果派"`` → ``['苹果', '派']``
    (jieba's defaults give ``今天天气/真/好`` and ``苹果派``). Whitespace is dropped.
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize_chinese 要的是一个字符串（str），收到的却是 {type(text).__name__}")
    if course_dict:
        tokenizer = _course_jieba()
    else:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.dt
    return [t for t in tokenizer.lcut(text) if not t.isspace()]
