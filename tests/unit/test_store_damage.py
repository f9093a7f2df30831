"""Damage inside the database folder, through the command line: every kind of file damaged
every way is found at open, told on stderr, kept, and what it still holds merged back;
records with fields of the wrong type are set aside and the rest of the library works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.loopback import QuietHandler, Serve

from reader.models import Annotation, Article, Block, Feed
from reader.notes.anchors import text_hash
from reader.store.database import Store, StoreError

EARLY_TITLE = "مقال قديم عن الاقتصاد"
LATE_TITLE = "مقال جديد عن الطاقة الشمسية"
LATE_FEED = "https://example.com/late-feed.xml"
EARLY_FEED = "https://example.com/early-feed.xml"


def run_cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "READER_DB": str(db), "COLUMNS": "120", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def _article(article_id: str, title: str, text: str, feed_url: str = "") -> Article:
    return Article(
        id=article_id,
        title=title,
        source=f"https://example.com/{article_id}",
        blocks=[Block("paragraph", text)],
        published="2026-01-01",
        feed_url=feed_url,
    )


def _note(note_id: str, article: Article) -> Annotation:
    return Annotation(
        id=note_id,
        article_id=article.id,
        start=0,
        end=3,
        quote=article.text[:3],
        note=f"ملاحظة {note_id}",
        text_hash=text_hash(article.text),
    )


def _build(db: Path) -> None:
    """Early records, a backup, then late records that no backup has."""
    with Store.open(db) as store:
        early = _article("early", EARLY_TITLE, "نص المقال القديم " * 20)
        store.put_article(early)
        store.add_annotation(_note("early-note", early))
        store.put_feed(Feed(url=EARLY_FEED, title="قديمة"))
        store.set_setting("theme", "dark")
        store.make_backup()
        late = _article("late", LATE_TITLE, "نص المقال الجديد " * 20, LATE_FEED)
        store.put_article(late)
        store.add_annotation(_note("late-on-early", early))
        store.add_annotation(_note("late-on-late", late))
        store.put_feed(Feed(url=LATE_FEED, title="جديدة"))
        store.set_setting("late-setting", 1)


def _target(db: Path, kind: str) -> Path:
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
    return sorted((folder / "backups").iterdir())[-1] / "d" / "library.json"


def _damage(path: Path, how: str) -> None:
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
    else:  # valid JSON whose tables are lists of records
        value = json.loads(raw)
        if isinstance(value, dict):
            value = {k: list(v.values()) if isinstance(v, dict) else v for k, v in value.items()}
        else:
            value = {"rows": value}
        path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")


def _titled(store: Store, article_id: str, title: str) -> bool:
    try:
        article = store.get_article(article_id)
    except StoreError:
        return False
    return article is not None and article.title == title


@pytest.mark.parametrize("how", ["truncate", "garbage", "zero length", "delete", "wrong shape"])
@pytest.mark.parametrize(
    "kind", ["reader.json", "library.json", "feeds.json", "annotations", "body", "backup"]
)
def test_every_late_record_survives_or_is_named(tmp_path: Path, kind: str, how: str) -> None:
    db = tmp_path / "reader.json"
    _build(db)
    target = _target(db, kind)
    before = target.read_bytes()
    _damage(target, how)
    listed = run_cli(db, "list", "--json")
    exported = run_cli(db, "export", "--all", "--format", "json", "-o", "-")
    said = listed.stderr + exported.stderr
    assert "Traceback" not in said
    assert listed.returncode == 0, said
    assert {row["id"] for row in json.loads(listed.stdout)} >= {"early"}
    if kind not in ("body", "backup"):
        assert str(target) in said, "the damaged file is named on stderr"
        kept = list(target.parent.glob(f"{target.name}.corrupt-*"))
        if how == "delete":
            assert kept == []
        else:
            assert len(kept) == 1 and kept[0].read_bytes() != before
        for line in said.splitlines():
            assert line.startswith("reader: ") and line.endswith(".")
    with Store.open(db) as store:
        notes = {a.id for a in store.all_annotations()}
        feeds = {f.url for f in store.list_feeds()}
        survived = {
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
    named = {
        "early article": "(id early)",
        "late article": "(id late)",
        "early highlight": "(id early)",
        "late highlight on early": "(id early)",
        "late highlight on late": "(id late)",
        "early feed": EARLY_FEED,
        "late feed": LATE_FEED,
        "early setting": "settings",
        "late setting": "settings",
    }
    silent = [name for name, ok in survived.items() if not ok and named[name] not in said]
    assert silent == [], f"lost without a word: {silent}; stderr: {said}"
    assert survived["early article"] and survived["early highlight"]
    if kind == "backup" or (how == "wrong shape" and kind not in ("reader.json", "body")):
        assert all(survived.values()), survived


def test_a_salvaged_article_and_its_highlights_come_back_after_the_backup(
    tmp_path: Path,
) -> None:
    db = tmp_path / "reader.json"
    _build(db)
    library = _target(db, "library.json")
    raw = library.read_bytes()
    assert raw.endswith(b"}}}")
    library.write_bytes(raw[:-2])  # cut just after the last record
    listed = run_cli(db, "list", "--json")
    rows = {row["id"]: row for row in json.loads(listed.stdout)}
    assert rows["late"]["title"] == LATE_TITLE
    assert rows["late"]["highlights"] == 1 and rows["early"]["highlights"] == 2
    assert "merged back" in listed.stderr


@pytest.fixture
def feed_server(serve: Serve) -> str:
    """A loopback server answering every path with a one-item RSS feed."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>أخبار</title>'
        "<item><title>خبر جديد</title><link>https://example.com/n1</link><guid>n1</guid>"
        "<description>نص الخبر الجديد.</description></item></channel></rss>"
    ).encode()

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            self.reply(200, body, {"Content-Type": "application/rss+xml"})

    return f"{serve(Handler)}/feed.xml"


def _retype(db: Path, name: str, table: str, key: str, **fields: object) -> None:
    path = db.with_name(db.name + ".d") / name
    data = json.loads(path.read_text(encoding="utf-8"))
    data[table][key].update(fields)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize(
    "command",
    [
        ("list",),
        ("list", "--json"),
        ("export", "--all", "--format", "json", "-o", "-"),
        ("export", "--all", "-o", "-"),
        ("feed", "list"),
        ("feed", "list", "--json"),
        ("refresh",),
    ],
    ids=" ".join,
)
def test_records_with_wrong_field_types_are_set_aside(
    tmp_path: Path, feed_server: str, command: tuple[str, ...]
) -> None:
    db = tmp_path / "reader.json"
    with Store.open(db) as store:
        good = _article("good", "مقال سليم", "نص سليم " * 10)
        bad = _article("bad", "مقال معطوب", "نص معطوب " * 10)
        store.put_articles([good, bad])
        store.add_annotation(_note("n-good", good))
        store.add_annotation(_note("n-bad", good))
        store.put_feed(Feed(url=feed_server, title="أخبار"))
        store.put_feed(Feed(url="https://example.com/bad.xml", title="معطوبة"))
    _retype(db, "library.json", "articles", "bad", title=None, published=5)
    _retype(db, "feeds.json", "feeds", "https://example.com/bad.xml", title=5, seen=None)
    _retype(db, "annotations/good.json", "annotations", "n-bad", start="x", tags=[1])
    result = run_cli(db, *command)
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    told = result.stderr.splitlines()
    assert any("title is null" in line and "set aside" in line for line in told), told
    assert any("seen is null" in line or "title is the number 5" in line for line in told)
    if command[0] == "export":
        assert "ملاحظة n-good" in result.stdout and "ملاحظة n-bad" not in result.stdout
        assert any("start is text" in line for line in told), told
    if command[0] == "list":
        assert "مقال سليم" in result.stdout and "معطوب" not in result.stdout
    if command == ("feed", "list", "--json"):
        assert [row["url"] for row in json.loads(result.stdout)] == [feed_server]
    if command == ("refresh",):
        assert "1 new article" in result.stdout
    aside = json.loads((db.with_name(db.name + ".d") / "set-aside.json").read_text("utf-8"))
    assert aside["library.json:articles"]["bad"]["title"] is None
    assert aside["feeds.json:feeds"]["https://example.com/bad.xml"]["title"] == 5
    again = run_cli(db, *command)
    assert again.returncode == 0 and "wrong type" not in again.stderr


def test_rotation_keeps_bodies_named_by_set_aside_and_damaged_copies(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    folder = db.with_name(db.name + ".d")
    with Store.open(db) as store:
        store.put_articles(
            [_article(f"a{i}", f"مقال {i}", f"نص المقال رقم {i} " * 10) for i in range(3)]
        )
    _retype(db, "library.json", "articles", "a0", title=None)
    assert run_cli(db, "list").returncode == 0  # a0 is set aside
    library = folder / "library.json"
    (folder / "library.json.corrupt-20260101-000000").write_bytes(library.read_bytes())
    data = json.loads(library.read_text("utf-8"))
    del data["articles"]["a1"]  # a1 now lives only in the damaged copy kept aside
    library.write_text(json.dumps(data), encoding="utf-8")
    bodies = sorted(p.name for p in (folder / "bodies").iterdir())
    assert len(bodies) == 3
    for _round in range(Store.backups_kept + 2):
        _age_backups(folder)
        assert run_cli(db, "list").returncode == 0
    assert sorted(p.name for p in (folder / "bodies").iterdir()) == bodies


def _age_backups(folder: Path) -> None:
    """Rename every backup as if made in 2000, oldest first, so the next open makes one."""
    for backup in (folder / "backups").iterdir():
        if not backup.name.startswith("2000"):
            backup.rename(backup.with_name("2000" + backup.name[4:]))


def test_a_damaged_backup_copy_is_told_and_not_linked_into_the_next_backup(
    tmp_path: Path,
) -> None:
    db = tmp_path / "reader.json"
    folder = db.with_name(db.name + ".d")
    _build(db)
    with Store.open(db) as store:
        store.make_backup()  # the library copy in it is what the next backup would link
    newest = sorted((folder / "backups").iterdir())[-1]
    copy = newest / "d" / "library.json"
    copy.write_bytes(copy.read_bytes()[:20])
    _age_backups(folder)
    listed = run_cli(db, "list", "--json")
    assert listed.returncode == 0
    assert "The backup copy" in listed.stderr and "library.json" in listed.stderr
    fresh = sorted((folder / "backups").iterdir())[-1]
    assert not fresh.name.startswith("2000")
    assert json.loads((fresh / "d" / "library.json").read_text("utf-8"))["articles"]["late"]
    (folder / "library.json").write_bytes(b"")
    again = run_cli(db, "list", "--json")
    assert {row["title"] for row in json.loads(again.stdout)} == {EARLY_TITLE, LATE_TITLE}


def test_a_rebuilt_article_is_titled_by_its_first_line_with_words(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    with Store.open(db) as store:
        store.put_article(
            Article(
                id="x",
                title="عنوان",
                source="s",
                blocks=[Block("paragraph", "---"), Block("paragraph", "السطر الأول بالكلمات")],
            )
        )
    (db.with_name(db.name + ".d") / "library.json").write_bytes(b"")
    rows = json.loads(run_cli(db, "list", "--json").stdout)
    assert [row["title"] for row in rows] == ["السطر الأول بالكلمات"]
