"""Issue 13 §1: Arabic is drawn right in every corner of the app, not only the article body.

The library's Source column is shaped like its titles; a walk through every screen and dialog
checks that no logical (unshaped) Arabic letter reaches the screen in app mode, and that
terminal mode shows logical text only. Expected pictures come from the reference reshaper
(arabic-reshaper), not from our layout engine."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from textual.widgets import DataTable

from reader.models import Article, Block
from reader.store.database import Store
from reader.text.shaping import reference_reshaper
from reader.ui.app import ReaderApp

Factory = Callable[..., ReaderApp]

AGENCY = "وكالة الأنباء"
LONG_AGENCY = "وكالة الأنباء السعودية الرسمية للأخبار العاجلة"


def visual(arabic: str) -> str:
    """Arabic words as drawn left to right, by the reference reshaper."""
    shaped = reference_reshaper().reshape(arabic)
    return " ".join(word[::-1] for word in reversed(shaped.split(" ")))


@cache
def letters_with_forms() -> frozenset[str]:
    """Arabic letters Unicode gives presentation forms (their logical form must not be drawn)."""
    letters: set[str] = set()
    for code in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)]:
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and parts[0] in ("<isolated>", "<initial>", "<medial>", "<final>"):
            letters.add(chr(int(parts[1], 16)))
    return frozenset(letters)


def screen_lines(app: ReaderApp) -> list[str]:
    """The screen as composed (every layer), one string a row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def add_agency_articles(db_path: Path) -> None:
    """Two articles whose source is an Arabic agency name (one too long for its column)."""
    store = Store.open(db_path)
    for index, source in enumerate((AGENCY, LONG_AGENCY)):
        store.put_article(
            Article(
                id=f"agency000000000{index}",
                title=f"خبر رقم {index + 1}",
                source=source,
                blocks=[Block("paragraph", "نص الخبر القصير.")],
                published=f"2025-04-0{index + 1}",
                added=f"2025-04-0{index + 1}T08:00:00",
            )
        )
    store.close()


def source_cells(app: ReaderApp, date: str) -> str:
    """The Source cell (without its padding) of the row dated `date`, as the screen shows it."""
    table = app.screen.query_one(DataTable)
    widths = [column.get_render_width(table) for column in table.columns.values()]
    row = next(line for line in screen_lines(app) if date in line)
    return row[widths[0] + 1 : widths[0] + widths[1] - 1]


@pytest.mark.parametrize("size", [(80, 24), (130, 45)], ids=["80x24", "130x45"])
async def test_source_column_is_shaped_right_aligned_and_cut_on_the_left(
    db_path: Path, app_factory: Factory, size: tuple[int, int]
) -> None:
    add_agency_articles(db_path)
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        short = source_cells(app, "2025-04-01")
        long = source_cells(app, "2025-04-02")
    assert not (set(short) | set(long)) & letters_with_forms(), (short, long)
    # Right-aligned in its column, joined and right to left.
    assert short.endswith(visual(AGENCY)), repr(short)
    assert short.startswith(" ")
    # Cut at its logical end: the first words stay whole at the right, "…" is the left end.
    assert long.lstrip().startswith("…"), repr(long)
    assert long.endswith(visual("وكالة")), repr(long)
    kept = long.lstrip()[1:].strip()
    assert visual(LONG_AGENCY).endswith(kept), repr(long)


async def test_source_column_terminal_mode_is_logical(db_path: Path, app_factory: Factory) -> None:
    add_agency_articles(db_path)
    app = app_factory(bidi="terminal")
    async with app.run_test(size=(130, 45)) as pilot:
        await pilot.pause()
        short = source_cells(app, "2025-04-01")
    assert short.endswith(AGENCY), repr(short)  # right-aligned, letters as stored
    assert not [char for char in short if "\ufb50" <= char <= "\ufeff"]
