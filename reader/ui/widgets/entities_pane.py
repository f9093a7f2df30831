"""The Entities tab: who and what the open article names, grouped by type, most mentioned first.

Extraction (`reader.entities.extractor.Extractor`) runs in a thread worker, so opening an article
never blocks scrolling; the model loads once per pane, on first use. The reader's saved
corrections (`store.entity_corrections()`) are applied.

Messages (`reader.ui.messages`), for the article screen to wire:

- `EntitySelected(entity, spans)`: an entity was chosen (Enter or click). `spans` are
  its mentions' (start, end) offsets into `article.text`; highlight them, e.g.
  `view.set_marks("entity", [(s, e, "$reader-entity") for s, e in spans])`. After a
  correction the entity is chosen again, or `EntitySelected(None, [])` clears the marks when
  it is gone (hidden, merged away).
- `MentionJump(start, end)`: `n` / `N` (shift+n) in the pane moved to the next or
  previous mention of the chosen entity; scroll the article there.

The reader corrects the extraction here, and the corrections teach it: add the
article's selected text as an entity, change an entity's type, rename it, merge it into
another, hide it, list hidden ones to show them again, undo the last correction (keys
a t r m x H u; the pane asks by message and the article screen opens the dialog). Each
correction is saved through the app's saver (`reader.ui.saving`: at once, or in the background
while another process holds the database) and the article is extracted again once it is saved,
so it shows there and in every article opened later. The same actions are
in the command palette (`PALETTE_ACTIONS`, offered by the article screen) while an article is
open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, Protocol

from rich.segment import Segment
from rich.style import Style
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.reactive import var
from textual.strip import Strip
from textual.widgets import Label, ListItem, ListView
from textual.worker import get_current_worker

from reader.entities.extractor import ENTITY_TYPES, Entity, Extractor
from reader.models import ENTITY_TYPE_LABELS, Article, EntityCorrection
from reader.text.layout import VisualLine, layout
from reader.text.modes import BidiMode
from reader.text.sanitize import clean_correction
from reader.ui.base import ReaderBase
from reader.ui.messages import (
    AskEntityName,
    AskEntityType,
    AskPick,
    AskSelection,
    EntityCorrectionsChanged,
    EntitySelected,
    MentionJump,
    ShowEntities,
)
from reader.ui.saving import Saver
from reader.ui.shaped import display_lines
from reader.ui.widgets.shaped_text import clean_text

TYPE_HEADINGS = ENTITY_TYPE_LABELS


def grouped(entities: Sequence[Entity]) -> list[tuple[str, list[Entity]]]:
    """(type, entities) in type order; within a type, most mentioned first."""
    groups: dict[str, list[Entity]] = {}
    for entity in entities:
        groups.setdefault(entity.type, []).append(entity)
    order = {kind: index for index, kind in enumerate(ENTITY_TYPES)}
    return [
        (kind, sorted(groups[kind], key=lambda e: -len(e.mentions)))
        for kind in sorted(groups, key=lambda k: order.get(k, len(order)))
    ]


class CorrectionStore(Protocol):
    """What the Entities tab asks of the store: the reader's saved corrections."""

    def entity_corrections(self) -> list[EntityCorrection]:
        """Every saved correction, oldest first."""

    def add_entity_correction(self, correction: EntityCorrection) -> object:
        """Save a correction."""

    def remove_entity_correction(self, correction_id: str) -> object:
        """Forget a correction; truthy when there was one."""


class EntityItem(ListItem):
    """One entity: its mention count and its name, shaped (right-aligned when right-to-left).

    Drawn by the item itself, not by a Label and a ShapedText inside it: an article lists tens
    of entities, and every node is restyled on each theme switch even while the pane is hidden.
    """

    DEFAULT_CSS = """
    EntityItem {
        height: auto;
    }
    EntityItem > .entity-item--count {
        color: $text-muted;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"entity-item--count"}

    #: Cells of the mention count column (right-aligned count, then a space).
    COUNT_CELLS = 5

    def __init__(self, entity: Entity, *, mode: BidiMode) -> None:
        super().__init__()
        self.entity = entity
        self.mode = mode
        self._shown_name = " ".join(clean_text(entity.name).split())
        self._lines: list[VisualLine] = []
        self._laid_width = -1

    def _lines_for(self, width: int) -> list[VisualLine]:
        if width != self._laid_width:
            self._lines = layout(self._shown_name, max(1, width - self.COUNT_CELLS), self.mode)
            self._laid_width = width
        return self._lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self._lines_for(width)))

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        base = self.rich_style
        muted = Style(color=self.get_component_rich_style("entity-item--count").color)
        count = f"{len(self.entity.mentions):>{self.COUNT_CELLS - 1}} " if y == 0 else ""
        segments = [Segment(count.ljust(self.COUNT_CELLS), base + muted)]
        lines = self._lines_for(width)
        if y < len(lines):
            line = lines[y]
            if line.indent:  # its own run, as ShapedText's (see there)
                segments.append(Segment(" " * line.indent, base))
            segments.append(Segment(line.text, base))
        return Strip(segments).crop_extend(0, width, base)


class HeadingItem(ListItem):
    """A type heading ("People (3)"); not selectable. Drawn by the item itself (one node)."""

    DEFAULT_CSS = """
    HeadingItem {
        height: auto;
        text-style: bold;
        padding: 1 0 0 0;
    }
    """

    def __init__(self, kind: str, count: int) -> None:
        super().__init__(disabled=True)
        self.kind = kind
        self.count = count

    def render(self) -> Content:
        return Content(f"{TYPE_HEADINGS.get(self.kind, self.kind)} ({self.count})")


class EntityList(ListView):
    """The entity list: the cursor lands on entries only, never on a type heading.

    Textual's ListView puts a fresh cursor on the first (or last) row whatever it is; here
    that row is a disabled heading, which shows no cursor and takes no Enter.
    """

    def _first_entry(self, rows: list[int]) -> int | None:
        return next((i for i in rows if not self._nodes[i].disabled), None)

    def action_cursor_down(self) -> None:
        """Next entry (the first one when there is no cursor yet)."""
        if self.index is None or self._nodes[self.index].disabled:
            start = 0 if self.index is None else self.index
            self.index = self._first_entry(list(range(start, len(self._nodes))))
            return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        """Previous entry (the last one when there is no cursor yet)."""
        if self.index is None or self._nodes[self.index].disabled:
            start = len(self._nodes) - 1 if self.index is None else self.index
            self.index = self._first_entry(list(range(start, -1, -1)))
            return
        super().action_cursor_up()


class EntitiesPane(Vertical):
    """The Entities tab of the side pane."""

    DEFAULT_CSS = """
    EntitiesPane {
        height: 1fr;
    }
    EntitiesPane #entities-status {
        color: $text-muted;
        height: auto;
    }
    EntitiesPane #entities-mention {
        height: auto;
    }
    EntitiesPane ListView {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next_mention", "Next mention", show=False, id="entities.next_mention"),
        Binding(
            "N", "previous_mention", "Previous mention", show=False, id="entities.previous_mention"
        ),
        Binding("a", "add_entity", "Add entity", id="entities.add"),
        Binding("t", "retype_entity", "Entity type", id="entities.retype"),
        Binding("r", "rename_entity", "Rename entity", id="entities.rename"),
        Binding("m", "merge_entity", "Merge entity", id="entities.merge"),
        Binding("x", "hide_entity", "Hide entity", id="entities.hide"),
        Binding("H", "show_hidden", "Hidden entities", show=False, id="entities.hidden"),
        Binding("u", "undo_correction", "Undo correction", show=False, id="entities.undo"),
        Binding("L", "across_library", "In the library", id="entities.library"),
    ]

    mode: var[BidiMode] = var[BidiMode]("app")
    """The bidi mode names are drawn in (set by the side pane)."""

    def __init__(self, id: str | None = None, *, mode: BidiMode = "app") -> None:  # noqa: A002
        super().__init__(id=id)
        self.set_reactive(EntitiesPane.mode, mode)
        self.article: Article | None = None
        self.entities: list[Entity] = []
        self.selected: Entity | None = None
        self.mention_index = -1
        self.store: CorrectionStore | None = None
        self.saver: Saver | None = None
        """Saves the corrections (the app's, given by the side pane with the store)."""
        self.loaded = False
        """Whether `entities` are those of `article` with the saved corrections."""
        self._extractor: Extractor | None = None
        self._reselect: str | None = None
        self._pending: list[Callable[[], object]] = []

    def compose(self) -> ComposeResult:
        yield Label("No article open.", id="entities-status")
        mention = Label("", id="entities-mention", markup=False)
        mention.display = False  # takes a line only while an entity is chosen
        yield mention
        yield EntityList(id="entities-list")

    def show_article(
        self, store: CorrectionStore, article: Article, *, saver: Saver | None = None
    ) -> None:
        """Extract the article's entities in the background, then list them (corrections are
        saved through `saver`; without one the pane only lists)."""
        self.article = article
        self.store = store
        self.saver = saver
        self.selected = None
        self.mention_index = -1
        self._reselect = None
        self._show_mention()
        self._start_extraction()

    def _corrections(self) -> list[EntityCorrection]:
        if self.store is None:
            return []
        try:
            return list(self.store.entity_corrections())
        except Exception:  # a store without corrections still lists entities
            return []

    def _start_extraction(self) -> None:
        if self.article is None:
            return
        self.loaded = False
        self.query_one("#entities-status", Label).update("Finding entities…")
        self._extract(self.article, self._corrections())

    def when_ready(self, callback: Callable[[], object]) -> None:
        """Run `callback` once the open article's entities are listed (now if they are)."""
        if self.loaded:
            callback()
        else:
            self._pending.append(callback)

    @work(thread=True, exclusive=True, group="entities", exit_on_error=False)
    def _extract(self, article: Article, corrections: list[EntityCorrection]) -> None:
        """Load the model once and extract; results go back to the UI thread."""
        try:
            if self._extractor is None:
                app = self.app  # the reader's model is loaded once per app; a bare host loads one
                self._extractor = (
                    app.entity_extractor() if isinstance(app, ReaderBase) else Extractor.load()
                )
            entities = self._extractor.extract(article.text, corrections)
        except Exception as error:  # never take the app down over the side pane
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._failed, article, str(error))
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, article, entities)

    def _failed(self, article: Article, reason: str) -> None:
        if article is self.article:
            self.query_one("#entities-status", Label).update(f"No entities: {reason}")

    def _show(self, article: Article, entities: list[Entity]) -> None:
        if article is not self.article:
            return
        self.entities = entities
        view = self.query_one("#entities-list", ListView)
        view.clear()
        mode = self.mode
        items: list[ListItem] = []
        for kind, members in grouped(entities):
            items.append(HeadingItem(kind, len(members)))
            items.extend(EntityItem(entity, mode=mode) for entity in members)
        view.extend(items)
        status = f"{len(entities)} entities" if entities else "No entities found."
        hidden = sum(1 for c in self._corrections() if c.action == "hide")
        if hidden:
            status += f" ({hidden} hidden: H lists them)"
        self.query_one("#entities-status", Label).update(status)
        self.loaded = True
        wanted, self._reselect = self._reselect, None
        if wanted is not None:
            found = self.find(wanted)
            if found is not None:
                self.select(found)
                index = next(
                    (
                        i
                        for i, item in enumerate(items)
                        if isinstance(item, EntityItem) and item.entity is found
                    ),
                    None,
                )
                if index is not None:
                    self.call_after_refresh(setattr, view, "index", index)
            else:
                self.selected = None
                self.mention_index = -1
                self._show_mention()
                self.post_message(EntitySelected(None, []))
        pending, self._pending = self._pending, []
        for callback in pending:
            callback()

    def find(self, name: str) -> Entity | None:
        """The listed entity called `name` (or with a mention spelt so), if any."""
        for entity in self.entities:
            if entity.name == name:
                return entity
        for entity in self.entities:
            if any(m.text == name for m in entity.mentions):
                return entity
        return None

    @on(ListView.Selected, "#entities-list")
    def _chosen(self, event: ListView.Selected) -> None:
        event.stop()
        item = event.item
        if isinstance(item, EntityItem):
            self.select(item.entity)

    def select(self, entity: Entity) -> None:
        """Choose `entity`: post its mention spans; the article shows the first mention, so
        n goes on to the second (the count says which: "1/8")."""
        self.selected = entity
        self.mention_index = 0 if entity.mentions else -1
        self.post_message(EntitySelected(entity, [(m.start, m.end) for m in entity.mentions]))
        self._show_mention()

    def _show_mention(self) -> None:
        """Say which mention of the chosen entity is on show, as find does ("3/8")."""
        labels = self.query("#entities-mention").results(Label)
        label = next(iter(labels), None)
        if label is None:
            return
        entity = self.selected
        if entity is None or not entity.mentions or self.mention_index < 0:
            label.update("")
            label.display = False
            return
        label.display = True
        name = shaped_name(entity.name, self.mode)
        label.update(
            f"{name}  {self.mention_index + 1}/{len(entity.mentions)}  (n/N next/previous)"
        )

    def _step(self, delta: int) -> None:
        entity = self.selected
        if entity is None or not entity.mentions:
            return
        self.mention_index = (self.mention_index + delta) % len(entity.mentions)
        mention = entity.mentions[self.mention_index]
        self.post_message(MentionJump(mention.start, mention.end))
        self._show_mention()

    def action_next_mention(self) -> None:
        """Go to the next mention of the chosen entity."""
        self._step(1)

    def action_previous_mention(self) -> None:
        """Go to the previous mention of the chosen entity."""
        self._step(-1)

    def action_across_library(self) -> None:
        """This entity across the library: the Entities screen, opened on it."""

        def show(entity: Entity) -> None:
            self.post_message(ShowEntities(entity.name, entity.type))

        self._with_entity("Which entity, across the library?", show)

    # ------------------------------------------------------------- the reader's corrections

    def current_entity(self) -> Entity | None:
        """The entity an action is about: the one under the list cursor while the list has
        focus, else the chosen one, else the one under the list cursor."""
        view = self.query_one("#entities-list", ListView)
        item = view.highlighted_child
        under_cursor = item.entity if isinstance(item, EntityItem) else None
        focused = self.screen.focused if self.is_attached else None
        if focused is view and under_cursor is not None:
            return under_cursor
        return self.selected or under_cursor

    def _with_entity(self, title: str, then: Callable[[Entity], object]) -> None:
        """Run `then` on the current entity, or on one the reader picks when none is."""
        if not self.loaded and self.article is not None:  # still extracting: act when listed
            self.when_ready(lambda: self._with_entity(title, then))
            return
        entity = self.current_entity()
        if entity is not None:
            then(entity)
            return
        if not self.entities:
            self.notify("This article has no entities listed.", timeout=3)
            return
        choices = [(str(i), e.name, _detail(e)) for i, e in enumerate(self.entities)]

        def picked(key: str | None) -> None:
            if key is not None:
                then(self.entities[int(key)])

        self.post_message(AskPick(title, choices, picked))

    def save_correction(
        self,
        correction: EntityCorrection,
        *,
        show: str = "",
        then: Callable[[], None] | None = None,
    ) -> None:
        """Save `correction` and, once it is saved, extract the article again with it and
        run `then`. The key never waits for another process holding the database: the saver
        writes at once or in the background.

        `show` names the entity to choose afterwards ("" clears the chosen entity's marks).
        """
        store, saver = self.store, self.saver
        if store is None or saver is None:
            self.notify("There is no library to save the correction in.", severity="error")
            return
        correction = clean_correction(correction)

        def saved(_result: object) -> None:
            self._corrections_saved(show, then)

        saver.save("the correction", lambda: store.add_entity_correction(correction), saved)

    def _corrections_saved(self, show: str, then: Callable[[], None] | None) -> None:
        """A correction was saved (UI thread): the article again with it, and every other
        view of entities told (the app pokes its entity indexer)."""
        if not self.is_attached:  # the article was closed while the save waited
            self.app.post_message(EntityCorrectionsChanged())
            return
        self._reselect = show
        self._start_extraction()
        self.post_message(EntityCorrectionsChanged())
        if then is not None:
            then()

    def action_add_entity(self) -> None:
        """Add the text selected in the article as an entity of a type the reader chooses
        (the article screen says what is selected: the pane does not reach into the view)."""
        self.post_message(AskSelection(self.add_entity))

    def add_entity(self, selected: str) -> None:
        """Ask for the type of `selected` (the article's selected text) and add it."""
        name = " ".join(selected.strip(_TRIM).split())
        if not name:
            self.notify(
                "Select the name in the article first (v and the arrow keys, or the mouse).",
                timeout=4,
            )
            return

        def chosen(kind: str | None) -> None:
            if kind is not None:
                self.save_correction(EntityCorrection("add", name, type=kind), show=name)

        self.post_message(AskEntityType("Add entity", name, "", chosen))

    def action_retype_entity(self) -> None:
        """Change the type of the current entity."""

        def ask(entity: Entity) -> None:
            def chosen(kind: str | None) -> None:
                if kind is not None and kind != entity.type:
                    correction = EntityCorrection("retype", entity.name, type=kind)
                    self.save_correction(correction, show=entity.name)

            self.post_message(AskEntityType("Entity type", entity.name, entity.type, chosen))

        self._with_entity("Change the type of which entity?", ask)

    def action_rename_entity(self) -> None:
        """Give the current entity another name."""

        def ask(entity: Entity) -> None:
            def chosen(name: str | None) -> None:
                if name and name != entity.name:
                    correction = EntityCorrection("rename", entity.name, target=name)
                    self.save_correction(correction, show=name)

            self.post_message(AskEntityName("Rename entity", entity.name, chosen))

        self._with_entity("Rename which entity?", ask)

    def action_merge_entity(self) -> None:
        """Merge the current entity into another one the reader picks (same type first)."""

        def ask(entity: Entity) -> None:
            others = [e for e in self.entities if e is not entity]
            if not others:
                self.notify("There is no other entity to merge into.", timeout=3)
                return
            others.sort(key=lambda e: e.type != entity.type)
            choices = [(e.name, e.name, _detail(e)) for e in others]

            def chosen(target: str | None) -> None:
                if target is not None:
                    correction = EntityCorrection("merge", entity.name, target=target)
                    self.save_correction(correction, show=target)

            title = f"Merge “{shaped_name(entity.name, self.mode)}” into"
            self.post_message(AskPick(title, choices, chosen))

        self._with_entity("Merge which entity?", ask)

    def action_hide_entity(self) -> None:
        """Hide the current entity in every article (H lists hidden ones, u undoes)."""

        def hide(entity: Entity) -> None:
            said = (
                f"Hidden: {shaped_name(entity.name, self.mode)}. u undoes; H lists hidden entities."
            )
            self.save_correction(
                EntityCorrection("hide", entity.name), then=lambda: self.notify(said, timeout=4)
            )

        self._with_entity("Hide which entity?", hide)

    def action_show_hidden(self) -> None:
        """List hidden entities; choosing one shows it again."""
        hidden = [c for c in self._corrections() if c.action == "hide"]
        if not hidden:
            self.notify("No entity is hidden.", timeout=3)
            return
        choices = [(c.id, c.name, "") for c in hidden]

        def chosen(correction_id: str | None) -> None:
            if correction_id is not None:
                self.remove_correction(correction_id)

        self.post_message(
            AskPick(
                "Hidden entities",
                choices,
                chosen,
                hint="Enter shows the entity again, Esc closes.",
            )
        )

    def action_undo_correction(self) -> None:
        """Forget the most recent correction."""
        corrections = self._corrections()
        if not corrections:
            self.notify("There is no correction to undo.", timeout=3)
            return
        last = corrections[-1]
        said = f"Undone: {describe(last, self.mode)}."
        self.remove_correction(last.id, then=lambda: self.notify(said, timeout=4))

    def remove_correction(
        self, correction_id: str, *, then: Callable[[], None] | None = None
    ) -> None:
        """Forget a saved correction and, once that is saved, extract the article again
        without it and run `then` (not when there was no such correction)."""
        store, saver = self.store, self.saver
        if store is None or saver is None:
            return

        def removed(result: object) -> None:
            if result:
                show = self.selected.name if self.selected is not None else ""
                self._corrections_saved(show, then)

        def forget() -> object:
            return store.remove_entity_correction(correction_id)

        saver.save("the correction's removal", forget, removed)


_TRIM = " \t\n\u00a0.,:;!?\"'()[]{}«»،؛؟"


def shaped_name(name: str, mode: BidiMode) -> str:
    """`name` shaped for a one-line notice or title."""
    return display_lines(name, 50, mode)[0].strip()


def _detail(entity: Entity) -> str:
    """An entity's type and mention count, for a picker line."""
    return f"{TYPE_HEADINGS.get(entity.type, entity.type)}, {len(entity.mentions)}"


def describe(correction: EntityCorrection, mode: BidiMode = "app") -> str:
    """A correction in a few words, for notices."""
    name = shaped_name(correction.name, mode)
    target = shaped_name(correction.target, mode) if correction.target else ""
    return {
        "add": f"add {name} as {correction.type}",
        "retype": f"{name} is {correction.type}",
        "rename": f"rename {name} to {target}",
        "merge": f"merge {name} into {target}",
        "hide": f"hide {name}",
    }.get(correction.action, correction.action)


#: (palette name, help, pane action) for every correction, offered while an article is open.
PALETTE_ACTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "Add entity",
        "Entities: the text selected in the article, of a type you choose",
        "add_entity",
    ),
    ("Entity type", "Entities: change the chosen entity's type", "retype_entity"),
    ("Rename entity", "Entities: give the chosen entity another name", "rename_entity"),
    ("Merge entity", "Entities: merge the chosen entity into another", "merge_entity"),
    ("Hide entity", "Entities: hide the chosen entity in every article", "hide_entity"),
    ("Hidden entities", "Entities: list hidden ones and show one again", "show_hidden"),
    ("Undo correction", "Entities: forget the last correction", "undo_correction"),
    (
        "Entity across the library",
        "Entities: every article that names the chosen entity",
        "across_library",
    ),
)
