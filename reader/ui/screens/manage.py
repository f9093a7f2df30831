"""The library managed from the app: add, delete, archive, undo, and the archive view.

`ManagedLibrary` is the library screen's base: its keys and actions, and what they need of the
screen (`selected_id`, `summary`, `reload`, `show_label`). Keys: `a` adds a path or URL (the
dialog in reader.ui.screens.add; the same service as `reader add`, in a worker thread, the list
read again as each file or URL is done); `D` (or Delete) deletes the article under the cursor,
asking first when it has highlights; `x` archives it (or unarchives it in the archive view);
`z` undoes the last delete or archive; `X` shows the archived articles instead of the others.

Undo keeps what a delete removed in memory (`RemovedArticle`: the article with its body and
every annotation) for as long as the library screen lives: the store's backups are not needed,
and quitting the app makes the delete final.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import work
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer

from reader.errors import ReaderError
from reader.ingest.teaser import AUTO_FULL_TEXT_WORDS, word_count
from reader.models import ArticleSummary
from reader.store.database import RemovedArticle, Store
from reader.ui.base import ReaderBase, reader_app
from reader.ui.screens.add import AddScreen, ConfirmDeleteScreen, SubscribeScreen

if TYPE_CHECKING:
    from reader.ingest.library import AddReport, FeedOffer, FoundFeed
    from reader.models import Feed

#: Failures one add names in notifications; the rest are counted.
FAILURES_NAMED = 3


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _title(summary: ArticleSummary) -> str:
    return f"'{summary.title or summary.source}'"


@dataclass(slots=True)
class Undoable:
    """A delete or an archive done from the library, with what undoing it needs."""

    kind: Literal["delete", "archive"]
    summary: ArticleSummary
    removed: list[RemovedArticle] = field(default_factory=list)
    """What a delete took out (the article, its body and annotations), to put back."""
    archived: bool = True
    """What an archive did: archived (True) or unarchived."""


@dataclass(slots=True)
class _Adding:
    """An add in progress, for the title line."""

    target: str
    started: float
    done: int = 0
    total: int = 0


class ManagedLibrary(Screen[None]):
    """The library screen's management keys and actions (see the module's docstring)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add file or URL", id="library.add"),
        Binding("D,delete", "delete", "Delete article", id="library.delete"),
        Binding("x", "archive", "Archive/unarchive", id="library.archive"),
        Binding("z", "undo", "Undo delete/archive", id="library.undo"),
        Binding("X", "show_archived", "Show archived", id="library.show_archived"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_archived = False
        """Whether the list shows the archived articles (and only those)."""
        self.undo_stack: list[Undoable] = []
        """Deletes and archives done here, the last one last (what `z` undoes)."""
        self._adding: list[_Adding] = []
        self._ticker: Timer | None = None

    @property
    def reader(self) -> ReaderBase:
        """The app, typed."""
        return reader_app(self)

    # -- what the library screen provides -----------------------------------------------

    def selected_id(self) -> str | None:
        """Id of the article under the cursor, if any."""
        raise NotImplementedError

    def summary(self, article_id: str) -> ArticleSummary | None:
        """The listed article with this id."""
        raise NotImplementedError

    def reload(self) -> None:
        """Read the list from the store again and show it."""
        raise NotImplementedError

    def show_label(self) -> None:
        """Write the title line again (its activity part changed)."""
        raise NotImplementedError

    # -- for the library screen -------------------------------------------------------------

    def listed(self, summaries: list[ArticleSummary]) -> list[ArticleSummary]:
        """The articles the list shows: not archived ones, or only archived ones (`X`)."""
        return [s for s in summaries if s.archived == self.show_archived]

    def activity(self) -> str:
        """What the title line adds while something is being added or the feeds are being
        refreshed ("" otherwise)."""
        said = ""
        refresh = self.reader.feeds_refresh
        if refresh.running:
            feeds = "feed" if refresh.total == 1 else "feeds"
            said = f" — Refreshing {refresh.done}/{refresh.total} {feeds}…"
        if not self._adding:
            return said
        first = self._adding[0]
        seconds = int(time.monotonic() - first.started)
        step = f" {first.done}/{first.total}" if first.total > 1 else ""
        more = f" and {len(self._adding) - 1} more" if len(self._adding) > 1 else ""
        return said + f" — adding{step} {first.target}{more} ({seconds} s)…"

    def feeds_refresh_changed(self) -> None:
        """The background feed refresh moved on: the title line says how far."""
        self.show_label()

    # -- add -----------------------------------------------------------------------------

    def action_add(self) -> None:
        """Ask for a path or URL and add it to the library."""
        if self.reader.store.read_only:
            self.notify("The library is read-only; nothing can be added.", severity="error")
            return
        dialog = AddScreen(mode=self.reader.bidi_mode, harakat=self.reader.harakat)
        self.app.push_screen(dialog, self._add_chosen)

    def _add_chosen(self, target: str | None) -> None:
        if target:
            self.add_target(target)

    def add_target(self, target: str) -> None:
        """Add a path or URL in a worker thread; the list updates as it arrives."""
        adding = _Adding(target, time.monotonic())
        self._adding.append(adding)
        if self._ticker is None:
            self._ticker = self.set_interval(0.5, self.show_label)
        self.show_label()
        self._add_worker(adding)

    @work(thread=True, group="library-add", exit_on_error=False)
    def _add_worker(self, adding: _Adding) -> None:
        from reader.ingest.library import add_targets

        app = self.app

        def progress(done: int, total: int, label: str) -> None:
            app.call_from_thread(self._add_progress, adding, done, total)

        try:
            report = add_targets(self.reader.store, [adding.target], progress)
        except Exception as error:
            message = (
                str(error)
                if isinstance(error, ReaderError)
                else (f"Could not add {adding.target}: {error}.")
            )
            app.call_from_thread(self._add_failed, adding, message)
            return
        found = _linked_feed(self.reader.store, adding.target, report)
        app.call_from_thread(self._added, adding, report)
        if found is not None:
            app.call_from_thread(self._offer_found_feed, found)

    def _add_progress(self, adding: _Adding, done: int, total: int) -> None:
        adding.done, adding.total = done, total
        if total > 1:
            self.reload()  # articles saved so far are listed as they arrive
        self.show_label()

    def _finish(self, adding: _Adding) -> None:
        if adding in self._adding:
            self._adding.remove(adding)
        if not self._adding and self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self.reload()

    def _add_failed(self, adding: _Adding, message: str) -> None:
        self._finish(adding)
        self.notify(message, severity="error", timeout=10)

    def _added(self, adding: _Adding, report: AddReport) -> None:
        self._finish(adding)
        for offer in report.feeds:
            self._offer_feed(offer, len(report.added))
        for sentence in added_sentences(adding.target, report):
            self.notify(sentence)
        for _target, reason in report.failed[:FAILURES_NAMED]:
            self.notify(reason, severity="error", timeout=10)
        hidden = len(report.failed) - FAILURES_NAMED
        if hidden > 0:
            self.notify(
                f"{_plural(hidden, 'more file')} could not be added ('reader add' lists each).",
                severity="error",
                timeout=10,
            )

    def _offer_feed(self, offer: FeedOffer, added: int) -> None:
        """A feed's URL was added: ask whether to subscribe (as `reader add` asks)."""
        from reader.ingest.library import subscribe

        store = self.reader.store
        name = offer.title or offer.url
        question = (
            f"This address is a feed ({added} {'entry' if added == 1 else 'entries'} added). "
            "Subscribe, so that "
            "each refresh brings its new entries, or keep only these entries?"
        )

        def subscribed(_feed: object) -> None:
            self.notify(f"Subscribed to {name}; r refreshes it, f lists your feeds.")

        def answered(yes: bool | None) -> None:
            if yes:
                self.reader.saver.save(
                    "the subscription", lambda: subscribe(store, offer), subscribed
                )

        self.app.push_screen(SubscribeScreen(name, question, mode=self.reader.bidi_mode), answered)

    def _offer_found_feed(self, found: FoundFeed) -> None:
        """A page that is no article links a feed: ask whether to subscribe to that feed (as
        `reader feed add PAGE` does)."""
        from reader.commands.library import found_sentence
        from reader.ingest.library import add_found_feed

        store = self.reader.store
        question = (
            f"{found.page} is a web page, not an article; it links this feed ({found.url}). "
            "Subscribe to it?"
        )

        def subscribed(outcome: tuple[Feed, AddReport]) -> None:
            feed, report = outcome
            said = found_sentence(found, feed.title or feed.url)
            self.notify(f"{said} {_plural(len(report.added), 'new article')}.", timeout=10)
            self.reload()

        def answered(yes: bool | None) -> None:
            if yes:
                self.reader.saver.save(
                    "the subscription", lambda: add_found_feed(store, found), subscribed
                )

        self.app.push_screen(
            SubscribeScreen(found.url, question, mode=self.reader.bidi_mode), answered
        )

    # -- delete, archive, undo -------------------------------------------------------------

    def _chosen(self) -> ArticleSummary | None:
        article_id = self.selected_id()
        return None if article_id is None else self.summary(article_id)

    def action_delete(self) -> None:
        """Delete the article under the cursor (asking first when it has highlights)."""
        chosen = self._chosen()
        if chosen is None:
            return
        if not chosen.highlights:
            self._delete(chosen)
            return
        try:
            annotations = self.reader.store.annotations_for(chosen.id)
        except ReaderError as error:
            self.notify(str(error), severity="error")
            return
        notes = sum(1 for annotation in annotations if annotation.note.strip())
        what = _plural(len(annotations), "highlight")
        if notes:
            what += f" and {_plural(notes, 'note')}"
        question = f"This article has {what}. Delete it with them? (z in the library undoes it)"

        def answered(delete: bool | None) -> None:
            if delete:
                self._delete(chosen)

        self.app.push_screen(
            ConfirmDeleteScreen(chosen.title, question, mode=self.reader.bidi_mode), answered
        )

    def _delete(self, chosen: ArticleSummary) -> None:
        store = self.reader.store

        def deleted(removed: list[RemovedArticle]) -> None:
            self.undo_stack.append(Undoable("delete", chosen, removed))
            self.reload()
            lost = sum(len(item.annotations) for item in removed)
            extra = f" and its {_plural(lost, 'highlight')}" if lost else ""
            self.notify(f"Deleted {_title(chosen)}{extra}; z undoes it.")
            self._update_index()

        self.reader.saver.save("the deletion", lambda: store.remove_articles([chosen.id]), deleted)

    def action_archive(self) -> None:
        """Archive the article under the cursor (unarchive it in the archive view)."""
        chosen = self._chosen()
        if chosen is None:
            return
        archived = not chosen.archived
        store = self.reader.store

        def done(_found: list[str]) -> None:
            self.undo_stack.append(Undoable("archive", chosen, archived=archived))
            self.reload()
            if archived:
                self.notify(
                    f"Archived {_title(chosen)}: hidden from the library, still searchable; "
                    "X shows archived articles, z undoes it."
                )
            else:
                self.notify(f"Unarchived {_title(chosen)}: back in the library; z undoes it.")

        self.reader.saver.save(
            "the archive state", lambda: store.set_archived([chosen.id], archived), done
        )

    def action_undo(self) -> None:
        """Undo the last delete or archive done here."""
        if not self.undo_stack:
            self.notify("Nothing to undo: no article was deleted or archived here.")
            return
        last = self.undo_stack.pop()
        store = self.reader.store
        if last.kind == "delete":

            def restored(_none: None) -> None:
                self.reload()
                kept = sum(len(item.annotations) for item in last.removed)
                extra = f" with its {_plural(kept, 'highlight')}" if kept else ""
                self.notify(f"Restored {_title(last.summary)}{extra}.")
                self._update_index()

            self.reader.saver.save(
                "the restored article", lambda: store.restore_articles(last.removed), restored
            )
            return

        def unarchived(_found: list[str]) -> None:
            self.reload()
            state = "unarchived" if last.archived else "archived again"
            self.notify(f"Undone: {_title(last.summary)} is {state}.")

        self.reader.saver.save(
            "the archive state",
            lambda: store.set_archived([last.summary.id], not last.archived),
            unarchived,
        )

    def action_show_archived(self) -> None:
        """Show the archived articles, or the library again."""
        self.show_archived = not self.show_archived
        self.reload()

    @work(thread=True, group="library-index", exit_on_error=False)
    def _update_index(self) -> None:
        """Bring the search index up to date after a delete or its undo (off the UI thread:
        it reads every changed article)."""
        from reader.search.index import try_update_index

        try_update_index(self.reader.store)


def _linked_feed(store: Store, target: str, report: AddReport) -> FoundFeed | None:
    """For a web address that gave no article, or one too short to be more than a site's
    home page (under AUTO_FULL_TEXT_WORDS words): the feed the page links, if any and not
    subscribed yet (on the worker thread: this fetches)."""
    from reader.ingest.fetch import is_url
    from reader.ingest.library import find_feed

    if not is_url(target) or report.feeds:
        return None
    if any(word_count(article) >= AUTO_FULL_TEXT_WORDS for article in report.articles):
        return None  # an article: its site's feed is not what was asked for
    try:
        found = find_feed(target)
    except Exception:  # it links no feed: what the add did was said
        return None
    if not found.page or store.get_feed(found.url) is not None:
        return None
    return found


def added_sentences(target: str, report: AddReport) -> list[str]:
    """What an add from the app did, in a sentence or two (failures are told apart)."""
    sentences: list[str] = []
    if len(report.added) == 1 and not report.updated:
        sentences.append(f"Added '{report.added[0].title or target}'.")
    elif report.added or report.updated:
        parts = [f"Added {_plural(len(report.added), 'article')}"]
        if report.updated:
            parts.append(f"updated {len(report.updated)}")
        sentences.append(", ".join(parts) + f" from {target}.")
    if report.unchanged and not report.added:
        sentences.append(f"{target} is already in the library, unchanged.")
    sentences.extend(duplicate.sentence() for duplicate in report.duplicates[:FAILURES_NAMED])
    # A feed among them is not told here: a dialog asks whether to subscribe (_offer_feed).
    if not sentences and not report.failed and not report.feeds:
        sentences.append(f"{target} holds no articles.")
    return sentences
