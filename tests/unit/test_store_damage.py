"""Damage inside the database folder, through the command line: every kind of file damaged
every way is found at open, told on stderr, kept, and what it still holds merged back;
records with fields of the wrong type are set aside and the rest of the library works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.damage import (
    DAMAGES,
    EARLY_TITLE,
    FILES,
    LATE_TITLE,
    article,
    build,
    damage,
    lost_silently,
    note,
    survivors,
    target,
)
from helpers.loopback import QuietHandler, Serve

from reader.models import Article, Block, Feed
from reader.store.database import Store


@pytest.mark.parametrize("how", DAMAGES)
@pytest.mark.parametrize("kind", FILES)
def test_every_late_record_survives_or_is_named(tmp_path: Path, kind: str, how: str) -> None:
    db = tmp_path / "reader.json"
    build(db)
    damaged = target(db, kind)
    before = damaged.read_bytes()
    damage(damaged, how)
    listed = run_cli(db, "list", "--json")
    exported = run_cli(db, "export", "--all", "--format", "json", "-o", "-")
    said = listed.stderr + exported.stderr
    assert "Traceback" not in said
    assert listed.returncode == 0, said
    assert {row["id"] for row in json.loads(listed.stdout)} >= {"early"}
    if kind not in ("body", "backup"):
        assert str(damaged) in said, "the damaged file is named on stderr"
        kept = list(damaged.parent.glob(f"{damaged.name}.corrupt-*"))
        if how == "delete":
            assert kept == []
        else:
            assert len(kept) == 1 and kept[0].read_bytes() != before
        for line in said.splitlines():
            assert line.startswith("reader: ") and line.endswith(".")
    with Store.open(db) as store:
        survived = survivors(store)
    silent = lost_silently(survived, said)
    assert silent == [], f"lost without a word: {silent}; stderr: {said}"
    assert survived["early article"] and survived["early highlight"]
    if kind == "backup" or (how == "wrong shape" and kind not in ("reader.json", "body")):
        assert all(survived.values()), survived


def test_a_salvaged_article_and_its_highlights_come_back_after_the_backup(
    tmp_path: Path,
) -> None:
    db = tmp_path / "reader.json"
    build(db)
    library = target(db, "library.json")
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
        good = article("good", "مقال سليم", "نص سليم " * 10)
        bad = article("bad", "مقال معطوب", "نص معطوب " * 10)
        store.put_articles([good, bad])
        store.add_annotation(note("n-good", good))
        store.add_annotation(note("n-bad", good))
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
            [article(f"a{i}", f"مقال {i}", f"نص المقال رقم {i} " * 10) for i in range(3)]
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
    build(db)
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
