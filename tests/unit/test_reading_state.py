"""Reading state: articles are unread until opened; `reader list --unread`, the
JSON's `read`/`read_at`, per-feed unread counts in `reader feed list`, and old records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.loopback import QuietHandler, Serve

from reader.store.database import Store

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "articles"


def _rss(items: list[str]) -> bytes:
    body = "".join(
        f"<item><title>خبر {guid}</title><link>https://example.com/{guid}</link>"
        f"<guid>{guid}</guid><description>نص الخبر {guid}.</description></item>"
        for guid in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>أخبار</title><link>https://example.com/</link>{body}</channel></rss>"
    ).encode()


@pytest.fixture
def feed_url(serve: Serve) -> str:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            items = ["a", "b", "c"] if self.path == "/three" else ["x"]
            self.reply(200, _rss(items), {"Content-Type": "application/rss+xml"})

    return serve(Handler)


def test_list_unread_and_json_state(tmp_path: Path) -> None:
    db = tmp_path / "db" / "reader.json"
    assert (
        run_cli(db, "add", str(FIXTURES / "guide.md"), str(FIXTURES / "solar.html")).returncode == 0
    )
    rows = json.loads(run_cli(db, "list", "--json").stdout)
    assert len(rows) == 2
    assert all(row["read"] is False and row["read_at"] == "" for row in rows)
    first, second = rows
    with Store.open(db) as store:
        assert store.set_read(first["id"])
    rows = {row["id"]: row for row in json.loads(run_cli(db, "list", "--json").stdout)}
    assert rows[first["id"]]["read"] is True and rows[first["id"]]["read_at"].startswith("20")
    assert rows[second["id"]]["read"] is False

    unread = json.loads(run_cli(db, "list", "--unread", "--json").stdout)
    assert [row["id"] for row in unread] == [second["id"]]
    table = run_cli(db, "list", "--unread")
    assert table.returncode == 0 and "Library (1 article, 1 unread)" in table.stdout
    assert second["title"][:10] in table.stdout and first["title"][:10] not in table.stdout
    whole = run_cli(db, "list").stdout
    assert "Library (2 articles, 1 unread)" in whole
    [marked] = [line for line in whole.splitlines() if line.startswith("│ • ")]
    assert second["title"][:10] in marked

    with Store.open(db) as store:
        assert store.set_read(second["id"])
    done = run_cli(db, "list", "--unread")
    assert done.returncode == 0 and done.stdout == "Every article in the library has been read.\n"
    with Store.open(db) as store:
        assert store.set_read(first["id"], read=False)
        assert not store.set_read("no-such-article")
    assert [r["id"] for r in json.loads(run_cli(db, "list", "--unread", "--json").stdout)] == [
        first["id"]
    ]


def test_read_state_is_a_field_update_kept_when_the_article_is_added_again(tmp_path: Path) -> None:
    db = tmp_path / "db" / "reader.json"
    source = tmp_path / "note.txt"
    source.write_text("عنوان\n\nنص المقال الأول.\n", encoding="utf-8")
    assert run_cli(db, "add", str(source)).returncode == 0
    [row] = json.loads(run_cli(db, "list", "--json").stdout)
    with Store.open(db) as store:
        store.set_read(row["id"])
        first_read = store.list_articles()[0].read_at
        store.set_read(row["id"])  # again: the first read time stays
        assert store.list_articles()[0].read_at == first_read
    source.write_text("عنوان\n\nنص المقال بعد التعديل.\n", encoding="utf-8")
    added = run_cli(db, "add", str(source))
    assert added.returncode == 0 and "updated 1" in added.stdout
    [row] = json.loads(run_cli(db, "list", "--json").stdout)
    assert row["read"] is True and row["read_at"] == first_read


def test_records_from_before_reading_state_read_as_unread(tmp_path: Path) -> None:
    db = tmp_path / "db" / "reader.json"
    assert run_cli(db, "add", str(FIXTURES / "guide.md")).returncode == 0
    library = db.parent / "reader.json.d" / "library.json"
    data = json.loads(library.read_text(encoding="utf-8"))
    for doc in data["articles"].values():
        assert doc.pop("read_at") == ""  # an old record: no such field at all
    library.write_text(json.dumps(data), encoding="utf-8")
    listed = run_cli(db, "list", "--json")
    assert listed.stderr == ""
    [row] = json.loads(listed.stdout)
    assert row["read"] is False
    with Store.open(db) as store:
        assert store.set_read(row["id"])
    [row] = json.loads(run_cli(db, "list", "--json").stdout)
    assert row["read"] is True


def test_feed_list_counts_unread_articles_per_feed(tmp_path: Path, feed_url: str) -> None:
    db = tmp_path / "db" / "reader.json"
    three, one = f"{feed_url}/three", f"{feed_url}/one"
    assert run_cli(db, "feed", "add", three).returncode == 0
    assert run_cli(db, "feed", "add", one).returncode == 0
    feeds = {
        f["url"]: f["unread"] for f in json.loads(run_cli(db, "feed", "list", "--json").stdout)
    }
    assert feeds == {three: 3, one: 1}
    with Store.open(db) as store:
        [from_three] = [s for s in store.list_articles() if s.title == "خبر b"]
        store.set_read(from_three.id)
    feeds = {
        f["url"]: f["unread"] for f in json.loads(run_cli(db, "feed", "list", "--json").stdout)
    }
    assert feeds == {three: 2, one: 1}
    table = run_cli(db, "feed", "list").stdout.splitlines()
    assert "Unread" in table[1]
    [row] = [line for line in table if line.endswith(three)]
    column = table[1].index("Unread")
    assert row[column : column + len("Unread")].strip() == "2"
