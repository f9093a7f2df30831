"""Correcting entities in the Entities tab of the real app, on the seed article.

Each correction goes through the keys and dialogs; the tests check the correction saved in the
(real, tmp_path) store, the pane's list after re-extraction, and a second article added later
through `reader.ingest.library.add_targets` that names the same entities.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from helpers.told import Told
from helpers.waits import entities_listed, search_palette, settle
from textual.pilot import Pilot
from textual.widgets import ListView, OptionList

from reader.entities.extractor import ENTITY_TYPES
from reader.ingest.library import add_targets
from reader.ui.app import ReaderApp
from reader.ui.screens.entity_edit import NameScreen, PickScreen, TypeScreen
from reader.ui.screens.help import HelpScreen
from reader.ui.widgets.entities_pane import EntitiesPane, EntityItem
from reader.ui.widgets.highlight_view import ReadingView

Factory = Callable[..., ReaderApp]
SIZE = (140, 45)

SECOND = (
    "قال سام ألتمان في مقابلة إن تويتر لم يعد كما كان، وإن مشروع ستارجيت يمضي في طريقه.\n"
    "وأضاف أن الذكاء الاصطناعي سيغير الأعمال، وأن الشركة لن تبيع حصتها بملايين الدولارات.\n"
)


async def open_seed_pane(pilot: Pilot[None]) -> EntitiesPane:
    """Open the seed article (first in the library) and its Entities tab."""
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("i")
    return await entities_listed(pilot)


async def reextracted(pilot: Pilot[None], pane: EntitiesPane) -> None:
    """Wait for the extraction a correction started."""
    await settle(pilot)
    assert pane.loaded, "the article was not extracted again"


async def choose(pilot: Pilot[None], pane: EntitiesPane, name: str) -> None:
    """Move the list cursor to `name` and press Enter, as a reader does."""
    view = pane.query_one("#entities-list", ListView)
    index = next(
        i
        for i, item in enumerate(view.children)
        if isinstance(item, EntityItem) and item.entity.name == name
    )
    view.focus()
    view.index = index
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def pick_option(pilot: Pilot[None], index: int) -> None:
    """In the open dialog's option list, put the cursor on option `index`; Enter. (Moving it
    with arrow keys cost two idle waits of the pilot a key, up to 40 keys a pick; the list's
    own arrow keys are Textual's.)"""
    options = pilot.app.screen.query_one(OptionList)
    options.highlighted = index
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


def names(pane: EntitiesPane) -> dict[str, str]:
    """Listed entity name -> type."""
    return {e.name: e.type for e in pane.entities}


async def open_second(pilot: Pilot[None], tmp_path: Path) -> EntitiesPane:
    """Add a second article naming the same entities (as `reader add` does) and open it."""
    app: ReaderApp = pilot.app  # type: ignore[assignment]
    path = tmp_path / "second.txt"
    path.write_text(SECOND, encoding="utf-8")
    report = add_targets(app.store, [str(path)])
    assert not report.failed
    app.open_article(report.added[0].id)
    await pilot.pause()
    await pilot.press("i")
    return await entities_listed(pilot)


def saved(app: ReaderApp) -> list[tuple[str, str, str, str]]:
    return [(c.action, c.name, c.type, c.target) for c in app.store.entity_corrections()]


async def test_add_the_selection_as_an_entity(app_factory: Factory, tmp_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_seed_pane(pilot)
        assert "الذكاء الاصطناعي" not in names(pane)
        view = app.screen.query_one(ReadingView)
        text = view.article.text if view.article else ""
        start = text.index("الذكاء الاصطناعي")
        view.select_span(start, start + len("الذكاء الاصطناعي"))
        pane.query_one(ListView).focus()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, TypeScreen)
        await pick_option(pilot, ENTITY_TYPES.index("MISC"))
        assert saved(app) == [("add", "الذكاء الاصطناعي", "MISC", "")]
        await reextracted(pilot, pane)
        added = pane.find("الذكاء الاصطناعي")
        assert added is not None and added.type == "MISC"
        assert len(added.mentions) == text.count("الذكاء الاصطناعي")
        # the new entity is chosen: its mentions are marked in the article
        assert pane.selected is added
        marks = [(s, e) for s, e, _ in view.marks("entity")]
        assert marks == [(m.start, m.end) for m in added.mentions]

        second = await open_second(pilot, tmp_path)
        assert names(second).get("الذكاء الاصطناعي") == "MISC"


async def test_without_a_selection_add_says_what_to_do(app_factory: Factory, told: Told) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        pane = await open_seed_pane(pilot)
        pane.query_one(ListView).focus()
        await pilot.press("a")
        await pilot.pause()
        assert not isinstance(app.screen, TypeScreen)
        assert any("Select the name" in n.message for n in told.notifications)
        assert app.store.entity_corrections() == []


async def test_change_an_entity_type(app_factory: Factory, tmp_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_seed_pane(pilot)
        assert names(pane)["ستارجيت"] == "MISC"
        await choose(pilot, pane, "ستارجيت")
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TypeScreen)
        await pick_option(pilot, ENTITY_TYPES.index("ORG"))
        assert saved(app) == [("retype", "ستارجيت", "ORG", "")]
        await reextracted(pilot, pane)
        assert names(pane)["ستارجيت"] == "ORG"
        second = await open_second(pilot, tmp_path)
        assert names(second).get("ستارجيت") == "ORG"


async def test_rename_an_entity(app_factory: Factory, tmp_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_seed_pane(pilot)
        await choose(pilot, pane, "سام ألتمان")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, NameScreen)
        await pilot.press(*["backspace"] * len("سام ألتمان"), *"Sam Altman", "enter")
        await pilot.pause()
        assert saved(app) == [("rename", "سام ألتمان", "", "Sam Altman")]
        await reextracted(pilot, pane)
        assert "سام ألتمان" not in names(pane)
        renamed = pane.find("Sam Altman")
        assert renamed is not None and renamed.type == "PERSON"
        assert {m.text for m in renamed.mentions} == {"سام ألتمان", "ألتمان"}
        second = await open_second(pilot, tmp_path)
        assert names(second).get("Sam Altman") == "PERSON"
        assert "سام ألتمان" not in names(second)


async def test_rename_to_an_arabic_name_typed_in_the_dialog(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_seed_pane(pilot)
        await choose(pilot, pane, "X")
        await pilot.press("r", "backspace", *"إكس", "enter")
        await pilot.pause()
        assert saved(app) == [("rename", "X", "", "إكس")]
        await reextracted(pilot, pane)
        assert names(pane).get("إكس") == "ORG" and "X" not in names(pane)


async def test_merge_one_entity_into_another(app_factory: Factory, tmp_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_seed_pane(pilot)
        x_mentions = len(pane.find("X").mentions)  # type: ignore[union-attr]
        await choose(pilot, pane, "تويتر")
        await pilot.press("m")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PickScreen)
        keys = [key for key, _, _ in dialog.choices]
        assert "تويتر" not in keys
        assert all(names(pane)[k] == "ORG" for k in keys[:5])  # same type first
        await pick_option(pilot, keys.index("X"))
        assert saved(app) == [("merge", "تويتر", "", "X")]
        await reextracted(pilot, pane)
        assert "تويتر" not in names(pane)
        merged = pane.find("X")
        assert merged is not None
        assert len(merged.mentions) == x_mentions + 1
        assert "تويتر" in {m.text for m in merged.mentions}
        second = await open_second(pilot, tmp_path)
        assert "تويتر" not in names(second)  # the second article names only تويتر: it is X
        assert "X" in names(second)


async def test_hide_then_show_again_and_undo(app_factory: Factory, tmp_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_seed_pane(pilot)
        view = app.screen.query_one(ReadingView)
        await choose(pilot, pane, "ملايين الدولارات")
        assert view.marks("entity")
        await pilot.press("x")
        await pilot.pause()
        assert saved(app) == [("hide", "ملايين الدولارات", "", "")]
        await reextracted(pilot, pane)
        assert "ملايين الدولارات" not in names(pane)
        assert view.marks("entity") == []  # the hidden entity's marks went with it
        second = await open_second(pilot, tmp_path)
        assert "ملايين الدولارات" not in names(second)

        # H lists hidden entities; Enter shows one again
        second.query_one(ListView).focus()
        await pilot.press("H")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PickScreen)
        assert [name for _, name, _ in dialog.choices] == ["ملايين الدولارات"]
        await pilot.press("enter")
        await pilot.pause()
        assert app.store.entity_corrections() == []
        await reextracted(pilot, second)
        assert names(second).get("ملايين الدولارات") == "MONEY"

        # u undoes the last correction, whatever it was
        await choose(pilot, second, "ستارجيت")
        await pilot.press("x")
        await reextracted(pilot, second)
        assert "ستارجيت" not in names(second)
        await pilot.press("u")
        await reextracted(pilot, second)
        assert app.store.entity_corrections() == []
        assert "ستارجيت" in names(second)


async def test_palette_runs_a_correction_with_the_pane_closed(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await search_palette(pilot, "Hide entity")
        await pilot.press("enter")
        await pilot.pause(0.1)  # the screen opens the tab, then acts on a 0.05 s timer
        await settle(pilot)  # no entity chosen yet: once listed, the reader picks one
        pane = app.screen_stack[-2].query_one(EntitiesPane)
        assert pane.loaded
        dialog = app.screen
        assert isinstance(dialog, PickScreen)
        await pick_option(pilot, [name for _, name, _ in dialog.choices].index("X"))
        assert app.store.entity_corrections()[0].action == "hide"
        assert app.store.entity_corrections()[0].name == "X"
        await reextracted(pilot, pane)
        assert "X" not in names(pane)


async def test_choosing_marks_every_mention_and_n_scrolls_to_them(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 20)) as pilot:
        pane = await open_seed_pane(pilot)
        view = app.screen.query_one(ReadingView)
        await choose(pilot, pane, "مايكروسوفت")
        spans = [(m.start, m.end) for m in pane.find("مايكروسوفت").mentions]  # type: ignore[union-attr]
        assert [(s, e) for s, e, _ in view.marks("entity")] == spans
        seen: list[int] = []
        for _ in spans:
            await pilot.press("n")
            await pilot.pause()
            start, end = view.visible_range()
            seen.append(pane.mention_index)
            mention = spans[pane.mention_index]
            assert start <= mention[0] < end  # scrolled to the mention
        # Choosing shows the first mention, so n goes on from there round to it again.
        assert seen == [*range(1, len(spans)), 0]
        await pilot.press("N")  # back from the first mention to the last
        assert pane.mention_index == len(spans) - 1


async def test_help_lists_the_entity_keys_before_the_pane_is_opened(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = {(keys, binding_id) for _, keys, _, binding_id in app.screen.rows}
        for keys, binding_id in [
            ("a", "entities.add"),
            ("t", "entities.retype"),
            ("r", "entities.rename"),
            ("m", "entities.merge"),
            ("x", "entities.hide"),
            ("H", "entities.hidden"),
            ("u", "entities.undo"),
            ("n", "entities.next_mention"),
            ("N", "entities.previous_mention"),
        ]:
            assert (keys, binding_id) in rows
        assert not app.screen_stack[-2].query(EntitiesPane)  # the pane was never built
