"""The Entities screen: `E` in the library lists every name the library mentions
with its articles and mentions, filtered by Arabic text (folded), by type and by date range;
Enter lists a name's mentions (newest article first, a shaped snippet with the mention marked,
the notes whose highlight names it); Enter on a mention opens the article there; `L` in an
article's Entities tab opens the screen on that entity; a correction made in the tab shows.

Real store on disk and the real index beside it; expected counts and offsets come from the
texts the tests wrote, expected drawings from the reference reshaper (`helpers.arabic.visual`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from helpers.arabic import letters_with_forms, type_text, visual
from helpers.screen import screen_lines
from helpers.waits import entities_final, entities_listed, settle
from textual import events
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import DataTable, Input, ListView

from reader.ingest.articles import parse_path
from reader.models import Annotation, Article, Block
from reader.store.database import Store
from reader.ui.app import ReaderApp
from reader.ui.screens.article import ArticleScreen
from reader.ui.screens.entities import EntitiesScreen, HitItem, NoteItem
from reader.ui.screens.library import LibraryScreen

Factory = Callable[..., ReaderApp]
SIZE = (130, 40)
MUSK = "إيلون ماسك"
TODAY = date.today().isoformat()
SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_23062d0d2c77e25f.txt"
SEED_ID = parse_path(SEED)[0].id
#: Mentioned in the seed (2025-02-11) and in VISIT (today); CAIRO only in TRIP (a week ago).
VISIT_TEXT = (
    "زار إيلون ماسك مدينة الرياض أمس والتقى مسؤولين في شركة أرامكو. وقال ماسك إن الزيارة مثمرة."
)
TRIP_TEXT = "أعلنت شركة تسلا أن إيلون ماسك سيزور القاهرة الأسبوع المقبل."


def add_musk_articles(db_path: Path) -> None:
    """Two more articles naming Musk: one published today, one 20 days ago."""
    with Store.open(db_path) as store:
        store.put_article(
            Article(
                id="muskvisit0000001",
                title="ماسك في الرياض",
                source="https://example.com/ar/visit",
                blocks=[Block("paragraph", VISIT_TEXT)],
                published=TODAY,
                added=f"{TODAY}T08:00:00",
            )
        )
        old = (date.today() - timedelta(days=20)).isoformat()
        store.put_article(
            Article(
                id="musktrip00000002",
                title="زيارة مرتقبة",
                source="https://example.com/ar/trip",
                blocks=[Block("paragraph", TRIP_TEXT)],
                published=old,
                added=f"{old}T08:00:00",
            )
        )


def texts(db_path: Path) -> dict[str, str]:
    """Every article's text by id, as stored."""
    with Store.open(db_path) as store:
        found = {}
        for summary in store.list_articles():
            article = store.get_article(summary.id)
            assert article is not None
            found[article.id] = article.text
    return found


async def open_entities(pilot: Pilot[Any]) -> EntitiesScreen:
    """`E` from the library; the screen once the index is read."""
    await settle(pilot)
    assert isinstance(pilot.app.screen, LibraryScreen)
    await pilot.press("E")
    return await listed(pilot)


async def listed(pilot: Pilot[Any]) -> EntitiesScreen:
    """The screen once its list is final (the index brought up to date and read, the filter
    typed applied: `EntitiesScreen.listed`) and drawn."""
    return await entities_final(pilot)


def names(screen: EntitiesScreen) -> list[str]:
    return [entity.name for entity in screen.entities]


def row_of(screen: EntitiesScreen, name: str) -> int:
    return names(screen).index(name)


def marked_runs(strip: Strip) -> list[str]:
    """The texts a strip draws underlined (the marks)."""
    return [seg.text for seg in strip if seg.style is not None and seg.style.underline]


def title_text(screen: EntitiesScreen) -> str:
    return str(screen.query_one("#entities-title").render())


async def choose(pilot: Pilot[Any], screen: EntitiesScreen, name: str) -> None:
    """Put the cursor on `name` and press Enter; wait for its mentions."""
    table = screen.query_one(DataTable)
    table.focus()
    table.move_cursor(row=row_of(screen, name))
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


async def test_the_library_s_names_with_articles_and_mentions_most_articles_first(
    app_factory: Factory, db_path: Path
) -> None:
    add_musk_articles(db_path)
    stored = texts(db_path)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entities(pilot)
        assert MUSK in names(screen)
        musk = screen.entities[row_of(screen, MUSK)]
        naming = [text for text in stored.values() if "ماسك" in text]
        assert musk.articles == len(naming) == 3
        assert musk.mentions == sum(text.count("ماسك") + text.count("مسك") for text in naming)
        articles = [entity.articles for entity in screen.entities]
        assert articles == sorted(articles, reverse=True), "most articles first"
        assert names(screen)[0] == MUSK  # the only name in three articles
        riyadh = screen.entities[row_of(screen, "الرياض")]
        assert riyadh.articles == 2  # the weather and the visit
        table = screen.query_one(DataTable)
        cells = [str(cell) for cell in table.get_row_at(row_of(screen, MUSK))]
        assert cells[0].strip() == visual(MUSK)
        assert cells[1:] == ["person", str(musk.articles), str(musk.mentions)]
        drawn = "\n".join(screen_lines(app))
        assert not set(drawn) & letters_with_forms(), "logical Arabic letters drawn"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)


async def test_typing_filters_the_names_arabic_folded(app_factory: Factory, db_path: Path) -> None:
    add_musk_articles(db_path)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entities(pilot)
        everyone = names(screen)
        await type_text(pilot, "ايلون")  # bare alef: finds إيلون
        screen = await listed(pilot)
        assert names(screen) == [MUSK]
        assert visual("ايلون") in title_text(screen)
        await pilot.press("escape")  # clears the filter first
        screen = await listed(pilot)
        assert names(screen) == everyone
        assert isinstance(app.screen, EntitiesScreen)


async def test_keys_typed_right_after_slash_land_in_the_filter(app_factory: Factory) -> None:
    """A fast typist, a paste or a busy app has the next keys queued before "/" is handled:
    they go to the filter box, not to the list's key bindings (t, d and 0 are bound)."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entities(pilot)
        for key in ("slash", *"td0"):
            app.post_message(events.Key(key, "/" if key == "slash" else key))
        screen = await listed(pilot)
        assert screen.query_one("#entities-filter", Input).value == "td0"
        assert (screen.filters.type, screen.filters.days) == ("", 0)
        assert screen.filters.text == "td0"


async def test_keys_keep_one_type_and_a_date_range(app_factory: Factory, db_path: Path) -> None:
    add_musk_articles(db_path)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entities(pilot)
        kinds = {entity.type for entity in screen.entities}
        assert {"PERSON", "LOC", "ORG"} <= kinds
        await pilot.press("3")
        screen = await listed(pilot)
        assert {entity.type for entity in screen.entities} == {"LOC"}
        assert {"الرياض", "القاهرة"} <= set(names(screen))
        assert "places" in title_text(screen)
        await pilot.press("t")  # the next type: money
        screen = await listed(pilot)
        assert {entity.type for entity in screen.entities} <= {"MONEY"}
        await pilot.press("0", "d")  # every type, the last 7 days: only the visit
        screen = await listed(pilot)
        assert "last 7 days" in title_text(screen)
        assert {MUSK, "الرياض"} <= set(names(screen))
        assert all(name in VISIT_TEXT for name in names(screen)), "only the visit's names"
        assert screen.entities[row_of(screen, MUSK)].articles == 1
        await pilot.press("d")  # the last 30 days: the trip too, not the seed
        screen = await listed(pilot)
        assert "القاهرة" in names(screen)
        assert screen.entities[row_of(screen, MUSK)].articles == 2
        await pilot.press("d", "d")  # 365 days, then every date again
        screen = await listed(pilot)
        assert "all dates" in title_text(screen)
        assert screen.entities[row_of(screen, MUSK)].articles == 3


async def test_choosing_a_name_lists_its_mentions_newest_first_marked(
    app_factory: Factory, db_path: Path
) -> None:
    add_musk_articles(db_path)
    stored = texts(db_path)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entities(pilot)
        await choose(pilot, screen, MUSK)
        hits = list(screen.query(HitItem))
        expected = sum(text.count("ماسك") + text.count("مسك") for text in stored.values())
        assert len(hits) == expected
        order = [hit.hit.article_id for hit in hits]
        firsts = list(dict.fromkeys(order))
        assert firsts == ["muskvisit0000001", "musktrip00000002", SEED_ID][: len(firsts)]
        assert len(firsts) == 3
        for item in hits:
            hit = item.hit
            text = stored[hit.article_id]
            assert text[hit.start : hit.end] in {MUSK, "ماسك", "مسك"}
        first = hits[0]
        assert first.first
        strips = first.strips("snippet")
        assert [run for strip in strips for run in marked_runs(strip)] == [visual(MUSK)]
        assert strips[0].text.rstrip().endswith(visual("زار إيلون")), "starts on the right"
        for strip in strips:
            assert not set(strip.text) & letters_with_forms()
            assert len(strip.text.rstrip()) == first.content_size.width, "right-aligned"
        title = first.strips("title")[0].text
        assert title.strip() == visual("ماسك في الرياض")
        await pilot.press("escape")  # back to the names
        await settle(pilot)
        assert isinstance(app.screen, EntitiesScreen)
        assert app.screen.focused is app.screen.query_one(DataTable)


async def test_enter_on_a_mention_opens_the_article_there(
    app_factory: Factory, db_path: Path
) -> None:
    add_musk_articles(db_path)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entities(pilot)
        await choose(pilot, screen, MUSK)
        hits = screen.query_one("#entities-hits", ListView)
        items = list(screen.query(HitItem))
        seed = [i for i, item in enumerate(items) if item.hit.article_id == SEED_ID]
        target = items[seed[-1]]  # the seed's last mention: far down the article
        hits.index = list(hits.children).index(target)
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        opened = app.screen
        assert isinstance(opened, ArticleScreen)
        assert opened.article.id == SEED_ID
        start, end = target.hit.start, target.hit.end
        assert start > len(opened.article.text) // 2
        view = opened.view
        assert view.cursor == start
        assert view.marks("find-current") == [(start, end, "$reader-find-current")]
        assert len(view.marks("find")) == len(seed)
        first, last = view.visible_range()
        assert first <= start < last
        await pilot.press("n")  # wraps to the first mention in the article
        await settle(pilot)
        assert view.marks("find-current")[0][0] == items[seed[0]].hit.start
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, EntitiesScreen)


async def test_l_in_the_entities_tab_opens_the_screen_on_that_entity(
    app_factory: Factory, db_path: Path
) -> None:
    add_musk_articles(db_path)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the newest article: the visit
        await settle(pilot)
        assert isinstance(app.screen, ArticleScreen)
        await pilot.press("i")
        pane = await entities_listed(pilot)
        musk = pane.find(MUSK)
        assert musk is not None
        pane.select(musk)
        pane.query_one(ListView).focus()
        await pilot.press("L")
        screen = await listed(pilot)
        assert screen.chosen is not None
        assert screen.chosen.name == MUSK
        assert screen.chosen.type == "PERSON"
        assert screen.highlighted() == screen.chosen
        assert {item.hit.article_id for item in screen.query(HitItem)} == {
            "muskvisit0000001",
            "musktrip00000002",
            SEED_ID,
        }
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, ArticleScreen)


async def test_a_correction_in_the_entities_tab_shows_in_the_screen(
    app_factory: Factory, db_path: Path
) -> None:
    add_musk_articles(db_path)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entities(pilot)
        assert "تسلا" in names(screen)
        await pilot.press("escape")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=1)  # the trip (published 20 days ago)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ArticleScreen)
        assert app.screen.article.id == "musktrip00000002"
        await pilot.press("i")
        pane = await entities_listed(pilot)
        tesla = pane.find("تسلا")
        assert tesla is not None
        pane.select(tesla)
        pane.query_one(ListView).focus()
        await pilot.press("r")  # rename
        await settle(pilot)
        await pilot.press(*["backspace"] * len("تسلا"))
        await type_text(pilot, "شركة تسلا")
        await pilot.press("enter")
        await entities_listed(pilot)
        assert pane.find("شركة تسلا") is not None
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("E")
        screen = await listed(pilot)
        assert "شركة تسلا" in names(screen)
        assert "تسلا" not in names(screen)


async def test_notes_whose_highlight_names_the_entity_are_listed(
    app_factory: Factory, db_path: Path
) -> None:
    add_musk_articles(db_path)
    start = VISIT_TEXT.index(MUSK)
    quote = VISIT_TEXT[start : VISIT_TEXT.index(" أمس")]
    with Store.open(db_path) as store:
        store.add_annotation(
            Annotation(
                id="visit-note",
                article_id="muskvisit0000001",
                start=start,
                end=start + len(quote),
                quote=quote,
                note="زيارة مهمة",
            )
        )
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entities(pilot)
        await choose(pilot, screen, MUSK)
        (note,) = screen.query(NoteItem)
        assert note.note.annotation.id == "visit-note"
        (drawn,) = note.strips("quote")
        assert drawn.text.strip() == visual(quote)
        assert marked_runs(drawn) == [visual(MUSK)]
        hits = screen.query_one("#entities-hits", ListView)
        hits.index = list(hits.children).index(note)
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        opened = app.screen
        assert isinstance(opened, ArticleScreen)
        assert opened.article.id == "muskvisit0000001"
        assert opened.view.cursor == start


def drawn(table: DataTable[Any], row: int) -> str:
    """The name a row of the table draws."""
    return str(table.get_row_at(row)[0]).strip()


def shown(name: str) -> str:
    """A name as drawn: Arabic by the reference reshaper, a year as it is."""
    return name if name.isdigit() else visual(name)


async def test_a_long_list_is_built_as_the_cursor_comes_near_its_end(
    app_factory: Factory, db_path: Path
) -> None:
    """Hundreds of names: a screenful (and a margin) of rows is built on opening, more as
    the cursor moves down, all of them for a jump to the last."""
    years = range(1850, 2050)
    with Store.open(db_path) as store:
        store.put_article(
            Article(
                id="years00000000001",
                title="مئتا عام",
                source="https://example.com/ar/years",
                blocks=[Block("paragraph", " ".join(f"وفي عام {y} حدث أمر." for y in years))],
                published=TODAY,
                added=f"{TODAY}T08:00:00",
            )
        )
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entities(pilot)
        table = screen.query_one(DataTable)
        total = len(screen.entities)
        assert {str(y) for y in years} <= set(names(screen))
        built = table.row_count
        assert built < total - 100
        table.focus()
        await pilot.press(*["pagedown"] * 4)
        await settle(pilot)
        assert table.row_count > built
        assert table.row_count > table.cursor_row + 30
        row = table.cursor_row
        assert drawn(table, row) == shown(screen.entities[row].name)
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert table.row_count == total
        assert table.cursor_row == total - 1
        assert drawn(table, total - 1) == shown(screen.entities[-1].name)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.hits_for == screen.entities[-1]
