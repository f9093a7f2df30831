"""The side pane beside an article: two tabs, Entities (`EntitiesPane`) and Notes (`NotesPane`).

The tabs and their panes are built the first time the pane opens, so opening an article does
not pay for them. The article screen sets what the panes show (attributes down): which article
is open (`show_article`), its highlights as the reading view changes them (`show_annotations`),
and the bidi mode (`mode`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import var

from reader.models import Annotation, Article
from reader.text.modes import BidiMode

if TYPE_CHECKING:
    from reader.store.database import Store

#: Tab ids, in order (`next_tab` goes through them).
TABS: tuple[str, ...] = ("entities", "notes")


class _SideTabs(Vertical):
    """The tabbed content of the side pane, composed when the pane first opens."""

    def __init__(self, initial: str, mode: BidiMode) -> None:
        super().__init__(id="side-tabs-box")
        self._initial = initial
        self._mode = mode

    def compose(self) -> ComposeResult:
        # Imported here: the tabs and panes cost import time nobody should pay before opening
        # the pane.
        from textual.widgets import TabbedContent, TabPane

        from reader.ui.widgets.entities_pane import EntitiesPane
        from reader.ui.widgets.notes_pane import NotesPane

        with TabbedContent(id="side-tabs", initial=self._initial):
            with TabPane("Entities", id="entities"):
                yield EntitiesPane(id="entities-pane", mode=self._mode)
            with TabPane("Notes", id="notes"):
                yield NotesPane(id="notes-pane", mode=self._mode)


class SidePane(Vertical):
    """Entities and Notes tabs for the open article; hidden until toggled.

    The tabs are built the first time the pane opens, so opening an article stays fast.
    """

    DEFAULT_CLASSES = "-hidden"

    TABS: ClassVar[tuple[str, ...]] = TABS

    mode: var[BidiMode] = var[BidiMode]("app")
    """The app's bidi mode, which the panes draw Arabic in."""

    def __init__(self, *, mode: BidiMode = "app", id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.set_reactive(SidePane.mode, mode)
        self._tab = TABS[0]
        self._built = False
        self._store: Store | None = None
        self._article: Article | None = None

    def compose(self) -> ComposeResult:
        return iter(())

    def _build(self) -> None:
        """Mount the tabs and their panes (once), then tell them which article is open."""
        self._built = True
        tabs = _SideTabs(self._tab, self.mode)
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

    def toggle(self) -> None:
        """Show the pane on the tab it last showed (Entities the first time), or hide it,
        whichever tab is on show."""
        if self.is_open:
            self.hide()
        else:
            self.show_tab(self.active_tab)

    def next_tab(self) -> None:
        """Show the other tab (the pane opens on it if it is hidden)."""
        index = TABS.index(self.active_tab) if self.active_tab in TABS else -1
        self.show_tab(TABS[(index + 1) % len(TABS)])

    def show_article(self, store: Store, article: Article) -> None:
        """Tell each tab's widget which article is open (now, or when the tabs are built)."""
        self._store = store
        self._article = article
        if self._built:
            self._send_article()

    def _send_article(self) -> None:
        from reader.ui.widgets.entities_pane import EntitiesPane
        from reader.ui.widgets.notes_pane import NotesPane

        if self._article is None or self._store is None:
            return
        for entities in self.query(EntitiesPane):
            entities.show_article(self._store, self._article)
        for notes in self.query(NotesPane):
            notes.show_article(self._store, self._article)

    def show_annotations(self, annotations: Sequence[Annotation]) -> None:
        """The open article's highlights changed: the Notes tab lists these (once built)."""
        if not self._built:
            return  # the tab reads them from the store when it is built
        from reader.ui.widgets.notes_pane import NotesPane

        for notes in self.query(NotesPane):
            notes.show_annotations(annotations)

    def watch_mode(self, mode: BidiMode) -> None:
        """The bidi mode changed: the panes draw in it from now on."""
        if not self._built:
            return
        from reader.ui.widgets.entities_pane import EntitiesPane
        from reader.ui.widgets.notes_pane import NotesPane

        for entities in self.query(EntitiesPane):
            entities.mode = mode
        for notes in self.query(NotesPane):
            notes.mode = mode
