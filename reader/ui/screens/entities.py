"""The Entities screen: who and what the whole library names, most frequent first.

Opened from the library with `E` (or "Entities across the library" in the command palette),
and from an article's Entities tab with `L` on one entity (the screen opens on it). The left
side lists the library-wide index (`reader.entities.index.EntityIndex`): people,
organisations, places, money, dates and other names with the number of articles and mentions,
most articles first. Typing filters the names (Arabic-folded, as find and the library's filter
are), `t` (or `1`-`6`, `0` for all) keeps one type, `d` cycles the date range (all, the last 7,
30 or 365 days); the title line says what is shown. Enter on a name lists every mention of it
on the right (the whole screen below 110 columns): newest article first, each with its title
and a shaped snippet with the mention marked, and the notes whose highlighted passage names
it. Enter on a mention opens the article there, every mention of the name marked (`n`/`N` step
through them, as after a search); Enter on a note opens its highlight. Escape goes back: from
the mentions to the names, from the names to where the screen was opened.

The index is read in a thread worker; while articles are still being indexed (by the app's
background indexer), the title line shows the progress and the list fills as it goes.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import partial
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.screen import Screen
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import DataTable, Input, ListItem, ListView, Static

from reader.entities.extractor import ENTITY_TYPES
from reader.entities.index import (
    EntityHit,
    EntityIndex,
    EntityNote,
    IndexedEntity,
    model_signature,
)
from reader.errors import ReaderError
from reader.text.layout import VisualLine, base_direction, layout
from reader.text.modes import BidiMode
from reader.text.sanitize import printable
from reader.ui.base import IndexingState, ReaderBase, reader_app
from reader.ui.messages import OpenEntityMention, OpenEntityNote
from reader.ui.screens.common import type_into_filter
from reader.ui.screens.library import LazyCell
from reader.ui.shaped import display_lines, shaped_cell
from reader.ui.themes import mark_style
from reader.ui.widgets.footer import FittingFooter
from reader.ui.widgets.marked_text import MARK_ATTRIBUTES
from reader.ui.widgets.shaped_input import ShapedInput

#: What the Type column and the title line call each type.
TYPE_NAMES: dict[str, str] = {
    "PERSON": "person",
    "ORG": "organisation",
    "LOC": "place",
    "MONEY": "money",
    "DATE": "date",
    "MISC": "other",
}
#: The title line's name for a type filter ("" is every type).
TYPE_FILTERS: dict[str, str] = {
    "": "every type",
    "PERSON": "people",
    "ORG": "organisations",
    "LOC": "places",
    "MONEY": "money",
    "DATE": "dates",
    "MISC": "other names",
}
#: Date ranges `d` cycles through: days back from today (0: every date) and their name.
RANGES: tuple[tuple[int, str], ...] = (
    (0, "all dates"),
    (7, "last 7 days"),
    (30, "last 30 days"),
    (365, "last 365 days"),
)
#: Below this width the screen shows the names or one name's mentions, not both.
WIDE = 110
#: Cells of the Type, Articles and Mentions columns.
TYPE_WIDTH, COUNT_WIDTH = 12, 8
CELL_PADDING, SCROLLBAR = 2, 2
#: Rows added to the table at once; more are added ROW_CHUNK at a time when the cursor or
#: the scroll comes within ROW_MARGIN rows of the last one added (a library's thousands of
#: names are not all built, measured and kept by the table when a screenful is looked at).
FIRST_ROWS, ROW_CHUNK, ROW_MARGIN = 60, 100, 60
#: Mentions listed for a name before the first paint, and in all at first; "more" adds
#: HIT_PAGE again.
FIRST_HITS, HIT_PAGE = 12, 40
#: Seconds after the last key before the filter asks the index.
DEBOUNCE = 0.12
#: Seconds between readings of the list while the index is being built.
FILL_EVERY = 0.5


@dataclass(frozen=True, slots=True)
class Filters:
    """What the list shows: a type ("" every type), folded text, a date range in days."""

    type: str = ""
    text: str = ""
    days: int = 0

    def since(self, today: date) -> str | None:
        """The earliest published date shown (ISO), or None for every date."""
        return None if not self.days else (today - timedelta(days=self.days)).isoformat()


def range_name(days: int) -> str:
    """The title line's name for a date range."""
    return next((name for value, name in RANGES if value == days), f"last {days} days")


@dataclass(frozen=True, slots=True)
class Part:
    """One paragraph of a list entry: its logical text, the spans marked in it, its look."""

    name: str
    """What it is ("title", "meta", "snippet", "label", "quote", "note"): its component
    class is `lines-item--NAME`."""
    text: str
    spans: tuple[tuple[int, int], ...] = ()
    right: bool = False
    """Right-align every line (else only right-to-left ones are)."""
    max_lines: int = 2


class LinesItem(ListItem):
    """A list entry drawn by itself from a few short paragraphs (`Part`s): each shaped and in
    visual order through the layout engine, right-aligned when right-to-left, its marked spans
    in the find mark (bold and underlined, as the search screen's). One widget per entry, not
    one per paragraph: a name's first mentions are on screen within one refresh."""

    DEFAULT_CSS = """
    LinesItem {
        height: auto;
        padding: 0 1;
    }
    LinesItem > .lines-item--title {
        text-style: bold;
        color: $reader-heading;
    }
    LinesItem > .lines-item--meta, LinesItem > .lines-item--label {
        color: $reader-meta;
    }
    LinesItem > .lines-item--quote {
        text-style: italic;
    }
    LinesItem.-highlight > .lines-item--title, LinesItem.-highlight > .lines-item--meta,
    LinesItem.-highlight > .lines-item--label {
        color: $block-cursor-foreground;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "lines-item--title",
        "lines-item--meta",
        "lines-item--snippet",
        "lines-item--label",
        "lines-item--quote",
        "lines-item--note",
    }

    def __init__(
        self, parts: list[Part], *, mode: BidiMode, harakat: bool, classes: str = ""
    ) -> None:
        super().__init__(classes=classes)
        self.parts: list[Part] = []
        for part in parts:  # one line, no controls: same length, so the spans still index it
            text = printable(part.text.replace("\n", " "), line=True)
            spans = part.spans if len(text) == len(part.text) else ()
            self.parts.append(replace(part, text=text, spans=spans))
        self.mode: BidiMode = mode
        self.harakat = harakat
        self._laid: list[tuple[Part, VisualLine]] = []
        self._laid_width = -1

    def laid_out(self, width: int) -> list[tuple[Part, VisualLine]]:
        """Every line drawn, with the part it belongs to (top to bottom)."""
        if width != self._laid_width:
            lines: list[tuple[Part, VisualLine]] = []
            for part in self.parts:
                laid = layout(part.text, max(1, width), self.mode, harakat=self.harakat)
                lines.extend((part, line) for line in laid[: part.max_lines])
            self._laid, self._laid_width = lines, width
        return self._laid

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.laid_out(width)))

    def strips(self, name: str) -> list[Strip]:
        """The lines of part `name` as drawn now (for tests and the walk)."""
        laid = self.laid_out(self.content_size.width)
        return [self.render_line(y) for y, (part, _) in enumerate(laid) if part.name == name]

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        base = self.rich_style
        laid = self.laid_out(width)
        if y >= len(laid):
            return Strip.blank(width, base)
        part, line = laid[y]
        style = base + self.get_component_rich_style(f"lines-item--{part.name}", partial=True)
        marked = style + self._mark_style()
        indent = max(0, width - line.width) if part.right else line.indent
        segments = [Segment(" " * indent, base)]
        run: list[str] = []
        run_marked = False
        for glyph in line.glyphs:
            here = any(start <= glyph.start < end for start, end in part.spans)
            if run and here != run_marked:
                segments.append(Segment("".join(run), marked if run_marked else style))
                run = []
            run.append(glyph.text)
            run_marked = here
        if run:
            segments.append(Segment("".join(run), marked if run_marked else style))
        return Strip(segments).crop_extend(0, width, base)

    def _mark_style(self) -> Style:
        return mark_style(self.app.theme_variables, "reader-find") + MARK_ATTRIBUTES


class HitItem(LinesItem):
    """One mention: its article's title, date and mention count (on the first mention of each
    article), and a snippet around the mention with the mention marked."""

    DEFAULT_CSS = """
    HitItem.-first {
        padding: 1 1 0 1;
    }
    """

    def __init__(
        self,
        hit: EntityHit,
        spans: list[tuple[int, int]],
        *,
        first: bool,
        mode: BidiMode,
        harakat: bool,
    ) -> None:
        """`spans`: every mention of the name in the hit's article (offsets into its text)."""
        parts: list[Part] = []
        if first:
            rtl = base_direction(hit.title or hit.snippet)
            noun = "mention" if len(spans) == 1 else "mentions"
            meta = " · ".join(part for part in (hit.published[:10], f"{len(spans)} {noun}") if part)
            parts.append(Part("title", hit.title or "(untitled)", max_lines=2))
            parts.append(Part("meta", meta, right=rtl, max_lines=1))
        parts.append(
            Part(
                "snippet",
                hit.snippet,
                ((hit.snippet_start, hit.snippet_end),),
                right=base_direction(hit.snippet),
            )
        )
        super().__init__(parts, mode=mode, harakat=harakat, classes="-first" if first else "")
        self.hit = hit
        self.spans = spans
        """Every mention of the name in this article (for the article's marks)."""
        self.first = first


class NoteItem(LinesItem):
    """A highlight whose passage names the entity: the passage (the name marked) and its note."""

    DEFAULT_CSS = """
    NoteItem {
        padding: 0 1 0 3;
    }
    """

    def __init__(
        self, note: EntityNote, mentions: list[tuple[int, int]], *, mode: BidiMode, harakat: bool
    ) -> None:
        """`mentions`: the entity's mentions in the note's article (offsets into its text)."""
        annotation = note.annotation
        start, end = annotation.start, annotation.end
        spans = tuple(
            (max(s, start) - start, min(e, end) - start)
            for s, e in mentions
            if s < end and start < e
        )
        parts = [
            Part("label", "Highlight", max_lines=1),
            Part("quote", annotation.quote, spans, right=base_direction(annotation.quote)),
        ]
        if annotation.note:
            parts.append(Part("note", annotation.note, right=base_direction(annotation.note)))
        super().__init__(parts, mode=mode, harakat=harakat)
        self.note = note
        self.spans = list(spans)
        """The mentions inside the highlighted passage (offsets into its quote)."""


class MoreItem(ListItem):
    """The last row when more mentions are left: Enter lists the next page."""

    DEFAULT_CSS = """
    MoreItem {
        height: auto;
        padding: 1 1 0 1;
        color: $reader-meta;
    }
    """

    def __init__(self, left: int) -> None:
        super().__init__()
        self.left = left

    def compose(self) -> ComposeResult:
        noun = "mention" if self.left == 1 else "mentions"
        yield Static(f"{self.left} more {noun}: Enter lists them.", markup=False)


class NamesTable(DataTable[object]):
    """The names: a DataTable whose rows are built as they come near the screen (the
    screen adds them), all of them before a jump to the last."""

    def action_scroll_bottom(self) -> None:
        screen = self.screen
        if isinstance(screen, EntitiesScreen):
            screen._rows_up_to(len(screen._fill_rows))
        super().action_scroll_bottom()


class EntitiesScreen(Screen[None]):
    """The library's names on the left, the chosen one's mentions on the right."""

    DEFAULT_CSS = """
    EntitiesScreen {
        overflow: hidden;
    }
    EntitiesScreen #entities-title {
        height: 1;
        padding: 0 2;
        text-style: bold;
        color: $reader-heading;
    }
    EntitiesScreen #entities-filter {
        margin: 0 1;
    }
    EntitiesScreen #entities-body {
        width: 100%;
        height: 1fr;
    }
    EntitiesScreen #entities-table {
        width: 1fr;
        height: 1fr;
        background: $background;
    }
    EntitiesScreen #entities-side {
        width: 1fr;
        height: 1fr;
        border-left: vkey $reader-meta;
    }
    EntitiesScreen #entities-chosen {
        height: auto;
        padding: 0 1;
        text-style: bold;
        color: $reader-heading;
    }
    EntitiesScreen #entities-hits {
        height: 1fr;
        background: $background;
    }
    EntitiesScreen.-narrow #entities-side {
        display: none;
        border-left: none;
    }
    EntitiesScreen.-narrow.-hits #entities-side {
        display: block;
    }
    EntitiesScreen.-narrow.-hits #entities-table {
        display: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close_entities", "Back", id="entities.back"),
        Binding("enter", "choose", "Choose/Open", id="entities.choose", priority=True),
        Binding("slash", "filter_names", "Filter", id="entities.filter"),
        Binding("t", "next_type", "Type", id="entities.type"),
        Binding("d", "next_range", "Dates", id="entities.dates"),
        Binding("0", "only_type('')", "Every type", show=False, id="entities.type_all"),
        *(
            Binding(
                str(number),
                f"only_type('{kind}')",
                f"Only {TYPE_FILTERS[kind]}",
                show=False,
                id=f"entities.type_{kind.lower()}",
            )
            for number, kind in enumerate(ENTITY_TYPES, start=1)
        ),
        Binding("down", "move_names(1)", "Next name", show=False, id="entities.down"),
        Binding("up", "move_names(-1)", "Previous name", show=False, id="entities.up"),
    ]

    def __init__(self, entity_name: str = "", entity_type: str = "") -> None:
        """`entity_name` (of `entity_type`): open on that entity, its mentions listed."""
        super().__init__()
        self._wanted = (entity_name, entity_type) if entity_name else None
        self.filters = Filters()
        self.entities: list[IndexedEntity] = []
        """The names on show, in order."""
        self.chosen: IndexedEntity | None = None
        """The name whose mentions are listed."""
        self.hits: list[EntityHit] = []
        self.hits_for: IndexedEntity | None = None
        """The name whose mentions `hits` are (and are listed)."""
        self._check_index = True
        """Bring the index up to date after the next listing (the first paint comes first)."""
        self.notes: list[EntityNote] = []
        self._hits_shown = 0
        self._signature: str | None = None
        """The extractor's signature, read once (`model_signature`)."""
        self._shown: Filters | None = None
        self._timer: Timer | None = None
        self._fill_rows: list[IndexedEntity] = []
        self._fill_done = 0
        self._fill_generation = 0
        self._name_width = 0
        self.progress: tuple[int, int] | None = None
        """(done, total) while the index is being built."""
        self._last_fill = 0.0
        self._indexing_running = False
        """Whether the index is being brought up to date (by the app's indexer)."""
        self._runs_seen = 0
        self._resumed = False
        """Whether the screen has been shown once (its first resume is its opening)."""
        self._waiting: list[asyncio.Future[None]] = []
        """Callers of `listed`, told when the list is complete."""

    @property
    def reader(self) -> ReaderBase:
        """The app, typed."""
        return reader_app(self)

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        reader = self.reader
        yield Static("Entities", id="entities-title", markup=False)
        yield ShapedInput(
            placeholder="Type to filter the names…",
            id="entities-filter",
            select_on_focus=False,
            mode=reader.bidi_mode,
            harakat=reader.harakat,
        )
        with Horizontal(id="entities-body"):
            yield NamesTable(id="entities-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="entities-side"):
                yield Static("Enter on a name lists its mentions.", id="entities-chosen")
                yield ListView(id="entities-hits")
        yield FittingFooter()

    def on_mount(self) -> None:
        for setting in ("bidi_mode", "harakat"):
            self.watch(self.reader, setting, self._settings_changed, init=False)
        self.watch(self.reader, "entity_indexing", self._indexing_moved, init=False)
        self.watch(self.query_one(DataTable), "scroll_y", self._table_scrolled, init=False)
        self._fit()
        self.query_one(DataTable).focus()
        self._show_title()
        self._load()

    def on_resize(self) -> None:
        if self._fit():
            self._fill(self.entities, keep=True)

    def _fit(self) -> bool:
        """Set the narrow class and the name column's width; whether the width changed."""
        width = self.size.width or self.app.size.width
        narrow = width < WIDE
        self.set_class(narrow, "-narrow")
        if narrow and self.focused is self.query_one("#entities-hits", ListView):
            self.add_class("-hits")  # the mentions stay on show
        table_width = width if narrow else width // 2
        name = table_width - TYPE_WIDTH - 2 * COUNT_WIDTH - 4 * CELL_PADDING - SCROLLBAR
        name = max(10, name)
        if name == self._name_width:
            return False
        self._name_width = name
        table = self.query_one(DataTable)
        table.styles.width = table_width
        table.clear(columns=True)
        table.add_column("Name", key="name", width=name)
        table.add_column("Type", key="type", width=TYPE_WIDTH)
        table.add_column("Articles", key="articles", width=COUNT_WIDTH)
        table.add_column("Mentions", key="mentions", width=COUNT_WIDTH)
        return True

    def _settings_changed(self) -> None:
        box = self.query_one("#entities-filter", ShapedInput)
        box.mode = self.reader.bidi_mode
        box.harakat = self.reader.harakat
        self._fill(self.entities, keep=True)
        if self.chosen is not None:
            self._list_hits(self.chosen, self.hits, self.notes, keep=True)
        self._show_title()

    # ------------------------------------------------------------------ reading the index

    def _open_index(self) -> EntityIndex:
        """The index, opened for a read on the UI thread (a few milliseconds: the screen's
        queries are single indexed SQL reads, so the first paint does not wait for a thread)."""
        if self._signature is None:
            self._signature = model_signature()
        return EntityIndex.open(self.reader.store, signature=self._signature)

    def _load(self) -> None:
        """Show the names the filters let through (the cursor stays on its name when the
        filters are those on show)."""
        filters = self.filters
        entities: list[IndexedEntity] = []
        try:
            with self._open_index() as index:
                entities = index.entities(
                    type=filters.type or None,
                    text=filters.text,
                    since=filters.since(date.today()),
                )
        except ReaderError as error:
            self.notify(str(error), severity="error")
        keep = filters == self._shown
        self._shown = filters
        self._fill(entities, keep=keep)
        if self._check_index:  # after the first paint: it reads the whole library's state
            self._check_index = False
            # Passes that end from now on may have changed what was just read (one that
            # ended before `_start_indexing` ran, after this read, would otherwise be missed).
            self._runs_seen = self.reader.entity_indexing.runs
            self._indexing_running = True
            self.call_after_refresh(self._start_indexing)
        if self._wanted is not None:  # looked for until found or the index is complete
            self._find_and_choose(*self._wanted, final=not self._indexing_running)
        self._tell_waiters()

    def _start_indexing(self) -> None:
        """Have the index brought up to date by the app's background indexer: poked, then
        followed through the app's `entity_indexing` reactive until its passes end."""
        indexer = self.reader.entity_indexer
        indexer.poke()
        if not indexer.running:  # nothing started (a read-only database, the app closing)
            self._indexed(False)

    def _indexing_moved(self, _state: IndexingState) -> None:
        """The app's indexer moved on (the watcher may run outside the app's context: the
        indexer sets the reactive from a loop callback), so the screen follows it in its
        own message loop."""
        if self._indexing_running:
            self.call_later(self._follow_indexing)

    def _follow_indexing(self) -> None:
        """Progress in the title line and the list re-read now and then; once no pass is
        left, the list re-read if the index changed."""
        state = self.reader.entity_indexing
        if not self._indexing_running:
            return
        if state.running:
            if state.total:
                self._indexing(state.done, state.total)
        elif not self.reader.entity_indexer.running:
            self._indexed(state.runs != self._runs_seen)

    def _indexing(self, done: int, total: int) -> None:
        """The index moved on: say so, and read the list again now and then."""
        if not self.is_attached:
            return
        self.progress = (done, total)
        self._show_title()
        now = time.monotonic()
        if now - self._last_fill >= FILL_EVERY:
            self._last_fill = now
            self._load()

    def _indexed(self, changed: bool) -> None:
        """The index is up to date: read the list again if the update changed it."""
        self._indexing_running = False
        if not self.is_attached:
            return
        self.progress = None
        self._show_title()
        if changed:
            self._load()
            self._relist_chosen()
        elif self._wanted is not None:
            self._find_and_choose(*self._wanted, final=True)
        self._tell_waiters()

    def _relist_chosen(self) -> None:
        """The index changed while a name's mentions are listed (chosen while its articles
        were still being indexed): list its figures and mentions as the index has them now,
        the cursor kept."""
        chosen = self.chosen
        if chosen is None or self._wanted is not None:
            return
        fresh = next((entity for entity in self.entities if entity.key == chosen.key), None)
        if fresh is None or fresh == chosen:
            return
        self.chosen = fresh
        try:
            with self._open_index() as index:
                hits = index.hits(fresh.key, snippets=FIRST_HITS)
                notes = index.notes(fresh.key)
        except ReaderError as error:
            self.notify(str(error), severity="error")
            return
        self._list_hits(fresh, hits, notes, keep=True)

    # ------------------------------------------------------------------ the names

    def _fill(self, entities: list[IndexedEntity], *, keep: bool) -> None:
        """Show `entities` in the table (the first rows now, the rest after each refresh);
        with `keep`, the cursor stays on its name."""
        table = self.query_one(DataTable)
        selected = self.highlighted() if keep else None
        self.entities = entities
        table.clear()
        self._fill_generation += 1
        self._fill_rows = entities
        self._fill_done = 0
        first = FIRST_ROWS
        keys = [entity.key for entity in entities]
        if selected is not None and selected.key in keys:
            first = max(first, keys.index(selected.key) + ROW_MARGIN)  # as `_cursor_moved`
        self._add_rows(self._fill_generation, first)
        if selected is not None and selected.key in table.rows:
            table.move_cursor(row=table.get_row_index(selected.key))
        self._show_title()

    def _add_rows(self, generation: int, count: int) -> None:
        if generation != self._fill_generation or not self.is_attached:
            return
        if self._fill_done >= len(self._fill_rows):
            return
        table = self.query_one(DataTable)
        mode = self.reader.bidi_mode
        memo: dict[str, str] = {}
        end = min(len(self._fill_rows), self._fill_done + count)
        for entity in self._fill_rows[self._fill_done : end]:
            table.add_row(
                LazyCell(partial(shaped_cell, entity.name, self._name_width, mode, memo)),
                TYPE_NAMES.get(entity.type, entity.type.lower()),
                Text(str(entity.articles), justify="right", no_wrap=True, end=""),
                Text(str(entity.mentions), justify="right", no_wrap=True, end=""),
                key=entity.key,
            )
        self._fill_done = end

    def _rows_up_to(self, row: int) -> None:
        """Have the table's rows built up to `row` and ROW_MARGIN beyond (in chunks)."""
        while self._fill_done < min(len(self._fill_rows), row + ROW_MARGIN):
            self._add_rows(self._fill_generation, ROW_CHUNK)

    @on(DataTable.RowHighlighted, "#entities-table")
    def _cursor_moved(self, event: DataTable.RowHighlighted) -> None:
        self._rows_up_to(event.cursor_row)

    def _table_scrolled(self) -> None:
        table = self.query_one(DataTable)
        self._rows_up_to(int(table.scroll_y) + table.size.height)

    def highlighted(self) -> IndexedEntity | None:
        """The name under the table's cursor, if any."""
        table = self.query_one(DataTable)
        if not table.row_count or not self.entities:
            return None
        row = table.cursor_row
        return self.entities[row] if 0 <= row < len(self.entities) else None

    def pending(self) -> bool:
        """True while the list on show is not final: the index is being brought up to date
        (or is about to be), or the filter box holds text the list does not show yet."""
        if self._check_index or self._indexing_running:
            return True
        box = self.query_one("#entities-filter", Input)
        return box.value.strip() != self.filters.text

    async def listed(self) -> None:
        """Return once the list is final (`pending` is false): the index up to date and read,
        the filter typed applied; at once if it already is."""
        while self.pending():
            waiter = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            await waiter

    def _tell_waiters(self) -> None:
        if self.pending():
            return
        waiting, self._waiting = self._waiting, []
        for waiter in waiting:
            if not waiter.done():
                waiter.set_result(None)

    def _show_title(self) -> None:
        filters = self.filters
        count = len(self.entities)
        label = f"Entities — {count} name{'s' if count != 1 else ''}"
        label += f" · {TYPE_FILTERS.get(filters.type, filters.type)} · {range_name(filters.days)}"
        if filters.text.strip():
            echo = display_lines(filters.text.strip(), 30, self.reader.bidi_mode)[0].strip()
            label += f" · “{echo}”"
        if self.progress is not None:
            done, total = self.progress
            label += f" · indexing {done}/{total} articles…"
        self.query_one("#entities-title", Static).update(label)

    def _set_filters(self, filters: Filters) -> None:
        if filters != self.filters:
            self.filters = filters
            self._show_title()
            self._load()
        self._tell_waiters()  # the text typed may be back to the one on show

    @on(Input.Changed, "#entities-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        value = event.value
        self._timer = self.set_timer(DEBOUNCE, lambda: self._set_filters(self._with_text(value)))

    def _with_text(self, text: str) -> Filters:
        return Filters(self.filters.type, text.strip(), self.filters.days)

    def action_filter_names(self) -> None:
        """Type to filter the names (the box focused now: keys queued behind go to it)."""
        self.set_focus(self.query_one("#entities-filter", Input))

    def action_next_type(self) -> None:
        """Show the next type only (people, organisations, places, ... then every type)."""
        order = ["", *ENTITY_TYPES]
        index = order.index(self.filters.type) if self.filters.type in order else 0
        self.action_only_type(order[(index + 1) % len(order)])

    def action_only_type(self, kind: str) -> None:
        """Show names of one type only ("": every type)."""
        self._set_filters(Filters(kind, self.filters.text, self.filters.days))

    def action_next_range(self) -> None:
        """Cycle the date range: every date, the last 7, 30 or 365 days."""
        days = [value for value, _name in RANGES]
        index = days.index(self.filters.days) if self.filters.days in days else 0
        self._set_filters(Filters(self.filters.type, self.filters.text, days[(index + 1) % 4]))

    # ------------------------------------------------------------------ choosing

    def _find_and_choose(self, name: str, kind: str, *, final: bool) -> None:
        """Look the entity the article's Entities tab named up in the index and choose it
        (`final`: the index is complete; say so if it is not there)."""
        found: IndexedEntity | None = None
        try:
            with self._open_index() as index:
                found = index.find(name, kind or None)
        except ReaderError:
            found = None
        self._found(name, found, final)

    def _found(self, name: str, found: IndexedEntity | None, final: bool) -> None:
        if self._wanted is None or not self.is_attached:
            return
        if found is not None or final:
            self._wanted = None
        if found is None:
            if not final:
                return
            shown = display_lines(name, 40, self.reader.bidi_mode)[0].strip()
            self.notify(f"“{shown}” is not in the library's index yet.", timeout=4)
            return
        table = self.query_one(DataTable)
        keys = [entity.key for entity in self._fill_rows]
        if found.key in keys:
            self._rows_up_to(keys.index(found.key))
        if found.key in table.rows:
            table.move_cursor(row=table.get_row_index(found.key))
        self.choose(found)

    def choose(self, entity: IndexedEntity) -> None:
        """List `entity`'s mentions and notes (and give the list the keys)."""
        self.chosen = entity
        if self.has_class("-narrow"):  # wide, both are on show: no restyle of every node
            self.add_class("-hits")
        hits: list[EntityHit] = []
        notes: list[EntityNote] = []
        try:
            with self._open_index() as index:
                hits = index.hits(entity.key, snippets=FIRST_HITS)
                notes = index.notes(entity.key)
        except ReaderError as error:
            self.notify(str(error), severity="error")
        self._list_hits(entity, hits, notes, keep=False)
        listing = self.query_one("#entities-hits", ListView)
        if self.has_class("-narrow"):
            listing.focus()
        else:
            # Side by side, the names' table is drawn again when it loses the focus (every
            # visible row, in its unfocused look): the mentions are drawn first, and the
            # keys move to them right after.
            self.call_after_refresh(self._focus_hits, entity)

    def _focus_hits(self, entity: IndexedEntity) -> None:
        if self.is_attached and self.hits_for is entity:
            self.query_one("#entities-hits", ListView).focus()

    def _list_hits(
        self,
        entity: IndexedEntity,
        hits: list[EntityHit],
        notes: list[EntityNote],
        *,
        keep: bool,
    ) -> None:
        """Show the first page of mentions (and, under each article, its notes)."""
        self.hits = hits
        self.notes = notes
        self.hits_for = entity
        listing = self.query_one("#entities-hits", ListView)
        index = listing.index if keep else None
        listing.clear()
        self._hits_shown = 0
        self._more_hits(FIRST_HITS)
        if len(hits) > FIRST_HITS:  # the rest of the first page once these are drawn
            self.call_after_refresh(self._more_hits, HIT_PAGE - FIRST_HITS, entity)
        if index is not None and listing.children:
            listing.index = min(index, len(listing.children) - 1)
        elif listing.children:
            listing.index = 0
        name = display_lines(entity.name, 60, self.reader.bidi_mode)[0].strip()
        articles = len({hit.article_id for hit in hits})
        noun = "article" if articles == 1 else "articles"
        said = f"{name} · {TYPE_NAMES.get(entity.type, entity.type)} · {articles} {noun}"
        said += f", {len(hits)} mention{'s' if len(hits) != 1 else ''}"
        if notes:
            said += f", {len(notes)} note{'s' if len(notes) != 1 else ''}"
        self.query_one("#entities-chosen", Static).update(said)

    def _more_hits(self, count: int, entity: IndexedEntity | None = None) -> None:
        """Add the next `count` mentions (each article's notes after its last one); with
        `entity`, only while its mentions are the ones listed."""
        if entity is not None and (entity is not self.hits_for or not self.is_attached):
            return
        listing = self.query_one("#entities-hits", ListView)
        for item in list(listing.query(MoreItem)):
            item.remove()
        hits = self.hits
        spans: dict[str, list[tuple[int, int]]] = {}
        for hit in hits:
            spans.setdefault(hit.article_id, []).append((hit.start, hit.end))
        notes: dict[str, list[EntityNote]] = {}
        for note in self.notes:
            notes.setdefault(note.article_id, []).append(note)
        mode, harakat = self.reader.bidi_mode, self.reader.harakat
        start = self._hits_shown
        end = min(len(hits), start + count)
        if any(not hit.snippet for hit in hits[start:end]):  # read when first listed
            try:
                with self._open_index() as opened:
                    hits[start:end] = opened.with_snippets(hits[start:end])
            except ReaderError as error:
                self.notify(str(error), severity="error")
        items: list[ListItem] = []
        for index in range(start, end):
            hit = hits[index]
            first = index == 0 or hits[index - 1].article_id != hit.article_id
            items.append(
                HitItem(hit, spans[hit.article_id], first=first, mode=mode, harakat=harakat)
            )
            last = index + 1 == len(hits) or hits[index + 1].article_id != hit.article_id
            if last:
                mentions = spans[hit.article_id]
                items.extend(
                    NoteItem(n, mentions, mode=mode, harakat=harakat)
                    for n in notes.pop(hit.article_id, [])
                )
        self._hits_shown = end
        if end < len(hits):
            items.append(MoreItem(len(hits) - end))
        else:  # notes of articles none of whose mentions is listed (none should be)
            for article_id, left in notes.items():
                if article_id not in spans:
                    items.extend(NoteItem(n, [], mode=mode, harakat=harakat) for n in left)
        listing.extend(items)

    def action_choose(self) -> None:
        """Enter: on a name, list its mentions; on a mention, open the article there."""
        focused = self.focused
        hits = self.query_one("#entities-hits", ListView)
        if focused is hits:
            self._open(hits.highlighted_child)
            return
        entity = self.highlighted()
        if entity is not None:
            self.query_one(DataTable).focus()
            self.choose(entity)

    @on(DataTable.RowSelected, "#entities-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        entity = self.highlighted()
        if entity is not None:
            self.choose(entity)

    @on(ListView.Selected, "#entities-hits")
    def _hit_selected(self, event: ListView.Selected) -> None:
        event.stop()
        self._open(event.item)

    def _open(self, item: ListItem | None) -> None:
        if isinstance(item, HitItem):
            hit = item.hit
            self.post_message(OpenEntityMention(hit.article_id, hit.start, hit.end, item.spans))
        elif isinstance(item, NoteItem):
            self.post_message(OpenEntityNote(item.note.annotation))
        elif isinstance(item, MoreItem):
            listing = self.query_one("#entities-hits", ListView)
            index = listing.index
            self._more_hits(HIT_PAGE)
            if index is not None:
                self.call_after_refresh(setattr, listing, "index", index)

    def action_move_names(self, step: int) -> None:
        """Up/Down move the names' cursor while typing in the filter (the lists take their
        own arrows when they have focus)."""
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_close_entities(self) -> None:
        """From the mentions back to the names; from the names back to where it was opened."""
        box = self.query_one("#entities-filter", Input)
        hits = self.query_one("#entities-hits", ListView)
        if self.focused is hits:
            self.remove_class("-hits")
            self.query_one(DataTable).focus()
        elif self.focused is box and box.value:
            box.value = ""
            self.query_one(DataTable).focus()
        else:
            self.dismiss(None)

    def on_screen_resume(self) -> None:
        """Back from an article: corrections may have changed the index; read it again."""
        if not self._resumed:  # the screen being opened: `on_mount` has read it
            self._resumed = True
            return
        self._check_index = True
        self._load()
        if self.chosen is not None:
            self.choose(self.chosen)

    def on_key(self, event: events.Key) -> None:
        """ "/" focuses the filter at once; typing a letter on the names starts filtering."""
        box = self.query_one("#entities-filter", Input)
        type_into_filter(self, event, self.query_one(DataTable), box)
