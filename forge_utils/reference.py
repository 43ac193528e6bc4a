"""Reference results: what the long-run tier computes once and the notebooks read as data.

Some results take longer than a notebook's minute: the other seeds of an experiment, language models
trained for longer. ``make pretrain`` (the scripts in ``longrun/``) computes them once, with the same
package functions the notebooks show, and writes each as a reference in ``data/reference/``:

- ``<name>.json``: ``script`` (the command that wrote it), ``settings`` (what defines the experiment),
  ``made_with`` (versions, device, processor, threads, date, seconds: information, never compared) and
  ``runs`` (one dict per model and seed: its figures and curves);
- ``<name>.safetensors`` (optional): model weights, keyed ``"<model>/<parameter name>"``.

    >>> save_reference("lms", settings, runs, script="python -m longrun.lms", weights={"rnn": rnn_model})
    >>> ref = load_reference("lms", settings)     # the notebook's own settings must equal the file's
    >>> ref.load_weights(model, "rnn")             # the trained parameters, into a model of the same shape

A notebook shows that its own code is the package's code on a small input it runs itself (the same on
every machine), and reads the reference's runs as data beside its own run. Another processor rounds
differently, so a rerun of a training reproduces a reference only within a tolerance, never bit for bit.
"""
from __future__ import annotations

import datetime
import importlib.metadata
import json
import platform
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import torch
from torch import nn

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
_VERSIONS = ("torch", "numpy", "scipy", "gensim")


def _plain(value: Any) -> Any:
    """Settings as JSON stores them: tuples become lists, keys strings (so a notebook's tuple equals the file's list)."""
    return json.loads(json.dumps(value))


def made_with(device: torch.device | str, seconds: float | None = None) -> dict[str, Any]:
    """What ran a long job, as information for its record: versions, device, processor, threads, date."""
    versions: dict[str, str | None] = {}
    for package in _VERSIONS:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    kind = torch.device(device).type
    info: dict[str, Any] = {
        "python": platform.python_version(),
        **versions,
        "device": str(device),
        "processor": torch.cuda.get_device_name(torch.device(device)) if kind == "cuda" else _processor(),
        "threads": torch.get_num_threads(),
        "date": datetime.date.today().isoformat(),
    }
    if seconds is not None:
        info["seconds"] = round(seconds, 1)
    return info


def _processor() -> str:
    """The CPU's name (Linux reads /proc/cpuinfo; elsewhere what ``platform`` knows) and its vector unit."""
    name = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                name = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    return f"{name or platform.processor() or platform.machine()} ({torch.backends.cpu.get_cpu_capability()})"


class Reference(NamedTuple):
    """A reference read from ``data/reference/<name>.json`` (see the module docstring)."""

    name: str
    script: str
    settings: dict[str, Any]
    made_with: dict[str, Any]
    runs: list[dict[str, Any]]

    def load_weights(self, model: nn.Module, key: str) -> nn.Module:
        """Copy the weights stored under ``key`` into ``model`` (same parameter names and shapes) and return it."""
        from safetensors.torch import load_file

        path = REFERENCE_DIR / f"{self.name}.safetensors"
        if not path.exists():
            raise FileNotFoundError(f"找不到 {path}：请运行 `{self.script}`（或 make pretrain）生成它")
        stored = load_file(str(path))
        prefix = f"{key}/"
        state = {k[len(prefix):]: v for k, v in stored.items() if k.startswith(prefix)}
        if not state:
            keys = sorted({k.split("/", 1)[0] for k in stored})
            raise KeyError(f"{path.name} 里没有 {key!r} 下的权重；它有的是 {keys}，请换成其中一个")
        device = next(model.parameters()).device
        model.load_state_dict({k: v.to(device) for k, v in state.items()})  # strict: names and shapes must match
        return model


def save_reference(
    name: str,
    settings: Mapping[str, Any],
    runs: list[dict[str, Any]],
    *,
    script: str,
    device: torch.device | str = "cpu",
    started: float | None = None,
    weights: Mapping[str, nn.Module] | None = None,
    folder: Path | None = None,
) -> Path:
    """Write ``<name>.json`` (and ``<name>.safetensors`` when ``weights`` are given) to ``data/reference/``.

    ``started`` is a ``time.perf_counter()`` reading from the start of the job: the record keeps the seconds.
    ``weights`` maps a key (e.g. ``"rnn"``) to a model whose ``state_dict`` is stored under ``"<key>/…"``.
    """
    folder = folder or REFERENCE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    seconds = None if started is None else time.perf_counter() - started
    record = {"script": script, "settings": _plain(dict(settings)), "made_with": made_with(device, seconds),
              "runs": _plain(runs)}
    path = folder / f"{name}.json"
    path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if weights:
        from safetensors.torch import save_file

        tensors = {f"{key}/{param}": value.detach().cpu().clone()  # a copy each: tied weights are stored twice
                   for key, model in weights.items() for param, value in model.state_dict().items()}
        save_file(tensors, str(folder / f"{name}.safetensors"), metadata={"script": script})
    return path


def load_reference(name: str, settings: Mapping[str, Any], folder: Path | None = None) -> Reference:
    """The reference ``<name>``, after checking that its settings equal ``settings`` (both ways: no key
    missing on either side, every value equal). A notebook passes its own constants, so figures made with
    other settings can never be shown as its own."""
    folder = folder or REFERENCE_DIR
    path = folder / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"找不到 {path}：请运行 `make pretrain`（见 longrun/README.md）生成它")
    data = json.loads(path.read_text(encoding="utf-8"))
    mine, theirs = _plain(dict(settings)), data["settings"]
    if mine != theirs:
        differ = {key: (mine.get(key, "<missing>"), theirs.get(key, "<missing>"))
                  for key in sorted(set(mine) | set(theirs)) if mine.get(key, "<missing>") != theirs.get(key, "<missing>")}
        raise ValueError(f"{path.name} 是用别的设置生成的（{{设置名: (你的, 文件里的)}} = {differ}）："
                         f"改完设置后请重新运行 `{data['script']}`")
    return Reference(name, data["script"], theirs, data["made_with"], data["runs"])
