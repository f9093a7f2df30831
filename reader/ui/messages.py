"""What the reader's widgets and screens tell each other: every message of the UI, typed.

Widgets post what happened (messages up); the screen or the app that handles a message
decides what to do and sets its children's attributes (attributes down). Handlers are named
after the class (`on_highlights_changed`) and take it typed. The note dialog's answer
(`NoteResult`) is here too: the dialog returns it and the reading view applies it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal

from textual.message import Message

from reader.models import Annotation

if TYPE_CHECKING:
    from textual.widget import Widget

    from reader.entities.extractor import Entity
    from reader.search.query import SearchResult

# ------------------------------------------------------------------ navigation (to the app)


@dataclass
class OpenArticle(Message):
    """Open this article of the library on top of the current screen."""

    article_id: str


@dataclass
class ShowLibrary(Message):
    """Go back to the library."""


@dataclass
class ShowAllNotes(Message):
    """List the highlights and notes of every article."""


@dataclass
class ShowSearch(Message):
    """Open the search screen (search across the library)."""


@dataclass
class OpenSearchResult(Message):
    """Open a search result's article at its match, the matches in its text marked."""

    result: SearchResult
    query: str


@dataclass
class ShowEntities(Message):
    """Open the Entities screen (every name in the library); with a name, open it on that
    entity (the jump from an article's Entities tab)."""

    entity_name: str = ""
    entity_type: str = ""


@dataclass
class OpenEntityMention(Message):
    """Open an article at a mention of an entity, every mention of it there marked."""

    article_id: str
    start: int
    end: int
    spans: list[tuple[int, int]]
    """Every mention of the entity in the article (offsets into its text)."""


@dataclass
class OpenEntityNote(Message):
    """Open a highlight (the Entities screen lists those whose passage names an entity)."""

    annotation: Annotation


@dataclass
class MarkRead(Message):
    """This article was read (opened), or the reader marked it read or unread."""

    article_id: str
    read: bool = True


@dataclass
class CheckForChanges(Message):
    """Time to look whether another process (`reader add`, `refresh`, `import`) changed the
    database: the app's timer sends it to the screen on show every `watch_interval` seconds,
    and the screen compares the store's stamps with what it shows (a few `stat` calls)."""


# ------------------------------------------------------------------ feeds


@dataclass
class ShowFeeds(Message):
    """Show the feeds screen."""


@dataclass
class ShowFeedArticles(Message):
    """Show the library filtered to one feed's articles."""

    url: str
    title: str


@dataclass
class RefreshFeeds(Message):
    """Refresh these feeds (by URL) in the background; none named: every feed."""

    urls: tuple[str, ...] = ()


@dataclass
class EntityCorrectionsChanged(Message):
    """The reader saved or undid an entity correction: the app has the library's entity
    index apply it now (`reader.ui.entity_indexing`), without waiting for its next look."""


@dataclass
class ArticlesArrived(Message):
    """New articles are in the library (a feed refresh or a subscription brought them): the
    app posts this to each screen, and lists reload."""

    bubble: ClassVar[bool] = False
    count: int


# ------------------------------------------------------------------ the reading view


@dataclass
class ArticleScrolled(Message):
    """The article view's top line changed (the screen remembers the reading position)."""


@dataclass
class HighlightsChanged(Message):
    """The open article's highlights changed (made, recoloured, annotated, deleted)."""

    annotations: list[Annotation]
    """All of them, orphans included, in reading order."""


@dataclass
class EditNote(Message):
    """Open the note dialog on this highlight (its note, or its tags)."""

    annotation: Annotation
    focus: Literal["note", "tags"] = "note"


@dataclass
class NoteEdited(Message):
    """The text in a note editor changed (typed, pasted or deleted)."""

    editor: Widget
    """The NoteEditor (typed as a widget: this module imports no widget)."""
    text: str
    """Its text now (logical)."""

    @property
    def control(self) -> Widget:
        """The editor, for `@on(NoteEdited, "#id")` selectors."""
        return self.editor


@dataclass(slots=True)
class NoteResult:
    """What the reader chose in the note dialog."""

    action: Literal["save", "delete"]
    note: str = ""
    tags: list[str] = field(default_factory=list)
    color: int = 1


# ------------------------------------------------------------------ the side pane


@dataclass
class TabChosen(Message):
    """A tab name of the side pane was clicked (the pane shows that tab)."""

    tab: str


@dataclass
class AnnotationChosen(Message):
    """A highlight was chosen in a notes list: show it in its article."""

    annotation: Annotation


@dataclass
class EntitySelected(Message):
    """An entity was chosen in the Entities tab: mark its mentions (None, no spans: clear)."""

    entity: Entity | None
    spans: list[tuple[int, int]]
    """Its mentions as (start, end) offsets into the article text."""


@dataclass
class AskEntityType(Message):
    """The Entities tab asks the reader to choose an entity type for `name`."""

    title: str
    name: str
    current: str
    then: Callable[[str | None], None]
    """Gets the type chosen (PERSON, ORG, ...), or None when the reader cancelled."""


@dataclass
class AskEntityName(Message):
    """The Entities tab asks the reader to type a name (starting from `name`)."""

    title: str
    name: str
    then: Callable[[str | None], None]
    """Gets the name typed, or None when the reader cancelled."""


@dataclass
class AskPick(Message):
    """The Entities tab asks the reader to pick one of `choices` (key, name, detail)."""

    title: str
    choices: list[tuple[str, str, str]]
    then: Callable[[str | None], None]
    """Gets the key of the choice, or None when the reader cancelled."""
    hint: str | None = None
    """The line under the list (None: the dialog's own)."""


@dataclass
class AskSelection(Message):
    """The Entities tab asks for the text selected in the article ("" when none)."""

    then: Callable[[str], None]
    """Gets the selected text (logical, as in the article)."""


@dataclass
class MentionJump(Message):
    """Show this mention of the chosen entity (offsets into the article text)."""

    start: int
    end: int


# ------------------------------------------------------------------ the app


@dataclass
class SaveDone(Message):
    """Posted from the save thread: the app runs `callback` on the UI thread."""

    callback: Callable[[], object]
