"""The side pane beside an article: two tabs, Entities and Notes.

The tabs' contents come from their own modules when they exist
(`reader.ui.widgets.entities_pane.EntitiesPane`, `reader.ui.widgets.notes_pane.NotesPane`);
until then a placeholder stands in. Contract for those widgets: constructible with no arguments
(an `id` keyword is passed), and an optional `show_article(store, article)` method called each
time the article changes.
"""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from reader.models import Article
from reader.text.sanitize import printable

#: Tab ids, in order; the toggle key cycles the pane through hidden -> these tabs.
TABS: tuple[str, ...] = ("entities", "notes")


class EntitiesPlaceholder(Static):
    """Stands in for the Entities tab until `entities_pane.py` provides the real one."""

    def __init__(self, id: str | None = None) -> None:  # noqa: A002
        super().__init__("Entities will be listed here.", id=id, classes="placeholder")

    def show_article(self, store: Any, article: Article) -> None:
        """Name the article so the pane is not empty."""
        title = printable(article.title, line=True)
        self.update(Content(f"Entities of “{title}” will be listed here."))


class NotesPlaceholder(Static):
    """Stands in for the Notes tab until `notes_pane.py` provides the real one."""

    def __init__(self, id: str | None = None) -> None:  # noqa: A002
        super().__init__("Highlights and notes will be listed here.", id=id, classes="placeholder")

    def show_article(self, store: Any, article: Article) -> None:
        """Say how many highlights the article has."""
        count = len(store.annotations_for(article.id)) if store is not None else 0
        self.update(f"{count} highlight(s) in this article.")


def _pane(module: str, name: str, fallback: type[Widget], widget_id: str) -> Widget:
    """The real pane widget if its module exists and builds, else the placeholder."""
    try:
        cls = getattr(importlib.import_module(f"reader.ui.widgets.{module}"), name)
        widget = cls(id=widget_id)
    except Exception:  # a missing or half-written pane must not stop reading
        return fallback(id=widget_id)
    if not isinstance(widget, Widget):
        return fallback(id=widget_id)
    return widget


class _SideTabs(Vertical):
    """The tabbed content of the side pane, composed when the pane first opens."""

    def __init__(self, initial: str) -> None:
        super().__init__(id="side-tabs-box")
        self._initial = initial

    def compose(self) -> ComposeResult:
        # Imported here: tabs cost import time nobody should pay before opening the pane.
        from textual.widgets import TabbedContent, TabPane

        with TabbedContent(id="side-tabs", initial=self._initial):
            with TabPane("Entities", id="entities"):
                yield _pane("entities_pane", "EntitiesPane", EntitiesPlaceholder, "entities-pane")
            with TabPane("Notes", id="notes"):
                yield _pane("notes_pane", "NotesPane", NotesPlaceholder, "notes-pane")


class SidePane(Vertical):
    """Entities and Notes tabs for the open article; hidden until toggled.

    The tabs are built the first time the pane opens, so opening an article stays fast.
    """

    DEFAULT_CLASSES = "-hidden"

    TABS: ClassVar[tuple[str, ...]] = TABS

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's widget id
        super().__init__(id=id)
        self._tab = TABS[0]
        self._built = False
        self._store: Any = None
        self._article: Article | None = None

    def compose(self) -> ComposeResult:
        return iter(())

    def _build(self) -> None:
        """Mount the tabs and their panes (once), then tell them which article is open."""
        self._built = True
        tabs = _SideTabs(self._tab)
        self.mount(tabs)
        self.call_after_refresh(self._send_article)

    @property
    def is_open(self) -> bool:
        """Whether the pane is shown."""
        return not self.has_class("-hidden")

    @property
    def active_tab(self) -> str:
        """Id of the tab on show (or to show when the pane opens)."""
        if self._built:
            for tabs in self.query("#side-tabs"):
                return str(getattr(tabs, "active", "") or self._tab)
        return self._tab

    def show_tab(self, tab: str) -> None:
        """Open the pane on tab `tab`."""
        self._tab = tab
        self.remove_class("-hidden")
        if not self._built:
            self._build()
            return
        for tabs in self.query("#side-tabs"):
            tabs.active = tab  # type: ignore[attr-defined]

    def hide(self) -> None:
        """Close the pane."""
        self.add_class("-hidden")

    def cycle(self) -> None:
        """The pane's one key: hidden -> Entities -> Notes -> hidden."""
        if not self.is_open:
            self.show_tab(TABS[0])
            return
        index = TABS.index(self.active_tab) if self.active_tab in TABS else 0
        if index + 1 < len(TABS):
            self.show_tab(TABS[index + 1])
        else:
            self.hide()

    def show_article(self, store: Any, article: Article) -> None:
        """Tell each tab's widget which article is open (now, or when the tabs are built)."""
        self._store = store
        self._article = article
        if self._built:
            self._send_article()

    def _send_article(self) -> None:
        if self._article is None:
            return
        for widget_id in ("entities-pane", "notes-pane"):
            for widget in self.query(f"#{widget_id}"):
                method = getattr(widget, "show_article", None)
                if callable(method):
                    try:
                        method(self._store, self._article)
                    except Exception as error:  # a pane's failure must not stop reading
                        self.notify(f"The side pane could not show this article: {error}.")
