"""Hostile text never reaches the terminal: escape sequences, controls and bidi controls
from a feed, a file or an imported annotation are cleaned on the way into the store, and
every command's output and every export is neutralised on the way out.

Everything runs for real: `reader` on pipes (through the command line's entry point in this
process, which the property test checks writes exactly what a process on pipes writes) and
in a subprocess on a pseudo-terminal (where rich may colour), a TinyDB on disk in tmp_path,
files on disk and a feed served by an HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from helpers.cli import run_piped
from helpers.loopback import QuietHandler, Serve
from helpers.terminal import run_on_terminal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.entities.extractor import Extractor
from reader.models import Annotation, Article, Block, EntityCorrection, Feed
from reader.store.database import Store

# Unicode's Bidi_Control characters (ALM, LRM, RLM, LRE..RLO, LRI..PDI), spelled out here
# rather than taken from reader.text.sanitize, so a gap there cannot hide here.
BIDI = "".join(map(chr, [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
C0_C1 = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n")
FORBIDDEN = re.compile(f"[{re.escape(C0_C1 + BIDI)}]")
SGR = re.compile(r"\x1b\[[0-9;]*m")
"""Rich colours a table on a terminal with SGR sequences; nothing else is allowed there."""

CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"
WINDOW_TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
HOSTILE_PIECES = [
    CLIPBOARD,
    WINDOW_TITLE,
    CLEAR,
    "\x1b[31;1m",
    "\x1bP1$qm\x1b\\",  # DCS
    "\x1b]8;;https://evil.example/\x1b\\",  # OSC 8 hyperlink
    "\x9b2J",  # 8-bit CSI
    "\x9d0;t\x9c",  # 8-bit OSC
    "\x1bc",
    "\x1b",
    "\x00",
    "\x07",
    "\x08",
    "\r",
    "\x85",
    "\x7f",
    *BIDI,
]


def assert_clean(label: str, data: bytes, *, terminal: bool = False) -> str:
    """`data` decoded, after checking it holds no escape, control or bidi control."""
    text = data.decode("utf-8")
    if terminal:
        text = SGR.sub("", text.replace("\r\n", "\n"))
    bad = FORBIDDEN.search(text)
    if bad is not None:
        around = text[max(0, bad.start() - 60) : bad.start() + 60]
        raise AssertionError(f"{label}: {bad.group()!r} at {bad.start()} in {around!r}")
    return text


# ------------------------------------------------------------------------ a real site


@dataclass
class Site:
    """What the loopback server serves: path -> (content type, body)."""

    routes: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    base: str = ""


@pytest.fixture
def site(serve: Serve) -> Site:
    state = Site()

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            kind, body = state.routes.get(self.path, ("text/plain", b"missing"))
            self.reply(200 if self.path in state.routes else 404, body, {"Content-Type": kind})

    state.base = serve(Handler)
    return state


def _xml(text: str) -> str:
    """`text` inside an XML element: markup escaped, control characters left raw (feedparser
    falls back to its loose parser and keeps them, as hostile feeds rely on)."""
    return escape(text)


@dataclass
class Item:
    title: str
    link: str
    guid: str
    author: str
    body: str


def rss(title: str, link: str, items: list[Item]) -> bytes:
    parts = [
        f"<item><title>{_xml(i.title)}</title><link>{_xml(i.link)}</link>"
        f"<guid isPermaLink='false'>{_xml(i.guid)}</guid><author>{_xml(i.author)}</author>"
        f"<category>{_xml(i.title)}</category><description>{_xml(i.body)}</description></item>"
        for i in items
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{_xml(title)}</title><link>{_xml(link)}</link>{''.join(parts)}</channel></rss>"
    ).encode()


# ------------------------------------------------------------------------- the CLI


def _env(db: Path) -> dict[str, str]:
    return {**os.environ, "READER_DB": str(db), "COLUMNS": "110", "LINES": "40"}


def run(db: Path, *args: str, stdin: bytes = b"") -> tuple[bytes, bytes, int]:
    """`reader ARGS` on pipes: (stdout, stderr, exit status)."""
    result = subprocess.run(
        [sys.executable, "-m", "reader", *args],
        input=stdin,
        capture_output=True,
        env=_env(db),
        timeout=120,
        check=False,
    )
    return result.stdout, result.stderr, result.returncode


def run_in_process(
    db: Path, *args: str, stdin: bytes = b"", extractor: Extractor | None = None
) -> tuple[bytes, bytes, int]:
    """`reader ARGS` on pipes, as `run` does, through the command line's entry point in this
    process (the property test runs a few dozen commands for each example, with the entity
    model the test process loaded once)."""
    result = run_piped(args, _env(db), stdin=stdin, extractor=extractor)
    return result.stdout, result.stderr, result.status


def run_tty(db: Path, *args: str) -> bytes:
    """`reader ARGS` with stdout and stderr on a pseudo-terminal: everything it wrote."""
    env = {**_env(db), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    return run_on_terminal(args, env, columns=110).output


# -------------------------------------------------------------------- targeted cases


def test_link_title_and_clear_in_a_feed_never_reach_the_terminal(
    tmp_path: Path, site: Site
) -> None:
    """The issue's own probe: an item <link> holding an OSC 52 clipboard write, an OSC 0
    window title in the item title, ESC [ 2 J in the author, U+202E in the feed title."""
    item = Item(
        title=f"خبر {WINDOW_TITLE}عاجل",
        link=f"https://example.com/a{CLIPBOARD}b",
        guid="g1",
        author=f"كاتب{CLEAR}",
        body="نص الخبر الأول.",
    )
    site.routes["/feed"] = ("application/rss+xml", rss("\u202erev news", site.base, [item]))
    db = tmp_path / "db" / "reader.json"
    out, err, status = run_in_process(db, "feed", "add", f"{site.base}/feed")
    assert status == 0, err
    assert "rev news" in assert_clean("feed add", out)
    assert_clean("feed add stderr", err)

    # Stored cleaned: the link keeps its meaning, percent-encoded; the title loses the OSC.
    [row] = json.loads(assert_clean("list --json", run_in_process(db, "list", "--json")[0]))
    assert row["source"] == "https://example.com/a%1B]52;c;cm0gLXJmIH4=%07b"
    assert row["title"] == "خبر عاجل"
    [feed] = json.loads(
        assert_clean("feed list --json", run_in_process(db, "feed", "list", "--json")[0])
    )
    assert feed["title"] == "rev news"

    listed = assert_clean("list (pipe)", run_in_process(db, "list")[0])
    assert "%07b" in listed  # the cell keeps the end of the source
    feeds = assert_clean("feed list (pipe)", run_in_process(db, "feed", "list")[0])
    assert "rev news" in feeds and "ver" not in feeds
    assert_clean("feed list (terminal)", run_tty(db, "feed", "list"), terminal=True)
    assert_clean("list (terminal)", run_tty(db, "list"), terminal=True)

    second = Item(f"{CLEAR}ثان", f"https://example.com/b{WINDOW_TITLE}", "g2", "x", "نص ثان.")
    site.routes["/feed"] = ("application/rss+xml", rss("\u202erev news", "", [item, second]))
    out, err, status = run_in_process(db, "refresh")
    assert status == 0, err
    refreshed = assert_clean("refresh", out)
    assert "rev news: 1 new article." in refreshed
    assert_clean("refresh (terminal)", run_tty(db, "refresh"), terminal=True)


def test_bidi_override_in_a_feed_title_is_gone_from_every_output(
    tmp_path: Path, site: Site
) -> None:
    item = Item("\u202eأخبار rev", "https://example.com/x\u202e", "g", "\u2067كاتب", "نص.")
    site.routes["/f"] = ("application/rss+xml", rss("\u202eعنوان rev\u2069", site.base, [item]))
    db = tmp_path / "db" / "reader.json"
    assert run_in_process(db, "feed", "add", f"{site.base}/f")[2] == 0
    outputs = {
        "feed list": run_in_process(db, "feed", "list")[0],
        "refresh": run_in_process(db, "refresh")[0],
        "list": run_in_process(db, "list")[0],
    }
    for label, data in outputs.items():
        text = assert_clean(label, data)
        assert "rev" in text and "ver" not in text, (label, text)
    [row] = json.loads(run_in_process(db, "list", "--json")[0])
    assert row["source"] == "https://example.com/x%E2%80%AE"
    # Markdown export of a highlight on it, to stdout and to a file: references, not raw.
    store = Store.open(db)
    try:
        article = store.get_article(row["id"])
        assert article is not None
        note = Annotation(
            id="n1", article_id=article.id, start=0, end=2, quote=article.text[:2], note="\u202eok"
        )
        store.add_annotation(note)
    finally:
        store.close()
    md = assert_clean("export md", run_in_process(db, "export", "--all", "-o", "-")[0])
    assert "&#8238;ok" in md  # the note's own override, written as a reference
    folder = tmp_path / "out"
    assert run_in_process(db, "export", "--all", "-o", f"{folder}/")[2] == 0
    [path] = folder.iterdir()
    assert_clean("export file", path.read_bytes())


def test_a_hostile_file_name_is_percent_encoded_in_the_source(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / f"a{CLEAR}b\u202e.txt"
    path.write_text("عنوان\n\nنص المقال هنا.\n", encoding="utf-8")
    db = tmp_path / "db" / "reader.json"
    out, err, status = run_in_process(db, "add", str(path))
    assert_clean("add", out)
    assert status == 0, err
    [row] = json.loads(run_in_process(db, "list", "--json")[0])
    assert row["source"].endswith("/a%1B[2Jb%E2%80%AE.txt")
    assert_clean("list", run_in_process(db, "list")[0])
    missing = f"{folder}/none{WINDOW_TITLE}.txt"
    _out, err, status = run_in_process(db, "add", missing)
    assert status == 1
    assert "does not exist" in assert_clean("add missing", err)
    notes = folder / f"notes{CLIPBOARD}\u202e.json"
    notes.write_text("[1, [", encoding="utf-8")
    for name in (str(notes), missing):
        _out, err, status = run_in_process(db, "import", name)
        assert status == 1
        assert "nothing was imported" in assert_clean("import refused", err)


# ------------------------------------------------------------------ the property test

PLAIN = st.text(alphabet="abc rev ربي ملك", min_size=1, max_size=5)
hostile = st.lists(
    st.one_of(
        st.sampled_from(HOSTILE_PIECES),
        st.sampled_from(list(C0_C1)),
        PLAIN,
    ),
    min_size=1,
    max_size=8,
).map("".join)
"""Text mixing whole escape sequences (CSI, OSC, DCS, 7- and 8-bit), lone controls, NUL,
bidi overrides, embeddings, isolates and marks with Arabic and Latin letters."""


def _argv_safe(text: str) -> str:
    """What may stand in a command-line argument or a file name."""
    return text.replace("\x00", "").replace("/", "")


BODY = "قال محمد بن سلمان في الرياض إن شركة أرامكو ستستثمر مليار دولار"
"""Names the entity model finds, so entity corrections have something to act on."""


@dataclass
class Fields:
    feed_title: str
    items: list[Item]
    json_article: dict[str, str]
    file_name: str
    file_body: str
    note: str
    tags: list[str]
    stamp: str
    annotation_id: str
    legacy: str


fields_strategy = st.builds(
    Fields,
    feed_title=hostile,
    items=st.lists(
        st.builds(Item, title=hostile, link=hostile, guid=hostile, author=hostile, body=hostile),
        min_size=2,
        max_size=2,
    ),
    json_article=st.fixed_dictionaries(
        {"title": hostile, "author": hostile, "url": hostile, "date": hostile, "content": hostile}
    ),
    file_name=hostile.map(_argv_safe),
    file_body=hostile,
    note=hostile,
    tags=st.lists(hostile, min_size=1, max_size=2),
    stamp=hostile,
    annotation_id=hostile,
    legacy=hostile,
)


def _feed_items(fields: Fields, site: Site, which: slice) -> list[Item]:
    items = []
    for number, item in enumerate(fields.items[which], start=which.start or 0):
        link = f"{site.base}/item{number}/{item.link}"
        body = f"{BODY} {item.body} {number}"
        items.append(Item(item.title, link, f"g{number}{item.guid}", item.author, body))
    return items


def _seed_hostile_library(tmp: Path, db: Path, site: Site, fields: Fields) -> tuple[Path, Path]:
    """Bring hostile text in by every path: a feed, two files, an annotation import, and
    records as an older version stored them (raw); returns (text file, JSON file)."""
    site.routes["/feed"] = (
        "application/rss+xml",
        rss(fields.feed_title, fields.feed_title, _feed_items(fields, site, slice(0, 1))),
    )
    out, err, status = run_in_process(db, "feed", "add", f"{site.base}/feed")
    assert status == 0, err
    assert_clean("feed add", out)
    assert_clean("feed add stderr", err)
    site.routes["/feed"] = (
        "application/rss+xml",
        rss(fields.feed_title, "", _feed_items(fields, site, slice(0, 2))),
    )

    folder = tmp / "files"
    folder.mkdir()
    text_file = folder / f"{fields.file_name or 'x'}.txt"
    # No NUL, and enough plain text that its controls do not make it a "binary file".
    body = fields.file_body.replace("\x00", "")
    text_file.write_text(f"{BODY} {body}\n\n" + f"{BODY}.\n\n" * 40, encoding="utf-8")
    record = {**fields.json_article, "content": BODY + " " + fields.json_article["content"]}
    json_file = folder / f"{fields.file_name or 'x'}.json"
    json_file.write_text(json.dumps(record), encoding="utf-8")
    out, err, status = run_in_process(db, "add", str(text_file), str(json_file))
    assert_clean("add", out)
    assert_clean("add stderr", err)
    assert status == 0, err

    store = Store.open(db)
    try:
        articles = [store.get_article(s.id) for s in store.list_articles()]
        legacy = fields.legacy
        raw = Article(
            id="legacy0000000000",
            title=f"قديم {legacy}",
            source=f"https://old.example/{legacy}",
            blocks=[Block("paragraph", f"{BODY} {legacy}")],
            author=legacy,
            published=legacy,
            feed_url=legacy,
            entry_id=legacy,
        )
        # As stored by a version that cleaned nothing: the way out must still be safe.
        store.put_article(raw)
        store.put_feed(Feed(url=f"{site.base}/gone{legacy}", title=legacy))
        store.add_annotation(
            Annotation(
                id=f"legacy{legacy}",
                article_id=raw.id,
                start=0,
                end=3,
                quote=BODY[:3],
                note=legacy,
                tags=[legacy],
                created=legacy,
            )
        )
        for correction in (
            EntityCorrection("rename", "محمد بن سلمان", target=legacy, id="c1"),
            EntityCorrection("retype", "الرياض", type=legacy, id="c2"),
            EntityCorrection("add", "مليار دولار", type=legacy, id="c3"),
        ):
            store.add_entity_correction(correction)
    finally:
        store.close()

    annotations: list[dict[str, object]] = []
    for number, article in enumerate(articles):
        assert article is not None
        annotations.append(
            {
                "@context": "http://www.w3.org/ns/anno.jsonld",
                "id": f"urn:reader:annotation:{number}{fields.annotation_id}",
                "type": "Annotation",
                "created": fields.stamp,
                "modified": fields.stamp,
                "body": [
                    {"type": "TextualBody", "purpose": "commenting", "value": fields.note},
                    *(
                        {"type": "TextualBody", "purpose": "tagging", "value": t}
                        for t in fields.tags
                    ),
                ],
                "target": {
                    "source": article.source,
                    "selector": [{"type": "TextQuoteSelector", "exact": article.text[:9]}],
                },
            }
        )
    annotations.append(
        {
            "id": fields.annotation_id,
            "type": "Annotation",
            "target": {
                "source": fields.note,
                "selector": {"type": "TextQuoteSelector", "exact": "x"},
            },
        }
    )
    notes = tmp / "notes.json"
    notes.write_text(json.dumps(annotations), encoding="utf-8")
    out, err, status = run_in_process(db, "import", str(notes))
    assert status == 0, err
    imported = assert_clean("import", out)
    assert f"{len(annotations) - 1} placed" in imported, imported
    assert_clean("import stderr", err)
    return text_file, json_file


@pytest.mark.slow
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(fields=fields_strategy)
def test_no_command_and_no_export_lets_hostile_text_through(
    tmp_path_factory: pytest.TempPathFactory, site: Site, extractor: Extractor, fields: Fields
) -> None:
    """Every command on pipes (in this process, through the command line's entry point), a
    few on a real terminal, and every export file, after hostile text came in every way."""
    tmp = tmp_path_factory.mktemp("hostile")
    db = tmp / "db" / "reader.json"
    text_file, json_file = _seed_hostile_library(tmp, db, site, fields)
    # The in-process runs write exactly what a process on pipes writes.
    for args in (["list"], ["feed", "list", "--json"]):
        assert run_in_process(db, *args) == run(db, *args), args

    piped: dict[str, list[str]] = {
        "list": ["list"],
        "list --json": ["list", "--json"],
        "feed list": ["feed", "list"],
        "feed list --json": ["feed", "list", "--json"],
        "refresh": ["refresh"],
        "export md": ["export", "--all", "--with-entities", "-o", "-"],
        "export json": ["export", "--all", "--format", "json", "-o", "-"],
        "export md files": ["export", "--all", "-o", f"{tmp / 'md'}/"],
        "export json file": ["export", "--all", "--format", "json", "-o", str(tmp / "a.json")],
        "entities": ["entities", str(text_file)],
        "entities json file": ["entities", str(json_file)],
        "entities --json": ["entities", "--json", str(text_file)],
        "render": ["render", str(text_file)],
        "render terminal": ["render", "--bidi", "terminal", str(text_file)],
        "add missing": ["add", str(tmp / _argv_safe(fields.legacy))],
        "feed remove": ["feed", "remove", _argv_safe(fields.legacy) or "x"],
    }
    for label, args in piped.items():
        out, err, _status = run_in_process(db, *args, extractor=extractor)
        text = assert_clean(label, out)
        assert_clean(f"{label} stderr", err)
        if label.endswith("--json") or label == "export json":
            json.loads(text)
    out, err, _status = run_in_process(db, "render", "-", stdin=(BODY + fields.file_body).encode())
    assert_clean("render -", out)
    exported = [*(tmp / "md").iterdir(), tmp / "a.json"]
    assert len(exported) >= 4
    for path in exported:
        assert_clean(f"exported {path.name}", path.read_bytes())
    json.loads((tmp / "a.json").read_text(encoding="utf-8"))
    for args in (["list"], ["feed", "list"], ["entities", str(text_file)]):
        assert_clean(f"{args} on a terminal", run_tty(db, *args), terminal=True)
