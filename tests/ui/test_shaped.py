"""Arabic outside the article body (notifications, the byline) is shaped in app mode and left
logical in terminal mode: checked on the strips the screen is composed of."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.apps import make_app
from helpers.arabic import letters_with_forms, visual
from helpers.screen import screen_lines
from helpers.told import Told
from helpers.waits import settle

from reader.models import Article, Block
from reader.store.database import Store

TITLE = "افتتاح مكتبة عامة جديدة في الرياض"
AUTHOR = "خالد العتيبي"
MESSAGE = f"The saved text of the article '{TITLE}' is damaged; it was kept as it was."


def is_presentation_form(char: str) -> bool:
    return "\ufb50" <= char <= "\ufdff" or "\ufe70" <= char <= "\ufeff"


def article_db(tmp_path: Path) -> Path:
    path = tmp_path / "reader.json"
    store = Store.open(path)
    store.put_article(
        Article(
            id="arabicauthor0001",
            title=TITLE,
            source="/home/reader/solar.html",
            author=AUTHOR,
            blocks=[Block("paragraph", "وقالت الأرصاد إن الرياح ستكون معتدلة.")],
            published="2024-02-20",
            added="2024-02-20T08:00:00",
        )
    )
    store.close()
    return path


@pytest.mark.parametrize("size", [100, 80])
async def test_app_mode_shapes_notifications_and_the_byline(
    tmp_path: Path, size: int, told: Told
) -> None:
    app = make_app(article_db(tmp_path), seed=False, bidi="app")
    async with app.run_test(size=(size, 30), notifications=True, message_hook=told.hook) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        app.notify(MESSAGE, title="خطأ", severity="error", timeout=30)
        app.screen.notify(f"مقال {TITLE}", timeout=30)
        await settle(pilot)  # the toasts are mounted on a later message
        lines = screen_lines(app)
        said = told.messages
    assert MESSAGE in said  # what was said is kept in logical order
    text = "\n".join(lines)
    unshaped = sorted({char for char in text if char in letters_with_forms()})
    assert not unshaped, f"logical Arabic letters on screen: {unshaped}\n{text}"
    byline = next(line for line in lines if "solar.html" in line)
    # Each field laid out on its own: the date keeps its order after the Arabic name.
    assert f"solar.html · {visual(AUTHOR)} · 2024-02-20" in byline
    for word in TITLE.split():
        assert visual(word) in text, f"{word} not drawn joined\n{text}"
    if size == 80:  # the toast's visual lines are not wrapped again: the quoted title is whole
        assert any(f"'{visual(TITLE)}'" in line for line in lines), text
    assert any(visual("خطأ") in line for line in lines), text


async def test_terminal_mode_leaves_them_logical(tmp_path: Path) -> None:
    app = make_app(article_db(tmp_path), seed=False, bidi="terminal")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        app.notify(MESSAGE, title="خطأ", severity="error", timeout=30)
        app.screen.notify(f"مقال {TITLE}", timeout=30)
        await settle(pilot)  # the toasts are mounted on a later message
        lines = screen_lines(app)
    text = "\n".join(lines)
    assert not [char for char in text if is_presentation_form(char)], text
    assert f"solar.html · {AUTHOR} · 2024-02-20" in text
    assert "مكتبة عامة" in text and "خطأ" in text
