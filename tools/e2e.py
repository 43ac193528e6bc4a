"""End-to-end check of the course widgets in a real browser (headless Chromium + JupyterLab).

    python tools/e2e.py                                   # notebooks 00, 05, 08, 09, 11 (those that exist)
    python tools/e2e.py --notebooks notebooks/00_setup_and_tour.ipynb --screenshots build/e2e

What it does, every step bounded in time:
1. copies notebooks/ to a temporary folder (the committed notebooks are never touched) and starts
   ``jupyter lab`` from .venv (else this interpreter) on 127.0.0.1, a free port and a random token, with its own
   throw-away config/data/runtime/workspace folders (no news, no update checks);
2. opens each notebook in headless Chromium (the Debian ``/usr/bin/chromium`` driven by the PyPI
   ``playwright`` package; ``playwright install`` is never needed), clears the stored outputs and runs
   all cells from the Run menu, waits until every cell has run;
3. fails on any cell error, on any widget showing "Error displaying widget" or stuck at
   "Loading widget...";
4. for each explorer of that notebook (``TARGETS``) focuses the slider handle, presses ArrowRight a few
   times and asserts the slider value, the summary text and the drawn widget output all changed;
   measures how it looks on a 1366×768 screen: every picture shown at exactly half its pixel size
   (sharp at a pixel ratio of 2, never stretched), the widget's height never dropping during a redraw
   (no collapse, nothing below jumps) and changing by at most a line of text, and controls and picture
   fitting on the screen together; saves before/after screenshots of the widget and one of the whole
   page to ``--screenshots``;
5. shuts the kernels down and stops the server it started, by PID, in a ``finally`` block.

Exit code 0 when every check passed, 1 otherwise (2 when Chromium or playwright is missing).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@dataclass(frozen=True)
class Target:
    """An explorer to move: CSS selectors for its slider and for the text widget that summarises it."""

    slider: str
    summary: str | None = None
    presses: int = 3


# Notebook number -> explorers in it. A notebook without an entry is only run and checked for errors.
TARGETS: dict[str, list[Target]] = {
    "00": [Target(".widget-hslider", "div.widget-label")],  # the tour's one slider and its Label (ipywidgets' classes)
    "05": [Target(".forge-vectors-topn", ".forge-vectors-summary")],
    "08": [Target(".forge-attention-query", ".forge-attention-summary")],
    "09": [Target(".forge-pe-position", ".forge-pe-summary"), Target(".forge-attn-head", ".forge-attn-summary")],
    "11": [Target(".forge-gpt-temperature", ".forge-gpt-summary")],
}
# JupyterLab and the kernel come from the course's .venv when there is one (playwright only has to be
# importable by the Python running this script).
LAB_PYTHON = next((str(p) for p in (ROOT / ".venv" / "bin" / "python", ROOT / ".venv" / "Scripts" / "python.exe")
                   if p.exists()), sys.executable)
DEFAULT_NOTEBOOKS = ["00_setup_and_tour.ipynb", "05_pretrained_vectors.ipynb", "08_attention.ipynb", "09_transformer.ipynb",
                     "11_gpt.ipynb"]
SCREEN = {"width": 1366, "height": 768}   # a common laptop screen: controls and picture must fit on it together
PIXEL_RATIO = 2                            # forge_utils.explorer renders pictures at twice their size on the page

# Runs in the page on the explorer's output area: record every height it takes from now on.
WATCH_HEIGHT_JS = """(el) => {
  window.__forgeHeights = [];
  window.__forgeObserver = new ResizeObserver(entries => {
    for (const e of entries) window.__forgeHeights.push(e.target.getBoundingClientRect().height);
  });
  window.__forgeObserver.observe(el);
  return el.getBoundingClientRect().height;
}"""
IMAGES_JS = """(el) => [...el.querySelectorAll('.widget-image')].filter(i => i.offsetParent !== null).map(i => ({
  natural: [i.naturalWidth, i.naturalHeight], shown: [i.clientWidth, i.clientHeight]}))"""

# Settings for the throw-away JupyterLab: no network calls, every cell attached to the DOM.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"disabled": True},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

# Runs in the page (JupyterLab started with expose_app_in_browser): the current notebook's state.
NOTEBOOK_STATE_JS = """() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.model || !panel.sessionContext) return null;
  const session = panel.sessionContext.session;
  const cells = [];
  const list = panel.content.model.cells;
  for (let i = 0; i < list.length; i++) {
    const c = list.get(i);
    if (c.type !== 'code') continue;
    const errors = c.outputs.toJSON().filter(o => o.output_type === 'error').map(o => `${o.ename}: ${o.evalue}`);
    cells.push({index: i, count: c.executionCount, state: c.executionState || 'idle', errors});
  }
  return {path: panel.context.path, kernel: session && session.kernel ? session.kernel.status : null, cells};
}"""


class Deadline:
    """The whole run's time budget; every wait asks it how long it may still take."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self, cap: float | None = None) -> float:
        left = max(0.0, self.end - time.monotonic())
        return left if cap is None else min(left, cap)

    def expired(self) -> bool:
        return self.left() <= 0


class E2EFailure(AssertionError):
    pass


def log(message: str) -> None:
    print(f"[e2e {time.strftime('%H:%M:%S')}] {message}", flush=True)


def wait_for(predicate, timeout: float, what: str, interval: float = 0.5):
    """Poll ``predicate`` until it returns something truthy; raise E2EFailure after ``timeout`` s."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= end:
            raise E2EFailure(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------
# The JupyterLab server
# --------------------------------------------------------------------------------------------
class LabServer:
    """``jupyter lab`` on 127.0.0.1 serving ``root``; ``stop()`` ends it (and its kernels) by PID."""

    def __init__(self, root: Path, workdir: Path):
        self.root, self.workdir = root, workdir
        self.port, self.token = free_port(), secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "lab.log"
        self.proc: subprocess.Popen | None = None

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("config", "data", "runtime", "workspaces"):
            (self.workdir / name).mkdir(parents=True, exist_ok=True)
        env["JUPYTER_CONFIG_DIR"] = str(self.workdir / "config")
        env["JUPYTER_DATA_DIR"] = str(self.workdir / "data")
        env["JUPYTER_RUNTIME_DIR"] = str(self.workdir / "runtime")
        env["JUPYTERLAB_SETTINGS_DIR"] = str(self.workdir / "config" / "lab" / "user-settings")
        env["JUPYTERLAB_WORKSPACES_DIR"] = str(self.workdir / "workspaces")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env.pop("MPLBACKEND", None)  # CI sets Agg; the kernel must use the inline backend to draw
        for relative, values in LAB_SETTINGS.items():
            path = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        return env

    def start(self, timeout: float) -> None:
        cmd = [
            LAB_PYTHON, "-m", "jupyterlab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
            "--LabApp.expose_app_in_browser=True", "--LabApp.extension_manager=readonly",
            "--ServerApp.terminals_enabled=False",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers
            cmd.append("--allow-root")
        log(f"starting jupyter lab on 127.0.0.1:{self.port}")
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen(cmd, cwd=self.root, env=self._env(), stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)

        def ready():
            if self.proc.poll() is not None:
                raise E2EFailure(f"jupyter lab exited with code {self.proc.returncode}\n{self.log_tail()}")
            try:
                return self.api("GET", "/api/status", timeout=5) is not None
            except OSError:
                return False

        wait_for(ready, timeout, "jupyter lab to answer /api/status", interval=1.0)
        log(f"jupyter lab is up (pid {self.proc.pid})")

    def api(self, method: str, path: str, timeout: float = 10):
        request = urllib.request.Request(self.url + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else {}

    def page_url(self, notebook_relative: str, workspace: str) -> str:
        """The notebook alone in a fresh workspace of its own (no tabs restored from an earlier page)."""
        return f"{self.url}/lab/workspaces/{workspace}/tree/{notebook_relative}?reset&token={self.token}"

    def shutdown_kernels(self) -> None:
        """Delete every session (and its kernel) through the REST API."""
        try:
            for session in self.api("GET", "/api/sessions"):
                self.api("DELETE", f"/api/sessions/{session['id']}")
        except OSError as error:
            log(f"could not shut kernels down through the API: {error}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.replace(self.token, "<token>").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM the server by PID, SIGKILL it after 15 s; then any kernel it left behind, by PID."""
        if self.proc is None or self.proc.poll() is not None:
            return
        children = _child_pids(self.proc.pid)
        self.shutdown_kernels()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            log("jupyter lab ignored SIGTERM; killing it")
            self.proc.kill()
            self.proc.wait(timeout=10)
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
                log(f"killed left-over kernel process {pid}")
            except (ProcessLookupError, PermissionError):
                pass
        log(f"jupyter lab (pid {self.proc.pid}) stopped")


def _child_pids(pid: int) -> list[int]:
    """PIDs of the processes started by ``pid`` (the kernels), via psutil when available."""
    try:
        import psutil
    except ImportError:
        return []
    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


# --------------------------------------------------------------------------------------------
# The browser side
# --------------------------------------------------------------------------------------------
def notebook_state(page) -> dict | None:
    try:
        return page.evaluate(NOTEBOOK_STATE_JS)
    except Exception:  # the page is still loading
        return None


def accept_dialogs(page) -> None:
    """Accept a JupyterLab dialog (e.g. 'Select Kernel') if one is open."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count():
        log(f"accepting dialog: {dialog.first.inner_text()[:120]!r}")
        page.locator(".jp-Dialog .jp-mod-accept").first.click()


def wait_kernel_idle(page, timeout: float, what: str) -> None:
    def idle():
        accept_dialogs(page)
        state = notebook_state(page)
        return state is not None and state["kernel"] == "idle"

    wait_for(idle, timeout, what)


def run_all_cells(page, timeout: float) -> dict:
    """Clear the stored outputs, run every cell from the Run menu and wait until all have run (or one failed)."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")

    def cleared():
        state = notebook_state(page)
        return state is not None and all(c["count"] is None for c in state["cells"])

    wait_for(cleared, 15, "the stored outputs to be cleared")
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    start = time.monotonic()
    seen = {"last": None, "stable": 0}

    def finished():
        accept_dialogs(page)
        state = notebook_state(page)
        if state is None:
            return None
        if state["kernel"] in ("dead", "autorestarting", "restarting"):
            raise E2EFailure(f"the kernel died ({state['kernel']}) while running the cells: out of memory?")
        ran = sum(c["count"] is not None for c in state["cells"])
        errors = [c for c in state["cells"] if c["errors"]]
        busy = state["kernel"] != "idle" or any(c["state"] == "running" for c in state["cells"])
        progress = (ran, len(errors), busy)
        if progress != seen["last"]:
            seen["last"] = progress
            log(f"  {ran}/{len(state['cells'])} code cells run, kernel {state['kernel']}")
        done = not busy and (ran == len(state["cells"]) or errors)
        seen["stable"] = seen["stable"] + 1 if done else 0
        return state if seen["stable"] >= 2 else None  # idle on two polls in a row, not between two cells

    state = wait_for(finished, timeout, "all cells to run", interval=1.0)
    log(f"  all cells ran in {time.monotonic() - start:.1f} s")
    return state


def check_widgets_render(page, timeout: float) -> None:
    """No widget may show 'Error displaying widget'; none may stay at 'Loading widget...'."""
    wait_for(lambda: page.get_by_text("Loading widget...").count() == 0, timeout, "widgets to finish loading")
    broken = page.get_by_text("Error displaying widget")
    if broken.count():
        raise E2EFailure(f"{broken.count()} widget(s) show 'Error displaying widget': {broken.first.inner_text()[:200]!r}")


def move_slider(page, target: Target, stem: str, shots: Path, deadline: Deadline) -> str:
    """Press ArrowRight on the slider's handle; assert the value, the summary and the drawing changed.

    The "drawing" is every <img> in the output that holds the slider (a matplotlib figure in an
    Output widget or an Image widget), compared as pixels, so the moving slider itself does not count.
    """
    if not page.locator(f"{target.slider}").count():
        raise E2EFailure(f"no widget matches '{target.slider}' in {stem} (give it a CSS class with widget.add_class)")
    area = page.locator(f".jp-OutputArea-output:has({target.slider})").first
    handle = area.locator(f"{target.slider} .noUi-handle, {target.slider} .ui-slider-handle").first
    handle.wait_for(state="visible", timeout=deadline.left(30) * 1000)
    readout = area.locator(f"{target.slider} .widget-readout").first
    images = area.locator("img >> visible=true")
    summary = area.locator(f"{target.summary}").first if target.summary else None
    if summary is not None and not summary.count():
        log(f"  note: no '{target.summary}' next to '{target.slider}'; checking the drawing only")
        summary = None
    area.scroll_into_view_if_needed()
    time.sleep(1.0)  # let the first image decode before the 'before' picture

    def text(locator) -> str:
        return locator.inner_text().strip() if locator is not None and locator.count() else ""

    def drawing() -> list[bytes]:
        return [images.nth(i).screenshot() for i in range(images.count())]

    value_before, summary_before, drawing_before = text(readout), text(summary), drawing()
    height_before = area.evaluate(WATCH_HEIGHT_JS)
    if summary is None and not drawing_before:
        raise E2EFailure(f"nothing to compare next to '{target.slider}': no '{target.summary}' text and no image")
    area.screenshot(path=str(shots / f"{stem}-{target.slider}-before.png"))
    handle.focus()
    for _ in range(target.presses):
        page.keyboard.press("ArrowRight")
        time.sleep(0.3)

    wait_for(lambda: text(readout) != value_before, deadline.left(20), f"the value of '{target.slider}' to change")
    if summary is not None:
        wait_for(lambda: text(summary) != summary_before, deadline.left(60), f"'{target.summary}' to change")
    wait_kernel_idle(page, deadline.left(60), "the kernel to finish redrawing")
    if drawing_before:
        previous = {"pngs": None}

        def redrawn_and_settled():  # differs from 'before' and is the same on two looks 1 s apart
            pngs = drawing()
            settled = bool(pngs) and pngs != drawing_before and pngs == previous["pngs"]
            previous["pngs"] = pngs
            return settled

        wait_for(redrawn_and_settled, deadline.left(30), f"the image next to '{target.slider}' to change", interval=1.0)
    area.screenshot(path=str(shots / f"{stem}-{target.slider}-after.png"))
    value_after, summary_after = text(readout), text(summary)
    looks = check_looks(page, area, target, height_before)
    check_widgets_render(page, deadline.left(30))
    changed = [f"'{target.slider}' {value_before} → {value_after}"]
    if summary is not None:
        changed.append(f"summary {summary_before!r} → {summary_after!r}")
    if drawing_before:
        changed.append(f"{len(drawing_before)} image(s) redrawn")
    return "; ".join(changed + [looks])


def check_looks(page, area, target: Target, height_before: float) -> str:
    """The explorer as a student sees it: sharp unstretched pictures, no collapse, fits on the screen."""
    heights = page.evaluate("() => { window.__forgeObserver.disconnect(); return window.__forgeHeights; }")
    height_after = area.evaluate("el => el.getBoundingClientRect().height")
    lowest = min([height_before, height_after, *heights])
    if lowest < height_before - 4:
        raise E2EFailure(f"'{target.slider}': the widget collapsed from {height_before:.0f} to {lowest:.0f} px "
                         "during a redraw (the page below jumps)")
    if abs(height_after - height_before) > 24:
        raise E2EFailure(f"'{target.slider}': the widget's height changed {height_before:.0f} → {height_after:.0f} px")
    if height_after > SCREEN["height"] - 100:
        raise E2EFailure(f"'{target.slider}': the widget is {height_after:.0f} px tall; controls and picture do not "
                         f"fit together on a {SCREEN['width']}×{SCREEN['height']} screen")
    for image in area.evaluate(IMAGES_JS):
        (nw, nh), (w, h) = image["natural"], image["shown"]
        if w == 0 or abs(nw / w - PIXEL_RATIO) > 0.02 or abs(nh / h - PIXEL_RATIO) > 0.02:
            raise E2EFailure(f"'{target.slider}': a {nw}×{nh} picture is shown at {w}×{h} px: stretched or blurred "
                             f"(want exactly 1/{PIXEL_RATIO} of its pixels)")
    return f"height {height_before:.0f} → {height_after:.0f} px (lowest {lowest:.0f}), pictures sharp and unstretched"


def check_notebook(context, server: LabServer, notebook: str, shots: Path, deadline: Deadline) -> list[str]:
    """Open, run and poke one notebook. Returns what was verified; raises E2EFailure on a failed check."""
    stem = notebook.split("_", 1)[0]
    page = context.new_page()
    console_errors: list[str] = []
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    try:
        log(f"{notebook}: opening")
        page.goto(server.page_url(f"notebooks/{notebook}", f"e2e-{stem}"), timeout=deadline.left(60) * 1000)

        def opened():
            state = notebook_state(page)
            return state is not None and state["path"] == f"notebooks/{notebook}"

        wait_for(opened, deadline.left(90), f"{notebook} to open in JupyterLab")
        tabs = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab").count()
        if tabs != 1:
            log(f"  note: {tabs} tabs open, expected only {notebook}")
        wait_kernel_idle(page, deadline.left(90), f"the kernel of {notebook} to start")
        state = run_all_cells(page, deadline.left(600))
        errors = [f"cell {c['index']}: {e}" for c in state["cells"] for e in c["errors"]]
        if errors:
            raise E2EFailure(f"{notebook}: cells failed:\n  " + "\n  ".join(errors))
        check_widgets_render(page, deadline.left(60))
        done = [f"{notebook}: {len(state['cells'])} code cells ran without error; no widget error"]
        for target in TARGETS.get(stem, []):
            done.append(f"{notebook}: " + move_slider(page, target, stem, shots, deadline))
            log("  " + done[-1])
        page.screenshot(path=str(shots / f"{stem}-page.png"))
        return done
    except Exception:
        try:
            page.screenshot(path=str(shots / f"{stem}-failure.png"))
        except Exception:
            pass
        widget_errors = [e for e in console_errors if "widget" in e.lower()]
        if widget_errors:
            log(f"{notebook}: browser console errors about widgets:\n  " + "\n  ".join(widget_errors[:10]))
        raise
    finally:
        server.shutdown_kernels()
        page.close()


def resolve_notebooks(names: list[str] | None) -> list[Path]:
    if not names:
        return [ROOT / "notebooks" / n for n in DEFAULT_NOTEBOOKS if (ROOT / "notebooks" / n).exists()]
    paths = []
    for name in names:
        path = Path(name)
        candidates = [path, ROOT / path, ROOT / "notebooks" / path.name]
        found = next((p for p in candidates if p.is_file() and p.suffix == ".ipynb"), None)
        if found is None:
            raise SystemExit(f"no notebook {name!r}; give a path like notebooks/00_setup_and_tour.ipynb")
        paths.append(found.resolve())
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebooks", nargs="+", help="notebooks to check (default: 00, 05, 08, 09, 11 where present)")
    parser.add_argument("--screenshots", type=Path, default=ROOT / "build" / "e2e", help="folder for the PNGs")
    parser.add_argument("--timeout", type=float, default=600, help="limit for the whole run in seconds")
    args = parser.parse_args(argv)

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("e2e: the 'playwright' package is missing: .venv/bin/pip install playwright", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"e2e: {CHROMIUM} is missing: sudo apt-get install chromium (Debian/Ubuntu)", file=sys.stderr)
        return 2
    notebooks = resolve_notebooks(args.notebooks)
    if not notebooks:
        print("e2e: no notebooks to check", file=sys.stderr)
        return 1
    shots = args.screenshots.resolve()
    shots.mkdir(parents=True, exist_ok=True)
    deadline = Deadline(args.timeout)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="forge-e2e-"))
    server = LabServer(workdir / "course", workdir)
    # Last resort if something below hangs past every bounded wait: stop the server and exit.
    watchdog = threading.Timer(args.timeout + 60, _watchdog_exit, args=(server,))
    watchdog.daemon = True
    watchdog.start()
    verified: list[str] = []
    failures: list[str] = []
    try:
        shutil.copytree(ROOT / "notebooks", server.root / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        for notebook in notebooks:  # a notebook given from elsewhere runs next to the course's
            if not (server.root / "notebooks" / notebook.name).exists() or notebook.parent != ROOT / "notebooks":
                shutil.copy(notebook, server.root / "notebooks" / notebook.name)
        server.start(timeout=deadline.left(120))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                context = browser.new_context(viewport=SCREEN, device_scale_factor=1)
                context.set_default_timeout(30_000)
                for notebook in notebooks:
                    if deadline.expired():
                        failures.append(f"{notebook.name}: not checked, the {args.timeout:.0f} s budget ran out")
                        continue
                    try:
                        verified += check_notebook(context, server, notebook.name, shots, deadline)
                    except Exception as error:  # one broken notebook should not hide the others
                        failures.append(f"{notebook.name}: {type(error).__name__}: {error}")
                        log(f"FAILED {failures[-1]}")
            finally:
                browser.close()
    except Exception as error:
        failures.append(f"{type(error).__name__}: {error}")
        if "jupyter lab exited" not in str(error):
            log(f"server log:\n{server.log_tail()}")
    finally:
        server.stop()
        watchdog.cancel()
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    for line in verified:
        print("ok    " + line)
    for line in failures:
        print("FAIL  " + line)
    print(f"e2e: {len(notebooks)} notebook(s) in {time.monotonic() - started:.0f} s; screenshots in {shots}")
    return 1 if failures else 0


def _watchdog_exit(server: LabServer) -> None:
    print("e2e: watchdog: the run exceeded its time limit; stopping", file=sys.stderr, flush=True)
    if server.proc is not None and server.proc.poll() is None:
        for pid in _child_pids(server.proc.pid) + [server.proc.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    os._exit(1)


if __name__ == "__main__":
    sys.exit(main())
