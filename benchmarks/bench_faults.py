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

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from reader.models import Annotation, Article, Block, Feed
from reader.notes.anchors import text_hash
from reader.store.database import Store, StoreError

FILES = ("reader.json", "library.json", "feeds.json", "annotations", "body", "backup")
DAMAGES = ("truncate", "garbage", "zero length", "delete", "wrong shape")

EARLY_TITLE = "مقال قديم عن الاقتصاد"
LATE_TITLE = "مقال جديد عن الطاقة الشمسية"
LATE_FEED = "https://example.com/late-feed.xml"


def _article(article_id: str, title: str, text: str, feed_url: str = "") -> Article:
    return Article(
        id=article_id,
        title=title,
        source=f"https://example.com/{article_id}",
        blocks=[Block("paragraph", text)],
        published="2026-01-01",
        feed_url=feed_url,
    )


def _note(note_id: str, article: Article, note: str) -> Annotation:
    return Annotation(
        id=note_id,
        article_id=article.id,
        start=0,
        end=3,
        quote="نص",
        note=note,
        text_hash=text_hash(article.text),
    )


def build(db: Path) -> None:
    """Early records, a backup, then late records the backup does not have."""
    with Store.open(db) as store:
        early = _article("early", EARLY_TITLE, "نص المقال القديم " * 20)
        store.put_article(early)
        store.add_annotation(_note("early-note", early, "ملاحظة قديمة"))
        store.put_feed(Feed(url="https://example.com/early-feed.xml", title="قديمة"))
        store.set_setting("theme", "dark")
        store.make_backup()
        late = _article("late", LATE_TITLE, "نص المقال الجديد " * 20, LATE_FEED)
        store.put_article(late)
        store.add_annotation(_note("late-on-early", early, "ملاحظة جديدة"))
        store.add_annotation(_note("late-on-late", late, "ملاحظة على الجديد"))
        store.put_feed(Feed(url=LATE_FEED, title="جديدة"))
        store.set_setting("late-setting", 1)


def target(db: Path, kind: str) -> Path:
    """The file of `kind` to damage (the late article's for bodies and highlights)."""
    folder = db.with_name(db.name + ".d")
    if kind == "reader.json":
        return db
    if kind in ("library.json", "feeds.json"):
        return folder / kind
    if kind == "annotations":
        return folder / "annotations" / "early.json"
    if kind == "body":
        library = json.loads((folder / "library.json").read_text(encoding="utf-8"))
        return folder / "bodies" / f"{library['articles']['late']['body']}.json"
    newest = sorted((folder / "backups").iterdir())[-1]
    return newest / "d" / "library.json"


def damage(path: Path, how: str) -> None:
    """Damage `path` the way a failing disk, a crash or a stray program would."""
    raw = path.read_bytes()
    if how == "truncate":
        path.write_bytes(raw[: len(raw) * 2 // 3])
    elif how == "garbage":
        middle = len(raw) // 2
        path.write_bytes(raw[:middle] + os.urandom(24).replace(b'"', b"\xff") + raw[middle + 24 :])
    elif how == "zero length":
        path.write_bytes(b"")
    elif how == "delete":
        path.unlink()
    else:  # valid JSON, but tables written as lists of records
        value = json.loads(raw)
        if isinstance(value, dict):
            value = {
                name: list(table.values()) if isinstance(table, dict) else table
                for name, table in value.items()
            }
        else:
            value = {"rows": value}
        path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")


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


def _readable(store: Store, article_id: str) -> bool:
    try:
        return store.get_article(article_id) is not None
    except StoreError:
        return False


def _titled(store: Store, article_id: str, title: str) -> bool:
    try:
        article = store.get_article(article_id)
    except StoreError:
        return False
    return article is not None and article.title == title


def checks(store: Store) -> dict[str, tuple[Callable[[], bool], tuple[str, ...]]]:
    """Each record: whether it is still there, and words that name it in a message."""
    notes = {a.id for a in store.all_annotations()}
    feeds = {f.url for f in store.list_feeds()}
    return {
        "early article": (
            lambda: _titled(store, "early", EARLY_TITLE),
            (EARLY_TITLE, "(id early)"),
        ),
        "late article": (lambda: _titled(store, "late", LATE_TITLE), (LATE_TITLE, "(id late)")),
        "early highlight": (lambda: "early-note" in notes, ("(id early)",)),
        "late highlight on early": (lambda: "late-on-early" in notes, ("(id early)",)),
        "late highlight on late": (lambda: "late-on-late" in notes, ("(id late)", "ids late")),
        "early feed": (lambda: "https://example.com/early-feed.xml" in feeds, ("early-feed",)),
        "late feed": (lambda: LATE_FEED in feeds, (LATE_FEED,)),
        "early setting": (lambda: store.get_setting("theme") == "dark", ("settings",)),
        "late setting": (lambda: store.get_setting("late-setting") == 1, ("settings",)),
    }


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
            results = {name: (check(), words) for name, (check, words) in checks(store).items()}
    gone = [name for name, (there, _words) in results.items() if not there]
    silent = [name for name in gone if not any(word in said for word in results[name][1])]
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
