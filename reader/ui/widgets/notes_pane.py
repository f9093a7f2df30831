"""The Notes tab: an article's highlights in reading order, with quote, colour, tags and note.

Quotes and notes are drawn through the layout engine (`ShapedText`) so Arabic reads
right. Orphans (highlights whose text disappeared when the article changed) are
listed last with their quote and note. Enter (or a click) on a placed highlight
posts `AnnotationChosen`; `c` cycles the colour filter, `t` the tag filter.

`AnnotationList` is the list itself, shared with the all-notes screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import var
from textual.widgets import Label, ListItem, ListView

from reader.models import Annotation, Article
from reader.text.modes import BidiMode
from reader.text.sanitize import printable
from reader.ui.messages import AnnotationChosen
from reader.ui.widgets.shaped_text import ShapedText

COLOURS = 5

#: At most this many highlights are listed at once (filters narrow the list).
MAX_SHOWN = 300


class AnnotationSource(Protocol):
    """What the Notes tab reads from the store."""

    def annotations_for(self, article_id: str) -> list[Annotation]:
        """The article's highlights, orphans included."""


def swatch(color: int) -> Content:
    """A small block in highlight colour `color`, readable in every theme."""
    return Content.from_markup(
        f"[$reader-highlight-{color}-text on $reader-highlight-{color}] {color} [/]"
    )


class AnnotationItem(ListItem):
    """One highlight in a list: colour and tags, the quote, the note."""

    DEFAULT_CSS = """
    AnnotationItem {
        height: auto;
        padding: 0 0 1 0;
    }
    AnnotationItem .annotation-quote {
        max-height: 4;
    }
    AnnotationItem .annotation-note {
        color: $text-muted;
        max-height: 6;
    }
    """

    def __init__(self, annotation: Annotation, *, mode: BidiMode, heading: str = "") -> None:
        super().__init__()
        self.annotation = annotation
        self.mode = mode
        self.heading = heading

    def compose(self) -> ComposeResult:
        annotation = self.annotation
        if self.heading:
            # One-line fields: no bidi override (from a record saved before cleaning) may
            # reverse them; notes and quotes keep theirs, as article text does.
            heading = printable(self.heading, line=True)
            yield ShapedText(heading, mode=self.mode, classes="annotation-article")
        header = swatch(annotation.color)
        if annotation.orphan:
            header = header + Content(" orphan: its text is no longer in the article")
        yield Label(header, classes="annotation-header")
        yield ShapedText(annotation.quote, mode=self.mode, classes="annotation-quote")
        if annotation.tags:
            tags = "# " + "  # ".join(printable(tag, line=True) for tag in annotation.tags)
            yield ShapedText(tags, mode=self.mode, classes="annotation-tags")
        if annotation.note:
            yield ShapedText(annotation.note, mode=self.mode, classes="annotation-note")


def ordered(annotations: Sequence[Annotation]) -> list[Annotation]:
    """Reading order: placed highlights by position, then orphans."""
    return sorted(annotations, key=lambda a: (a.orphan, a.start, a.end, a.created))


def matches(annotation: Annotation, color: int | None, tag: str | None) -> bool:
    """Whether an annotation passes the colour and tag filters (None = any)."""
    return (color is None or annotation.color == color) and (tag is None or tag in annotation.tags)


def all_tags(annotations: Sequence[Annotation]) -> list[str]:
    """Every tag the annotations use, sorted."""
    return sorted({tag for a in annotations for tag in a.tags})


def next_colour(color: int | None) -> int | None:
    """The colour filter after `color`: 1, 2, ... COLOURS, then any (None)."""
    return ((color or 0) + 1) % (COLOURS + 1) or None


def next_tag(tags: Sequence[str], tag: str | None) -> str | None:
    """The tag filter after `tag` in `tags`, then any (None)."""
    index = tags.index(tag) + 1 if tag in tags else 0
    return tags[index] if index < len(tags) else None


def filter_summary(
    head: Sequence[str],
    *,
    color: int | None,
    tag: str | None,
    total: int,
    shown: int,
    limit: int,
) -> str:
    """The status line over a notes list: counts, the filters and their keys, what is listed."""
    parts = [*head, f"colour: {color or 'all'} (c)", f"tag: {tag or 'all'} (t)"]
    if shown != total:
        parts.append(f"showing {shown}")
    if shown > limit:
        parts.append(f"first {limit} listed")
    return " · ".join(parts)


class NotesPane(Vertical):
    """The Notes tab of the side pane."""

    DEFAULT_CSS = """
    NotesPane {
        height: 1fr;
    }
    NotesPane #notes-filter {
        color: $text-muted;
        height: auto;
    }
    NotesPane ListView {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "cycle_colour", "Colour filter"),
        Binding("t", "cycle_tag", "Tag filter"),
    ]

    mode: var[BidiMode] = var[BidiMode]("app")
    """The bidi mode quotes and notes are drawn in (set by the side pane)."""

    def __init__(self, id: str | None = None, *, mode: BidiMode = "app") -> None:  # noqa: A002
        super().__init__(id=id)
        self.set_reactive(NotesPane.mode, mode)
        self.store: AnnotationSource | None = None
        self.article: Article | None = None
        self.annotations: list[Annotation] = []
        self.color_filter: int | None = None
        self.tag_filter: str | None = None
        self._dirty = False

    def on_resize(self) -> None:
        """Shown again (or resized): build the list if it changed while hidden."""
        if self._dirty:
            self._redraw()

    def compose(self) -> ComposeResult:
        yield ShapedText("", id="notes-filter", mode="app")
        yield ListView(id="notes-list")

    def watch_mode(self) -> None:
        """The bidi mode changed: draw the list again."""
        self._redraw()

    def show_article(self, store: AnnotationSource, article: Article) -> None:
        """Called by the side pane when the open article changes."""
        self.store = store
        self.article = article
        self.reload()

    def reload(self) -> None:
        """Read the article's annotations from the store again and redraw."""
        if self.store is None or self.article is None:
            self.show_annotations([])
            return
        self.show_annotations(self.store.annotations_for(self.article.id))

    def show_annotations(self, annotations: Sequence[Annotation]) -> None:
        """Show these annotations (filters stay as they are)."""
        self.annotations = ordered(annotations)
        if self.tag_filter is not None and self.tag_filter not in self.tags():
            self.tag_filter = None
        self._redraw()

    def tags(self) -> list[str]:
        """Every tag used by the shown annotations, sorted."""
        return all_tags(self.annotations)

    def filtered(self) -> list[Annotation]:
        """The annotations that pass the filters, in reading order."""
        return [a for a in self.annotations if matches(a, self.color_filter, self.tag_filter)]

    def set_filter(self, color: int | None = None, tag: str | None = None) -> None:
        """Show only highlights of this colour and/or tag (None = any)."""
        self.color_filter = color
        self.tag_filter = tag
        self._redraw()

    def _redraw(self) -> None:
        """Rebuild the list now if the pane is on screen, else when it is next shown."""
        self._dirty = True
        if not self.is_mounted or not self.size.width:
            return
        self._dirty = False
        mode = self.mode
        shown = self.filtered()
        placed = sum(1 for a in self.annotations if not a.orphan)
        orphans = len(self.annotations) - placed
        head = [f"{placed} highlight(s)"]
        if orphans:
            head.append(f"{orphans} orphan(s)")
        summary = self.query_one("#notes-filter", ShapedText)
        summary.mode = mode
        summary.update(
            filter_summary(
                head,
                color=self.color_filter,
                tag=self.tag_filter,
                total=len(self.annotations),
                shown=len(shown),
                limit=MAX_SHOWN,
            )
        )
        listing = self.query_one("#notes-list", ListView)
        listing.clear()
        listing.extend(AnnotationItem(a, mode=mode) for a in shown[:MAX_SHOWN])

    def action_cycle_colour(self) -> None:
        self.set_filter(next_colour(self.color_filter), self.tag_filter)

    def action_cycle_tag(self) -> None:
        self.set_filter(self.color_filter, next_tag(self.tags(), self.tag_filter))

    @on(ListView.Selected, "#notes-list")
    def _selected(self, event: ListView.Selected) -> None:
        event.stop()
        item = event.item
        if not isinstance(item, AnnotationItem):
            return
        if item.annotation.orphan:
            self.notify("This highlight is an orphan: its text is no longer in the article.")
            return
        self.post_message(AnnotationChosen(item.annotation))
