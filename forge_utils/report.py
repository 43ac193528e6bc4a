"""Figures a notebook records for the course's measured tables (``build/course.json``).

    >>> from forge_utils.report import record
    >>> record("bpc/bigram", 6.469)        # returns the value, so it can sit inside an expression

``make course`` (``tools/run_notebooks.py``) runs each notebook on a fresh kernel and, after its last
cell, reads ``recorded()``; ``tools/course_tables.py`` turns the file into the README's tables.
Names are ``<kind>/<what>``: language models as ``bpc/<model>`` with ``<model>`` one of
``unigram``, ``bigram``, ``rnn``, ``lstm``, ``gpt``.

``load_benchmark`` reads the seeds 1 and 2 that a benchmark script trained, for a notebook that
trains only seed 0 itself; ``Benchmark.check_seed0`` compares that seed 0 with the file's.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch

from forge_utils.device import numerics_fingerprint

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
    """What a benchmark script wrote: its ``runs`` (one dict per model and seed), the ``machine`` they
    ran on (``device.numerics_fingerprint``: torch, device kind, processor or GPU, threads) and the
    ``script`` that wrote them."""

    runs: list[dict]
    machine: str
    script: str

    def made_here(self, device: torch.device | str) -> bool:
        """Whether this machine rounds floats as the one that made the file (then seed 0 must match exactly)."""
        return self.machine == numerics_fingerprint(device)

    def check_seed0(self, ours: object, theirs: object, device: torch.device | str, atol: float = 0.0) -> float:
        """Compare the notebook's seed-0 results ``ours`` with the file's ``theirs`` (numbers or arrays of
        the same shape) and return the largest difference.

        On the machine that made the file the two runs are the same computation: a difference above
        ``atol`` raises ``AssertionError`` (the notebook and the script no longer train the same way).
        Elsewhere another processor rounds differently and training drifts apart, so the difference is
        only printed.
        """
        mine, file = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
        if mine.shape != file.shape:
            raise ValueError(f"seed-0 results of different shapes: notebook {mine.shape}, file {file.shape}")
        gap = float(np.max(np.abs(mine - file))) if mine.size else 0.0
        if self.made_here(device):
            if not gap <= atol:
                raise AssertionError(f"seed 0 differs from {self.script}'s by {gap:.3g} (> {atol}) on the machine "
                                     "that made the file: the notebook and the script no longer train the same way")
            print(f"种子 0 与脚本在同一台机器上的种子 0 一致（最大差 {gap:.2g}）。")
        else:
            print(f"种子 0 与脚本的种子 0 最大差 {gap:.2g}：脚本的种子由另一台机器算出（{self.machine}），"
                  "不同的处理器舍入浮点数的方式不同，训练会慢慢分开，所以这里不要求二者相等。")
        return gap


def load_benchmark(name: str, settings: dict) -> Benchmark:
    """The runs of ``benchmarks/<name>.json``, after checking that they used ``settings``.

    A notebook trains seed 0 itself and reads seeds 1 and 2 of the same experiment from a file that a
    benchmark script wrote (``make bench``). ``settings`` are the notebook's own constants; every one
    of them must equal the file's, or the figures would belong to another experiment. Then compare the
    notebook's seed 0 with the file's with ``Benchmark.check_seed0``.
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
    return Benchmark(data["runs"], str(data["settings"].get("machine", "unknown")), str(data.get("script", "make bench")))
