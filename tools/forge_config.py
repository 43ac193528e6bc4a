"""Read the course's repository slug and ref from pyproject.toml's [tool.forge] table."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def forge_config() -> dict[str, str]:
    """``{'repository': 'owner/name', 'ref': 'main'}`` from pyproject.toml (no tomllib needed on 3.10)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    table = text.split("[tool.forge]", 1)[1].split("\n[", 1)[0]
    values = dict(re.findall(r'^(\w+)\s*=\s*"([^"]*)"', table, flags=re.M))
    return {"repository": values["repository"], "ref": values["ref"]}
