"""Saving from the app while other processes use the database: a note changed by
`reader import` is not reverted by a recolour, and a lock held by another process neither
stops the app starting nor freezes it or drops a new highlight."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers.apps import make_app
from helpers.told import Told
from helpers.waits import entities_listed, settle
from textual.widgets import ListView

from reader.models import Annotation
from reader.store.database import Store
from reader.ui.app import ReaderApp
from reader.ui.widgets.entities_pane import EntityItem
from reader.ui.widgets.highlight_view import ReadingView

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"
SIZE = (100, 40)

HOLDER = textwrap.dedent(
    """
    import sys
    from filelock import FileLock
    held = FileLock(sys.argv[1])  # the package's own lock contends with the store's
    held.acquire()
    print("locked", flush=True)
    sys.stdin.read()
    """
)


class LockHolder:
    """Another process holding the database's write lock until `release`."""

    def __init__(self, db: Path) -> None:
        lock = db.with_name(db.name + ".d") / "lock"
        self._process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(lock)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        assert self._process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait(timeout=10)


@contextmanager
def lock_held(db: Path) -> Iterator[LockHolder]:
    holder = LockHolder(db)
    try:
        yield holder
    finally:
        holder.release()


def _reader(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reader", "--db", str(db), *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        env={**os.environ, "COLUMNS": "120"},
        check=False,
    )


def _seed_with_note(db: Path, note: str) -> Annotation:
    """The seed article in the library with one noted highlight on its first words."""
    added = _reader(db, "add", str(SEED))
    assert added.returncode == 0, added.stderr
    with Store.open(db) as store:
        (summary,) = store.list_articles()
        article = store.get_article(summary.id)
        assert article is not None
        from reader.notes.anchors import make_annotation

        annotation = make_annotation(article, 0, 10, color=1)
        annotation.note = note
        store.add_annotation(annotation)
        store.set_setting("library.seeded", True)
    return annotation


async def test_recolour_after_import_keeps_the_imported_note(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    shown = _seed_with_note(db, "قديمة")
    changes = tmp_path / "notes.json"
    exported = _reader(db, "export", shown.article_id, "--format", "json", "-o", str(changes))
    assert exported.returncode == 0, exported.stderr
    changes.write_text(
        changes.read_text(encoding="utf-8").replace("قديمة", "من ملف آخر"), encoding="utf-8"
    )
    app = make_app(db, target=str(SEED), bidi="app", theme="dark")
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(ReadingView)
        assert [(a.id, a.note) for a in view.annotations] == [(shown.id, "قديمة")]
        imported = _reader(db, "import", str(changes))  # another process, article still open
        assert imported.returncode == 0, imported.stderr
        assert "1 updated" in imported.stdout
        view.move_cursor(shown.start)
        await pilot.press("3")  # recolour the highlight under the cursor
        await pilot.pause()
        (on_screen,) = view.annotations
        assert (on_screen.note, on_screen.color) == ("من ملف آخر", 3)
    with Store.open(db) as store:
        (saved,) = store.annotations_for(shown.article_id)
    assert (saved.note, saved.color) == ("من ملف آخر", 3)


async def test_app_starts_and_keeps_a_highlight_while_another_process_holds_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, told: Told
) -> None:
    db = tmp_path / "reader.json"
    shown = _seed_with_note(db, "")
    monkeypatch.setattr(Store, "lock_timeout_seconds", 2.0)
    with lock_held(db) as holder:
        app = make_app(db, target=str(SEED), bidi="app", theme="dark")
        async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
            view = app.screen.query_one(ReadingView)
            text = view.text
            start = text.index("OpenAI")
            view.select_span(start, start + len("OpenAI"))
            began = time.monotonic()
            await pilot.press("2")
            pressed = time.monotonic() - began
            await pilot.pause(2.5)  # longer than the store waits for the lock
            assert pressed < 1.5, f"the key took {pressed:.2f} s: the UI waited for the lock"
            spans = [(s, e) for s, e, _ in view.highlight_marks()]
            assert (start, start + len("OpenAI")) in spans  # still on screen, not dropped
            assert len(view.annotations) == 2
            waiting = [n.message for n in told.notifications if "not saved yet" in n.message]
            assert len(waiting) == 1 and waiting[0].endswith(".")
            with Store.open(db) as other:
                assert len(other.annotations_for(shown.article_id)) == 1
            holder.release()
            await app.saver.idle()
            await pilot.pause()
            assert app.saver.pending == 0
            assert any("is saved now" in n.message for n in told.notifications)
    with Store.open(db) as store:
        quotes = sorted(a.quote for a in store.annotations_for(shown.article_id))
    assert quotes == sorted([shown.quote, "OpenAI"])


async def test_full_disk_app_opens_read_only_says_why_and_keeps_nothing_unsaid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, told: Told
) -> None:
    db = tmp_path / "reader.json"
    shown = _seed_with_note(db, "")
    with Store.open(db) as store:
        store.set_setting("library.seeded", False)  # seeding would write: it must be skipped
    monkeypatch.setenv("READER_MIN_FREE_BYTES", str(10**18))  # no disk has that much free
    app = make_app(db, target=str(SEED), bidi="app", theme="dark")
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ReadingView)
        assert [a.id for a in view.annotations] == [shown.id]
        (full,) = [n.message for n in told.notifications if "is full" in n.message]
        assert "read-only" in full and full.endswith(".")
        start = view.text.index("OpenAI")
        view.select_span(start, start + len("OpenAI"))
        await pilot.press("2")
        await pilot.pause()
        assert [a.id for a in view.annotations] == [shown.id]  # taken away again: not saved
        refused = [n for n in told.notifications if "is full" in n.message]
        assert len(refused) == 2 and refused[1].severity == "error"
    monkeypatch.delenv("READER_MIN_FREE_BYTES")
    with Store.open(db) as store:
        assert [a.id for a in store.annotations_for(shown.article_id)] == [shown.id]
        assert store.get_setting("library.seeded") is False


async def test_an_entity_correction_waits_for_the_lock_in_the_background_not_in_the_key(
    app_factory: Callable[..., ReaderApp],
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    told: Told,
) -> None:
    """Hiding an entity while another process holds the database: the key returns at once
    (the pane saved on the UI thread, which waited for the lock and then dropped the
    correction), the reader is told it waits, and it is saved once the lock is free."""
    hidden = "ملايين الدولارات"
    monkeypatch.setattr(Store, "lock_timeout_seconds", 2.0)
    app = app_factory()
    async with app.run_test(size=(140, 45), message_hook=told.hook) as pilot:
        await pilot.press("enter")  # the seed article, then its Entities tab
        await pilot.pause()
        await pilot.press("i")
        pane = await entities_listed(pilot)
        assert hidden in {entity.name for entity in pane.entities}
        entities = pane.query_one("#entities-list", ListView)
        entities.focus()
        entities.index = next(
            index
            for index, item in enumerate(entities.children)
            if isinstance(item, EntityItem) and item.entity.name == hidden
        )
        await pilot.press("enter")
        await pilot.pause()
        with lock_held(db_path) as holder:
            began = time.monotonic()
            await pilot.press("x")
            pressed = time.monotonic() - began
            await pilot.pause(2.5)  # longer than the store waits for the lock
            assert pressed < 1.5, f"the key took {pressed:.2f} s: the UI waited for the lock"
            waiting = [n.message for n in told.notifications if "not saved yet" in n.message]
            assert len(waiting) == 1 and waiting[0].startswith("The correction")
            assert not [n for n in told.notifications if n.severity == "error"]
            with Store.open(db_path) as other:
                assert other.entity_corrections() == []
            holder.release()
            await app.saver.idle()
            await settle(pilot)
        assert hidden not in {entity.name for entity in pane.entities}
        assert any(message.startswith("Hidden: ") for message in told.messages)
    with Store.open(db_path) as store:
        saved = [(c.action, c.name) for c in store.entity_corrections()]
    assert saved == [("hide", hidden)]
