"""The offline course website (tools/build_site.py, tools/check_site.py, make site)."""
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402
import check_site  # noqa: E402
from sync_badges import BADGE_TAG, SETUP_TAG  # noqa: E402


def test_formulas_are_counted_outside_code_spans():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("一步 $h_t$ 和 $$\\sum_i x_i$$，代码 `a$b$c` 不算。"),
                nbformat.v4.new_code_cell("x = '$y$'")]
    assert build_site.count_formulas(nb) == 2


def test_goals_setup_cells_and_inline_markdown():
    nb = nbformat.v4.new_notebook()
    badges = nbformat.v4.new_markdown_cell("[![Open In Colab](x)](y)", metadata={"tags": [BADGE_TAG]})
    setup = nbformat.v4.new_code_cell("import os", metadata={"tags": [SETUP_TAG]})
    title = nbformat.v4.new_markdown_cell("# 06 · RNN\n\n**学习目标**\n1. 写出 **一步** $h_t$。\n2. 测量梯度。\n")
    nb.cells = [badges, setup, title]
    assert build_site.notebook_goals(nb) == ["写出 **一步** $h_t$。", "测量梯度。"]
    assert [c.source for c in build_site.without_setup(nb).cells] == [title.source]
    assert build_site.inline_markdown("写出 **一步** `x` $h_t$") == "写出 <strong>一步</strong> <code>x</code> $h_t$"


def test_raw_tex_pattern():
    assert check_site.RAW_MATH.findall("余弦 $\\cos\\theta$ 等于") == ["$\\cos\\theta$"]
    assert not check_site.RAW_MATH.findall("价格 5$ 和 10$ 不是公式")


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.skipif(not Path(check_site.CHROMIUM).exists(), reason="needs /usr/bin/chromium")
@pytest.mark.skipif(importlib.util.find_spec("playwright") is None, reason="needs the playwright package")
def test_site_builds_and_works_offline(tmp_path):
    """make site, then every page in headless Chromium with all outside requests blocked."""
    if not (ROOT / "site" / "node_modules").exists():
        if shutil.which("npm") is None:
            pytest.skip("needs npm to install the site's scripts (npm ci --prefix site)")
        subprocess.run(["npm", "ci", "--prefix", str(ROOT / "site"), "--no-audit", "--no-fund", "--ignore-scripts"],
                       check=True, capture_output=True, timeout=600)
    out = tmp_path / "site"
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "build_site.py"), "--out", str(out)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert {p.name for p in out.glob("*.html")} == {"index.html"} | {p.with_suffix(".html").name for p in notebooks}
    assert (out / "assets" / "fonts" / "forge-cjk.woff").stat().st_size > 100_000
    for page in out.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "cdnjs" not in text and "unpkg" not in text and "<script src=\"http" not in text, page.name
        assert "colab_setup.py" not in text, f"{page.name} shows the Colab setup cell"
    failures = check_site.check(out)
    assert failures == []
