"""The library against a real store in tmp_path and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.loopback import QuietHandler, Serve
from helpers.terminal import run_on_terminal
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.errors import ReaderError
from reader.ingest.blocks import clean_text
from reader.ingest.library import (
    add_feed,
    add_targets,
    ensure_seeded,
    find_feed,
    open_target,
    refresh_feeds,
    remove_feed,
    subscribe,
)
from reader.ingest.metadata import article_id_for
from reader.notes.anchors import make_annotation
from reader.store.database import Store

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "articles"
CORPUS = ROOT / ".." / "shared" / "corpus" / "saudinewsnet-300.jsonl"
SEED_TITLE = "سام ألتمان يرفض عرض ماسك لشراء OpenAI بسخرية"

GOOD_FIXTURE_ARTICLES = 17
"""Articles in tests/fixtures/articles that parse: 11 single-article files, 3 files of 2."""
BAD_FIXTURES = {"binary.txt", "empty.txt", "broken.jsonl"}


def rss(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS 2.0 document with (guid, link, title) items."""
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
        f"<description>نص الخبر: {title}.</description></item>"
        for guid, link, title in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>أخبار محلية</title><link>https://example.com/</link>{body}</channel></rss>"
    ).encode()


@dataclass
class Site:
    """What the test server serves: path -> (status, body, headers); counts hits."""

    routes: dict[str, tuple[int, bytes, dict[str, str]]] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    base: str = ""


class _Handler(QuietHandler):
    site: Site

    def do_GET(self) -> None:
        self.site.hits[self.path] += 1
        status, body, headers = self.site.routes.get(self.path, (404, b"missing", {}))
        etag = headers.get("ETag")
        if status == 200 and etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.reply(status, body, headers)


@pytest.fixture
def site(serve: Serve) -> Site:
    state = Site()
    state.base = serve(type("Handler", (_Handler,), {"site": state}))
    return state


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "db" / "reader.json")
    try:
        yield opened
    finally:
        opened.close()


def squash(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------------ files


def test_folder_import_reports_bad_files_and_imports_the_rest(tmp_path: Path, store: Store) -> None:
    folder = tmp_path / "inbox"
    shutil.copytree(FIXTURES, folder)
    (folder / "nested" / "deeper").mkdir(parents=True)
    (folder / "nested" / "deeper" / "note.txt").write_text(
        "ملاحظة مهمة\nنص الملاحظة في مجلد فرعي عميق.", encoding="utf-8"
    )
    (folder / ".hidden.txt").write_text("لا يجب استيراده.", encoding="utf-8")
    (folder / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    calls: list[tuple[int, int, str]] = []

    report = add_targets(store, [str(folder)], lambda d, t, label: calls.append((d, t, label)))

    failed = {Path(target).name: reason for target, reason in report.failed}
    assert set(failed) == BAD_FIXTURES
    for name, reason in failed.items():
        assert name in reason and reason.endswith(".") and "\n" not in reason
    # broken.jsonl's good first line is added; its bad second line is named in the reason
    assert "not valid JSON on line 2" in failed["broken.jsonl"]
    assert len(report.added) == GOOD_FIXTURE_ARTICLES + 2
    assert store.article_count() == GOOD_FIXTURE_ARTICLES + 2
    titles = {summary.title for summary in store.list_articles()}
    assert "ملاحظة مهمة" in titles
    assert "ok" in titles
    assert len(calls) == 18  # 14 good files, 3 bad ones, the nested note; png and hidden skipped
    assert calls[-1][:2] == (18, 18)


def test_re_adding_is_idempotent(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "a.txt"
    path.write_text("عنوان\nفقرة أولى من المقال.", encoding="utf-8")
    first = add_targets(store, [str(path)])
    again = add_targets(store, [str(path)])
    assert len(first.added) == 1 and not first.updated
    assert (len(again.added), len(again.updated), len(again.unchanged)) == (0, 0, 1)
    assert store.article_count() == 1
    stored = store.get_article(article_id_for(str(path.resolve())))
    assert stored is not None and stored.added == first.added[0].added


def test_changed_source_updates_text_and_reanchors_annotations(
    tmp_path: Path, store: Store
) -> None:
    path = tmp_path / "story.txt"
    path.write_text("عنوان القصة\nبدأت القصة في مدينة صغيرة على البحر.", encoding="utf-8")
    [article] = add_targets(store, [str(path)]).added
    start = article.text.index("مدينة صغيرة")
    annotation = make_annotation(article, start, start + len("مدينة صغيرة"), note="مكان")
    store.add_annotation(annotation)

    path.write_text(
        "عنوان القصة\nفقرة جديدة في البداية تغير المواضع.\nبدأت القصة في مدينة صغيرة على البحر.",
        encoding="utf-8",
    )
    report = add_targets(store, [str(path)])

    assert len(report.updated) == 1 and not report.added and report.orphaned == 0
    assert store.article_count() == 1
    stored = store.get_article(article.id)
    assert stored is not None
    assert stored.text.startswith("فقرة جديدة في البداية")
    assert stored.added == article.added
    [moved] = store.annotations_for(article.id)
    assert moved.start > annotation.start
    assert stored.text[moved.start : moved.end] == "مدينة صغيرة"
    assert not moved.orphan and moved.note == "مكان"


def test_missing_paths_and_bad_urls_are_reported(tmp_path: Path, store: Store) -> None:
    report = add_targets(store, [str(tmp_path / "ghost.txt"), "ftp://example.com/x"])
    assert [reason for _, reason in report.failed] == [
        f"{tmp_path / 'ghost.txt'} does not exist.",
        "ftp://example.com/x is not an http or https URL.",
    ]
    assert store.article_count() == 0


def test_ensure_seeded_imports_once_and_deleted_seeds_stay_deleted(store: Store) -> None:
    seeded = ensure_seeded(store)
    assert [article.title for article in seeded] == [SEED_TITLE]
    assert store.article_count() == 1
    assert ensure_seeded(store) == []
    store.delete_article(seeded[0].id)
    assert ensure_seeded(store) == []
    assert store.article_count() == 0


def test_open_target_adds_a_file_and_refuses_a_folder(tmp_path: Path, store: Store) -> None:
    article = open_target(store, str(FIXTURES / "guide.md"))
    assert article.title == "دليل القراءة السريعة"
    assert article.added
    assert open_target(store, str(FIXTURES / "guide.md")).id == article.id
    assert store.article_count() == 1
    with pytest.raises(ReaderError, match="is a folder"):
        open_target(store, str(tmp_path))
    with pytest.raises(ReaderError, match=r"binary\.txt is a binary file"):
        open_target(store, str(FIXTURES / "binary.txt"))


# ------------------------------------------------------------------------ the web


def test_open_target_url_fetches_once(site: Site, store: Store) -> None:
    site.routes["/solar"] = (
        200,
        (FIXTURES / "solar.html").read_bytes(),
        {"Content-Type": "text/html; charset=utf-8"},
    )
    url = f"{site.base}/solar"
    article = open_target(store, url)
    assert article.title == "الطاقة الشمسية تتوسع في دول الخليج"
    assert article.source == url and article.id == article_id_for(url)
    assert open_target(store, url).id == article.id
    assert site.hits["/solar"] == 1


def test_bad_url_is_one_sentence(site: Site, store: Store) -> None:
    with pytest.raises(ReaderError) as caught:
        open_target(store, f"{site.base}/gone")
    assert str(caught.value) == f"{site.base}/gone answered 404 Not Found."
    assert store.article_count() == 0


def test_feed_url_is_offered_then_refreshed_conditionally(site: Site, store: Store) -> None:
    items = [("g1", "https://example.com/1", "الأول"), ("g2", "https://example.com/2", "الثاني")]
    site.routes["/feed"] = (200, rss(items), {"Content-Type": "application/rss+xml", "ETag": '"1"'})
    url = f"{site.base}/feed"

    report = add_targets(store, [url])
    assert len(report.added) == 2
    [offer] = report.feeds
    assert (offer.url, offer.title, offer.etag) == (url, "أخبار محلية", '"1"')
    assert store.get_feed(url) is None  # offered, not yet subscribed
    feed = subscribe(store, offer)
    assert set(feed.seen) >= {"g1", "g2", "https://example.com/1", "https://example.com/2"}

    unchanged = refresh_feeds(store)
    assert unchanged.results[0].not_modified and unchanged.new_articles == []

    site.routes["/feed"] = (
        200,
        rss(
            [
                ("g3", "https://example.com/3", "الثالث"),
                ("g2-renamed", "https://example.com/2", "الثاني"),  # same link, new guid
                ("g1", "https://example.com/1-moved", "الأول"),  # same guid, new link
                *items,
            ]
        ),
        {"Content-Type": "application/rss+xml", "ETag": '"2"'},
    )
    progress: list[tuple[int, int, str]] = []
    fresh = refresh_feeds(store, lambda d, t, label: progress.append((d, t, label)))
    assert [article.title for article in fresh.new_articles] == ["الثالث"]
    assert fresh.results[0].new == 1 and not fresh.failed
    assert progress == [(1, 1, url)]
    assert store.article_count() == 3
    updated = store.get_feed(url)
    assert updated is not None and updated.etag == '"2"' and "g3" in updated.seen
    assert refresh_feeds(store).results[0].not_modified


def test_one_failing_feed_does_not_stop_the_others(site: Site, store: Store) -> None:
    site.routes["/good"] = (200, rss([("a", "https://example.com/a", "خبر")]), {})
    site.routes["/bad"] = (200, rss([("b", "https://example.com/b", "آخر")]), {})
    add_feed(store, f"{site.base}/good")
    add_feed(store, f"{site.base}/bad")
    del site.routes["/bad"]
    site.routes["/good"] = (
        200,
        rss([("a", "https://example.com/a", "خبر"), ("c", "https://example.com/c", "جديد")]),
        {},
    )
    report = refresh_feeds(store)
    by_url = {result.url: result for result in report.results}
    assert by_url[f"{site.base}/bad"].error == f"{site.base}/bad answered 404 Not Found."
    assert by_url[f"{site.base}/good"].new == 1 and not by_url[f"{site.base}/good"].error
    assert [result.url for result in report.failed] == [f"{site.base}/bad"]


def test_feed_add_checks_it_is_a_feed_and_remove_unsubscribes(site: Site, store: Store) -> None:
    site.routes["/page"] = (
        200,
        (FIXTURES / "solar.html").read_bytes(),
        {"Content-Type": "text/html"},
    )
    site.routes["/atom"] = (
        200,
        (FIXTURES / "culture.atom").read_bytes(),
        {"Content-Type": "application/atom+xml"},
    )
    with pytest.raises(ReaderError) as caught:
        add_feed(store, f"{site.base}/page")
    assert str(caught.value) == (
        f"{site.base}/page is a web page with no RSS or Atom feed link; nothing was saved."
    )
    feed, report = add_feed(store, f"{site.base}/atom")
    assert feed.title == "مدونة الثقافة" and len(report.added) == 2
    assert [f.url for f in store.list_feeds()] == [f"{site.base}/atom"]
    remove_feed(store, f"{site.base}/atom")
    assert store.list_feeds() == [] and store.article_count() == 2
    with pytest.raises(ReaderError, match="You are not subscribed to"):
        remove_feed(store, f"{site.base}/atom")


# ------------------------------------------------------------------------ the CLI


def test_cli_add_list_and_bad_files(tmp_path: Path) -> None:
    db = tmp_path / "cli" / "reader.json"
    added = run_cli(db, "add", str(FIXTURES))
    assert added.returncode == 1
    # broken.jsonl's good line is added too, and its bad line named
    assert f"Added {GOOD_FIXTURE_ARTICLES + 1} articles." in added.stdout
    errors = added.stderr.strip().splitlines()
    assert len(errors) == 3 and all(line.startswith("reader: ") for line in errors)
    assert any("binary.txt is a binary file, not text." in line for line in errors)
    assert any("broken.jsonl: skipped 1 of its 2 lines" in line for line in errors)
    assert "Traceback" not in added.stderr

    listed = run_cli(db, "list", "--json")
    assert listed.returncode == 0
    rows = json.loads(listed.stdout)
    assert len(rows) == GOOD_FIXTURE_ARTICLES + 1
    assert {"id", "title", "source", "published", "added", "highlights"} <= set(rows[0])
    assert "دليل القراءة السريعة" in {row["title"] for row in rows}

    table = run_cli(db, "list")
    assert table.returncode == 0
    total = GOOD_FIXTURE_ARTICLES + 1
    assert f"Library ({total} articles, {total} unread)" in table.stdout
    assert "Highlights" in table.stdout and "2024-05-01" in table.stdout

    missing = run_cli(db, "add", str(tmp_path / "nope.md"))
    assert missing.returncode == 1
    assert missing.stderr == f"reader: {tmp_path / 'nope.md'} does not exist.\n"


def test_cli_feeds_subscribe_list_refresh_remove(tmp_path: Path, site: Site) -> None:
    db = tmp_path / "cli" / "reader.json"
    site.routes["/feed"] = (
        200,
        rss([("x1", "https://example.com/x1", "خبر")]),
        {"Content-Type": "application/rss+xml", "ETag": '"v"'},
    )
    url = f"{site.base}/feed"
    offered = run_cli(db, "add", url)
    assert offered.returncode == 0
    assert f"{url} is a feed" in offered.stdout
    assert json.loads(run_cli(db, "feed", "list", "--json").stdout) == []

    subscribed = run_cli(db, "add", "--subscribe", url)
    assert subscribed.returncode == 0 and f"Subscribed to أخبار محلية ({url})." in subscribed.stdout
    feeds = json.loads(run_cli(db, "feed", "list", "--json").stdout)
    assert [row["url"] for row in feeds] == [url]

    refreshed = run_cli(db, "refresh")
    assert refreshed.returncode == 0 and "أخبار محلية: not modified." in refreshed.stdout

    site.routes["/feed"] = (500, b"boom", {})
    failing = run_cli(db, "refresh")
    assert failing.returncode == 1
    assert failing.stderr == f"reader: {url} answered 500 Internal Server Error.\n"

    removed = run_cli(db, "feed", "remove", url)
    assert removed.returncode == 0
    again = run_cli(db, "feed", "remove", url)
    assert again.returncode == 1 and again.stderr == f"reader: You are not subscribed to {url}.\n"


# ------------------------------------------------------------------------ corpus


@pytest.mark.corpus
def test_corpus_import_keeps_every_article_text(store: Store) -> None:
    if not CORPUS.is_file():
        pytest.skip("../shared/corpus is absent")
    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    report = add_targets(store, [str(CORPUS)])
    assert not report.failed
    assert len(report.added) == store.article_count() == 300
    for record in records:
        stored = store.get_article(article_id_for(record["url"], record["url"]))
        assert stored is not None
        assert squash(stored.text) == squash(clean_text(record["content"]))
    assert len(add_targets(store, [str(CORPUS)]).unchanged) == 300


# ------------------------------------------------------------------------ list output


def test_list_table_lines_fit_the_width_and_shape_arabic_on_a_terminal() -> None:
    from rich.cells import cell_len

    from reader.commands.library import table_lines
    from reader.models import ArticleSummary

    long_title = "عنوان طويل جدا " * 12
    rows = [
        ArticleSummary(
            "1", "مرحبا بالعالم", "/tmp/a.txt", "2024-01-02", "2024-03-04T00:00", 2, read_at="x"
        ),
        ArticleSummary(
            "2", long_title.strip(), "https://example.com/" + "x" * 200, "", "2024-05-06"
        ),
        ArticleSummary("3", "English title", "/tmp/b.txt", "", "2024-05-07T10:00:00", read_at="x"),
    ]
    logical = list(table_lines(rows, 90, None))
    assert {cell_len(line) for line in logical[1:]} == {90}
    assert "(3 articles, 1 unread)" in logical[0]
    assert logical[5].startswith("│ • ") and logical[4].startswith("│   ")  # unread is marked
    assert "مرحبا بالعالم" in logical[4] and "2024-01-02" in logical[4] and " 2 │" in logical[4]
    assert "…x" in logical[5] and "x" * 12 + " │" in logical[5]  # source keeps its end
    assert "2024-05-06" in logical[5]

    shaped = list(table_lines(rows, 90, "app"))
    assert {cell_len(line) for line in shaped[1:]} == {90}
    arabic_cell = shaped[4].split("│")[1]
    assert "مرحبا" not in arabic_cell  # presentation forms, in visual order
    assert any("\ufe70" <= ch <= "\ufeff" for ch in arabic_cell)
    assert arabic_cell.startswith("  ") and arabic_cell.endswith(" ")  # right-aligned
    assert shaped[6].split("│")[1].startswith("   English title")  # after the mark column

    plain = list(table_lines(rows, 90, "terminal"))
    assert "مرحبا بالعالم │" in plain[4]  # logical text, right-aligned for the terminal


def test_cli_list_counts_highlights(tmp_path: Path) -> None:
    db = tmp_path / "hl" / "reader.json"
    assert run_cli(db, "add", str(FIXTURES / "guide.md")).returncode == 0
    store = Store.open(db)
    try:
        [summary] = store.list_articles()
        article = store.get_article(summary.id)
        assert article is not None
        store.add_annotation(make_annotation(article, 0, 7))
        store.add_annotation(make_annotation(article, 10, 15))
    finally:
        store.close()
    [row] = json.loads(run_cli(db, "list", "--json").stdout)
    assert row["highlights"] == 2 and row["title"] == "دليل القراءة السريعة"


def test_cli_add_asks_before_subscribing_on_a_terminal(tmp_path: Path, site: Site) -> None:
    site.routes["/feed"] = (200, rss([("t1", "https://example.com/t1", "خبر")]), {})
    url = f"{site.base}/feed"
    db = tmp_path / "tty" / "reader.json"
    env = {**os.environ, "READER_DB": str(db), "NO_COLOR": "1"}
    run = run_on_terminal(("add", url), env, answers={b"Subscribe? [y/N]": b"y\n"})
    assert run.status == 0
    # On a terminal the title is shaped and in visual order (test_cli_shaping spells it out).
    shaped = "\ufe94\ufef4\ufee0\ufea4\ufee3 \ufead\ufe8e\ufe92\ufea7\ufe83"  # أخبار محلية
    assert f"Subscribed to {shaped} ({url})." in run.text
    feeds = json.loads(run_cli(db, "feed", "list", "--json").stdout)
    assert [row["url"] for row in feeds] == [url]


_CELL_ALPHABET = st.sampled_from(
    [
        *"ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
        *"\u064b\u064e\u064f\u0650\u0651\u0652\u0670",
        *"abcXYZ019 .،-",
        *"\u200c\u200f\u4e2d\u6587\uac00\U0001f600",
    ]
)
"""Arabic letters and harakat, Latin, ZWNJ/RLM, CJK, an emoji (ZWJ left out: rich joins it
with the following character into one grapheme, which terminals do not)."""


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_CELL_ALPHABET, max_size=120), st.integers(min_value=2, max_value=60))
def test_fit_always_fills_exactly_the_cells_rich_measures(text: str, width: int) -> None:
    from rich.cells import cell_len

    from reader.commands.output import cells, fit

    assert cells(text) == cell_len(text)
    for keep_end in (False, True):
        fitted = fit(text, width, keep_end=keep_end)
        assert cell_len(fitted) == width
        if cell_len(text) <= width:
            assert fitted.rstrip(" ") == text.rstrip(" ")
        else:
            assert "…" in fitted


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_CELL_ALPHABET, max_size=120), st.integers(min_value=0, max_value=60))
def test_cut_keeps_the_longest_start_within_the_cells(text: str, width: int) -> None:
    from rich.cells import cell_len

    from reader.commands.output import cut

    kept = cut(text, width)
    assert text.startswith(kept)
    assert cell_len(kept) <= width
    if kept != text:  # one more character would not fit (a mark after its letter would)
        assert cell_len(text[: len(kept) + 1]) > width


# ------------------------------------------------------- feed add given a site's web page
# `reader feed add` given a site's page: the feed it links is found and subscribed to.

HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml"}


def titled_rss(title: str, items: list[tuple[str, str]]) -> bytes:
    """An RSS 2.0 document titled `title` with (guid, item title) items."""
    body = "".join(
        f"<item><title>{name}</title><link>https://example.com/{guid}</link><guid>{guid}</guid>"
        f"<description>نص الخبر: {name}.</description></item>"
        for guid, name in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.com/</link>{body}</channel></rss>"
    ).encode()


def home_page(*links: str) -> bytes:
    """A site's home page whose head has the given `<link>` tags."""
    return (
        "<!doctype html><html lang='ar'><head><meta charset='utf-8'><title>الموقع</title>"
        + "".join(links)
        + "</head><body><article><h1>مرحبا</h1><p>أهلا بكم في موقع الأخبار المحلية."
        "</p></article></body></html>"
    ).encode()


RSS_LINK = '<link rel="alternate" type="application/rss+xml" title="الأخبار" href="/news.rss">'
ATOM_LINK = "<link rel='alternate' type='application/atom+xml' href='/sport.atom'>"


def feed_urls(db: Path) -> list[str]:
    return [row["url"] for row in json.loads(run_cli(db, "feed", "list", "--json").stdout)]


def titles(db: Path) -> set[str]:
    return {row["title"] for row in json.loads(run_cli(db, "list", "--json").stdout)}


def test_home_page_linking_a_feed_subscribes_to_it(tmp_path: Path, site: Site) -> None:
    db = tmp_path / "db" / "reader.json"
    site.routes["/"] = (200, home_page('<link rel="stylesheet" href="/s.css">', RSS_LINK), HTML)
    site.routes["/news.rss"] = (200, titled_rss("أخبار محلية", [("n1", "الأول")]), RSS)
    page, feed = f"{site.base}/", f"{site.base}/news.rss"

    added = run_cli(db, "feed", "add", page)
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines() == [
        f"{page} is a web page; subscribed to the feed it links, أخبار محلية ({feed}).",
        "Added 1 article.",
    ]
    assert added.stderr == ""
    assert feed_urls(db) == [feed]
    assert titles(db) == {"الأول"}

    site.routes["/news.rss"] = (
        200,
        titled_rss("أخبار محلية", [("n2", "الثاني"), ("n1", "الأول")]),
        RSS,
    )
    refreshed = run_cli(db, "refresh")
    assert refreshed.returncode == 0, refreshed.stderr
    assert "أخبار محلية: 1 new article." in refreshed.stdout
    assert titles(db) == {"الأول", "الثاني"}


def test_page_linking_two_feeds_takes_the_first_and_names_the_other(
    tmp_path: Path, site: Site
) -> None:
    db = tmp_path / "db" / "reader.json"
    site.routes["/"] = (200, home_page(RSS_LINK, ATOM_LINK), HTML)
    site.routes["/news.rss"] = (200, titled_rss("أخبار محلية", [("n1", "الأول")]), RSS)
    page, feed, other = f"{site.base}/", f"{site.base}/news.rss", f"{site.base}/sport.atom"

    added = run_cli(db, "feed", "add", page)
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines()[0] == (
        f"{page} is a web page linking 2 feeds; subscribed to the first, "
        f"أخبار محلية ({feed}); the other is {other}."
    )
    assert feed_urls(db) == [feed]


def test_page_without_a_feed_link_is_one_sentence_and_saves_nothing(
    tmp_path: Path, site: Site
) -> None:
    db = tmp_path / "db" / "reader.json"
    site.routes["/"] = (200, home_page('<link rel="stylesheet" href="/s.css">'), HTML)
    page = f"{site.base}/"

    refused = run_cli(db, "feed", "add", page)
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr == (
        f"reader: {page} is a web page with no RSS or Atom feed link; nothing was saved.\n"
    )
    assert feed_urls(db) == []
    assert titles(db) == set()


def test_a_feed_url_still_subscribes_directly(tmp_path: Path, site: Site) -> None:
    db = tmp_path / "db" / "reader.json"
    site.routes["/news.rss"] = (
        200,
        titled_rss("أخبار محلية", [("n1", "الأول"), ("n2", "الثاني")]),
        RSS,
    )
    feed = f"{site.base}/news.rss"

    added = run_cli(db, "feed", "add", feed)
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines() == [
        f"Subscribed to أخبار محلية ({feed}).",
        "Added 2 articles.",
    ]
    assert feed_urls(db) == [feed]
    assert titles(db) == {"الأول", "الثاني"}


def test_links_resolve_against_the_page_after_redirects(tmp_path: Path, site: Site) -> None:
    site.routes["/home"] = (302, b"", {"Location": "/ar/index.html"})
    link = '<link rel="alternate" type="application/atom+xml" href="feed.atom">'
    site.routes["/ar/index.html"] = (200, home_page(link), HTML)
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>مدونة</title><id>urn:blog</id><updated>2024-01-01T00:00:00Z</updated>"
        "<entry><title>تدوينة</title><id>urn:post-1</id><updated>2024-01-01T00:00:00Z</updated>"
        "<content type='html'>&lt;p&gt;نص التدوينة.&lt;/p&gt;</content></entry></feed>"
    ).encode()
    site.routes["/ar/feed.atom"] = (200, atom, {"Content-Type": "application/atom+xml"})

    found = find_feed(f"{site.base}/home")
    assert (found.url, found.page, found.others) == (
        f"{site.base}/ar/feed.atom",
        f"{site.base}/home",
        (),
    )
    store = Store.open(tmp_path / "db" / "reader.json")
    try:
        feed, report = add_feed(store, f"{site.base}/home")
        assert feed.url == f"{site.base}/ar/feed.atom" and feed.title == "مدونة"
        assert [article.title for article in report.added] == ["تدوينة"]
    finally:
        store.close()


def test_a_linked_feed_that_is_not_a_feed_is_one_sentence(site: Site) -> None:
    site.routes["/"] = (200, home_page(RSS_LINK), HTML)
    site.routes["/news.rss"] = (200, home_page(), HTML)
    with pytest.raises(ReaderError) as caught:
        find_feed(f"{site.base}/")
    assert str(caught.value) == (
        f"{site.base}/ links {site.base}/news.rss as its feed, but that is not an RSS or Atom feed."
    )


def test_plain_text_is_still_not_a_feed(site: Site) -> None:
    site.routes["/notes"] = (200, "ملاحظات فقط".encode(), {"Content-Type": "text/plain"})
    with pytest.raises(ReaderError) as caught:
        find_feed(f"{site.base}/notes")
    assert str(caught.value) == f"{site.base}/notes is not an RSS or Atom feed."
