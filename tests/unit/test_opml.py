"""`reader feed import FILE.opml` and `reader feed export`: what other feed readers write, in
and out, through the command line, with a real database on disk."""

from __future__ import annotations

import json
import xml.dom.minidom
from pathlib import Path
from typing import Any

import pytest
from helpers.loopback import QuietHandler, Serve

from reader.cli import main
from reader.models import Feed
from reader.store.database import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "opml"
ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


def reader(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    """Run `reader --db DB ARGS...` as the command line does; (status, stdout, stderr)."""
    capsys.readouterr()
    status = main(["--db", str(db), *args])
    out, err = capsys.readouterr()
    return status, out, err


def subscriptions(db: Path) -> dict[str, tuple[str, str, str]]:
    """The subscribed feeds as url -> (title, folder, html_url), read from the database."""
    store = Store.open(db)
    try:
        return {feed.url: (feed.title, feed.folder, feed.html_url) for feed in store.list_feeds()}
    finally:
        store.close()


def all_feeds(db: Path) -> list[Feed]:
    store = Store.open(db)
    try:
        return store.list_feeds()
    finally:
        store.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "reader.json"


# ------------------------------------------------------------------- each reader's shape


def test_newsboat_export_flat_with_title_only(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    status, out, err = reader(capsys, db, "feed", "import", str(FIXTURES / "newsboat.opml"))
    assert status == 0, err
    assert subscriptions(db) == {
        "https://www.aljazeera.net/aljazeerarss/a7c186be-1baa-4bd4-9d80-a84db769f779/"
        "73d0e1b4-532f-45ef-b135-bfdff8b8cab9": (
            "الجزيرة نت - آخر الأخبار",
            "",
            "https://www.aljazeera.net",
        ),
        "https://feeds.bbci.co.uk/arabic/rss.xml": (
            "BBC News عربي",
            "",
            "https://www.bbc.com/arabic",
        ),
        "https://example.org/feed?format=atom&lang=ar": ("Q&A <weekly>", "", ""),
    }
    assert out.count("\n") == 1
    assert out.startswith("Subscribed to 3 feeds from ")
    assert "nothing was fetched yet: 'reader refresh' fetches their articles." in out


def test_netnewswire_folders(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    status, out, err = reader(capsys, db, "feed", "import", str(FIXTURES / "netnewswire.opml"))
    assert status == 0, err
    feeds = subscriptions(db)
    assert feeds["https://daringfireball.net/feeds/main"] == (
        "Daring Fireball",
        "",
        "https://daringfireball.net/",
    )
    assert feeds["https://feeds.bbci.co.uk/arabic/rss.xml"][1] == "عربي"
    assert feeds["https://www.france24.com/ar/rss"] == (
        "فرانس 24",
        "عربي",
        "https://www.france24.com/ar/",
    )
    assert feeds["https://netnewswire.blog/feed.json"][:2] == ("NetNewsWire Blog", "Tech")
    assert len(feeds) == 4
    assert "Subscribed to 4 feeds in 2 folders" in out


def test_feedly_categories_text_wins_and_a_feed_in_two_counts_once(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    status, out, err = reader(capsys, db, "feed", "import", str(FIXTURES / "feedly.opml"))
    assert status == 0, err
    feeds = subscriptions(db)
    assert len(feeds) == 3
    # `text` is the name the reader showed (a renamed feed); the first category keeps it.
    assert feeds["https://www.theverge.com/rss/full.xml"][:2] == ("The Verge", "tech")
    assert feeds["https://www.aljazeera.net/rss"][:2] == ("الجزيرة نت", "أخبار")
    assert feeds["https://www.skynewsarabia.com/rss"][1] == "أخبار"
    assert "Subscribed to 3 feeds in 2 folders" in out


def test_inoreader_folders_and_empty_folder(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    status, out, err = reader(capsys, db, "feed", "import", str(FIXTURES / "inoreader.opml"))
    assert status == 0, err
    feeds = subscriptions(db)
    assert feeds == {
        "https://aawsat.com/feed": ("Asharq Al-Awsat", "Arabic press", "https://aawsat.com/"),
        "https://www.alaraby.co.uk/rss.xml": (
            "العربي الجديد",
            "Arabic press",
            "https://www.alaraby.co.uk/",
        ),
        "https://news.ycombinator.com/rss": ("Hacker News", "", "https://news.ycombinator.com/"),
    }
    assert "in 1 folder from" in out


def test_nested_folders_latin1_and_what_is_not_a_feed(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    status, out, err = reader(capsys, db, "feed", "import", str(FIXTURES / "nested.opml"))
    assert status == 0, err
    assert subscriptions(db) == {
        # xmlURL / htmlURL spelt in capitals, as some writers do
        "https://www.lemonde.fr/rss/une.xml": (
            "Le Monde",
            "World/Europe",
            "https://www.lemonde.fr/",
        ),
        # feed:// is the http URL it stands for; ISO-8859-1 decoded
        "http://cafebabel.example/feed": ("Café Babel", "World/Europe", ""),
        # a "/" in one folder's name stays one folder; a name that is the URL is no title
        "https://mena.example/rss": ("", "World/Middle East\u2215North Africa", ""),
    }
    assert "1 skipped (not an http or https address: file:///etc/passwd)" in out


# ------------------------------------------------------------------------- hostile files


@pytest.mark.parametrize(
    "name", ["billion-laughs.opml", "external-entity.opml", "external-dtd.opml"]
)
def test_entities_are_refused_and_nothing_imported(
    capsys: pytest.CaptureFixture[str], db: Path, name: str
) -> None:
    status, out, err = reader(capsys, db, "feed", "import", str(FIXTURES / name))
    assert status == 1
    assert out == ""
    assert err == (
        f"reader: {FIXTURES / name} declares XML entities or an outside DTD, which OPML files "
        "have no need of (XML bombs and file-reading attacks are made of them); nothing was "
        "imported.\n"
    )
    assert subscriptions(db) == {}


def test_an_outside_dtd_is_never_fetched(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, serve: Serve
) -> None:
    asked: list[str] = []

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.reply(200, b'<!ENTITY secret "leaked">', {"Content-Type": "text/plain"})

    base = serve(Handler)
    path = tmp_path / "dtd.opml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY % remote SYSTEM "{base}/x.dtd"> '
        f'%remote;]>\n<opml version="1.0"><body><outline text="&secret;" '
        'xmlUrl="https://example.com/feed"/></body></opml>\n',
        encoding="utf-8",
    )
    status, _out, err = reader(capsys, db, "feed", "import", str(path))
    assert status == 1 and "nothing was imported" in err
    assert asked == []
    assert subscriptions(db) == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty."),
        (b'<opml><body><outline xmlUrl="https://a.example/x"', "is not a well-formed OPML file"),
        (b"<rss><channel/></rss>", "is not an OPML file (its root element is <rss>, not <opml>)"),
        (b"<opml><head/><body/></opml>", "lists no feeds (outlines with an xmlUrl)"),
        (
            b'<opml><body><outline text="&nope;" xmlUrl="https://a.example/x"/></body></opml>',
            "declares XML entities",
        ),
        (
            b"<opml><body>" + b"<outline>" * 70 + b"</outline>" * 70 + b"</body></opml>",
            "nests outlines more than 64 deep",
        ),
    ],
    ids=["empty", "truncated", "rss", "no-feeds", "undeclared-entity", "too-deep"],
)
def test_bad_files_are_one_sentence(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "list.opml"
    path.write_bytes(content)
    status, out, err = reader(capsys, db, "feed", "import", str(path))
    assert status == 1
    assert out == ""
    assert err.startswith(f"reader: {path} ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert subscriptions(db) == {}


def test_missing_file(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    status, _out, err = reader(capsys, db, "feed", "import", str(tmp_path / "none.opml"))
    assert (status, err) == (1, f"reader: {tmp_path / 'none.opml'} does not exist.\n")


def test_titles_and_urls_are_cleaned_on_the_way_in(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "dirty.opml"
    path.write_text(
        '<opml version="2.0"><body><outline text="Evil&#x202E;News&#10;two" '
        'xmlUrl="  https://evil.example/f&#x9B;eed\u202e  "/></body></opml>',
        encoding="utf-8",
    )
    status, out, err = reader(capsys, db, "feed", "import", str(path))
    assert status == 0, err
    assert subscriptions(db) == {
        "https://evil.example/f%C2%9Beed%E2%80%AE": ("EvilNews two", "", ""),
    }
    assert "\x9b" not in out and "\u202e" not in out


# ------------------------------------------------------------------- twice, and back out


def test_importing_twice_adds_nothing_twice(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    reader(capsys, db, "feed", "import", str(FIXTURES / "feedly.opml"))
    before = all_feeds(db)
    status, out, err = reader(capsys, db, "feed", "import", str(FIXTURES / "feedly.opml"))
    assert status == 0, err
    assert out == f"Nothing new in {FIXTURES / 'feedly.opml'}: 3 feeds already subscribed.\n"
    assert all_feeds(db) == before
    # Partly known: only the new feeds are counted as added.
    status, out, _err = reader(capsys, db, "feed", "import", str(FIXTURES / "netnewswire.opml"))
    assert status == 0
    assert out.startswith("Subscribed to 4 feeds in 2 folders from ")
    status, out, _err = reader(capsys, db, "feed", "import", str(FIXTURES / "newsboat.opml"))
    assert "Subscribed to 2 feeds from " in out and ", 1 feed already subscribed;" in out
    assert len(subscriptions(db)) == 9


def test_an_existing_subscription_is_left_as_it_was(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    store = Store.open(db)
    store.put_feed(Feed("https://www.theverge.com/rss/full.xml", title="My Verge", seen=["1"]))
    store.close()
    reader(capsys, db, "feed", "import", str(FIXTURES / "feedly.opml"))
    store = Store.open(db)
    kept = store.get_feed("https://www.theverge.com/rss/full.xml")
    store.close()
    assert kept == Feed("https://www.theverge.com/rss/full.xml", title="My Verge", seen=["1"])


@pytest.mark.parametrize(
    "name", ["newsboat.opml", "netnewswire.opml", "feedly.opml", "inoreader.opml", "nested.opml"]
)
def test_round_trip_import_export_import(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    first, second = tmp_path / "one" / "reader.json", tmp_path / "two" / "reader.json"
    reader(capsys, first, "feed", "import", str(FIXTURES / name))
    exported = tmp_path / "out.opml"
    status, out, err = reader(capsys, first, "feed", "export", "-o", str(exported))
    assert status == 0, err
    assert out == f"Wrote {len(subscriptions(first))} feeds to {exported}.\n"
    xml.dom.minidom.parse(str(exported))  # well-formed for another parser too
    status, _out, err = reader(capsys, second, "feed", "import", str(exported))
    assert status == 0, err
    assert subscriptions(second) == subscriptions(first)
    # And the export of the copy is the same document (but for its date).
    again = tmp_path / "again.opml"
    reader(capsys, second, "feed", "export", "-o", str(again))

    def undated(path: Path) -> list[str]:
        return [line for line in path.read_text().splitlines() if "dateCreated" not in line]

    assert undated(again) == undated(exported)


def test_export_escapes_everything(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    hostile = [
        Feed("https://a.example/?x=1&y=<2>", title="Quote \" & <b>bold</b> 's"),
        Feed("https://b.example/feed", title="عربي\u202eمقلوب", folder='A&B/"C"<D>'),
        Feed(
            "https://c.example/feed", title="tab\tand\nnewline", html_url="https://c.example/?a&b"
        ),
    ]
    store = Store.open(db)
    for feed in hostile:  # written as an older version or a damaged file might have them
        store.put_feed(feed)
    store.close()
    status, out, err = reader(capsys, db, "feed", "export")
    assert status == 0, err
    assert "\u202e" not in out and "\t" not in out
    document = xml.dom.minidom.parseString(out.encode("utf-8"))
    outlines = {
        node.getAttribute("xmlUrl"): node
        for node in document.getElementsByTagName("outline")
        if node.getAttribute("xmlUrl")
    }
    assert outlines["https://a.example/?x=1&y=<2>"].getAttribute("text") == (
        "Quote \" & <b>bold</b> 's"
    )
    assert outlines["https://b.example/feed"].getAttribute("title") == "عربي\u202eمقلوب"
    folders = outlines["https://b.example/feed"].parentNode
    assert folders.getAttribute("text") == '"C"<D>'
    assert folders.parentNode.getAttribute("text") == "A&B"
    assert outlines["https://c.example/feed"].getAttribute("title") == "tab\tand\nnewline"
    assert outlines["https://c.example/feed"].getAttribute("htmlUrl") == "https://c.example/?a&b"


def test_export_to_stdout_of_an_empty_library(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    status, out, _err = reader(capsys, db, "feed", "export")
    assert status == 0
    document = xml.dom.minidom.parseString(out.encode("utf-8"))
    assert document.documentElement.tagName == "opml"
    assert document.getElementsByTagName("outline") == []


def test_export_to_a_folder_is_one_sentence(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    status, out, err = reader(capsys, db, "feed", "export", "-o", str(tmp_path))
    assert (status, out) == (1, "")
    assert err == f"reader: {tmp_path} is a folder; give a file name such as feeds.opml.\n"


def test_imported_feeds_are_fetched_by_refresh_not_by_import(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, serve: Serve
) -> None:
    fetched: list[str] = []
    feed_body = (ARTICLES / "tech.rss").read_bytes()

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            fetched.append(self.path)
            self.reply(200, feed_body, {"Content-Type": "application/rss+xml"})

    base = serve(Handler)
    path = tmp_path / "mine.opml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><body>'
        f'<outline text="تقنية"><outline type="rss" text="أخبار" xmlUrl="{base}/tech.rss"/>'
        "</outline></body></opml>",
        encoding="utf-8",
    )
    status, _out, err = reader(capsys, db, "feed", "import", str(path))
    assert status == 0, err
    assert fetched == []
    status, out, err = reader(capsys, db, "refresh")
    assert status == 0, err
    assert fetched == ["/tech.rss"]
    assert out.splitlines()[-1] == "2 new articles from 1 feed."
    status, out, _err = reader(capsys, db, "list", "--json")
    rows: list[dict[str, Any]] = json.loads(out)
    assert len(rows) == 2
    assert subscriptions(db)[f"{base}/tech.rss"][1] == "تقنية"  # refresh keeps the folder


def test_import_from_stdin_and_folders_in_feed_list_json(
    capsys: pytest.CaptureFixture[str], db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    data = (FIXTURES / "netnewswire.opml").read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    status, out, err = reader(capsys, db, "feed", "import", "-")
    assert status == 0, err
    assert out.startswith("Subscribed to 4 feeds in 2 folders from stdin;")
    status, out, _err = reader(capsys, db, "feed", "list", "--json")
    rows = {row["url"]: row for row in json.loads(out)}
    assert rows["https://www.france24.com/ar/rss"]["folder"] == "عربي"
    assert rows["https://www.france24.com/ar/rss"]["html_url"] == "https://www.france24.com/ar/"
    assert rows["https://daringfireball.net/feeds/main"]["folder"] == ""
