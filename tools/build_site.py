"""Build the course website into build/site/: one page per notebook plus an index, working offline.

    make site                                         # npm ci in site/, then this script
    python tools/build_site.py --out build/site       # needs site/node_modules (npm ci --prefix site)

Every script, stylesheet and font a page uses is copied into ``build/site/assets/``; nothing is fetched
when a page is opened (so it works without internet, and from networks where foreign CDNs are slow or
blocked):
- formulas: KaTeX (npm ``katex``) typesets ``$…$`` and ``$$…$$`` in the browser from the local copy;
- widgets: the Jupyter widgets HTML manager (npm ``@jupyter-widgets/html-manager``, ``embed.js``) draws
  each widget's saved view from the widget state stored in the notebook: the figure and the controls at
  their saved values. Moving them needs a kernel; a note beside each view links Colab / Binder;
- Chinese text: the system's CJK font where it has one (the stylesheet lists the common ones), else the
  font the site carries: Noto Sans CJK SC (SIL OFL 1.1, from the PyPI package noto-cjk-sans-otc)
  subset to the characters the course uses, ≈ 0.5 MB.
The badges and the Colab setup cell are left out; code cells fold away (``<details>``).
The index shows the course arc, each chapter's goals and, when ``build/course.json`` exists (``make
course``), its time, memory and recorded figures.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import html
import json
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from course_tables import LM_MODELS  # noqa: E402
from forge_config import forge_config  # noqa: E402
from run_notebooks import title_of  # noqa: E402
from sync_badges import BADGE_TAG, SETUP_TAG  # noqa: E402

NODE = ROOT / "site" / "node_modules"
# (source under site/node_modules, destination under assets/): only what a page loads.
ASSETS = [
    ("katex/dist/katex.min.js", "katex/katex.min.js"),
    ("katex/dist/katex.min.css", "katex/katex.min.css"),
    ("katex/dist/contrib/auto-render.min.js", "katex/auto-render.min.js"),
    ("katex/dist/fonts", "katex/fonts"),
    ("@jupyter-widgets/html-manager/dist/embed.js", "widgets/embed.js"),
]
WIDGET_FONTS = re.compile(r".*\.(woff2?|ttf|eot|svg)$")  # font-awesome, loaded by embed.js next to itself
KATEX_INIT = """
document.addEventListener("DOMContentLoaded", function () {
  renderMathInElement(document.body, {
    delimiters: [
      {left: "$$", right: "$$", display: true},
      {left: "\\\\[", right: "\\\\]", display: true},
      {left: "$", right: "$", display: false},
      {left: "\\\\(", right: "\\\\)", display: false}
    ],
    ignoredClasses: ["highlight"],
    throwOnError: false
  });
  document.documentElement.setAttribute("data-math", "done");
});
"""


def copy_assets(out: Path) -> None:
    if not NODE.exists():
        raise SystemExit(f"{NODE} is missing: run `npm ci --prefix site` first (make site does it)")
    assets = out / "assets"
    for source, target in ASSETS:
        src, dst = NODE / source, assets / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)
    for font in (NODE / "@jupyter-widgets/html-manager/dist").iterdir():
        if WIDGET_FONTS.match(font.name):
            shutil.copy2(font, assets / "widgets" / font.name)
    shutil.copy2(ROOT / "site" / "site.css", assets / "site.css")


def text_characters(paths: list[Path]) -> set[str]:
    """Every non-ASCII character in the notebooks (prose, outputs, saved widget state) and in this script."""
    chars: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, str):
            chars.update(c for c in value if ord(c) > 0x7F)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in paths:
        walk(json.loads(path.read_text(encoding="utf-8")))
    walk(Path(__file__).read_text(encoding="utf-8"))
    return chars


def carried_font(chars: set[str], out: Path) -> None:
    """Noto Sans CJK SC from the noto-cjk-sans-otc package, subset to ``chars``, as assets/fonts/forge-cjk.woff."""
    import noto_cjk_sans_otc
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    faces = TTCollection(str(noto_cjk_sans_otc.FONT_PATH)).fonts
    font = next(f for f in faces if f["name"].getDebugName(1) == "Noto Sans CJK SC")
    options = subset.Options()
    options.flavor = "woff"
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)
    target = out / "assets" / "fonts" / "forge-cjk.woff"
    target.parent.mkdir(parents=True, exist_ok=True)
    font.flavor = "woff"
    font.save(str(target))


def notebook_goals(nb: nbformat.NotebookNode) -> list[str]:
    """The numbered items under 学习目标 in the chapter's first cells (markdown, as written)."""
    for cell in nb.cells[:6]:
        if cell.cell_type == "markdown" and "学习目标" in cell.source:
            after = cell.source.split("学习目标", 1)[1]
            return [m.group(1).strip() for m in re.finditer(r"^\s*\d+\.\s+(.*)$", after, flags=re.M)]
    return []


def count_formulas(nb: nbformat.NotebookNode) -> int:
    """Number of ``$…$`` / ``$$…$$`` formulas in the markdown cells."""
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    text = re.sub(r"`[^`]*`", "", text)  # code spans are not math
    return len(re.findall(r"\$\$.+?\$\$", text, flags=re.S)) + len(re.findall(r"(?<!\$)\$[^$\n]+?\$(?!\$)", re.sub(r"\$\$.+?\$\$", "", text, flags=re.S)))


def without_setup(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if not {BADGE_TAG, SETUP_TAG} & set(c.metadata.get("tags", []))]
    return nb


def shared_css(soup: BeautifulSoup, out: Path) -> str:
    """Move the page's inline stylesheets (JupyterLab's theme, identical on every page) into one shared file."""
    styles = [s for s in soup.head.find_all("style")]
    text = "\n".join(s.string or "" for s in styles)
    name = f"jupyter-{hashlib.sha256(text.encode()).hexdigest()[:10]}.css"
    path = out / "assets" / name
    if not path.exists():
        path.write_text(text, encoding="utf-8")
    for s in styles:
        s.decompose()
    return name


def launch_links(name: str) -> str:
    config = forge_config()
    repo, ref = config["repository"], config["ref"]
    colab = f"https://colab.research.google.com/github/{repo}/blob/{ref}/notebooks/{name}"
    binder = f"https://mybinder.org/v2/gh/{repo}/{ref}?urlpath=lab/tree/notebooks/{name}"
    return f"<a href='{colab}'>Colab</a> · <a href='{binder}'>Binder</a> · 本地 <code>make lab</code>"


def page(nb_path: Path, out: Path, neighbours: tuple[str | None, str | None]) -> dict:
    nb = nbformat.read(nb_path, as_version=4)
    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(without_setup(nb))
    soup = BeautifulSoup(body, "html.parser")
    # Everything that would leave the machine: CDN scripts, the require.js widget loader, mermaid, MathJax.
    for script in soup.find_all("script"):
        text = script.string or ""
        if script.get("src") or "widgetRendererSrc" in text or "mermaid" in text or "MathJax" in text:
            script.decompose()
    for link in soup.find_all("link", href=True):
        if link["href"].startswith("http"):
            link.decompose()
    css = shared_css(soup, out)
    soup.html["data-formulas"] = str(count_formulas(nb))  # what tools/check_site.py expects to see typeset
    head = soup.head
    head.append(soup.new_tag("meta", attrs={"name": "viewport", "content": "width=device-width, initial-scale=1"}))
    for href in (f"assets/{css}", "assets/katex/katex.min.css", "assets/site.css"):
        head.append(soup.new_tag("link", rel="stylesheet", href=href))
    for src in ("assets/katex/katex.min.js", "assets/katex/auto-render.min.js"):
        head.append(soup.new_tag("script", src=src))
    init = soup.new_tag("script")
    init.string = KATEX_INIT
    head.append(init)
    has_widgets = bool(soup.find("script", type="application/vnd.jupyter.widget-state+json"))
    if has_widgets:
        assets_path = soup.new_tag("script")
        assets_path.string = "window.__jupyter_widgets_assets_path__ = 'assets/widgets/';"
        head.append(assets_path)
        head.append(soup.new_tag("script", src="assets/widgets/embed.js", attrs={"data-jupyter-widgets-cdn-only": ""}))
    # Code cells fold away; outputs stay visible.
    for cell in soup.select(".jp-CodeCell"):
        wrapper = cell.select_one(".jp-Cell-inputWrapper")
        if wrapper is None:
            continue
        details = soup.new_tag("details", attrs={"class": "forge-code", "open": ""})
        summary = soup.new_tag("summary")
        summary.string = "代码"
        details.append(summary)
        wrapper.wrap(details)
    # A note beside every saved widget view: it shows the saved state; moving it needs a kernel.
    for view in soup.find_all("script", type="application/vnd.jupyter.widget-view+json"):
        note = BeautifulSoup(
            f"<p class='forge-widget-note'>这是保存时的交互视图（控件停在保存时的值）。要拖动它，需要运行中的内核："
            f"{launch_links(nb_path.name)}。</p>", "html.parser")
        view.parent.insert_after(note)
    prev_name, next_name = neighbours
    nav = ["<nav class='forge-nav'><a href='index.html'>目录</a>"]
    if prev_name:
        nav.append(f"<a href='{prev_name}'>← 上一章</a>")
    if next_name:
        nav.append(f"<a href='{next_name}'>下一章 →</a>")
    nav.append(f"<span class='forge-launch'>{launch_links(nb_path.name)}</span></nav>")
    soup.body.insert(0, BeautifulSoup("".join(nav), "html.parser"))
    soup.body.append(BeautifulSoup("".join(nav), "html.parser"))
    html_name = nb_path.with_suffix(".html").name
    (out / html_name).write_text(str(soup), encoding="utf-8")
    return {"number": nb_path.name[:2], "name": nb_path.name, "html": html_name, "title": title_of(nb),
            "goals": notebook_goals(nb), "widgets": has_widgets}


def inline_markdown(text: str) -> str:
    """One line of the notebook's markdown as inline HTML (bold, code; ``$…$`` kept for KaTeX)."""
    from nbconvert.filters.markdown import markdown2html

    rendered = markdown2html(text).strip()
    return rendered[3:-4] if rendered.startswith("<p>") and rendered.endswith("</p>") else rendered


ARC = [  # (chapter numbers, stage of the arc)
    (("00", "01"), "起点：环境与 AI 的三种范式"),
    (("02",), "把词变成数：独热编码与计数语言模型"),
    (("03", "04", "05"), "稠密词向量：Word2Vec、GloVe 与预训练词向量"),
    (("06", "07"), "按顺序读：RNN 与 LSTM"),
    (("08", "09"), "注意力与 Transformer"),
    (("10", "11"), "预训练、微调与 GPT（文字接龙）"),
]


def index_page(pages: list[dict], out: Path, course: dict | None) -> None:
    measured = (course or {}).get("notebooks", {})
    head = ("<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<title>Forge · 从独热编码到 Transformer</title>"
            "<link rel='stylesheet' href='assets/katex/katex.min.css'><link rel='stylesheet' href='assets/site.css'>"
            "<script src='assets/katex/katex.min.js'></script><script src='assets/katex/auto-render.min.js'></script>"
            f"<script>{KATEX_INIT}</script></head><body class='forge-index'>")
    parts = [head, "<h1>Forge · 从独热编码到 Transformer</h1>",
             "<p>一门可以运行、测量、检验的课程：从独热编码出发，经过 Word2Vec、GloVe、RNN/LSTM 和注意力，"
             "走到一个能工作的 Transformer 和 GPT。所有数字都来自运行 notebook。</p>"]
    by_number = {p["number"]: p for p in pages}
    parts.append("<ol class='forge-arc'>")
    for numbers, stage in ARC:
        parts.append(f"<li><h2>{html.escape(stage)}</h2>")
        for n in numbers:
            p = by_number.get(n)
            if p is None:
                continue
            m = measured.get(n)
            facts = f"<span class='forge-facts'>{m['seconds']:.0f} 秒 · {m['peak_mb']} MB</span>" if m else ""
            goals = "".join(f"<li>{inline_markdown(g)}</li>" for g in p["goals"])
            parts.append(f"<section class='forge-chapter'><h3><a href='{p['html']}'>{html.escape(p['title'])}</a>"
                         f"{facts}</h3><ul>{goals}</ul></section>")
        parts.append("</li>")
    parts.append("</ol>")
    bpc = {name.split("/", 1)[1]: (n, v) for n, nb in measured.items() for name, v in nb.get("metrics", {}).items()
           if name.startswith("bpc/")}
    if bpc:
        parts.append("<h2>贯穿全课的一条线：文字接龙</h2><p>每个语言模型在同一份人民日报测试集上的每字比特数"
                     "（bits per character，越低越好）。</p><table><tr><th>模型</th><th>章节</th><th>每字比特数</th></tr>")
        for model in [m for m in LM_MODELS if m in bpc]:
            n, v = bpc[model]
            parts.append(f"<tr><td>{model}</td><td>{n}</td><td>{v:.3f}</td></tr>")
        parts.append("</table>")
    if measured:
        total = sum(m["seconds"] for m in measured.values())
        parts.append(f"<p class='forge-facts'>时间与内存：<code>make course</code> 在 2 核 CPU 上逐本运行，共 {total:.0f} 秒。</p>")
    parts.append("</body></html>")
    (out / "index.html").write_text("\n".join(parts), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--course-json", type=Path, default=ROOT / "build" / "course.json")
    args = parser.parse_args()
    start = time.perf_counter()
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    copy_assets(args.out)
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    pages = []
    for i, path in enumerate(paths):
        prev_name = paths[i - 1].with_suffix(".html").name if i > 0 else None
        next_name = paths[i + 1].with_suffix(".html").name if i + 1 < len(paths) else None
        pages.append(page(path, args.out, (prev_name, next_name)))
        print(f"{path.name:<40} → {pages[-1]['html']}", flush=True)
    course = json.loads(args.course_json.read_text(encoding="utf-8")) if args.course_json.exists() else None
    index_page(pages, args.out, course)
    carried_font(text_characters(paths), args.out)
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(f"site: {args.out} ({len(pages)} pages + index, {size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
