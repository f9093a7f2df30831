"""The app shows hostile titles, sources, authors and messages neutralised: no escape
sequence, control or bidi control reaches the screen, and no override reverses a title.

The library holds the records as an older version stored them, raw (the way in cleans
them now; the way out must hold for data saved before that)."""

from __future__ import annotations

import re
from pathlib import Path

from helpers.apps import make_app
from helpers.told import Told
from textual.geometry import Region
from textual.widgets import DataTable

from reader.models import Annotation, Article, Block
from reader.store.database import Store
from reader.text.shaping import reference_reshaper
from reader.ui.app import ReaderApp
from reader.ui.screens.all_notes import AllNotesScreen
from reader.ui.screens.article import ArticleScreen
from reader.ui.screens.library import LibraryScreen

BIDI = "".join(map(chr, [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
FORBIDDEN = re.compile(
    "["
    + re.escape(
        "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if c not in (9, 10)) + BIDI
    )
    + "]"
)
HOSTILE_TITLE = "\u202erev \x1b]0;pwned\x07[b]news[/b]\x1b[2J"
HOSTILE_SOURCE = "https://evil.example/\x1b]52;c;cm0gLXJmIH4=\x07/\u202epiece"
SIZE = (110, 36)


def screen_text(app: ReaderApp) -> str:
    """Every line every visible widget of the current screen renders (toasts included)."""
    lines: list[str] = []
    for widget in app.screen.query("*"):
        width, height = widget.size
        if width and height and widget.display:
            lines.extend(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))
    return "\n".join(lines)


def assert_clean(label: str, text: str) -> None:
    bad = FORBIDDEN.search(text)
    assert bad is None, f"{label}: {bad.group()!r} in {text[max(0, bad.start() - 40) :][:80]!r}"


def hostile_db(tmp_path: Path) -> Path:
    path = tmp_path / "reader.json"
    with Store.open(path) as store:
        store.put_article(
            Article(
                id="hostile000000001",
                title=HOSTILE_TITLE,
                source=HOSTILE_SOURCE,
                blocks=[Block("paragraph", "نص المقال. text here")],
                author="\u2067كاتب\x1b[31m",
                published="2025-01-01",
                added="2025-01-01T00:00:00",
                language="en",
                direction="ltr",
            )
        )
        store.add_annotation(
            Annotation(
                id="legacy1",
                article_id="hostile000000001",
                start=0,
                end=3,
                quote="نص ",
                note="\x1b]0;note\x07ملاحظة",
                tags=["\u202etag1\x1b[2J"],
            )
        )
        store.set_setting("theme", "\x1b]0;theme\x07[b]x\u202e")
    return path


async def test_library_article_header_and_notices_are_neutralised(
    tmp_path: Path, told: Told
) -> None:
    app = make_app(hostile_db(tmp_path), seed=False)
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        # The broken theme name comes back in a notice: shown as plain text, neutralised.
        [notice] = [n for n in told.notifications if "theme" in n.message]
        assert_clean("notice", notice.message + notice.title)
        assert "[b]x" in notice.message
        table = app.screen.query_one(DataTable)
        title, source = (str(cell) for cell in table.get_row_at(0)[:2])
        assert_clean("title cell", title)
        assert_clean("source cell", source)
        assert "rev" in title and "ver" not in title, title
        assert "[b]news[/b]" in title
        shown = screen_text(app)
        assert_clean("library screen", shown)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        assert_clean("sub title", app.sub_title + app.screen.sub_title)
        shown = screen_text(app)
        assert_clean("article screen", shown)
        # The author is drawn shaped (app mode), as the reference reshaper joins it.
        assert "rev" in shown and reference_reshaper().reshape("كاتب")[::-1] in shown
        # All notes: the article's title over its highlights, and their tags, one line each.
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, AllNotesScreen)
        shown = screen_text(app)
        assert_clean("all notes", shown)
        assert "rev" in shown and "tag1" in shown and "1gat" not in shown, shown
