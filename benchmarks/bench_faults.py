"""The fault matrix: each kind of file in the database folder x each kind of damage.

For every cell a fresh database gets early records, a backup, then late records
(an article, a highlight on an early and on the late article, a feed, a
setting). The file is damaged, `reader list --json` and `reader export --all`
run as a user would run them, and every record is checked:

- survived: every record is readable afterwards;
- told: some late record is gone, but the messages on stderr name it;
- lost: a record is gone and nothing named it (or a command crashed).

Run: `.venv/bin/python benchmarks/bench_faults.py` (about half a minute).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the checkout's reader package
sys.path.insert(0, str(ROOT / "tests"))  # the damage matrix the tests assert on

from helpers.damage import (  # noqa: E402 - after the path set-up above
    DAMAGES,
    FILES,
    build,
    damage,
    lost_silently,
    survivors,
    target,
)

from reader.store.database import Store  # noqa: E402


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "READER_DB": str(db), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def cell(kind: str, how: str) -> tuple[str, list[str], str]:
    """Damage one file one way; (verdict, records lost without a word, what stderr said)."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "reader.json"
        build(db)
        damage(target(db, kind), how)
        said = ""
        crashed = False
        for args in (("list", "--json"), ("export", "--all", "--format", "json", "-o", "-")):
            result = run(db, *args)
            said += result.stderr
            crashed |= "Traceback" in result.stderr
        with Store.open(db) as store:
            said += "\n".join(store.messages)
            survived = survivors(store)
    gone = [name for name, there in survived.items() if not there]
    silent = lost_silently(survived, said)
    if crashed or silent:
        return "lost", silent + (["(crash)"] if crashed else []), said
    return ("told" if gone else "survived"), [], said


def main() -> None:
    began = time.perf_counter()
    rows: dict[str, dict[str, str]] = {}
    notes: list[str] = []
    for kind in FILES:
        rows[kind] = {}
        for how in DAMAGES:
            verdict, silent, said = cell(kind, how)
            rows[kind][how] = verdict
            if silent:
                notes.append(f"{kind} / {how}: lost without a word: {', '.join(silent)}")
            if "-v" in sys.argv:
                print(f"--- {kind} / {how}: {verdict}\n{said.strip()}\n")
    width = max(len(kind) for kind in FILES) + 2
    print("file".ljust(width) + "".join(how.ljust(13) for how in DAMAGES))
    for kind in FILES:
        print(kind.ljust(width) + "".join(rows[kind][how].ljust(13) for how in DAMAGES))
    for note in notes:
        print(note)
    print(f"({len(FILES) * len(DAMAGES)} cells in {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
