"""The Entities tab: who and what the open article names, grouped by type, most mentioned first.

Extraction (`reader.entities.Extractor`) runs in a thread worker, so opening an article
never blocks scrolling; the model loads once per pane, on first use. The reader's saved
corrections (`store.entity_corrections()`) are applied.

Messages, for the article screen to wire:

- `EntitiesPane.Selected(entity, spans)`: an entity was chosen (Enter or click). `spans` are
  its mentions' (start, end) offsets into `article.text`; highlight them, e.g.
  `view.set_marks("entity", [(s, e, "$reader-entity") for s, e in spans])`.
- `EntitiesPane.Jump(start, end)`: `n` / `N` (shift+n) in the pane moved to the next or
  previous mention of the chosen entity; scroll the article there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, ListItem, ListView
from textual.worker import get_current_worker

from reader.entities import ENTITY_TYPES, Entity, Extractor
from reader.models import Article, EntityCorrection
from reader.ui.widgets.note_editor import ShapedText

TYPE_HEADINGS = {
    "PERSON": "People",
    "ORG": "Organisations",
    "LOC": "Places",
    "MONEY": "Money",
    "DATE": "Dates",
    "MISC": "Other",
}


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


def _bidi_mode(widget: Any) -> str:
    try:
        mode = getattr(widget.app, "bidi_mode", "app")
    except Exception:
        return "app"
    return mode if mode in ("app", "terminal") else "app"


class EntityItem(ListItem):
    """One entity: its mention count and its name, shaped."""

    DEFAULT_CSS = """
    EntityItem {
        height: auto;
        layout: horizontal;
    }
    EntityItem .entity-count {
        width: 5;
        color: $text-muted;
    }
    EntityItem ShapedText {
        width: 1fr;
    }
    """

    def __init__(self, entity: Entity, *, mode: str) -> None:
        super().__init__()
        self.entity = entity
        self.mode = mode

    def compose(self) -> ComposeResult:
        yield Label(f"{len(self.entity.mentions):>4}", classes="entity-count")
        yield ShapedText(self.entity.name, mode=self.mode)


class HeadingItem(ListItem):
    """A type heading ("People (3)"); not selectable."""

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

    def compose(self) -> ComposeResult:
        yield Label(f"{TYPE_HEADINGS.get(self.kind, self.kind)} ({self.count})")


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
    EntitiesPane ListView {
        height: 1fr;
    }
    """

    # No descriptions yet, so the generated help screen (and its snapshot) is unchanged
    # until the article screen wires these; then describe them as "Next/Previous mention".
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next_mention", show=False),
        Binding("N", "previous_mention", show=False),
    ]

    class Selected(Message):
        """An entity was chosen: highlight its mentions."""

        def __init__(self, entity: Entity, spans: list[tuple[int, int]]) -> None:
            super().__init__()
            self.entity = entity
            self.spans = spans

    class Jump(Message):
        """Show this mention (logical offsets into the article text)."""

        def __init__(self, start: int, end: int) -> None:
            super().__init__()
            self.start = start
            self.end = end

    def __init__(self, id: str | None = None) -> None:  # noqa: A002 - Textual's parameter name
        super().__init__(id=id)
        self.article: Article | None = None
        self.entities: list[Entity] = []
        self.selected: Entity | None = None
        self.mention_index = -1
        self._extractor: Extractor | None = None

    def compose(self) -> ComposeResult:
        yield Label("No article open.", id="entities-status")
        yield ListView(id="entities-list")

    def show_article(self, store: Any, article: Article) -> None:
        """Extract the article's entities in the background, then list them."""
        self.article = article
        self.selected = None
        self.mention_index = -1
        corrections: list[EntityCorrection] = []
        if store is not None:
            try:
                corrections = list(store.entity_corrections())
            except Exception:  # a store without corrections still lists entities
                corrections = []
        self.query_one("#entities-status", Label).update("Finding entities…")
        self._extract(article, corrections)

    @work(thread=True, exclusive=True, group="entities", exit_on_error=False)
    def _extract(self, article: Article, corrections: list[EntityCorrection]) -> None:
        """Load the model once and extract; results go back to the UI thread."""
        try:
            if self._extractor is None:
                self._extractor = Extractor.load()
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
        mode = _bidi_mode(self)
        items: list[ListItem] = []
        for kind, members in grouped(entities):
            items.append(HeadingItem(kind, len(members)))
            items.extend(EntityItem(entity, mode=mode) for entity in members)
        view.extend(items)
        status = f"{len(entities)} entities" if entities else "No entities found."
        self.query_one("#entities-status", Label).update(status)

    @on(ListView.Selected, "#entities-list")
    def _chosen(self, event: ListView.Selected) -> None:
        event.stop()
        item = event.item
        if isinstance(item, EntityItem):
            self.select(item.entity)

    def select(self, entity: Entity) -> None:
        """Choose `entity`: post its mention spans and start n/N at its first mention."""
        self.selected = entity
        self.mention_index = -1
        self.post_message(self.Selected(entity, [(m.start, m.end) for m in entity.mentions]))

    def _step(self, delta: int) -> None:
        entity = self.selected
        if entity is None or not entity.mentions:
            return
        self.mention_index = (self.mention_index + delta) % len(entity.mentions)
        mention = entity.mentions[self.mention_index]
        self.post_message(self.Jump(mention.start, mention.end))

    def action_next_mention(self) -> None:
        """Go to the next mention of the chosen entity."""
        self._step(1)

    def action_previous_mention(self) -> None:
        """Go to the previous mention of the chosen entity."""
        self._step(-1)
