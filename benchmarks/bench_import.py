"""`reader import` limits: a big Web Annotation file, and deeply nested JSON.

Builds a library of ARTICLES articles (the seed article's paragraphs) in a temporary
folder, writes one JSON file of ANNOTATIONS compact annotations spread over them
(quote, prefix, suffix, a note; about 280 bytes each, the shape other tools write),
and runs `reader import` on it in a child process, printing the wall time and the
child's CPU time and peak resident memory (from wait4) next to the file size, then
imports the same file again (everything unchanged). First it imports a file of
100,000 nested JSON arrays and prints the time, the exit status and what the
command said.

Run: .venv/bin/python benchmarks/bench_import.py [ANNOTATIONS]   (default 1,000,000;
the file is 331 MB and the run takes a few minutes)

Measured on the 2-core machine (shared, so wall times are noisy; CPU times are steadier):

  case                              before (json.loads whole)        after (streamed)
  100,000 nested arrays             RecursionError traceback         one sentence, 0.2 s, 24 MB
  1,000,000 annotations, 331 MB     66 s CPU, 3343 MB (10.0 x)       57 s CPU, 1022 MB (3.0 x)
  the same again, all unchanged     52 s CPU, 3470 MB (10.4 x)       53 s CPU, 1668 MB (5.0 x)
  300,000 annotations, 99 MB        21 s CPU, 1026 MB (10.1 x)       16 s CPU, 372 MB (3.5 x)
  300,000 again, all unchanged      16 s CPU, 1055 MB (10.4 x)       20 s CPU, 566 MB (5.4 x)

(x = peak RSS above the interpreter's own 24 MB, divided by the file size.)
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from reader.models import Article, Block
from reader.store.database import Store

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"
ARTICLES = 100
ANNOTATIONS = 1_000_000
NESTING = 100_000
NOTES = ["ملاحظة قصيرة", "مهم", "رقم 97.4 مليار", ""]


def build_library(db: Path) -> list[Article]:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    articles = [
        Article(
            id=f"art{a:05d}",
            title=f"مقال رقم {a}",
            source=f"https://example.com/news/{a}",
            blocks=[Block("paragraph", line) for line in lines if line.strip()],
        )
        for a in range(ARTICLES)
    ]
    with Store.open(db) as store:
        store.put_articles(articles)
    return articles


def write_annotations(path: Path, articles: list[Article], count: int) -> None:
    rng = random.Random(7)
    texts = [article.text for article in articles]
    with path.open("w", encoding="utf-8") as out:
        out.write('{"type": "AnnotationPage", "items": [\n')
        for n in range(count):
            a = n % len(articles)
            text = texts[a]
            start = rng.randrange(16, len(text) - 80)
            end = start + rng.randrange(12, 40)
            record = {
                "id": uuid.UUID(int=n + 1).urn,
                "type": "Annotation",
                "bodyValue": NOTES[n % len(NOTES)],
                "target": {
                    "source": articles[a].source,
                    "selector": {
                        "type": "TextQuoteSelector",
                        "exact": text[start:end],
                        "prefix": text[start - 16 : start],
                        "suffix": text[end : end + 16],
                    },
                },
            }
            if n:
                out.write(",\n")
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        out.write("\n]}\n")


def run_import(db: Path, path: Path, log: Path) -> tuple[float, float, int, int, str]:
    """(wall seconds, CPU seconds, peak RSS in bytes, exit status, what it said last)."""
    began = time.perf_counter()
    with log.open("w") as sink:
        child = subprocess.Popen(
            [sys.executable, "-m", "reader", "--db", str(db), "import", str(path)],
            stdout=sink,
            stderr=sink,
        )
        _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - began
    said = log.read_text(encoding="utf-8").strip().splitlines()
    cpu = usage.ru_utime + usage.ru_stime
    peak = usage.ru_maxrss * 1024  # KiB on Linux
    return seconds, cpu, peak, os.waitstatus_to_exitcode(status), said[-1] if said else ""


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else ANNOTATIONS
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        nested = folder / "nested.json"
        nested.write_text("[" * NESTING + "]" * NESTING, encoding="utf-8")
        db = folder / "db" / "reader.json"
        articles = build_library(db)
        seconds, cpu, peak, status, said = run_import(db, nested, folder / "log")
        base = peak  # what the interpreter and reader's imports take before any annotation
        print(
            f"{NESTING:,} nested arrays: {seconds:.2f} s ({cpu:.2f} s CPU), "
            f"peak RSS {peak / 1e6:.0f} MB, exit status {status}: {said[:160]}"
        )

        big = folder / "big.json"
        write_annotations(big, articles, count)
        size = big.stat().st_size
        seconds, cpu, peak, status, said = run_import(db, big, folder / "log")
        print(
            f"{count:,} annotations, {size / 1e6:.0f} MB file: {seconds:.1f} s ({cpu:.1f} s CPU), "
            f"peak RSS {peak / 1e6:.0f} MB ({(peak - base) / size:.1f} x the file above the "
            f"{base / 1e6:.0f} MB of the nested case), exit status {status}"
        )
        print(f"  {said[:200]}")
        seconds, cpu, peak, status, said = run_import(db, big, folder / "log")
        print(
            f"the same file again (all unchanged): {seconds:.1f} s ({cpu:.1f} s CPU), "
            f"peak RSS {peak / 1e6:.0f} MB ({(peak - base) / size:.1f} x the file above "
            f"{base / 1e6:.0f} MB), exit status {status}"
        )
        print(f"  {said[:200]}")
        annotation_files = list((db.parent / f"{db.name}.d").rglob("*.json"))
        stored = sum(p.stat().st_size for p in annotation_files)
        print(f"  store after import: {stored / 1e6:.0f} MB in {len(annotation_files)} files")


if __name__ == "__main__":
    main()
