"""Rewrite the README's measured tables from ``build/course.json`` (written by ``make course``).

    python tools/course_tables.py build/course.json README.md          # rewrite in place
    python tools/course_tables.py build/course.json README.md --check  # exit 1 if the README differs

Only the text between ``<!-- course-tables:begin -->`` and ``<!-- course-tables:end -->`` changes, so
the numbers in the README always come from one run of the notebooks, never from retyping.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

BEGIN, END = "<!-- course-tables:begin -->", "<!-- course-tables:end -->"
REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
# The language-modelling thread in the order the course builds it: (metric name, what the model reads)
LM_MODELS = {
    "unigram": "no context (add-one)",
    "bigram": "the previous character (interpolated, λ on val)",
    "rnn": "RNN over ≤ 64 previous",
    "lstm": "LSTM over ≤ 64 previous",
    "gpt": "decoder-only Transformer over ≤ 64 previous",
    "lstm_long": "LSTM (hidden 256) over ≤ 256 previous, longer and lr-swept",
    "gpt_long": "2-layer GPT over ≤ 256 previous, the same wall time, lr-swept",
}
# Where a trained model's compute is recorded: (reference file, model name there); seed 0 is shown
LM_COMPUTE = {"rnn": ("rnn_lstm_lms", "rnn"), "lstm": ("rnn_lstm_lms", "lstm"), "gpt": ("gpt_lms", "gpt"),
              "lstm_long": ("lm_budget", "lstm"), "gpt_long": ("lm_budget", "gpt")}


def compute(model: str, reference_dir: Path = REFERENCE_DIR) -> str:
    """The training compute of a thread model from its reference file: seconds and what ran it."""
    if model not in LM_COMPUTE:
        return "counting, no training" if model in ("unigram", "bigram") else ""
    name, key = LM_COMPUTE[model]
    path = reference_dir / f"{name}.json"
    if not path.exists():
        return ""
    ref = json.loads(path.read_text(encoding="utf-8"))
    run = next(r for r in ref["runs"] if r["model"] == key and r["seed"] == 0)
    made = ref["made_with"]
    threads = f", {made['threads']} thread{'s' if made['threads'] != 1 else ''}" if made["device"] == "cpu" else ""
    return f"{run['seconds'][-1]:.0f} s ({made['device']}, {made['processor']}{threads}; `{name}`)"


def fmt(value: float) -> str:
    if float(value).is_integer() and abs(value) >= 10:
        return f"{int(value):,}"
    return f"{value:.3f}" if abs(value) < 100 else f"{value:,.1f}"


def tables(course: dict) -> str:
    notebooks = course["notebooks"]
    numbers = list(notebooks)
    total = sum(nb["seconds"] for nb in notebooks.values())
    out = [
        "| notebook | " + " | ".join(numbers) + " | total |",
        "|---|" + "---|" * (len(numbers) + 1),
        "| seconds | " + " | ".join(f"{notebooks[n]['seconds']:.1f}" for n in numbers) + f" | {total:.0f} |",
        "| peak MB | " + " | ".join(f"{notebooks[n]['peak_mb']}" for n in numbers) + " | |",
        "",
    ]
    bpc = {name.split("/", 1)[1]: (n, value) for n, nb in notebooks.items()
           for name, value in nb["metrics"].items() if name.startswith("bpc/")}
    oov = [nb["metrics"]["lm/oov_share"] for nb in notebooks.values() if "lm/oov_share" in nb["metrics"]]
    if bpc:
        counted = (f" {oov[0]:.1%} of the test characters are outside the 1,000-character vocabulary; each is"
                   " charged the bits of naming it after `<unk>`, the same for every model.") if oov else ""
        out += [
            "The language-modelling thread (文字接龙): test bits per character on People's Daily over every"
            f" character, lower is better.{counted} The context-1 control is the same network trained on a"
            " history of one character; each row is seed 0, and compute is its training time in the long-run tier.",
            "",
            "| model | notebook | context | test bits per character | same network, context 1 | training compute |",
            "|---|---|---|---|---|---|",
        ]
        models = [m for m in bpc if not m.endswith("_ctx1")]
        order = [m for m in LM_MODELS if m in models] + sorted(m for m in models if m not in LM_MODELS)
        for model in order:
            n, value = bpc[model]
            control = f"{bpc[model + '_ctx1'][1]:.3f}" if model + "_ctx1" in bpc else "—"
            out.append(f"| {model} | {n} | {LM_MODELS.get(model, '')} | {value:.3f} | {control} | {compute(model)} |")
        out.append("")
    others = [(n, name, value) for n, nb in notebooks.items() for name, value in nb["metrics"].items()
              if not name.startswith("bpc/") and name != "lm/oov_share"]
    if others:
        out += ["Other recorded figures:", "", "| notebook | figure | value |", "|---|---|---|"]
        out += [f"| {n} | `{name}` | {fmt(value)} |" for n, name, value in others]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def rewrite(readme: str, course: dict) -> str:
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"README has no {BEGIN} … {END} block to rewrite")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{tables(course)}{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("course_json", type=Path)
    parser.add_argument("readme", type=Path)
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the README is out of date")
    args = parser.parse_args()
    course = json.loads(args.course_json.read_text(encoding="utf-8"))
    old = args.readme.read_text(encoding="utf-8")
    new = rewrite(old, course)
    if args.check:
        if new != old:
            print(f"{args.readme} is out of date with {args.course_json}: run make course", file=sys.stderr)
            return 1
        return 0
    args.readme.write_text(new, encoding="utf-8")
    print(f"{args.readme}: measured tables rewritten from {args.course_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
