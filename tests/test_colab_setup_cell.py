"""Every notebook's setup cell (cell 1, tag forge-setup), run the way Colab runs it.

Colab is simulated: a fake ``google.colab`` module, Colab-like installed versions (ipywidgets 7.7 and a
CUDA torch already present, the course's extras missing), and ``subprocess.run`` replaced by a recorder.
The fake ``git clone`` creates the ``forge`` folder with the repository's tools/ and requirements.txt in it
(colab_setup.py reads the packages from there); the fake
``python forge/tools/colab_setup.py`` runs that script's ``main()`` in-process, so its own pip and
apt-get calls are recorded too. Nothing is installed or downloaded.
"""
import importlib.metadata
import importlib.util
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NEVER_INSTALL = {"torch", "ipywidgets"}

# What a Colab runtime has (distribution -> version); the course's extras are absent.
COLAB_VERSIONS = {
    "torch": "2.5.1+cu121",
    "ipywidgets": "7.7.1",
    "numpy": "1.26.4",
    "matplotlib": "3.8.0",
    "scipy": "1.13.1",
    "tqdm": "4.66.6",
    "pyarrow": "17.0.0",
    "ipykernel": "5.5.6",
}


def forge_slug_and_ref() -> tuple[str, str]:
    """[tool.forge] repository and ref, read from pyproject.toml independently of tools/."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    table = text.split("[tool.forge]", 1)[1].split("\n[", 1)[0]
    values = dict(re.findall(r'^(\w+)\s*=\s*"([^"]*)"', table, flags=re.M))
    return values["repository"], values["ref"]


def required_distributions() -> set[str]:
    """Distribution names in requirements.txt (lower case)."""
    names = set()
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].split(";")[0].strip()
        if line:
            names.add(re.match(r"[A-Za-z0-9_.-]+", line).group(0).lower())
    return names


def requirement_name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower()


def setup_cell(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    assert len(nb.cells) > 1, f"{path.name} has no setup cell; run tools/sync_badges.py"
    cell = nb.cells[1]
    assert cell.cell_type == "code" and "forge-setup" in cell.metadata.get("tags", []), (
        f"{path.name}: cell 1 is not the generated setup cell (tag forge-setup); run tools/sync_badges.py"
    )
    return cell.source


class FakeColab:
    """Records every subprocess.run; simulates the clone and runs colab_setup.main() in-process."""

    def __init__(self, workdir: Path, versions: dict[str, str]):
        self.workdir, self.versions = workdir, versions
        self.calls: list[list[str]] = []

    def version(self, name: str) -> str:
        try:
            return self.versions[name.lower()]
        except KeyError:
            raise importlib.metadata.PackageNotFoundError(name) from None

    def run(self, cmd, *args, check=False, **kwargs):
        cmd = [str(part) for part in cmd]
        self.calls.append(cmd)
        if cmd[:2] == ["git", "clone"]:
            target = self.workdir / cmd[-1]
            (target / "tools").mkdir(parents=True)
            for name in ("colab_setup.py", "forge_config.py"):
                if (ROOT / "tools" / name).exists():
                    shutil.copy(ROOT / "tools" / name, target / "tools" / name)
            shutil.copy(ROOT / "requirements.txt", target / "requirements.txt")
        elif len(cmd) == 2 and cmd[1].endswith("colab_setup.py"):
            script = (self.workdir / cmd[1]).resolve()
            assert script.is_file(), f"the setup cell runs {cmd[1]}, which the clone does not contain"
            spec = importlib.util.spec_from_file_location("colab_setup_from_clone", script)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            code = module.main()
            if check and code:
                raise subprocess.CalledProcessError(code, cmd)
        return subprocess.CompletedProcess(cmd, 0, "", "")

    def pip_installs(self) -> list[list[str]]:
        return [c for c in self.calls if c[1:4] == ["-m", "pip", "install"]]


@pytest.fixture
def colab(tmp_path, monkeypatch):
    """A Colab-like runtime in tmp_path (Colab's working directory is /content)."""
    fake = FakeColab(tmp_path, dict(COLAB_VERSIONS))
    google = types.ModuleType("google")
    google_colab = types.ModuleType("google.colab")
    google.colab = google_colab
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", google_colab)
    monkeypatch.setattr(subprocess, "run", fake.run)
    monkeypatch.setattr(importlib.metadata, "version", fake.version)
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: f"/usr/bin/{name}")
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.chdir(tmp_path)
    return fake


def run_cell(source: str, name: str) -> dict:
    namespace = {"__name__": "__main__"}
    exec(compile(source, f"<setup cell of {name}>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_setup_cell_on_colab_clones_same_ref_and_installs_only_missing(path, colab, tmp_path):
    run_cell(setup_cell(path), path.name)
    repository, ref = forge_slug_and_ref()

    clones = [c for c in colab.calls if c[:2] == ["git", "clone"]]
    assert len(clones) == 1, f"expected one git clone, got {colab.calls}"
    clone = clones[0]
    assert clone[clone.index("--branch") + 1] == ref, f"{path.name} clones {clone} instead of ref {ref!r}"
    assert f"https://github.com/{repository}.git" in clone, f"{path.name} clones {clone}, not {repository}"
    assert clone[-1] == "forge"
    assert sys.path[0] == str(tmp_path / "forge"), "the clone must be importable (forge_utils) after the cell"

    installs = colab.pip_installs()
    assert len(installs) == 1, f"expected one pip install of the missing packages, got {installs}"
    assert installs[0][0] == sys.executable, "pip must install into the kernel's own Python"
    options = [a for a in installs[0][4:] if a.startswith("-")]
    assert not {"-U", "--upgrade", "--force-reinstall", "-I", "--ignore-installed"} & set(options), installs[0]
    installed = {requirement_name(a) for a in installs[0][4:] if not a.startswith("-")}
    missing = required_distributions() - set(COLAB_VERSIONS) - NEVER_INSTALL
    assert installed == missing, f"installed {sorted(installed)}, but Colab lacks exactly {sorted(missing)}"
    assert not installed & NEVER_INSTALL
    assert not installed & set(COLAB_VERSIONS), "never reinstall what Colab already has"

    for call in colab.calls:  # nothing else may touch torch or ipywidgets either
        assert not any(re.match(r"(torch|ipywidgets)\b", part) for part in call), f"touches torch/ipywidgets: {call}"
    assert not [c for c in colab.calls if c[0] == "apt-get"], "the CJK font comes from PyPI (noto-cjk-sans-otc)"


def test_setup_cell_installs_nothing_when_everything_is_present(colab):
    colab.versions.update({name: "99.0" for name in required_distributions() - NEVER_INSTALL})
    run_cell(setup_cell(NOTEBOOKS[0]), NOTEBOOKS[0].name)
    assert colab.pip_installs() == []
    assert not [c for c in colab.calls if c[0] == "apt-get"]


def test_setup_cell_does_not_clone_twice(colab, tmp_path):
    """A second notebook in the same Colab runtime reuses ./forge."""
    source = setup_cell(NOTEBOOKS[0])
    run_cell(source, NOTEBOOKS[0].name)
    colab.calls.clear()
    run_cell(source, NOTEBOOKS[0].name)
    assert not [c for c in colab.calls if c[:2] == ["git", "clone"]]
    assert [c for c in colab.calls if c[-1].endswith("colab_setup.py")], "the install step still runs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_setup_cell_does_nothing_outside_colab(path, tmp_path, monkeypatch):
    calls = []
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(a))
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: calls.append(a))
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.chdir(tmp_path)
    before = list(sys.path)
    run_cell(setup_cell(path), path.name)
    assert calls == [], f"{path.name}'s setup cell ran {calls} outside Colab"
    assert sys.path == before
    assert list(tmp_path.iterdir()) == []
