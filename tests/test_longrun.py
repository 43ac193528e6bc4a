"""The long-run tier's references in data/reference/ belong to the scripts that write them."""
import pytest

from forge_utils.reference import REFERENCE_DIR, load_reference
from longrun.__main__ import JOBS


def test_every_reference_file_has_a_job_and_every_job_its_file():
    files = {p.stem for p in REFERENCE_DIR.glob("*.json")}
    assert files == set(JOBS), f"files without a job: {files - set(JOBS)}, jobs without a file: {set(JOBS) - files}"


@pytest.mark.parametrize("name", sorted(JOBS))
def test_each_reference_was_made_with_its_scripts_settings(name):
    settings, job = JOBS[name]
    ref = load_reference(name, settings)              # both ways: no setting missing on either side, all equal
    assert ref.script == f"python -m longrun {name}"
    assert ref.runs and {"torch", "device", "processor", "threads", "seconds"} <= set(ref.made_with)
