"""The database damage matrix, shared by tests/unit/test_store_damage.py (which asserts on every
cell) and benchmarks/bench_faults.py (which prints the whole table): one database with records
from before and after a backup, each kind of file in its folder, each way of damaging it, and
for each record whether it is still there and the words that would name it in a message."""

from __future__ import annotations

import json
from pathlib import Path

from reader.models import Annotation, Article, Block, Feed, text_hash
from reader.store.database import Store, StoreError

FILES = ("reader.json", "library.json", "feeds.json", "annotations", "body", "backup")
DAMAGES = ("truncate", "garbage", "zero length", "delete", "wrong shape")

EARLY_TITLE = "مقال قديم عن الاقتصاد"
LATE_TITLE = "مقال جديد عن الطاقة الشمسية"
LATE_FEED = "https://example.com/late-feed.xml"
EARLY_FEED = "https://example.com/early-feed.xml"

# Each record `build` writes, and the words that name it when a message says it was lost.
NAMED: dict[str, tuple[str, ...]] = {
    "early article": (EARLY_TITLE, "(id early)"),
    "late article": (LATE_TITLE, "(id late)"),
    "early highlight": ("(id early)",),
    "late highlight on early": ("(id early)",),
    "late highlight on late": ("(id late)", "ids late"),
    "early feed": (EARLY_FEED,),
    "late feed": (LATE_FEED,),
    "early setting": ("settings",),
    "late setting": ("settings",),
}


def article(article_id: str, title: str, text: str, feed_url: str = "") -> Article:
    """A one-paragraph article."""
    return Article(
        id=article_id,
        title=title,
        source=f"https://example.com/{article_id}",
        blocks=[Block("paragraph", text)],
        published="2026-01-01",
        feed_url=feed_url,
    )


def note(note_id: str, on: Article) -> Annotation:
    """A highlight with a note on the first three characters of `on`."""
    return Annotation(
        id=note_id,
        article_id=on.id,
        start=0,
        end=3,
        quote=on.text[:3],
        note=f"ملاحظة {note_id}",
        text_hash=text_hash(on.text),
    )


def build(db: Path) -> None:
    """Early records, a backup, then late records that no backup has."""
    with Store.open(db) as store:
        early = article("early", EARLY_TITLE, "نص المقال القديم " * 20)
        store.put_article(early)
        store.add_annotation(note("early-note", early))
        store.put_feed(Feed(url=EARLY_FEED, title="قديمة"))
        store.set_setting("theme", "dark")
        store.make_backup()
        late = article("late", LATE_TITLE, "نص المقال الجديد " * 20, LATE_FEED)
        store.put_article(late)
        store.add_annotation(note("late-on-early", early))
        store.add_annotation(note("late-on-late", late))
        store.put_feed(Feed(url=LATE_FEED, title="جديدة"))
        store.set_setting("late-setting", 1)


def target(db: Path, kind: str) -> Path:
    """The file of `kind` (one of FILES) to damage: the early article's highlights, the late
    article's body, the newest backup's library."""
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
    if kind == "backup":
        return sorted((folder / "backups").iterdir())[-1] / "d" / "library.json"
    raise ValueError(f"no such kind of file: {kind}")


def damage(path: Path, how: str) -> None:
    """Damage `path` one way (one of DAMAGES), as a failing disk, a crash or a stray program
    would. The same bytes every run, so a verdict does not change between runs."""
    raw = path.read_bytes()
    if how == "truncate":
        path.write_bytes(raw[: len(raw) * 2 // 3])
    elif how == "garbage":
        middle = len(raw) // 2
        path.write_bytes(raw[:middle] + b"\xff\x00\xfe" * 8 + raw[middle + 24 :])
    elif how == "zero length":
        path.write_bytes(b"")
    elif how == "delete":
        path.unlink()
    elif how == "wrong shape":  # valid JSON whose tables are lists of records
        value = json.loads(raw)
        if isinstance(value, dict):
            value = {k: list(v.values()) if isinstance(v, dict) else v for k, v in value.items()}
        else:
            value = {"rows": value}
        path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    else:
        raise ValueError(f"no such damage: {how}")


def _titled(store: Store, article_id: str, title: str) -> bool:
    try:
        found = store.get_article(article_id)
    except StoreError:
        return False
    return found is not None and found.title == title


def survivors(store: Store) -> dict[str, bool]:
    """For each record `build` wrote (the keys of NAMED): whether `store` still has it."""
    notes = {a.id for a in store.all_annotations()}
    feeds = {f.url for f in store.list_feeds()}
    return {
        "early article": _titled(store, "early", EARLY_TITLE),
        "late article": _titled(store, "late", LATE_TITLE),
        "early highlight": "early-note" in notes,
        "late highlight on early": "late-on-early" in notes,
        "late highlight on late": "late-on-late" in notes,
        "early feed": EARLY_FEED in feeds,
        "late feed": LATE_FEED in feeds,
        "early setting": store.get_setting("theme") == "dark",
        "late setting": store.get_setting("late-setting") == 1,
    }


def lost_silently(survived: dict[str, bool], said: str) -> list[str]:
    """The records that are gone and that no word in `said` names."""
    return [
        name
        for name, there in survived.items()
        if not there and not any(word in said for word in NAMED[name])
    ]
