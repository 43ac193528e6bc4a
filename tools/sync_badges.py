"""Insert or refresh the generated first two cells of every notebook.

Cell 0 (markdown, tag ``forge-badges``): "Open in Colab" and "launch Binder" badges.
Cell 1 (code, tag ``forge-setup``): on Colab, clone the repo at the same ref and install only what
Colab lacks (tools/colab_setup.py); elsewhere it does nothing.

The slug and ref come from ``[tool.forge]`` in pyproject.toml, so changing them there and running

    python tools/sync_badges.py            # rewrite notebooks/*.ipynb
    python tools/sync_badges.py --check    # exit 1 if any notebook is out of date (used by tests)

updates every notebook.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from forge_config import ROOT, forge_config  # noqa: E402

BADGE_TAG, SETUP_TAG = "forge-badges", "forge-setup"


def badge_source(notebook: str, repository: str, ref: str) -> str:
    colab = f"https://colab.research.google.com/github/{repository}/blob/{ref}/notebooks/{notebook}"
    binder = f"https://mybinder.org/v2/gh/{repository}/{ref}?urlpath=lab/tree/notebooks/{notebook}"
    return (
        f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab}) "
        f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder})"
    )


def setup_source(repository: str, ref: str) -> str:
    return f'''# 环境准备 (setup): 在 Colab 上克隆课程仓库并只安装 Colab 缺少的包; 在本地和 Binder 上什么也不做。
import os, subprocess, sys
FORGE_REPOSITORY, FORGE_REF = "{repository}", "{ref}"
if "google.colab" in sys.modules:
    if not os.path.isdir("forge"):
        subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--branch", FORGE_REF,
                        f"https://github.com/{{FORGE_REPOSITORY}}.git", "forge"], check=True)
    subprocess.run([sys.executable, "forge/tools/colab_setup.py"], check=True)
    sys.path.insert(0, os.path.abspath("forge"))'''


def header_cells(notebook: str, repository: str, ref: str) -> list:
    badges = nbformat.v4.new_markdown_cell(badge_source(notebook, repository, ref))
    badges.metadata["tags"] = [BADGE_TAG]
    setup = nbformat.v4.new_code_cell(setup_source(repository, ref))
    setup.metadata["tags"] = [SETUP_TAG]
    return [badges, setup]


def _is_header(cell) -> bool:
    return bool({BADGE_TAG, SETUP_TAG} & set(cell.get("metadata", {}).get("tags", [])))


def sync(path: Path, repository: str, ref: str, check: bool = False) -> bool:
    """Make ``path`` start with up-to-date header cells. Returns True if it was (or would be) changed."""
    nb = nbformat.read(path, as_version=4)
    wanted = header_cells(path.name, repository, ref)
    current = [c for c in nb.cells[:2] if _is_header(c)]
    up_to_date = len(current) == 2 and all(
        c.cell_type == w.cell_type and c.source == w.source for c, w in zip(current, wanted)
    )
    if up_to_date or check:
        return not up_to_date
    old_setup = next((c for c in current if c.cell_type == "code"), None)
    if old_setup is not None:  # keep the (empty) outputs and execution count of an executed notebook
        wanted[1].outputs = old_setup.get("outputs", [])
        wanted[1].execution_count = old_setup.get("execution_count")
    nb.cells = wanted + [c for c in nb.cells if not _is_header(c)]
    nbformat.write(nb, path)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="only report notebooks that are out of date")
    args = parser.parse_args()
    config = forge_config()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    stale = [p for p in paths if sync(p, config["repository"], config["ref"], check=args.check)]
    for p in stale:
        print(("out of date: " if args.check else "updated: ") + p.name)
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
