"""The search index: SQLite FTS5 over Arabic-folded words, kept beside the database.

Each article is one row of an FTS5 table with six columns: title, source, body, notes
(every annotation's note), tags and highlights (every annotation's quoted text: for a
highlight still in place it is also in the body and ranks the article higher; for an
orphan, whose text is no longer in the article, it is the only place its words are found).
What goes in is not the text itself but its words folded as find folds them
(`reader.text.arabic.fold`: harakat and tatweel dropped, alef forms, taa marbuta and alef
maqsura unified, case folded), one space between words and a newline where a block, note
or tag ends, so FTS5's own tokenizer sees exactly our words and a phrase never runs across
blocks. Proclitics are handled at query time (`reader.search.query`): a word is looked up
together with its forms behind each proclitic.

Beside the FTS table, `articles` maps each row to its article id and a stamp that changes
with the article's title, source, body or annotations (`Store.article_stamps`: the library
record's fields and the signature of the article's annotation file): `update_index`
compares stamps and re-indexes only what changed, so the index follows adds, edits and
removals made by any process, notes included. Notes are indexed lazily by that stamp, not
by a hook where annotations are saved: the app, `reader import` and any other process save
them through the store, and the next search (or the app's search screen, as it opens and
while it is open) sees the changed stamp and re-indexes that article alone. The whole
store's change stamp (`Store.change_stamp`: the library file and the annotations folder) is
kept in `meta` after each update: while it has not moved, an update compares nothing
(10,000 articles' stamps cost a search 100 ms). The index holds nothing that is not in the
store: a missing or damaged index file is rebuilt from it.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from reader.errors import ReaderError
from reader.store.database import StoreError
from reader.store.derived import connect_derived, remove_derived
from reader.text.arabic import fold_plain

if TYPE_CHECKING:
    from reader.models import Annotation, Article
    from reader.store.database import Store

#: The index file's name inside the database's folder (`reader.json.d/`).
INDEX_NAME = "search.sqlite"
#: Bumped when what is indexed changes: an index of another version is rebuilt.
INDEX_VERSION = "3"
#: The indexed columns, in the FTS table's order.
COLUMNS = ("title", "source", "body", "notes", "tags", "highlights")

#: A word: a run of letters and digits (what FTS5's unicode61 tokenizer takes as a token).
WORD_RE = re.compile(r"[^\W_]+")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles(
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, stamp TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(
    title, source, body, notes, tags, highlights, tokenize = 'unicode61 remove_diacritics 0'
);
"""


def _open_file(path: Path | str) -> sqlite3.Connection:
    return connect_derived(path, _SCHEMA, INDEX_VERSION, ("docs", "articles"))


class SearchError(ReaderError):
    """The search index cannot be used (the query is empty, the index cannot be written)."""


def folded_words(text: str) -> str:
    """`text` as the index stores it: its folded words, a space between words of a line and a
    newline between lines."""
    return "\n".join(" ".join(WORD_RE.findall(line)) for line in fold_plain(text).split("\n"))


def _row(article: Article, annotations: list[Annotation]) -> tuple[str, str, str, str, str, str]:
    notes = "\n".join(a.note for a in annotations if a.note)
    tags = "\n".join(tag for a in annotations for tag in a.tags)
    quotes = "\n".join(a.quote for a in annotations if a.quote)
    return (
        folded_words(article.title),
        folded_words(article.source),
        folded_words(article.text),
        folded_words(notes),
        folded_words(tags),
        folded_words(quotes),
    )


class SearchIndex:
    """An open search index of one store. Use `SearchIndex.open(store)`, then `update` and
    the queries in `reader.search.query`; `close` when done (or use `with`)."""

    def __init__(self, store: Store, connection: sqlite3.Connection, path: Path | None) -> None:
        self.store = store
        self.connection = connection
        #: The index file, or None for an index kept in memory (a read-only database).
        self.path = path

    @classmethod
    def open(cls, store: Store) -> SearchIndex:
        """The index beside `store` (created if missing, rebuilt if damaged); in memory when
        the database is read-only, since nothing may be written beside it then."""
        if store.read_only:
            return cls(store, _open_file(":memory:"), None)
        path = store.folder / INDEX_NAME
        try:
            return cls(store, _open_file(path), path)
        except sqlite3.DatabaseError:
            remove_derived(path)
        try:
            return cls(store, _open_file(path), path)
        except sqlite3.Error as error:
            raise SearchError(f"Cannot open the search index {path}: {error}.") from error

    def close(self) -> None:
        """Close the index file."""
        self.connection.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rebuild(self) -> int:
        """Throw the index away and build it again from the store; how many articles."""
        self.connection.close()
        if self.path is None:
            self.connection = _open_file(":memory:")
        else:
            remove_derived(self.path)
            self.connection = _open_file(self.path)
        return self._update()

    def update(self) -> int:
        """Index what the store added or changed and drop what it removed since the last
        update; how many articles were (re)indexed or dropped. A damaged index is rebuilt."""
        try:
            return self._update()
        except sqlite3.DatabaseError:
            return self.rebuild()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        connection = self.connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def _update(self) -> int:
        store = self.store
        # Taken before anything is read: a change made while this update runs moves it again.
        whole = _store_stamp(store)
        try:
            with self._transaction() as connection:
                if whole is not None:
                    kept = connection.execute(
                        "SELECT value FROM meta WHERE key = 'store'"
                    ).fetchone()
                    if kept is not None and kept[0] == whole:
                        return 0  # nothing changed since the last update: no stamp to compare
                connection.execute("DELETE FROM meta WHERE key = 'store'")
                stamps = store.article_stamps()
                known = {
                    key: (rowid, stamp)
                    for rowid, key, stamp in connection.execute(
                        "SELECT rowid, id, stamp FROM articles"
                    )
                }
                changed = [
                    key for key, stamp in stamps.items() if known.get(key, (0, ""))[1] != stamp
                ]
                stale = [known[key][0] for key in known.keys() - stamps.keys()]
                stale.extend(known[key][0] for key in changed if key in known)
                connection.executemany("DELETE FROM docs WHERE rowid = ?", ((r,) for r in stale))
                connection.executemany(
                    "DELETE FROM articles WHERE rowid = ?", ((r,) for r in stale)
                )
                for key in changed:
                    try:
                        article = store.get_article(key)
                    except StoreError:
                        continue  # its body is damaged or missing: nothing to search in
                    if article is None:
                        continue
                    row = _row(article, store.annotations_for(key))
                    cursor = connection.execute(
                        "INSERT INTO articles(id, stamp) VALUES (?, ?)", (key, stamps[key])
                    )
                    connection.execute(
                        "INSERT INTO docs(rowid, title, source, body, notes, tags, highlights) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (cursor.lastrowid, *row),
                    )
                if whole is not None:
                    connection.execute(
                        "INSERT OR REPLACE INTO meta(key, value) VALUES ('store', ?)", (whole,)
                    )
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise SearchError(
                    "The search index is being updated by another reader process; "
                    "try again in a moment."
                ) from error
            if "readonly" in str(error) or "disk" in str(error):
                raise SearchError(
                    f"Cannot update the search index {self.path}: {error}."
                ) from error
            raise
        return len(changed) + len(known.keys() - stamps.keys())


def _store_stamp(store: Store) -> str | None:
    """The whole store's change stamp as text (library file, annotations folder), or None
    when part of it cannot be trusted yet (a folder changed within the last two seconds)."""
    stamp = store.change_stamp()
    if stamp.library is None or stamp.annotations is None:
        return None
    return f"{stamp.library}{stamp.annotations}"


def update_index(store: Store) -> int:
    """Bring the index beside `store` up to date with it (the library calls this after
    saving articles); how many articles changed in the index."""
    with SearchIndex.open(store) as index:
        return index.update()


def try_update_index(store: Store) -> bool:
    """`update_index`, for callers whose own work is done (articles saved): an index that
    cannot be updated now (busy, full disk) is left for the next search to bring up to
    date. False in that case."""
    try:
        update_index(store)
    except (ReaderError, sqlite3.Error, OSError):
        return False
    return True
