"""The widgets in a real browser: runs tools/e2e.py (JupyterLab + headless Chromium).

Skipped when /usr/bin/chromium or the playwright package is missing. It takes about a minute,
so it carries the ``e2e`` and ``slow`` marks: deselect it with ``pytest -m "not e2e"``.
Screenshots land in build/e2e/.
"""
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (Debian/Ubuntu: apt-get install chromium)"),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason="needs the playwright package (pip install playwright; never `playwright install`)",
    ),
]


def test_widgets_work_in_a_real_browser():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "e2e.py"), "--screenshots", str(ROOT / "build" / "e2e")],
        cwd=ROOT, capture_output=True, text=True, timeout=720,  # e2e.py stops itself after 600 s (+60 s watchdog)
    )
    assert result.returncode == 0, f"tools/e2e.py failed:\n{result.stdout[-8000:]}\n{result.stderr[-4000:]}"
    assert "FAIL" not in result.stdout
