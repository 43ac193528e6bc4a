"""Execute notebooks on fresh kernels and report wall time and peak memory (the instructor's
"run everything before class").

    python tools/run_notebooks.py                     # every notebook, outputs left untouched
    python tools/run_notebooks.py --inplace NB...     # execute and save outputs (how notebooks are committed)
    python tools/run_notebooks.py --html build        # also render each executed notebook + an index to HTML

Each notebook runs in its own kernel with the notebooks/ folder as working directory. Saved
notebooks get clean metadata (no timings, no machine paths) and stored widget state, so GitHub and
nbviewer show them as run. Exit status 1 if a notebook fails or exceeds --max-seconds / --max-mb.
"""
from __future__ import annotations

import argparse
import copy
import html
import json
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
PEAK_CELL = (
    "import sys as _s\n"
    "try:\n"
    "    import resource as _r\n"
    "    _peak = _r.getrusage(_r.RUSAGE_SELF).ru_maxrss / (1024 * 1024 if _s.platform == 'darwin' else 1024)\n"
    "except ImportError:  # Windows\n"
    "    import psutil as _p\n"
    "    _peak = _p.Process().memory_info().peak_wset / 2**20\n"
    "print('FORGE_PEAK_MB', round(_peak, 1))\n"
    "if 'torch' in _s.modules and _s.modules['torch'].cuda.is_available():\n"
    "    print('FORGE_CUDA_MB', round(_s.modules['torch'].cuda.max_memory_allocated() / 2**20, 1))\n"
    "if 'forge_utils.report' in _s.modules:\n"
    "    import json as _j\n"
    "    print('FORGE_METRICS', _j.dumps(_s.modules['forge_utils.report'].recorded()))"
)
KEEP_NB_METADATA = ("kernelspec", "language_info", "widgets")


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip what differs between machines: timing metadata, kernel details, our peak-memory probe."""
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in KEEP_NB_METADATA}
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        cell.metadata.pop("collapsed", None)
        for output in cell.get("outputs", []):
            output.get("metadata", {}).pop("execution", None)
    return nb


def execute(path: Path, timeout: int) -> tuple[nbformat.NotebookNode, float, float, dict[str, float]]:
    """Run ``path`` top to bottom on a fresh kernel → (executed notebook, seconds, peak MB, the
    figures it recorded with ``forge_utils.report.record``)."""
    nb = nbformat.read(path, as_version=4)
    probe = nbformat.v4.new_code_cell(PEAK_CELL)
    nb.cells.append(probe)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    match = re.search(r"FORGE_PEAK_MB ([\d.]+)", text)
    metrics = json.loads(found.group(1)) if (found := re.search(r"FORGE_METRICS (.*)", text)) else {}
    if cuda := re.search(r"FORGE_CUDA_MB ([\d.]+)", text):
        metrics["cuda/peak_mb"] = float(cuda.group(1))  # only on a GPU: proof the notebook really used it
    nb.cells.pop()
    peak = float(match.group(1)) if match else float("nan")
    return clean(nb), seconds, peak, metrics


def render_html(nb: nbformat.NotebookNode, out: Path) -> None:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(copy.deepcopy(nb))
    out.write_text(body, encoding="utf-8")


def title_of(nb: nbformat.NotebookNode) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def write_index(rows: list[dict], out_dir: Path) -> None:
    lines = [
        "<!doctype html><meta charset='utf-8'><title>Forge · 从独热编码到 Transformer</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{padding:.3em .8em;text-align:left}"
        "td.n{text-align:right}</style>",
        "<h1>Forge · 从独热编码到 Transformer</h1><table><tr><th>notebook</th><th>topic</th>"
        "<th>runtime (s)</th><th>peak memory (MB)</th><th>status</th></tr>",
    ]
    for r in rows:
        link = f"<a href='{html.escape(r['html'])}'>{html.escape(r['name'])}</a>" if r.get("html") else html.escape(r["name"])
        lines.append(
            f"<tr><td>{link}</td><td>{html.escape(r['title'])}</td><td class=n>{r['seconds']:.1f}</td>"
            f"<td class=n>{r['peak_mb']:.0f}</td><td>{html.escape(r['status'])}</td></tr>"
        )
    lines.append("</table>")
    (out_dir / "index.html").write_text("\n".join(lines), encoding="utf-8")


def write_course_json(rows: list[dict], out: Path) -> None:
    """``{"notebooks": {"02": {"seconds", "peak_mb", "metrics"}, ...}}``, keyed by the two-digit number.

    Entries of notebooks not in ``rows`` are kept, so one notebook can be re-run on its own."""
    course = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {"notebooks": {}}
    for r in rows:
        if r["status"].startswith("FAILED"):
            continue
        course["notebooks"][r["name"][:2]] = {
            "title": r["title"],
            "seconds": round(r["seconds"], 1),
            "peak_mb": int(round(r["peak_mb"])),
            "metrics": r.get("metrics", {}),
        }
    course["notebooks"] = dict(sorted(course["notebooks"].items()))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(course, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--inplace", action="store_true", help="save outputs back into the notebooks")
    parser.add_argument("--html", type=Path, help="render executed notebooks and an index.html into this folder")
    parser.add_argument("--timeout", type=int, default=300, help="per-cell timeout in seconds")
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--max-mb", type=float, default=1536.0)
    parser.add_argument("--json", type=Path, help="also write times, memory and recorded figures to this JSON "
                        "file (make course: build/course.json); notebooks not run keep their entries")
    args = parser.parse_args()
    # The kernel inherits this environment: a non-interactive backend (MPLBACKEND=Agg, set by some CI
    # setups) would replace the inline backend, and plt.show() would then store no figure at all.
    os.environ.pop("MPLBACKEND", None)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if args.html:
        args.html.mkdir(parents=True, exist_ok=True)
    rows, failed = [], False
    print(f"{'notebook':<40} {'seconds':>8} {'peak MB':>8}  status", flush=True)
    for path in paths:
        path = path.resolve()
        row = {"name": path.name, "title": "", "seconds": float("nan"), "peak_mb": float("nan"), "status": "ok"}
        try:
            nb, row["seconds"], row["peak_mb"], row["metrics"] = execute(path, args.timeout)
            row["title"] = title_of(nb)
            if args.inplace:
                nbformat.write(nb, path)
            if args.html:
                row["html"] = path.with_suffix(".html").name
                render_html(nb, args.html / row["html"])
            over = []
            if row["seconds"] > args.max_seconds:
                over.append(f"over {args.max_seconds:.0f} s")
            if row["peak_mb"] > args.max_mb:
                over.append(f"over {args.max_mb:.0f} MB")
            if over:
                row["status"], failed = "OVER BUDGET: " + ", ".join(over), True
        except CellExecutionError as err:
            row["status"], failed = "FAILED: " + str(err).strip().splitlines()[-1][:120], True
        rows.append(row)
        print(f"{row['name']:<40} {row['seconds']:>8.1f} {row['peak_mb']:>8.0f}  {row['status']}", flush=True)
    total = sum(r["seconds"] for r in rows if r["seconds"] == r["seconds"])
    print(f"{'total':<40} {total:>8.1f}")
    if args.html:
        write_index(rows, args.html)
        print(f"HTML: {args.html / 'index.html'}")
    if args.json:
        write_course_json(rows, args.json)
        print(f"figures: {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
