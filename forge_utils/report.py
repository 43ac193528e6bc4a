"""Figures a notebook records for the course's measured tables (``build/course.json``).

    >>> from forge_utils.report import record
    >>> record("bpc/bigram", 6.469)        # returns the value, so it can sit inside an expression

``make course`` (``tools/run_notebooks.py``) runs each notebook on a fresh kernel and, after its last
cell, reads ``recorded()``; ``tools/course_tables.py`` turns the file into the README's tables.
Names are ``<kind>/<what>``: language models as ``bpc/<model>`` with ``<model>`` one of
``unigram``, ``bigram``, ``rnn``, ``lstm``, ``gpt``.

What the long-run tier computes once (other seeds, longer runs, weights) is in ``forge_utils.reference``.
"""
from __future__ import annotations

import math

_RECORDED: dict[str, float] = {}


def record(name: str, value: float) -> float:
    """Store ``value`` under ``name`` for this kernel's run (a later call with the same name replaces it)."""
    if not isinstance(name, str) or "/" not in name or name.startswith("/") or name.endswith("/"):
        raise ValueError(f"name 必须形如 'kind/what'（例如 'bpc/bigram'），收到的是 {name!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name}：只能记录有限的数，收到的是 {value!r}")
    _RECORDED[name] = number
    return value


def recorded() -> dict[str, float]:
    """Everything recorded in this kernel so far, as ``{name: value}``."""
    return dict(_RECORDED)
