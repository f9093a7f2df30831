"""The library managed: `reader remove`, `reader archive`/`unarchive`, `reader list
--archived/--all`, undo of a removal (the store's remove/restore), and one article for a story
that arrives twice (another address of a page, a saved page and its feed entry, two feeds)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.loopback import QuietHandler, Serve

from reader.ingest.library import (
    add_feed,
    add_targets,
    refresh_feeds,
    remove_articles,
    restore_articles,
)
from reader.ingest.urls import canonical_url
from reader.notes.anchors import make_annotation
from reader.search import search
from reader.store.database import Store

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "articles"
GUIDE_WORD = "السريعة"
"""A word of guide.md's title."""


def listed(db: Path, *flags: str) -> dict[str, dict[str, object]]:
    result = run_cli(db, "list", "--json", *flags)
    assert result.returncode == 0, result.stderr
    return {row["id"]: row for row in json.loads(result.stdout)}


def one_sentence(text: str) -> str:
    line = text.strip()
    assert "\n" not in line and "Traceback" not in line and line.endswith("."), text
    return line


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "db" / "reader.json"
    done = run_cli(path, "add", str(FIXTURES / "guide.md"), str(FIXTURES / "solar.html"))
    assert done.returncode == 0, done.stderr
    return path


def guide_id(db: Path) -> str:
    return next(i for i, row in listed(db).items() if GUIDE_WORD in str(row["title"]))


# ------------------------------------------------------------------ archive


def test_archive_hides_from_list_keeps_searchable_and_unarchive_brings_back(db: Path) -> None:
    guide = guide_id(db)
    done = run_cli(db, "archive", guide[:6])  # a unique prefix names it
    assert done.returncode == 0, done.stderr
    assert "Archived" in done.stdout
    assert guide not in listed(db)
    assert set(listed(db, "--archived")) == {guide}
    every = listed(db, "--all")
    assert len(every) == 2
    assert every[guide]["archived"] is True and every[guide]["archived_at"]
    assert all(row["archived"] is False for key, row in every.items() if key != guide)
    table = run_cli(db, "list", "--archived").stdout
    assert "1 article" in table

    found = run_cli(db, "search", GUIDE_WORD, "--json")
    assert found.returncode == 0, found.stderr
    rows = json.loads(found.stdout)
    assert [row["id"] for row in rows] == [guide] and rows[0]["archived"] is True
    assert "archived" in run_cli(db, "search", GUIDE_WORD).stdout

    assert run_cli(db, "archive", "--undo", guide).returncode == 0
    assert guide in listed(db)
    assert run_cli(db, "archive", guide).returncode == 0
    assert run_cli(db, "unarchive", guide).returncode == 0
    assert not listed(db)[guide]["archived"]


def test_list_table_shows_the_id_start_that_archive_takes(db: Path) -> None:
    guide = guide_id(db)
    table = run_cli(db, "list").stdout
    row = next(line for line in table.splitlines() if guide[:8] in line)
    assert row.rstrip().endswith(f"│ {guide[:8]} │")
    assert run_cli(db, "archive", guide[:8]).returncode == 0
    assert set(listed(db, "--archived")) == {guide}


def test_archived_article_added_again_stays_archived(db: Path) -> None:
    guide = guide_id(db)
    assert run_cli(db, "archive", guide).returncode == 0
    assert run_cli(db, "add", str(FIXTURES / "guide.md")).returncode == 0
    assert set(listed(db, "--archived")) == {guide}


def test_every_article_archived_says_so(db: Path) -> None:
    assert run_cli(db, "archive", *listed(db)).returncode == 0
    shown = run_cli(db, "list").stdout
    assert "Every article in the library is archived (2)" in shown


# ------------------------------------------------------------------ remove


def annotate(db: Path, article_id: str, notes: tuple[str, ...]) -> None:
    with Store.open(db) as store:
        article = store.get_article(article_id)
        assert article is not None
        for index, note in enumerate(notes):
            start = 10 * index
            store.add_annotation(make_annotation(article, start, start + 5, note=note))


def index_ids(db: Path) -> set[str]:
    connection = sqlite3.connect(db.parent / "reader.json.d" / "search.sqlite")
    try:
        return {row[0] for row in connection.execute("SELECT id FROM articles")}
    finally:
        connection.close()


def test_remove_with_notes_refuses_on_a_pipe_and_yes_removes_everything(db: Path) -> None:
    guide = guide_id(db)
    annotate(db, guide, ("ملاحظة أولى", "", "ملاحظة ثالثة"))
    assert run_cli(db, "search", GUIDE_WORD).returncode == 0  # the index holds it
    assert guide in index_ids(db)

    refused = run_cli(db, "remove", guide)
    assert refused.returncode == 1
    sentence = one_sentence(refused.stderr)
    assert "3 highlights (2 notes)" in sentence and "--yes" in sentence
    assert guide in listed(db)

    done = run_cli(db, "remove", "--yes", guide)
    assert done.returncode == 0, done.stderr
    assert "and 3 highlights" in done.stdout
    assert guide not in listed(db, "--all")
    with Store.open(db) as store:
        assert store.annotations_for(guide) == []
    assert guide not in index_ids(db)  # the index rows go with it, no search needed
    assert run_cli(db, "search", GUIDE_WORD).returncode == 1


def test_remove_without_notes_asks_nothing(db: Path) -> None:
    """The question is asked only on a terminal; a pipe gets the refusal (above). Here the
    article has no notes: nothing to ask, it goes."""
    solar = next(i for i in listed(db) if i != guide_id(db))
    done = run_cli(db, "remove", solar)
    assert done.returncode == 0, done.stderr
    assert set(listed(db)) == {guide_id(db)}


def test_remove_names_unknown_and_ambiguous_ids_in_one_sentence(db: Path) -> None:
    unknown = run_cli(db, "remove", "zzzzzzzz")
    assert unknown.returncode == 1
    assert "no article with id zzzzzzzz" in one_sentence(unknown.stderr)
    short = run_cli(db, "remove", guide_id(db)[:2])  # too short to be taken as a prefix
    assert short.returncode == 1
    one_sentence(short.stderr)
    assert len(listed(db)) == 2


def test_ambiguous_prefix_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "reader.json"
    with Store.open(path) as store:
        from reader.models import Article, Block

        for suffix in ("1", "2"):
            store.put_article(
                Article(f"abcd00000000000{suffix}", suffix, suffix, [Block("paragraph", suffix)])
            )
    result = run_cli(path, "archive", "abcd")
    assert result.returncode == 1
    assert "start of 2 article ids" in one_sentence(result.stderr)


def test_undo_of_a_removal_restores_notes_state_body_and_search(tmp_path: Path) -> None:
    with Store.open(tmp_path / "reader.json") as store:
        report = add_targets(store, [str(FIXTURES / "guide.md")])
        guide = report.added[0]
        store.add_annotation(make_annotation(guide, 0, 5, note="ملاحظة"))
        store.set_read(guide.id)
        store.set_archived([guide.id])
        before = store.list_articles()
        text = guide.text

        removed = remove_articles(store, [guide.id])
        assert store.list_articles() == [] and store.annotations_for(guide.id) == []
        assert search(store, GUIDE_WORD) == []

        restore_articles(store, removed)
        assert store.list_articles() == before  # read, archived, added, highlights count
        back = store.get_article(guide.id)
        assert back is not None and back.text == text
        assert [a.note for a in store.annotations_for(guide.id)] == ["ملاحظة"]
        assert [r.article_id for r in search(store, "ملاحظة")] == [guide.id]


# ------------------------------------------------------------------ one article per story


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "HTTPS://News.Example:443/a/b/?utm_source=rss&utm_medium=x#top",
            "https://news.example/a/b",
        ),
        ("http://news.example/a/b?fbclid=1&gclid=2&id=7", "https://news.example/a/b?id=7"),
        ("https://news.example:8443/a?b=2&a=1", "https://news.example:8443/a?a=1&b=2"),
        ("http://news.example:80/", "https://news.example"),
        ("/home/me/page.html", ""),
        ("tag:news.example,2024:1", ""),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


PARAGRAPH = (
    "أعلنت وزارة الطاقة اليوم عن افتتاح أكبر محطة للطاقة الشمسية في المنطقة، "
    "وقالت إن المحطة ستزود أكثر من مئة ألف منزل بالكهرباء النظيفة خلال العام المقبل. "
    "وأضاف المتحدث باسم الوزارة أن المشروع جزء من خطة وطنية لخفض الانبعاثات."
)


def page(title: str, canonical: str = "", extra: str = "") -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f'<html lang="ar"><head><title>{title}</title>{link}</head><body><article>'
        f"<h1>{title}</h1><p>{PARAGRAPH}</p><p>{PARAGRAPH} {extra}</p>"
        "</article></body></html>"
    ).encode()


def rss(title: str, items: list[tuple[str, str, str]]) -> bytes:
    """(guid, link, description) items."""
    body = "".join(
        f"<item><title>محطة الطاقة</title><link>{link.replace('&', '&amp;')}</link>"
        f"<guid>{guid}</guid><description>{text}</description></item>"
        for guid, link, text in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.com/</link>{body}</channel></rss>"
    ).encode()


def serve_routes(serve: Serve, routes: dict[str, tuple[bytes, str]]) -> str:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0].rstrip("/") or "/"
            found = routes.get(path)
            if found is None:
                self.reply(404, b"missing")
                return
            self.reply(200, found[0], {"Content-Type": found[1]})

    return serve(Handler)


HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml"


def test_same_page_at_two_addresses_is_one_article(tmp_path: Path, serve: Serve) -> None:
    routes: dict[str, tuple[bytes, str]] = {}
    base = serve_routes(serve, routes)
    routes["/story"] = (page("محطة الطاقة"), HTML)
    # The AMP copy has other words (an extra line) but names the story as its canonical page.
    routes["/amp/story"] = (page("محطة الطاقة", f"{base}/story", "نسخة مختصرة."), HTML)
    with Store.open(tmp_path / "reader.json") as store:
        first = add_targets(store, [f"{base}/story?utm_source=twitter&utm_medium=social"])
        assert len(first.added) == 1
        original = first.added[0]
        store.add_annotation(make_annotation(original, 0, 4, note="ملاحظتي"))

        again = add_targets(store, [f"{base}/story/?fbclid=abc#comments"])
        assert again.added == [] and again.updated == []
        assert [d.existing_id for d in again.duplicates] == [original.id]
        assert "already in the library as 'محطة الطاقة'" in again.duplicates[0].sentence()

        amp = add_targets(store, [f"{base}/amp/story"])
        assert amp.added == [] and [d.existing_id for d in amp.duplicates] == [original.id]
        assert [s.id for s in store.list_articles()] == [original.id]
        assert [a.note for a in store.annotations_for(original.id)] == ["ملاحظتي"]


def test_cli_says_already_in_the_library(tmp_path: Path, serve: Serve) -> None:
    routes = {"/story": (page("محطة الطاقة"), HTML)}
    base = serve_routes(serve, routes)
    db = tmp_path / "reader.json"
    assert run_cli(db, "add", f"{base}/story").returncode == 0
    again = run_cli(db, "add", f"{base}/story?utm_campaign=x")
    assert again.returncode == 0, again.stderr
    assert "Added 0 articles, 1 already in the library." in again.stdout
    assert "is already in the library as 'محطة الطاقة'" in again.stdout
    assert len(listed(db)) == 1


def test_feed_entry_for_a_saved_page_is_not_a_second_article(tmp_path: Path, serve: Serve) -> None:
    routes: dict[str, tuple[bytes, str]] = {}
    base = serve_routes(serve, routes)
    saved = tmp_path / "saved-page.html"
    saved.write_bytes(page("محطة الطاقة", f"{base}/news/solar"))
    teaser = "أعلنت وزارة الطاقة عن افتتاح محطة جديدة."
    routes["/feed"] = (
        rss("أخبار", [("solar-1", f"{base}/news/solar?utm_source=rss", teaser)]),
        RSS,
    )
    with Store.open(tmp_path / "reader.json") as store:
        file_article = add_targets(store, [str(saved)]).added[0]
        store.add_annotation(make_annotation(file_article, 0, 4, note="من الملف"))
        text = file_article.text

        _feed, report = add_feed(store, f"{base}/feed")
        assert report.added == []
        assert [d.existing_id for d in report.duplicates] == [file_article.id]
        assert [s.id for s in store.list_articles()] == [file_article.id]
        kept = store.get_article(file_article.id)
        assert kept is not None and kept.text == text
        assert [a.note for a in store.annotations_for(file_article.id)] == ["من الملف"]


def test_two_feeds_carrying_one_story(tmp_path: Path, serve: Serve) -> None:
    routes: dict[str, tuple[bytes, str]] = {}
    base = serve_routes(serve, routes)
    text = "أعلنت وزارة الطاقة عن افتتاح محطة جديدة."
    routes["/a.xml"] = (rss("الأولى", [("1", f"{base}/s?utm_source=a", text)]), RSS)
    routes["/b.xml"] = (rss("الثانية", [("b-7", f"{base}/s/", text)]), RSS)
    with Store.open(tmp_path / "reader.json") as store:
        _a, first = add_feed(store, f"{base}/a.xml")
        assert len(first.added) == 1
        story = first.added[0]
        store.add_annotation(make_annotation(story, 0, 4, note="أول"))
        _b, second = add_feed(store, f"{base}/b.xml")
        assert second.added == [] and [d.existing_id for d in second.duplicates] == [story.id]
        refreshed = refresh_feeds(store)
        assert [r.new for r in refreshed.results] == [0, 0]
        assert [s.id for s in store.list_articles()] == [story.id]
        saved = store.get_article(story.id)
        assert saved is not None and saved.feed_url == f"{base}/a.xml"
        assert [a.note for a in store.annotations_for(story.id)] == ["أول"]


def test_two_feeds_in_one_refresh_report_the_known_story(tmp_path: Path, serve: Serve) -> None:
    routes: dict[str, tuple[bytes, str]] = {}
    base = serve_routes(serve, routes)
    routes["/a.xml"] = (rss("الأولى", []), RSS)
    routes["/b.xml"] = (rss("الثانية", []), RSS)
    db = tmp_path / "reader.json"
    assert run_cli(db, "feed", "add", f"{base}/a.xml").returncode == 0
    assert run_cli(db, "feed", "add", f"{base}/b.xml").returncode == 0
    text = "أعلنت وزارة الطاقة عن افتتاح محطة جديدة."
    routes["/a.xml"] = (rss("الأولى", [("1", f"{base}/s?utm_source=a", text)]), RSS)
    routes["/b.xml"] = (rss("الثانية", [("b-7", f"{base}/s", text)]), RSS)
    done = run_cli(db, "refresh")
    assert done.returncode == 0, done.stderr
    assert "2 new articles" not in done.stdout
    assert "1 already in the library" in done.stdout
    assert len(listed(db)) == 1


def test_a_feed_entry_never_replaces_the_page_it_links(tmp_path: Path, serve: Serve) -> None:
    """`reader add URL` saved the full page; a feed whose entry id is that URL (so the same
    article id) carries only a teaser: the page's text and notes stay."""
    routes: dict[str, tuple[bytes, str]] = {}
    base = serve_routes(serve, routes)
    routes["/news/solar"] = (page("محطة الطاقة"), HTML)
    teaser = "أعلنت وزارة الطاقة عن افتتاح محطة جديدة."
    with Store.open(tmp_path / "reader.json") as store:
        full = add_targets(store, [f"{base}/news/solar"]).added[0]
        store.add_annotation(make_annotation(full, 0, 4, note="على النص الكامل"))
        link = f"{base}/news/solar"
        routes["/feed"] = (rss("أخبار", [(link, link, teaser)]), RSS)
        _feed, report = add_feed(store, f"{base}/feed")
        assert report.updated == [] and [d.existing_id for d in report.duplicates] == [full.id]
        kept = store.get_article(full.id)
        assert kept is not None and kept.text == full.text and teaser not in kept.text
        [note] = store.annotations_for(full.id)
        assert note.note == "على النص الكامل" and not note.orphan


def _remove_on_a_terminal(db: Path, article_id: str, answer: str) -> str:
    """`reader remove ID` on a pseudo-terminal, answering its question; what it printed."""
    import select

    master, slave = os.openpty()
    env = {**os.environ, "READER_DB": str(db), "COLUMNS": "120", "NO_COLOR": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "reader", "remove", article_id],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    seen = b""
    try:
        while b"[y/N]" not in seen:
            ready, _, _ = select.select([master], [], [], 60)
            assert ready, f"no question on the terminal: {seen!r}"
            seen += os.read(master, 4096)
        os.write(master, f"{answer}\n".encode())
        assert process.wait(timeout=60) == (0 if answer == "y" else 1)
        while select.select([master], [], [], 0.5)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the other end closed
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    return seen.decode("utf-8", "replace")


def test_remove_asks_on_a_terminal(db: Path) -> None:
    guide = guide_id(db)
    annotate(db, guide, ("ملاحظة",))
    said = _remove_on_a_terminal(db, guide, "n")
    assert "has 1 highlight (1 note)" in said and "Nothing was removed." in said
    assert guide in listed(db)
    said = _remove_on_a_terminal(db, guide, "y")
    assert "and 1 highlight." in said
    assert guide not in listed(db, "--all")


def test_feed_list_counts_unread_articles_left_in_the_list_and_says_the_last_error(
    tmp_path: Path,
) -> None:
    """An archived article is out of the reader's list, so its feed's unread count leaves it
    out; the JSON says why the feed's last refresh failed."""
    from reader.models import Article, Block, Feed

    db = tmp_path / "feeds.json"
    url = "https://news.example/feed.xml"
    with Store.open(db) as store:
        store.put_feed(Feed(url=url, title="أخبار", last_error="The feed answered 404."))
        for number in range(3):
            store.put_article(
                Article(
                    id=f"feedentry{number:08d}",
                    title=f"خبر {number}",
                    source=f"https://news.example/{number}",
                    blocks=[Block("paragraph", f"نص الخبر رقم {number}.")],
                    feed_url=url,
                    added="2025-01-01T00:00:00",
                )
            )
    assert run_cli(db, "archive", "feedentry00000000").returncode == 0
    [row] = json.loads(run_cli(db, "feed", "list", "--json").stdout)
    assert row["unread"] == 2
    assert row["last_error"] == "The feed answered 404."
    assert run_cli(db, "unarchive", "feedentry00000000").returncode == 0
    [row] = json.loads(run_cli(db, "feed", "list", "--json").stdout)
    assert row["unread"] == 3
