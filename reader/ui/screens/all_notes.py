"""Every highlight and note in the library, grouped by article; Enter opens one.

Reached from the command palette ("All notes") or `A` in an article. Filters: `c` cycles
the colour, `t` the tag. Quotes, notes and article titles are drawn through the layout
engine so Arabic reads right. The screen returns the chosen annotation; the app
(`ReaderApp.open_annotation`) shows it in its article.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import ListView

from reader.models import Annotation
from reader.ui.base import reader_app
from reader.ui.widgets.footer import FittingFooter
from reader.ui.widgets.notes_pane import (
    AnnotationItem,
    all_tags,
    filter_summary,
    matches,
    next_colour,
    next_tag,
)
from reader.ui.widgets.shaped_text import ShapedText

#: At most this many entries are built at once (filters narrow the list).
MAX_SHOWN = 500


class AllNotesScreen(Screen[Annotation | None]):
    """The notes of every article in one list."""

    DEFAULT_CSS = """
    AllNotesScreen #all-notes-summary {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    AllNotesScreen ListView {
        height: 1fr;
    }
    AllNotesScreen .annotation-article {
        text-style: bold;
        color: $primary;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("c", "cycle_colour", "Colour filter"),
        Binding("t", "cycle_tag", "Tag filter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.annotations: list[Annotation] = []
        self.titles: dict[str, str] = {}
        self.color_filter: int | None = None
        self.tag_filter: str | None = None

    def compose(self) -> ComposeResult:
        yield ShapedText("", id="all-notes-summary")
        yield ListView(id="all-notes-list")
        yield FittingFooter()

    def on_mount(self) -> None:
        store = reader_app(self).store
        order = {summary.id: index for index, summary in enumerate(store.list_articles())}
        self.titles = {summary.id: summary.title for summary in store.list_articles()}
        self.annotations = sorted(
            store.all_annotations(),
            key=lambda a: (order.get(a.article_id, len(order)), a.orphan, a.start, a.end),
        )
        self._redraw()

    def filtered(self) -> list[Annotation]:
        """The annotations passing the filters, grouped by article in library order."""
        return [a for a in self.annotations if matches(a, self.color_filter, self.tag_filter)]

    def tags(self) -> list[str]:
        """Every tag in the library, sorted."""
        return all_tags(self.annotations)

    def _redraw(self) -> None:
        mode = reader_app(self).bidi_mode
        shown = self.filtered()
        articles = len({a.article_id for a in self.annotations})
        summary = self.query_one("#all-notes-summary", ShapedText)
        summary.mode = mode
        summary.update(
            filter_summary(
                [f"{len(self.annotations)} highlight(s) in {articles} article(s)"],
                color=self.color_filter,
                tag=self.tag_filter,
                total=len(self.annotations),
                shown=len(shown),
                limit=MAX_SHOWN,
            )
        )
        listing = self.query_one("#all-notes-list", ListView)
        listing.clear()
        items = []
        previous = None
        for annotation in shown[:MAX_SHOWN]:
            heading = ""
            if annotation.article_id != previous:
                heading = self.titles.get(annotation.article_id, annotation.article_id)
                previous = annotation.article_id
            items.append(AnnotationItem(annotation, mode=mode, heading=heading))
        listing.extend(items)
        if items:
            listing.index = 0
        listing.focus()

    def action_cycle_colour(self) -> None:
        self.color_filter = next_colour(self.color_filter)
        self._redraw()

    def action_cycle_tag(self) -> None:
        self.tag_filter = next_tag(self.tags(), self.tag_filter)
        self._redraw()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(ListView.Selected, "#all-notes-list")
    def _selected(self, event: ListView.Selected) -> None:
        event.stop()
        item = event.item
        if not isinstance(item, AnnotationItem):
            return
        if item.annotation.orphan:
            self.notify("This highlight is an orphan: its text is no longer in the article.")
            return
        self.dismiss(item.annotation)
