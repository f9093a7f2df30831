"""The app notices changes made by another process (issue 14): `reader add` while the library
is open adds its row (the cursor stays on its article), and `reader import` while an article
is open shows the imported highlight and note. Real subprocesses on the same database; the
app's timer (`READER_WATCH_SECONDS`, short here) looks for the changes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from reader.models import now_iso
from reader.notes.anchors import make_annotation
from reader.notes.webanno import collection_json
from reader.store.database import Store
from reader.ui.app import WATCH_ENV, make_app
from reader.ui.screens.article import ArticleScreen
from reader.ui.screens.library import LibraryScreen
from reader.ui.widgets.highlight_view import ReadingView
from reader.ui.widgets.notes_pane import NotesPane

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "articles" / "arabic_front_matter.txt"
SIZE = (110, 32)
TICK = 0.2


@pytest.fixture(autouse=True)
def _fast_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WATCH_ENV, str(TICK))


def reader(db: Path, *args: str) -> None:
    """Run `reader ARGS` as another process on the database."""
    done = subprocess.run(
        [sys.executable, "-m", "reader", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


async def ticks(pilot: Pilot[Any], count: int = 5) -> None:
    """Let the app's watch timer fire a few times and the screens act on it."""
    await pilot.pause(TICK * count)
    await pilot.pause()


def row_ids(pilot: Pilot[Any]) -> list[str]:
    return [str(key.value) for key in pilot.app.screen.query_one(DataTable).rows]


async def test_an_article_added_by_another_process_appears(db_path: Path) -> None:
    app = make_app(db_path, seed=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        before = row_ids(pilot)
        assert len(before) == 3
        await pilot.press("down")  # the cursor on the second article
        await pilot.pause()
        chosen = app.screen.selected_id()
        reader(db_path, "add", str(FIXTURE))
        await ticks(pilot)
        after = row_ids(pilot)
        assert len(after) == 4 and set(before) < set(after)
        assert app.screen.selected_id() == chosen, "the cursor stays on the same article"
        assert "4 articles" in str(app.screen.query_one("#library-title").render())


async def test_a_highlight_imported_by_another_process_shows_in_the_open_article(
    db_path: Path, tmp_path: Path
) -> None:
    with Store.open(db_path) as store:
        article = store.get_article("english0000000001")
    assert article is not None
    start = article.text.index("Oil rose")
    made = make_annotation(article, start, start + len("Oil rose slightly"), note="Imported note")
    exported = tmp_path / "notes.json"
    exported.write_text(
        json.dumps(collection_json([(article, [made])], exported_at=now_iso())), "utf-8"
    )
    app = make_app(db_path, seed=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_article(article.id)
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        view = app.screen.query_one(ReadingView)
        await pilot.press("i", "i")  # the side pane's Notes tab
        await pilot.pause()
        assert view.annotations == []
        top = view.scroll_y
        reader(db_path, "import", str(exported))
        await ticks(pilot)
        assert [a.note for a in view.annotations] == ["Imported note"]
        assert (start, start + len("Oil rose slightly")) in {
            (begin, end) for begin, end, _style in view.highlight_marks()
        }
        notes = app.screen.query_one(NotesPane)
        assert [a.note for a in notes.annotations] == ["Imported note"]
        assert view.scroll_y == top
