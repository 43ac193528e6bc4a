"""Open the built course website in headless Chromium with every outside request blocked, and check it.

    python tools/check_site.py build/site             # exit 0 when every page passes

The site is served from 127.0.0.1 (as GitHub Pages would serve it); any request to another host is
aborted and counted as a failure. For every page it asserts:
- no request left the machine;
- formulas are typeset: KaTeX ran, the page has rendered formulas where its notebook has ``$``, and no
  raw ``$…$`` is left in the prose;
- every saved widget view shows what was saved: its figure (an image that loaded, or a drawn canvas/svg)
  when its saved state holds one, else its controls and text; a progress bar (tqdm's) must show its bar;
- Chinese text is drawn with a CJK font: Chromium reports the platform font used for a Chinese
  paragraph (DevTools ``CSS.getPlatformFontsForNode``), and it must be one that has the glyphs.
Uses the Debian ``/usr/bin/chromium`` through the PyPI ``playwright`` package (never ``playwright install``).
"""
from __future__ import annotations

import argparse
import functools
import http.server
import re
import sys
import threading
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
CJK_FAMILY = re.compile(r"CJK|Han Sans|YaHei|PingFang|Hiragino|WenQuanYi|Hei|Song|Kai|Ming|Gothic", re.I)
RAW_MATH = re.compile(r"(?<![\w$])\$[^$\s][^$]{0,200}?\$(?![\w$])")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # noqa: D401 - keep the output to the results
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


PAGE_FACTS = """() => {
  const prose = [...document.querySelectorAll('.jp-RenderedMarkdown, .forge-index')];
  const text = prose.map(e => e.innerText).join('\\n');
  const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
  const stateTag = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
  const models = stateTag ? JSON.parse(stateTag.textContent).state : {};
  const hasFigure = (id, seen = new Set()) => {          // does the saved view hold a picture?
    if (seen.has(id) || !models[id]) return false;
    seen.add(id);
    const text = JSON.stringify(models[id]);
    if (models[id].model_name === 'ImageModel' || text.includes('image/png')) return true;
    return [...text.matchAll(/IPY_MODEL_([0-9a-f]+)/g)].some(m => hasFigure(m[1], seen));
  };
  const shown = views.map(v => {
    const box = v.parentElement;
    const imgs = [...box.querySelectorAll('img')].filter(i => i.complete && i.naturalWidth > 0);
    const drawn = box.querySelectorAll('canvas, svg, .progress-bar').length;
    const wantsFigure = hasFigure(JSON.parse(v.textContent).model_id);
    // a view whose saved state holds a picture must show it; a text-only view must show its text
    return wantsFigure ? imgs.length + drawn : (drawn + (box.innerText.trim().length > 10 ? 1 : 0));
  });
  return {math: document.documentElement.getAttribute('data-math'), katex: document.querySelectorAll('.katex').length,
          text, views: views.length, shown, widgetErrors: document.body.innerText.includes('Error displaying widget')};
}"""


def chinese_fonts(page, cdp) -> list[str]:
    """Platform font families Chromium used for the first prose element that contains Chinese."""
    found = page.evaluate("""() => {
        const e = [...document.querySelectorAll('.jp-RenderedMarkdown p, .forge-index p, h1')]
            .find(e => /[\\u4e00-\\u9fff]/.test(e.innerText));
        if (e) e.setAttribute('data-forge-probe', '1');
        return Boolean(e);
    }""")
    if not found:
        return []
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "[data-forge-probe]"})["nodeId"]
    result = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})
    return [f["familyName"] for f in result["fonts"] if f["glyphCount"] > 0]


def check(site: Path) -> list[str]:
    from playwright.sync_api import sync_playwright

    failures: list[str] = []
    pages = ["index.html"] + sorted(p.name for p in site.glob("[0-9][0-9]_*.html"))
    server, base = serve(site)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            outside: list[str] = []

            def gate(route):
                if route.request.url.startswith(base) or route.request.url.startswith("data:"):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            context.route("**/*", gate)
            for name in pages:
                outside.clear()
                page = context.new_page()
                page.goto(base + name, wait_until="load")
                page.wait_for_function("document.documentElement.getAttribute('data-math') === 'done'", timeout=20000)
                notebook_math = int(page.evaluate("document.documentElement.getAttribute('data-formulas') || 0"))
                if page.evaluate("document.querySelectorAll('script[type=\"application/vnd.jupyter.widget-view+json\"]').length"):
                    page.wait_for_function("""() => [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
                        .every(v => v.parentElement.querySelector('.jupyter-widgets, .widget-box, .widget-output'))""",
                                           timeout=30000)
                    page.wait_for_timeout(500)
                # The carried font loads when a glyph needs it (font-display: swap): wait for it, as a reader would.
                page.evaluate("document.fonts.load('16px \"Forge CJK\"', '中文').then(() => document.fonts.ready)")
                page.wait_for_timeout(300)
                facts = page.evaluate(PAGE_FACTS)
                cdp = context.new_cdp_session(page)
                cdp.send("DOM.enable")
                cdp.send("CSS.enable")
                fonts = chinese_fonts(page, cdp)
                problems = []
                if outside:
                    problems.append(f"{len(outside)} request(s) left the machine: {outside[:3]}")
                if facts["katex"] < notebook_math:
                    problems.append(f"{facts['katex']} of the notebook's {notebook_math} formulas were typeset")
                raw = RAW_MATH.findall(facts["text"])
                if raw:
                    problems.append(f"raw TeX left in the prose: {raw[:3]}")
                if facts["widgetErrors"]:
                    problems.append("a widget shows 'Error displaying widget'")
                empty = [i for i, n in enumerate(facts["shown"]) if n == 0]
                if empty:
                    problems.append(f"widget view(s) {empty} of {facts['views']} show nothing of what was saved")
                if not fonts or not any(CJK_FAMILY.search(f) for f in fonts):
                    problems.append(f"Chinese text is not drawn with a CJK font (fonts used: {fonts})")
                status = "ok" if not problems else "FAIL: " + "; ".join(problems)
                print(f"{name:<42} formulas {facts['katex']:>4}  widgets {facts['views']}  font {','.join(fonts)[:30]:<30} {status}",
                      flush=True)
                failures += [f"{name}: {p}" for p in problems]
                page.close()
            browser.close()
    finally:
        server.shutdown()
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, nargs="?", default=Path(__file__).resolve().parent.parent / "build" / "site")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing (Debian/Ubuntu: apt-get install chromium)")
        return 2
    failures = check(args.site)
    print("site check:", "all pages pass" if not failures else f"{len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
