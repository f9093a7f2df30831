"""The side pane beside an article: two tabs, Entities (`EntitiesPane`) and Notes (`NotesPane`).

The tabs and their panes are built the first time the pane opens, so opening an article does
not pay for them; each pane is told which article is open (`show_article`) when it changes.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical

from reader.models import Article

#: Tab ids, in order; the toggle key cycles the pane through hidden -> these tabs.
TABS: tuple[str, ...] = ("entities", "notes")


class _SideTabs(Vertical):
    """The tabbed content of the side pane, composed when the pane first opens."""

    def __init__(self, initial: str) -> None:
        super().__init__(id="side-tabs-box")
        self._initial = initial

    def compose(self) -> ComposeResult:
        # Imported here: the tabs and panes cost import time nobody should pay before opening
        # the pane.
        from textual.widgets import TabbedContent, TabPane

        from reader.ui.widgets.entities_pane import EntitiesPane
        from reader.ui.widgets.notes_pane import NotesPane

        with TabbedContent(id="side-tabs", initial=self._initial):
            with TabPane("Entities", id="entities"):
                yield EntitiesPane(id="entities-pane")
            with TabPane("Notes", id="notes"):
                yield NotesPane(id="notes-pane")


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
            from textual.widgets import TabbedContent

            for tabs in self.query("#side-tabs").results(TabbedContent):
                return tabs.active or self._tab
        return self._tab

    def show_tab(self, tab: str) -> None:
        """Open the pane on tab `tab`."""
        self._tab = tab
        self.remove_class("-hidden")
        if not self._built:
            self._build()
            return
        from textual.widgets import TabbedContent

        for tabs in self.query("#side-tabs").results(TabbedContent):
            tabs.active = tab

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
        from reader.ui.widgets.entities_pane import EntitiesPane
        from reader.ui.widgets.notes_pane import NotesPane

        if self._article is None:
            return
        for entities in self.query(EntitiesPane):
            entities.show_article(self._store, self._article)
        for notes in self.query(NotesPane):
            notes.show_article(self._store, self._article)
