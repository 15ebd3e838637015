"""Re-run every training notebook of the course in full mode and write the results table benchmarks/RESULTS.md.

A training notebook is one whose code calls a course trainer (``d2l.train_ch3``, ``train_ch6``, ...).
Each runs in a fresh kernel, in memory (the committed notebook is not changed), with ``D2L_SMOKE`` unset.
The final metrics are read from the trainers' own output lines (e.g. ``train loss 0.45, train acc 0.85,
test acc 0.83``); every run of a notebook is listed in order. Naming notebooks re-runs only those and keeps
the other rows of the table. ``--inplace`` also saves the executed notebook, so one run both refreshes its
committed outputs and its row (several such runs may go at once: the table is updated under a lock).
For maintainers:

    .venv/bin/python benchmarks/results.py [--inplace] [NOTEBOOK ...]     # default: all training notebooks
"""

from __future__ import annotations

import argparse
import datetime
import fcntl
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import torch
from nbclient import NotebookClient

import d2l_helpers as d2l

ROOT = Path(__file__).resolve().parent.parent
TRAINER = re.compile(r"\b(?:d2l\.)?train(?:_ch\d+|_seq2seq|_epoch_ch3|_epoch_ch8)?\(")
METRICS = [  # (pattern of a trainer's or notebook's output line, how the table shows it)
    (re.compile(r"(?:train )?loss (?P<loss>[\d.]+), train acc (?P<train>[\d.]+), test acc (?P<test>[\d.]+)"),
     "train loss {loss} / train acc {train} / test acc {test}"),
    (re.compile(r"^perplexity (?P<ppl>[\d.]+), [\d.]+ tokens/sec", re.M), "perplexity {ppl}"),
    (re.compile(r"^held-out perplexity (?P<ppl>[\d.]+)", re.M), "held-out perplexity {ppl}"),
    (re.compile(r"^loss (?P<loss>[\d.]+), [\d.]+ tokens/sec", re.M), "loss per token {loss}"),
    (re.compile(r"^(?P<src>.+?) => .*, bleu (?P<bleu>[\d.]+)$", re.M), "BLEU {src} {bleu}"),
    (re.compile(r"held-out BLEU (?P<bleu>[\d.]+)"), "held-out BLEU {bleu}"),
]


def training_notebooks() -> list[Path]:
    found = []
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        nb = nbformat.read(path, as_version=4)
        if any(c.cell_type == "code" and TRAINER.search(c.source) for c in nb.cells):
            found.append(path)
    return found


def cell_texts(nb: nbformat.NotebookNode) -> list[str]:
    """The text outputs of each code cell (a trainer prints its final line, and its result may be shown too)."""
    texts = []
    for cell in nb.cells:
        parts = [out.get("text", "") if out.get("output_type") == "stream"
                 else out.get("data", {}).get("text/plain", "") for out in cell.get("outputs", [])]
        texts.append("\n".join(parts))
    return texts


def metrics_of(text: str) -> list[str]:
    """The metrics a cell's output reports, in order of appearance, each once."""
    found = sorted((m.start(), show.format(**m.groupdict()))
                   for pattern, show in METRICS for m in pattern.finditer(text))
    return list(dict.fromkeys(shown for _, shown in found))


def run(path: Path, inplace: bool = False) -> tuple[float, list[str]]:
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="d2l-results-") as cwd:  # never write next to the notebook
        start = time.perf_counter()
        NotebookClient(nb, timeout=3600, kernel_name="python3", record_timing=False,
                       resources={"metadata": {"path": cwd}}).execute()
        seconds = time.perf_counter() - start
    if inplace:
        nbformat.write(nb, path)
    runs = []
    for text in cell_texts(nb):  # one training run per cell: its printed line and its shown result agree
        runs += metrics_of(text)
    return seconds, runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--inplace", action="store_true", help="save each executed notebook over the committed one")
    args = parser.parse_args()
    os.environ.pop("D2L_SMOKE", None)
    paths = [p.resolve() for p in args.notebooks] or training_notebooks()
    device = d2l.try_gpu()
    device_text = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {os.cpu_count()} cores"
    if os.environ.get("OMP_NUM_THREADS"):
        device_text += f", OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}"
    for path in paths:
        rel = path.relative_to(ROOT).as_posix()
        print(f"running {rel} ...", file=sys.stderr, flush=True)
        load_before = os.getloadavg()[0]
        seconds, runs = run(path, args.inplace)
        load = max(load_before, os.getloadavg()[0])  # above the core count, other work slowed this run down
        print(f"  {seconds:.0f} s: {'; '.join(runs) or 'no trainer output'}", file=sys.stderr, flush=True)
        row = (f"| [{path.stem}](../{rel}) | {seconds / 60:.1f} | {'<br>'.join(runs) or '—'} | {device_text}, "
               f"load {load:.1f}, torch {torch.__version__} | {datetime.date.today().isoformat()} |")
        update_table(args.out, rel, row)
    print(f"wrote {args.out}", file=sys.stderr)


HEADER = "| notebook | minutes | final metrics per run | device | date |"
ROW = re.compile(r"^\| \[[^]]+\]\(\.\./(?P<rel>[^)]+)\) \|")


def update_table(out: Path, rel: str, row: str) -> None:
    """Replace or add the row of one notebook, holding a lock so that concurrent runs do not lose rows."""
    with open(Path(tempfile.gettempdir()) / "d2l-results.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        rows = read_rows(out)
        rows[rel] = row
        lines = [
            "# Course results",
            "",
            "Every training notebook re-executed in full mode (default settings, `D2L_SMOKE` unset) by",
            "`benchmarks/results.py`. Metrics are the trainers' final lines, one per training run in the notebook, in",
            "order; minutes are wall-clock time for the whole notebook in a fresh kernel. *load* is the machine's",
            "1-minute load average around the run: above the number of cores, other work slowed the run down.",
            "",
            HEADER,
            "|---|---|---|---|---|",
            *(rows[k] for k in sorted(rows)),
            "",
        ]
        out.write_text("\n".join(lines), encoding="utf-8")


def read_rows(path: Path) -> dict[str, str]:
    """The table rows already in RESULTS.md, by notebook path."""
    if not path.exists():
        return {}
    return {m["rel"]: line for line in path.read_text(encoding="utf-8").splitlines() if (m := ROW.match(line))}


if __name__ == "__main__":
    main()
