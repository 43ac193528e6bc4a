"""tools/course_tables.py and the course.json that tools/run_notebooks.py writes: the README's measured
tables come from one run of the notebooks, never from retyping."""
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import course_tables  # noqa: E402
import run_notebooks  # noqa: E402

COURSE = {
    "notebooks": {
        "02": {"title": "t", "seconds": 3.84, "peak_mb": 372, "metrics": {"bpc/bigram": 6.469, "bpc/unigram": 8.56,
                                                                          "seg/jieba_f1": 0.912}},
        "07": {"title": "t", "seconds": 30.0, "peak_mb": 500, "metrics": {"bpc/lstm": 6.1}},
        "06": {"title": "t", "seconds": 20.0, "peak_mb": 450, "metrics": {"bpc/rnn": 6.3, "bpc/rnn_ctx1": 6.9}},
    }
}


def test_tables_show_every_notebook_and_the_thread_in_course_order():
    text = course_tables.tables(COURSE)
    assert "| seconds | 3.8 | 30.0 | 20.0 | 54 |" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "bits" not in line]
    models = [line.split("|")[1].strip() for line in rows if line.split("|")[1].strip() in course_tables.LM_MODELS]
    assert models == ["unigram", "bigram", "rnn", "lstm"]  # the order the course builds them, not the file's
    assert "| bigram | 02 |" in text and "6.469" in text
    assert "| 02 | `seg/jieba_f1` | 0.912 |" in text
    rnn = next(line for line in text.splitlines() if line.startswith("| rnn |"))
    assert "| 6.300 | 6.900 |" in rnn and "thread" in rnn and "`rnn_lstm_lms`" in rnn  # control and compute columns
    assert "rnn_ctx1" not in text  # the control is a column, not a row of its own
    assert "| bigram | 02 |" in text and "| — | counting, no training |" in text


def test_rewrite_replaces_only_the_marked_block():
    readme = f"intro\n{course_tables.BEGIN}\nold numbers\n{course_tables.END}\noutro\n"
    new = course_tables.rewrite(readme, COURSE)
    assert new.startswith("intro\n") and new.endswith("outro\n") and "old numbers" not in new
    assert course_tables.rewrite(new, COURSE) == new  # idempotent
    with pytest.raises(SystemExit):
        course_tables.rewrite("no markers here", COURSE)


def test_check_flag_detects_a_stale_readme(tmp_path, monkeypatch):
    course_json = tmp_path / "course.json"
    course_json.write_text(json.dumps(COURSE), encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text(f"{course_tables.BEGIN}\nstale\n{course_tables.END}\n", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["course_tables.py", str(course_json), str(readme), "--check"])
    assert course_tables.main() == 1
    monkeypatch.setattr(sys, "argv", ["course_tables.py", str(course_json), str(readme)])
    assert course_tables.main() == 0
    monkeypatch.setattr(sys, "argv", ["course_tables.py", str(course_json), str(readme), "--check"])
    assert course_tables.main() == 0


def test_course_json_keys_by_notebook_number_and_keeps_notebooks_not_rerun(tmp_path):
    out = tmp_path / "course.json"
    row = {"name": "02_x.ipynb", "title": "02 · x", "seconds": 3.84, "peak_mb": 371.6, "status": "ok",
           "metrics": {"bpc/bigram": 6.469}}
    run_notebooks.write_course_json([row], out)
    run_notebooks.write_course_json([{**row, "name": "06_y.ipynb", "metrics": {"bpc/rnn": 6.3}}], out)
    failed = {**row, "name": "07_z.ipynb", "status": "FAILED: boom"}
    run_notebooks.write_course_json([failed], out)
    course = json.loads(out.read_text(encoding="utf-8"))
    assert list(course["notebooks"]) == ["02", "06"]  # a failed run records nothing
    assert course["notebooks"]["02"] == {"title": "02 · x", "seconds": 3.8, "peak_mb": 372, "metrics": {"bpc/bigram": 6.469}}


def test_readme_has_the_generated_block():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count(course_tables.BEGIN) == 1 and readme.count(course_tables.END) == 1


def test_a_notebook_run_collects_what_it_recorded(tmp_path):
    """The whole path on a real kernel: record() in a cell → execute() reads it after the last cell."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from forge_utils.report import record\nrecord('bpc/test', 1.25)\nx = 1")]
    path = tmp_path / "99_probe.ipynb"
    nbformat.write(nb, path)
    executed, seconds, peak_mb, metrics = run_notebooks.execute(path, timeout=60)
    assert metrics == {"bpc/test": 1.25}
    assert seconds > 0 and peak_mb > 10
    assert len(executed.cells) == 1  # the probe cell is gone from the saved notebook
