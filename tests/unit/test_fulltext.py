"""`reader fulltext ID`: a feed entry that carries only a teaser gets the
article its link serves, through a loopback server; highlights move to the full text; a
redirect is followed; failures are one sentence and leave the teaser."""

from __future__ import annotations

import threading
from pathlib import Path

from helpers.cli import run_cli
from helpers.loopback import QuietHandler, Serve

from reader.ingest.teaser import full_text_tried, remember_full_text_try
from reader.notes.anchors import make_annotation
from reader.store.database import Store

TEASER = "انقطعت الكهرباء عن المدينة صباح اليوم."
FULL = (
    "انقطعت الكهرباء عن المدينة صباح اليوم بعد عطل في محطة التوليد الرئيسية شمال البلاد. "
    "وقال المتحدث باسم الشركة إن فرق الصيانة تعمل على إصلاح العطل وإعادة التيار خلال ساعات. "
    "وأضاف أن المستشفيات تعمل بالمولدات الاحتياطية وأن المياه لم تنقطع عن الأحياء السكنية. "
)


def _page() -> bytes:
    return (
        '<html lang="ar"><head><title>انقطاع الكهرباء</title></head><body><article>'
        f"<h1>انقطاع الكهرباء</h1><p>{FULL}</p><p>{FULL}</p></article></body></html>"
    ).encode()


def _feed(base: str, links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>خبر {n}</title><link>{base}{link}</link><guid>{base}{link}</guid>"
        f"<description>{TEASER}</description></item>"
        for n, link in enumerate(links)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>أخبار</title><link>{base}/</link>{items}</channel></rss>"
    ).encode()


def _serve_site(serve: Serve) -> str:
    base = ""

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/feed.xml":
                links = ["/story", "/moved", "/gone", "/image", "/short"]
                self.reply(200, _feed(base, links), {"Content-Type": "application/rss+xml"})
            elif path == "/story":
                self.reply(200, _page(), {"Content-Type": "text/html; charset=utf-8"})
            elif path == "/moved":
                self.reply(301, b"", {"Location": f"{base}/story"})
            elif path == "/image":
                self.reply(200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, {"Content-Type": "image/png"})
            elif path == "/short":
                page = (
                    b"<html><body><article><p>\xd8\xae\xd8\xa8\xd8\xb1</p></article></body></html>"
                )
                self.reply(200, page, {"Content-Type": "text/html; charset=utf-8"})
            else:
                self.reply(404, b"missing")

    base = serve(Handler)
    return base


def _ids_by_link(db: Path, base: str) -> dict[str, str]:
    with Store.open(db) as store:
        return {summary.source.removeprefix(base): summary.id for summary in store.list_articles()}


def _library(tmp_path: Path, serve: Serve) -> tuple[Path, str, dict[str, str]]:
    base = _serve_site(serve)
    db = tmp_path / "reader.json"
    added = run_cli(db, "add", f"{base}/feed.xml")
    assert added.returncode == 0, added.stderr
    ids = _ids_by_link(db, base)
    assert set(ids) == {"/story", "/moved", "/gone", "/image", "/short"}
    return db, base, ids


def test_teaser_becomes_the_full_article_and_its_highlight_moves(
    tmp_path: Path, serve: Serve
) -> None:
    db, _base, ids = _library(tmp_path, serve)
    article_id = ids["/story"]
    word = "المدينة"
    with Store.open(db) as store:
        teaser = store.get_article(article_id)
        assert teaser is not None and teaser.text == TEASER
        start = teaser.text.index(word)
        store.add_annotation(make_annotation(teaser, start, start + len(word), note="أين؟"))

    result = run_cli(db, "fulltext", article_id[:8])

    assert result.returncode == 0, result.stderr
    assert "Fetched the full article" in result.stdout
    assert "1 highlight placed on the full text" in result.stdout
    with Store.open(db) as store:
        full = store.get_article(article_id)
        assert full is not None and FULL.split(". ")[1] in full.text
        assert full.feed_url and full.entry_id == teaser.entry_id
        (note,) = store.annotations_for(article_id)
        assert not note.orphan and note.note == "أين؟"
        assert full.text[note.start : note.end] == word


def test_a_redirect_is_followed(tmp_path: Path, serve: Serve) -> None:
    db, _base, ids = _library(tmp_path, serve)
    result = run_cli(db, "fulltext", ids["/moved"])
    assert result.returncode == 0, result.stderr
    with Store.open(db) as store:
        full = store.get_article(ids["/moved"])
        assert full is not None and "محطة التوليد" in full.text


def test_failures_are_one_sentence_and_keep_the_teaser(tmp_path: Path, serve: Serve) -> None:
    db, base, ids = _library(tmp_path, serve)
    expected = {
        "/gone": "404",
        "/image": "not a web page",
        "/short": "no more than the",
    }
    for link, said in expected.items():
        result = run_cli(db, "fulltext", ids[link])
        assert result.returncode == 1, (link, result.stdout)
        line = result.stderr.strip()
        assert "\n" not in line and "Traceback" not in line, line
        assert said in line and line.endswith("."), line
        with Store.open(db) as store:
            kept = store.get_article(ids[link])
            assert kept is not None and kept.text == TEASER
    assert base


def test_an_article_from_a_file_has_no_page_to_fetch(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    note = tmp_path / "note.txt"
    note.write_text(TEASER + "\n", encoding="utf-8")
    assert run_cli(db, "add", str(note)).returncode == 0
    with Store.open(db) as store:
        (summary,) = store.list_articles()
    result = run_cli(db, "fulltext", summary.id)
    assert result.returncode == 1
    assert "came from a file" in result.stderr and "Traceback" not in result.stderr


def test_two_apps_remembering_tries_at_once_lose_none(tmp_path: Path) -> None:
    """The entries tried on opening are one saved list: two apps (two stores on one file, in
    two threads) remembering entries at the same time keep every one of them."""
    db = tmp_path / "reader.json"
    Store.open(db).close()

    def remember(prefix: str) -> None:
        with Store.open(db) as store:
            for number in range(15):
                remember_full_text_try(store, f"{prefix}{number}")

    threads = [threading.Thread(target=remember, args=(prefix,)) for prefix in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Store.open(db) as store:
        lost = [
            f"{prefix}{number}"
            for prefix in "ab"
            for number in range(15)
            if not full_text_tried(store, f"{prefix}{number}")
        ]
    assert lost == []
