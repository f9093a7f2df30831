"""What screens may ask of the reader app, without importing it (which would be a cycle).

`ReaderBase` holds the app-wide display settings as reactives that screens watch
(`self.watch(self.app, "bidi_mode", ...)`), and the services screens use: the store, the
saver and the background entity indexer. `reader.ui.app.ReaderApp` is its one subclass; a
screen reaches it, typed, with `reader_app(self)`. Widgets get what they need from their
screen (attributes down) and tell it what happened with the messages in `reader.ui.messages`
(messages up).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from textual.app import App
from textual.message_pump import MessagePump
from textual.reactive import var

from reader.store.database import Store
from reader.text.modes import BidiMode
from reader.ui.saving import Saver

if TYPE_CHECKING:
    from reader.entities.extractor import Extractor

#: Default reading width in cells (setting `reading_width`).
DEFAULT_READING_WIDTH = 80
#: The narrowest reading width a setting may ask for.
MIN_READING_WIDTH = 20


class BackgroundIndexer(Protocol):
    """The app's background entity indexing as screens use it
    (`reader.ui.entity_indexing.EntityIndexer`, which imports this module)."""

    @property
    def running(self) -> bool:
        """Whether a pass is under way."""

    def poke(self) -> None:
        """Look for articles to index now (on its own thread; returns at once)."""

    def stop(self) -> None:
        """Stop after the batch being extracted (the app is closing)."""


@dataclass(frozen=True, slots=True)
class RefreshState:
    """Where the background feed refresh is (`ReaderBase.feeds_refresh`)."""

    running: bool = False
    done: int = 0
    """Feeds finished in the running refresh."""
    total: int = 0
    """Feeds the running refresh fetches."""
    runs: int = 0
    """Refreshes finished since the app started (a change means the feeds were saved)."""


@dataclass(frozen=True, slots=True)
class IndexingState:
    """Where the background entity indexing is (`ReaderBase.entity_indexing`)."""

    running: bool = False
    done: int = 0
    """Articles extracted in the running pass."""
    total: int = 0
    """Articles the running pass extracts."""
    runs: int = 0
    """Passes that changed the entity index since the app started (a change means screens
    showing entities should read the index again)."""
    passes: int = 0
    """Passes finished since the app started, changed or not (a screen waiting for the
    indexer watches this rather than polling it)."""


class ReaderBase(App[None]):
    """The reader app as its screens see it: settings to watch, services to use."""

    bidi_mode: var[BidiMode] = var[BidiMode]("app")
    """How Arabic is drawn: `app` shapes and reorders; `terminal` leaves it to the terminal."""
    harakat: var[bool] = var(True)
    """Whether Arabic diacritics are drawn."""
    reading_width: var[int] = var(DEFAULT_READING_WIDTH)
    """Widest text column, in cells."""
    refresh_interval: var[float] = var(0.0)
    """Seconds between background refreshes of every feed while the app runs; 0: off."""
    auto_full_text: var[bool] = var(True)
    """Whether opening a short feed entry fetches its full article (reader.ingest.teaser)."""
    feeds_refresh: var[RefreshState] = var(RefreshState())
    """The feed refresh running in the background, if any (set by the app, watched by screens)."""
    entity_indexing: var[IndexingState] = var(IndexingState())
    """The background entity indexing (`reader.ui.entity_indexing`): progress while a pass
    runs, and a count of passes that changed the index (watched by screens)."""

    store: Store
    """Where articles, notes and settings live."""
    saver: Saver
    """Saves to the store without the UI waiting for another process (reader.ui.saving)."""
    entity_indexer: BackgroundIndexer
    """Keeps the library's entity index up to date in the background; its progress is
    `entity_indexing`."""

    _extractor: Extractor | None = None
    """The entity model once loaded (or given to the app), shared by every Entities pane and
    the background indexer."""

    def entity_extractor(self) -> Extractor:
        """The entity model, loaded the first time a pane or the background indexer asks (in
        its own thread) and then kept for the app's life; `Extractor.extract` runs one call at
        a time, so both can use it. Two first asks at once load it twice, harmlessly."""
        if self._extractor is None:
            from reader.entities.extractor import Extractor

            self._extractor = Extractor.load()
        return self._extractor

    def validate_reading_width(self, width: int) -> int:
        """A reading width is never narrower than MIN_READING_WIDTH."""
        return max(MIN_READING_WIDTH, width)


def reader_app(node: MessagePump) -> ReaderBase:
    """The reader app that `node` runs in (screens of the reader only run there)."""
    app = node.app
    if not isinstance(app, ReaderBase):
        raise TypeError(f"{type(node).__name__} runs only in the reader app, not {type(app)}.")
    return app
