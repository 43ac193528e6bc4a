"""data/README.md lists every shipped file (data/reference/ included) with its sha256, and the files match."""
import hashlib
import re
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"


def listed() -> dict[str, str]:
    rows = re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", (DATA / "README.md").read_text(encoding="utf-8"), re.M)
    return dict(rows)


def test_every_file_is_documented_with_a_matching_checksum():
    documented = listed()
    present = {p.relative_to(DATA).as_posix() for p in DATA.rglob("*") if p.is_file() and p.name != "README.md"}
    assert present == set(documented), f"undocumented: {present - set(documented)}, missing: {set(documented) - present}"
    for name, digest in documented.items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, f"{name} changed: update data/README.md"
