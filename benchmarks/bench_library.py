"""Library speed: importing the 300-article corpus, and `reader list` over 5,000 articles.

Run: .venv/bin/python benchmarks/bench_library.py
Targets: corpus import <= 3 s; `reader list` with 5,000 articles <= 0.5 s,
measured as a real subprocess (interpreter start-up included). Prints each figure next
to its target; best of several runs, since the machine is shared.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reader.ingest.articles import parse_path
from reader.ingest.library import add_targets
from reader.ingest.metadata import article_id_for
from reader.store.database import Store

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus" / "saudinewsnet-300.jsonl"
IMPORT_TARGET = 3.0
LIST_TARGET = 0.5
LIBRARY_SIZE = 5000


def _report(name: str, seconds: float, target: float) -> None:
    verdict = "ok" if seconds <= target else "OVER TARGET"
    print(f"{name:<44} {seconds:7.3f} s   (target <= {target:g} s)  {verdict}")


def bench_import(runs: int = 3) -> None:
    """Fresh store each run: parse the JSONL and store every article."""
    best = float("inf")
    parse_best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        parse_path(CORPUS)
        parse_best = min(parse_best, time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as folder:
            store = Store.open(Path(folder) / "reader.json")
            try:
                started = time.perf_counter()
                report = add_targets(store, [str(CORPUS)])
                best = min(best, time.perf_counter() - started)
                assert len(report.added) == 300, report.failed
            finally:
                store.close()
    print(f"{'  (parsing alone)':<44} {parse_best:7.3f} s")
    _report("import 300-article corpus (add_targets)", best, IMPORT_TARGET)


def _build_library(db: Path) -> None:
    """5,000 articles: the corpus repeated under distinct sources, written in one batch."""
    base = parse_path(CORPUS)
    articles = []
    for index in range(LIBRARY_SIZE):
        template = base[index % len(base)]
        source = f"{template.source}?copy={index}"
        articles.append(
            dataclasses.replace(
                template,
                id=article_id_for(source),
                title=f"{template.title} {index}",  # distinct titles: no layout cache hits
                source=source,
                entry_id=source,
                added=f"2024-01-01T00:{index // 60 % 60:02d}:{index % 60:02d}+00:00",
            )
        )
    store = Store.open(db)
    try:
        store.put_articles(articles)
        assert store.article_count() == LIBRARY_SIZE
    finally:
        store.close()


def run_on_terminal(args: list[str], env: dict[str, str], columns: int = 120) -> float:
    """Seconds `args` takes with its stdout on a pseudo-terminal (the interactive case)."""
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    received = 0
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        received += len(chunk)
    process.wait()
    elapsed = time.perf_counter() - started
    os.close(master)
    if process.returncode != 0 or received < 100_000:
        raise RuntimeError(
            f"{args} failed on a terminal: {process.stderr.read() if process.stderr else ''}"
        )
    return elapsed


def bench_list(runs: int = 5) -> None:
    """`reader list` and `reader list --json` as subprocesses against a 5,000-article db."""
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "reader.json"
        _build_library(db)
        # Bytecode cached as an installed package has it (this sandbox sets
        # PYTHONDONTWRITEBYTECODE, which would recompile every module on every run);
        # the cache goes to a temporary folder, not the source tree.
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env.update(READER_DB=str(db), COLUMNS="120", PYTHONPYCACHEPREFIX=str(Path(folder) / "pyc"))
        subprocess.run(
            [sys.executable, "-m", "reader", "list", "--json"],
            env=env,
            check=True,
            capture_output=True,
        )  # warm the bytecode cache
        for label, extra in (("reader list", []), ("reader list --json", ["--json"])):
            best = float("inf")
            for _ in range(runs):
                started = time.perf_counter()
                done = subprocess.run(
                    [sys.executable, "-m", "reader", "list", *extra],
                    env=env,
                    capture_output=True,
                    check=True,
                )
                best = min(best, time.perf_counter() - started)
            assert len(done.stdout) > 100_000
            _report(f"{label}, {LIBRARY_SIZE:,} articles, piped", best, LIST_TARGET)
        env_tty = {key: value for key, value in env.items() if key != "COLUMNS"}
        for mode in ("app", "terminal"):
            best = float("inf")
            for _ in range(runs):
                command = [sys.executable, "-m", "reader", "--bidi", mode, "list"]
                best = min(best, run_on_terminal(command, env_tty))
            _report(f"reader list on a terminal, --bidi {mode}", best, LIST_TARGET)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        print(f"{'  (bare interpreter start-up)':<44} {time.perf_counter() - started:7.3f} s")


def main() -> int:
    if not CORPUS.is_file():
        print(f"skipped: {CORPUS} is absent")
        return 0
    bench_import()
    bench_list()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
