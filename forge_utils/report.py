"""Figures a notebook records for the course's measured tables (``build/course.json``).

    >>> from forge_utils.report import record
    >>> record("bpc/bigram", 6.469)        # returns the value, so it can sit inside an expression

``make course`` (``tools/run_notebooks.py``) runs each notebook on a fresh kernel and, after its last
cell, reads ``recorded()``; ``tools/course_tables.py`` turns the file into the README's tables.
Names are ``<kind>/<what>``: language models as ``bpc/<model>`` with ``<model>`` one of
``unigram``, ``bigram``, ``rnn``, ``lstm``, ``gpt``.

``load_benchmark`` reads the seeds 1 and 2 that a benchmark script trained, for a notebook that
trains only seed 0 itself.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import NamedTuple

_RECORDED: dict[str, float] = {}


def record(name: str, value: float) -> float:
    """Store ``value`` under ``name`` for this kernel's run (a later call with the same name replaces it)."""
    if not isinstance(name, str) or "/" not in name or name.startswith("/") or name.endswith("/"):
        raise ValueError(f"name must look like 'kind/what' (e.g. 'bpc/bigram'), got {name!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name}: only finite numbers can be recorded, got {value!r}")
    _RECORDED[name] = number
    return value


def recorded() -> dict[str, float]:
    """Everything recorded in this kernel so far, as ``{name: value}``."""
    return dict(_RECORDED)


BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


class Benchmark(NamedTuple):
    """What a benchmark script wrote: its ``runs`` (one dict per model and seed) and the ``device``
    type they ran on (``"cpu"``, ``"cuda"``)."""

    runs: list[dict]
    device: str


def load_benchmark(name: str, settings: dict) -> Benchmark:
    """The runs of ``benchmarks/<name>.json``, after checking that they used ``settings``.

    A notebook trains seed 0 itself and reads seeds 1 and 2 of the same experiment from a file that a
    benchmark script wrote (``make bench``). ``settings`` are the notebook's own constants; every one
    of them must equal the file's, or the figures would belong to another experiment. On the device
    the file was made on, the notebook's seed 0 should equal the file's seed 0: compare them there.
    """
    path = BENCHMARKS / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make bench` (or the script named in benchmarks/README.md)")
    data = json.loads(path.read_text(encoding="utf-8"))
    mine = json.loads(json.dumps(settings))  # tuples -> lists, as the file stores them
    theirs = {key: data["settings"].get(key) for key in mine}
    if theirs != mine:
        differ = {key: (mine[key], theirs[key]) for key in mine if mine[key] != theirs[key]}
        raise ValueError(f"{path.name} was made with other settings ({{name: (notebook, file)}} = {differ}): "
                         f"re-run {data.get('script', 'make bench')} after changing them")
    return Benchmark(data["runs"], str(data["settings"].get("device", "cpu")).split(":")[0])
