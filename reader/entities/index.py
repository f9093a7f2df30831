"""The library-wide entity index: every article's entities, kept beside the database.

Each article's entities are extracted once (`Extractor.extract` without corrections: the
"raw" extraction) and kept in a SQLite file beside the database (`entities.sqlite` in
`reader.json.d/`, the way the search index keeps `search.sqlite`), with the article's text
(compressed, for snippets and for re-applying corrections) and its folded text (compressed
too, to find the articles a correction may touch). On top of the raw extraction the
reader's corrections are applied (`apply_corrections`, exactly what `extract(text,
corrections)` does); what results is stored as occurrences (an entity in an article, with
its mentions) and summed per entity in `entities` (articles, mentions, first and last
date), so the Entities screen's table is one indexed query.

An article is extracted again when its text changes (its body hash, `Store.article_identities`),
and every article when the extractor's signature changes (`model_signature`: the entity
package's code, the model files' descriptions and the word lists). When the reader's
corrections change, the model is not run again: the corrections are applied over the stored
raw extractions, for the articles whose text or entity names hold a name the change is
about. The index holds nothing that is not derivable from the store: a missing or damaged
index file is rebuilt.

An entity across the library is its type and its folded name (`entity_key`): the same name
in two articles is one entity; the name shown is the one most articles use.

`EntityIndex` is used from one thread (its SQLite connection is): the app indexes in a
worker with its own `EntityIndex`, while a screen reads with another; the file is in WAL
mode, so readers see each committed batch while indexing goes on.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from reader.entities.extractor import Entity, Mention, apply_corrections
from reader.errors import ReaderError
from reader.store.database import StoreError
from reader.store.derived import connect_derived, remove_derived
from reader.text import arabic
from reader.text.arabic import fold_plain

if TYPE_CHECKING:
    from reader.entities.extractor import Extractor
    from reader.models import Annotation, ArticleSummary, EntityCorrection
    from reader.store.database import Store

#: The index file's name inside the database's folder (`reader.json.d/`).
INDEX_NAME = "entities.sqlite"
#: Bumped when what is stored changes: an index of another version is rebuilt.
INDEX_VERSION = "2"
#: Characters of text a snippet shows, and of them before the mention.
SNIPPET_CHARS = 160
SNIPPET_LEAD = 60
ELLIPSIS = "…"
#: Articles extracted between two commits while indexing (each commit is seen by readers).
BATCH = 16

Progress = Callable[[int, int], None]
"""Called with (articles done, articles to do) while an update extracts."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles(
    rowid INTEGER PRIMARY KEY,
    id TEXT UNIQUE NOT NULL,
    stamp TEXT NOT NULL,
    signature TEXT NOT NULL,
    title TEXT NOT NULL,
    sort TEXT NOT NULL,
    day TEXT NOT NULL,
    text BLOB NOT NULL,
    folded BLOB NOT NULL,
    raw TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_day ON articles(day);
CREATE TABLE IF NOT EXISTS occurrences(
    key TEXT NOT NULL,
    article INTEGER NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    PRIMARY KEY(key, article)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS occurrences_article ON occurrences(article);
CREATE TABLE IF NOT EXISTS mentions(
    key TEXT NOT NULL,
    article INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    PRIMARY KEY(key, article, start)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mentions_article ON mentions(article);
CREATE TABLE IF NOT EXISTS entities(
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    folded TEXT NOT NULL,
    articles INTEGER NOT NULL,
    mentions INTEGER NOT NULL,
    first TEXT NOT NULL,
    last TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entities_rank ON entities(articles DESC, mentions DESC);
"""


def _open_file(path: Path | str) -> sqlite3.Connection:
    return connect_derived(
        path, _SCHEMA, INDEX_VERSION, ("articles", "occurrences", "mentions", "entities"), wal=True
    )


class EntityIndexError(ReaderError):
    """The entity index cannot be used (another process holds it, the disk is full)."""


@dataclass(frozen=True, slots=True)
class IndexedEntity:
    """One entity across the library."""

    key: str
    """`entity_key(type, name)`: what `hits`, `notes` and `find` take."""
    name: str
    """The name most articles give it (corrections applied)."""
    type: str
    """One of `reader.entities.extractor.ENTITY_TYPES`."""
    articles: int
    """How many articles mention it."""
    mentions: int
    """How many times, in all of them."""
    first: str
    """The date (YYYY-MM-DD; published, else added) of the oldest article mentioning it."""
    last: str
    """...and of the newest."""


@dataclass(frozen=True, slots=True)
class EntityHit:
    """One mention of an entity in one article."""

    article_id: str
    title: str
    published: str
    """The article's date (published, else added; ISO 8601 as stored)."""
    start: int
    end: int
    """Logical offsets of the mention in `Article.text`."""
    snippet: str
    """One line of logical text around the mention (cut ends show "…")."""
    snippet_start: int
    snippet_end: int
    """The mention's offsets inside `snippet`."""


@dataclass(frozen=True, slots=True)
class EntityNote:
    """A note (or highlight) whose highlighted passage mentions the entity."""

    article_id: str
    title: str
    annotation: Annotation
    """The annotation: `id`, `quote`, `note`, `tags`, `start`/`end` in the article's text."""


def entity_key(type_: str, name: str) -> str:
    """The library-wide key of an entity: its type and its folded name (harakat, tatweel,
    letter forms and case folded as find folds them, spaces collapsed)."""
    return f"{type_}:{' '.join(fold_plain(name).split())}"


def key_type(key: str) -> str:
    """The entity type a key names."""
    return key.split(":", 1)[0]


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def model_signature() -> str:
    """What the default extractor's output depends on: the entity package's code, folding's
    (`reader.text.arabic`), the small files beside the models (their training descriptions,
    which change with every training) and the word lists read in full, and the models' sizes
    and first and last 64 KiB.
    Reading it costs a few milliseconds and no model load."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    files = sorted(package.glob("*.py")) + sorted((package / "data").rglob("*"))
    for path in files:
        if not path.is_file() or path.name == "index.py" or "__pycache__" in path.parts:
            continue
        digest.update(str(path.relative_to(package)).encode())
        size = path.stat().st_size
        digest.update(str(size).encode())
        with path.open("rb") as handle:
            if size <= 1 << 20:
                digest.update(handle.read())
            else:
                digest.update(handle.read(1 << 16))
                handle.seek(size - (1 << 16))
                digest.update(handle.read())
    # Folding decides what a word is to the models (presentation forms, hamza, harakat).
    digest.update(Path(arabic.__file__).read_bytes())
    return digest.hexdigest()[:24]


def corrections_signature(corrections: Sequence[EntityCorrection]) -> str:
    """A stamp of the reader's corrections, in order (they apply in order)."""
    return _hash(
        json.dumps(
            [[c.id, c.action, c.name, c.type, c.target] for c in corrections], ensure_ascii=False
        )
    )


def _raw_json(entities: Sequence[Entity]) -> str:
    return json.dumps(
        [[e.name, e.type, [[m.start, m.end] for m in e.mentions]] for e in entities],
        ensure_ascii=False,
    )


def _raw_entities(raw: str, text: str) -> list[Entity]:
    return [
        Entity(name, kind, [Mention(s, e, text[s:e]) for s, e in spans])
        for name, kind, spans in json.loads(raw)
    ]


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1)


def _unpack(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8", "surrogatepass")


def _day(when: str) -> str:
    return when[:10]


def snippet(text: str, start: int, end: int) -> tuple[str, int, int]:
    """A line of `text` around [start, end), cut at spaces: (snippet, start, end in it)."""
    left = max(0, start - SNIPPET_LEAD)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space >= 0 else left
    right = min(len(text), max(left + SNIPPET_CHARS, end))
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space > 0 else right
    lead = ELLIPSIS if left > 0 else ""
    shown = lead + text[left:right].replace("\n", " ")
    if right < len(text):
        shown += ELLIPSIS
    return shown, start - left + len(lead), end - left + len(lead)


@dataclass(slots=True)
class _Meta:
    store: str
    signature: str
    corrections: str


class EntityIndex:
    """An open entity index of one store: `EntityIndex.open(store)`, `update`, the queries;
    `close` when done (or use `with`). One thread at a time."""

    def __init__(
        self,
        store: Store,
        connection: sqlite3.Connection,
        path: Path | None,
        extractor: Extractor | Callable[[], Extractor] | None,
        signature: str,
    ) -> None:
        self.store = store
        self.connection = connection
        #: The index file, or None for an index kept in memory (a read-only database).
        self.path = path
        self._extractor = None if callable(extractor) else extractor
        self._load = extractor if callable(extractor) else None
        """What gives the extractor when one is first needed (None: `Extractor.load`)."""
        #: The extractor's signature: articles extracted under another are extracted again.
        self.signature = signature
        #: How many entities' figures the last `update` changed (0: the index was current).
        self.last_changed = 0

    @classmethod
    def open(
        cls,
        store: Store,
        extractor: Extractor | Callable[[], Extractor] | None = None,
        signature: str | None = None,
    ) -> EntityIndex:
        """The index beside `store` (created if missing, rebuilt if damaged); in memory when
        the database is read-only. `extractor` (or a function that gives it, called when
        something first needs extracting; default: `Extractor.load()`, loaded then) and its
        `signature` (default: `model_signature()`)."""
        signature = signature or model_signature()
        if store.read_only:
            return cls(store, _open_file(":memory:"), None, extractor, signature)
        path = store.folder / INDEX_NAME
        try:
            connection = _open_file(path)
            connection.execute("SELECT count(*) FROM articles").fetchone()
            return cls(store, connection, path, extractor, signature)
        except sqlite3.DatabaseError:
            remove_derived(path)
        try:
            return cls(store, _open_file(path), path, extractor, signature)
        except sqlite3.Error as error:
            raise EntityIndexError(f"Cannot open the entity index {path}: {error}.") from error

    def close(self) -> None:
        """Close the index file."""
        self.connection.close()

    def __enter__(self) -> EntityIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def extractor(self) -> Extractor:
        """The extractor, loaded the first time it is needed."""
        if self._extractor is None:
            from reader.entities.extractor import Extractor

            self._extractor = (self._load or Extractor.load)()
        return self._extractor

    # -- keeping up with the store ------------------------------------------------------

    def _meta(self) -> _Meta:
        values = dict(self.connection.execute("SELECT key, value FROM meta"))
        return _Meta(values.get("store", ""), values.get("signature", ""), values.get("corr", ""))

    def _store_stamp(self) -> str | None:
        stamp = self.store.change_stamp().library
        return None if stamp is None else repr(stamp)

    def stale(self) -> list[str]:
        """Ids of the articles that need extracting: not indexed yet, their text changed
        since, or extracted by another model (newest first, as the library lists them)."""
        identities = {i.id: i.body for i in self.store.article_identities()}
        return self._stale(identities, [s.id for s in self.store.list_articles()])

    def _stale(self, identities: dict[str, str], order: list[str]) -> list[str]:
        known = {
            key: (stamp, signature)
            for key, stamp, signature in self.connection.execute(
                "SELECT id, stamp, signature FROM articles"
            )
        }
        listed = set(order)
        order = order + [key for key in identities if key not in listed]
        return [
            key
            for key in order
            if key in identities and known.get(key) != (identities[key], self.signature)
        ]

    def rebuild(self) -> int:
        """Throw the index away and build it again from the store; articles extracted."""
        self.connection.close()
        if self.path is None:
            self.connection = _open_file(":memory:")
        else:
            remove_derived(self.path)
            self.connection = _open_file(self.path)
        return self._update(None, None)

    def update(
        self, progress: Progress | None = None, should_stop: Callable[[], bool] | None = None
    ) -> int:
        """Bring the index up to date with the store: drop removed articles, re-apply
        changed corrections, extract new and changed articles (`progress(done, total)` after
        each batch; stops between batches when `should_stop()` says so). How many articles
        were extracted. A damaged index is rebuilt."""
        try:
            return self._update(progress, should_stop)
        except sqlite3.DatabaseError as error:
            if _busy(error):
                raise EntityIndexError(
                    "The entity index is being updated by another reader process; "
                    "try again in a moment."
                ) from error
            return self.rebuild()

    def is_current(self) -> bool:
        """True when nothing changed since the last complete update (a few `stat` calls and
        the corrections file read)."""
        meta = self._meta()
        whole = self._store_stamp()
        return (
            whole is not None
            and meta.store == whole
            and meta.signature == self.signature
            and meta.corrections == corrections_signature(self.store.entity_corrections())
        )

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

    def _update(self, progress: Progress | None, should_stop: Callable[[], bool] | None) -> int:
        store = self.store
        whole = self._store_stamp()  # taken first: a change made meanwhile moves it again
        corrections = store.entity_corrections()
        corr = corrections_signature(corrections)
        meta = self._meta()
        self.last_changed = 0
        if whole is not None and (meta.store, meta.signature, meta.corrections) == (
            whole,
            self.signature,
            corr,
        ):
            return 0
        listed = store.list_articles()
        summaries = {s.id: s for s in listed}
        identities = {i.id: i.body for i in store.article_identities()}
        stale = set(self._stale(identities, [s.id for s in listed]))
        touched: set[str] = set()
        with self._transaction() as connection:
            connection.execute("DELETE FROM meta WHERE key = 'store'")
            rows = {
                key: rowid for rowid, key in connection.execute("SELECT rowid, id FROM articles")
            }
            gone = [rowid for key, rowid in rows.items() if key not in summaries]
            touched |= self._drop(connection, gone)
            rows_now = connection.execute("SELECT id, title, sort FROM articles").fetchall()
            for key, title, sort in rows_now:
                summary = summaries.get(key)
                if summary is None:
                    continue
                when = summary.published or summary.added
                if (summary.title, when) != (title, sort):
                    connection.execute(
                        "UPDATE articles SET title = ?, sort = ?, day = ? WHERE id = ?",
                        (summary.title, when, _day(when), key),
                    )
                    touched |= {
                        k
                        for (k,) in connection.execute(
                            "SELECT key FROM occurrences WHERE article = ?", (rows[key],)
                        )
                    }
            if meta.corrections != corr:
                touched |= self._reapply(connection, corrections, meta.corrections, stale)
                connection.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('corr', ?)", (corr,)
                )
            self._aggregate(connection, touched)
        self.last_changed += len(touched)
        touched = set()
        todo = [k for k in self._stale(identities, [s.id for s in listed]) if k in summaries]
        done = 0
        if progress is not None and todo:
            progress(0, len(todo))
        stopped = False
        for first in range(0, len(todo), BATCH):
            if should_stop is not None and should_stop():
                stopped = True
                break
            batch = todo[first : first + BATCH]
            extracted = []
            for key in batch:
                try:
                    article = store.get_article(key)
                except StoreError:
                    article = None  # its body is damaged or missing: nothing to extract from
                text = article.text if article is not None else ""
                raw = self.extractor.extract(text) if text else []
                extracted.append((key, text, raw))
            with self._transaction() as connection:
                for key, text, raw in extracted:
                    touched |= self._put(
                        connection, key, identities[key], summaries[key], text, raw, corrections
                    )
                self._aggregate(connection, touched)
            self.last_changed += len(touched)
            touched = set()
            done += len(batch)
            if progress is not None:
                progress(done, len(todo))
        if not stopped and whole is not None:
            with self._transaction() as connection:
                for key, value in (("store", whole), ("signature", self.signature)):
                    connection.execute(
                        "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value)
                    )
        return done

    def _drop(self, connection: sqlite3.Connection, rowids: Sequence[int]) -> set[str]:
        """Forget articles' occurrences and mentions (and the articles); the keys touched."""
        touched: set[str] = set()
        for rowid in rowids:
            touched |= {
                k
                for (k,) in connection.execute(
                    "SELECT key FROM occurrences WHERE article = ?", (rowid,)
                )
            }
            connection.execute("DELETE FROM occurrences WHERE article = ?", (rowid,))
            connection.execute("DELETE FROM mentions WHERE article = ?", (rowid,))
            connection.execute("DELETE FROM articles WHERE rowid = ?", (rowid,))
        return touched

    def _put(
        self,
        connection: sqlite3.Connection,
        key: str,
        stamp: str,
        summary: ArticleSummary,
        text: str,
        raw: list[Entity],
        corrections: Sequence[EntityCorrection],
    ) -> set[str]:
        """Store one article's raw extraction and its corrected occurrences."""
        when = summary.published or summary.added
        row = connection.execute("SELECT rowid FROM articles WHERE id = ?", (key,)).fetchone()
        touched = self._drop(connection, [row[0]]) if row is not None else set()
        cursor = connection.execute(
            "INSERT INTO articles(id, stamp, signature, title, sort, day, text, folded, raw) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                stamp,
                self.signature,
                summary.title,
                when,
                _day(when),
                _pack(text),
                _pack(fold_plain(text)),
                _raw_json(raw),
            ),
        )
        rowid = int(cursor.lastrowid or 0)
        entities = apply_corrections(raw, corrections, text) if corrections else raw
        return touched | self._occurrences(connection, rowid, entities)

    def _occurrences(
        self, connection: sqlite3.Connection, rowid: int, entities: Sequence[Entity]
    ) -> set[str]:
        """Write an article's corrected entities; the keys written."""
        merged: dict[str, tuple[str, str, set[tuple[int, int]]]] = {}
        for entity in entities:
            key = entity_key(entity.type, entity.name)
            spans = {(m.start, m.end) for m in entity.mentions}
            if key in merged:
                merged[key][2].update(spans)
            else:
                merged[key] = (entity.name, entity.type, spans)
        connection.executemany(
            "INSERT INTO occurrences(key, article, name, type, mentions) VALUES (?, ?, ?, ?, ?)",
            [(k, rowid, name, kind, len(spans)) for k, (name, kind, spans) in merged.items()],
        )
        connection.executemany(
            "INSERT OR IGNORE INTO mentions(key, article, start, end) VALUES (?, ?, ?, ?)",
            [(k, rowid, s, e) for k, (_, _, spans) in merged.items() for s, e in spans],
        )
        return set(merged)

    def _reapply(
        self,
        connection: sqlite3.Connection,
        corrections: Sequence[EntityCorrection],
        before: str,
        stale: set[str],
    ) -> set[str]:
        """Apply the corrections again over the stored raw extractions of the articles a
        changed correction may touch (all of them when the earlier list is unknown)."""
        kept = connection.execute("SELECT value FROM meta WHERE key = 'corr_list'").fetchone()
        old = json.loads(kept[0]) if kept is not None and before else None
        now = [[c.id, c.action, c.name, c.type, c.target] for c in corrections]
        connection.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('corr_list', ?)",
            (json.dumps(now, ensure_ascii=False),),
        )
        if old is None:
            rowids = [r for (r,) in connection.execute("SELECT rowid FROM articles")]
        else:
            changed = [c for c in now if c not in old] + [c for c in old if c not in now]
            names = {
                " ".join(fold_plain(n).split()) for c in changed for n in (c[2], c[4]) if n.strip()
            }
            found: set[int] = set()
            if names:
                for rowid, folded in connection.execute("SELECT rowid, folded FROM articles"):
                    text = _unpack(folded)
                    if any(name in text for name in names):
                        found.add(rowid)
            for name in names:
                found |= {
                    r
                    for (r,) in connection.execute(
                        "SELECT o.article FROM occurrences o JOIN entities e ON e.key = o.key "
                        "WHERE e.folded = ?",
                        (name,),
                    )
                }
            rowids = sorted(found)
        touched: set[str] = set()
        for rowid in rowids:
            row = connection.execute(
                "SELECT id, text, raw FROM articles WHERE rowid = ?", (rowid,)
            ).fetchone()
            if row is None or row[0] in stale:
                continue
            text = _unpack(row[1])
            entities = apply_corrections(_raw_entities(row[2], text), corrections, text)
            for (k,) in connection.execute(
                "SELECT key FROM occurrences WHERE article = ?", (rowid,)
            ):
                touched.add(k)
            connection.execute("DELETE FROM occurrences WHERE article = ?", (rowid,))
            connection.execute("DELETE FROM mentions WHERE article = ?", (rowid,))
            touched |= self._occurrences(connection, rowid, entities)
        return touched

    def _aggregate(self, connection: sqlite3.Connection, keys: set[str]) -> None:
        """Sum the occurrences of `keys` into `entities`."""
        for key in keys:
            connection.execute("DELETE FROM entities WHERE key = ?", (key,))
            row = connection.execute(
                "SELECT count(*), sum(o.mentions), min(a.day), max(a.day) "
                "FROM occurrences o JOIN articles a ON a.rowid = o.article WHERE o.key = ?",
                (key,),
            ).fetchone()
            if not row or not row[0]:
                continue
            name_row = connection.execute(
                "SELECT name, type FROM occurrences WHERE key = ? "
                "GROUP BY name ORDER BY count(*) DESC, sum(mentions) DESC, name LIMIT 1",
                (key,),
            ).fetchone()
            connection.execute(
                "INSERT INTO entities(key, name, type, folded, articles, mentions, first, last) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key, name_row[0], name_row[1], key.split(":", 1)[1], *row),
            )

    # -- queries ------------------------------------------------------------------------

    def entities(
        self,
        type: str | None = None,  # noqa: A002 - the entity's type, as IndexedEntity names it
        text: str = "",
        since: date | str | None = None,
        until: date | str | None = None,
    ) -> list[IndexedEntity]:
        """Entities across the library, most articles first (then most mentions, name):
        of one `type` (or all), whose folded name holds `text` folded (as find folds it),
        counting only articles dated within [since, until] (dates, or YYYY-MM-DD) when
        given."""
        needle = " ".join(fold_plain(text).split())
        where: list[str] = []
        values: list[object] = []
        if type:
            where.append("e.type = ?")
            values.append(type)
        if needle:
            where.append("instr(e.folded, ?) > 0")
            values.append(needle)
        if since is None and until is None:
            sql = (
                "SELECT e.key, e.name, e.type, e.articles, e.mentions, e.first, e.last "
                "FROM entities e"
                + (" WHERE " + " AND ".join(where) if where else "")
                + " ORDER BY e.articles DESC, e.mentions DESC, e.name"
            )
        else:
            days: list[str] = []
            bounds: list[object] = []
            if since is not None:
                days.append("a.day >= ?")
                bounds.append(str(since)[:10])
            if until is not None:
                days.append("a.day <= ?")
                bounds.append(str(until)[:10])
            values = bounds + values
            sql = (
                "SELECT e.key, e.name, e.type, count(*) AS n, sum(o.mentions) AS m, "
                "min(a.day), max(a.day) FROM articles a "
                "JOIN occurrences o ON o.article = a.rowid JOIN entities e ON e.key = o.key "
                "WHERE " + " AND ".join(days + where) + " GROUP BY e.key "
                "ORDER BY n DESC, m DESC, e.name"
            )
        return [IndexedEntity(*row) for row in self.connection.execute(sql, values)]

    def find(self, name: str, type: str | None = None) -> IndexedEntity | None:  # noqa: A002
        """The entity called `name` (folded, as `entity_key` folds it), of `type` when
        given, else of the type most articles give it; None when no article has it."""
        folded = " ".join(fold_plain(name).split())
        sql = (
            "SELECT key, name, type, articles, mentions, first, last FROM entities "
            "WHERE folded = ?"
            + (" AND type = ?" if type else "")
            + " ORDER BY articles DESC, mentions DESC LIMIT 1"
        )
        row = self.connection.execute(sql, (folded, type) if type else (folded,)).fetchone()
        return None if row is None else IndexedEntity(*row)

    def hits(self, key: str, snippets: int | None = None) -> list[EntityHit]:
        """Every mention of the entity `key`, newest article first, in reading order within
        an article, each with a snippet of the article's text around it: all of them, or
        the first `snippets` (the others' `snippet` is "" until `with_snippets` fills it;
        reading the texts is most of the time for a name in hundreds of articles)."""
        rows = self.connection.execute(
            "SELECT a.id, a.title, a.sort, m.start, m.end FROM mentions m "
            "JOIN articles a ON a.rowid = m.article WHERE m.key = ? "
            "ORDER BY a.sort DESC, a.rowid DESC, m.start",
            (key,),
        ).fetchall()
        hits = [
            EntityHit(article_id, title, when, start, end, "", 0, 0)
            for article_id, title, when, start, end in rows
        ]
        cut = len(hits) if snippets is None else max(0, snippets)
        return self.with_snippets(hits[:cut]) + hits[cut:]

    def with_snippets(self, hits: Sequence[EntityHit]) -> list[EntityHit]:
        """`hits` with their snippets (those without one are given theirs)."""
        wanted = sorted({hit.article_id for hit in hits if not hit.snippet})
        texts: dict[str, str] = {}
        for first in range(0, len(wanted), 500):
            chunk = wanted[first : first + 500]
            marks = ",".join("?" * len(chunk))
            for article_id, blob in self.connection.execute(
                f"SELECT id, text FROM articles WHERE id IN ({marks})", chunk
            ):
                texts[article_id] = _unpack(blob)
        out: list[EntityHit] = []
        for hit in hits:
            if not hit.snippet:
                shown, s, e = snippet(texts.get(hit.article_id, ""), hit.start, hit.end)
                hit = replace(hit, snippet=shown, snippet_start=s, snippet_end=e)
            out.append(hit)
        return out

    def mentions(self, keys: Sequence[str]) -> dict[str, list[tuple[int, int]]]:
        """Per article id, the mentions (start, end) of any of the entities `keys`, in
        reading order."""
        found: dict[str, list[tuple[int, int]]] = {}
        for key in keys:
            for article_id, start, end in self.connection.execute(
                "SELECT a.id, m.start, m.end FROM mentions m JOIN articles a "
                "ON a.rowid = m.article WHERE m.key = ?",
                (key,),
            ):
                found.setdefault(article_id, []).append((start, end))
        for spans in found.values():
            spans.sort()
        return found

    def matching(self, type: str | None, name: str) -> list[IndexedEntity]:  # noqa: A002
        """Entities of `type` (or any) whose folded name holds every word of `name` as
        whole words in order (ماسك finds إيلون ماسك), most articles first: what a search's
        `person:NAME` means."""
        words = fold_plain(name).split()
        if not words:
            return []
        phrase = " ".join(words)
        return [
            entity
            for entity in self.entities(type=type, text=phrase)
            if f" {phrase} " in f" {' '.join(fold_plain(entity.name).split())} "
            or f" {phrase} " in f" {entity.key.split(':', 1)[1]} "
        ]

    def notes(self, key: str) -> list[EntityNote]:
        """The reader's highlights and notes whose highlighted passage holds a mention of
        the entity `key`, newest article first, in reading order within an article."""
        by_article = self.mentions([key])
        counts = self.store.annotation_counts() if by_article else {}
        annotated = [article_id for article_id in by_article if counts.get(article_id)]
        if not annotated:
            return []  # (most names: no need to list the library's articles)
        summaries = self.store.list_articles()
        notes: list[EntityNote] = []
        for summary in summaries:  # newest first
            spans = by_article.get(summary.id)
            if not spans or not summary.highlights:
                continue
            for annotation in self.store.annotations_for(summary.id):
                if annotation.orphan:
                    continue
                if any(annotation.start < e and s < annotation.end for s, e in spans):
                    notes.append(EntityNote(summary.id, summary.title, annotation))
        return notes

    def article_count(self) -> int:
        """How many articles are indexed."""
        return int(self.connection.execute("SELECT count(*) FROM articles").fetchone()[0])


def _busy(error: sqlite3.Error) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def update_entity_index(
    store: Store,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Open the index beside `store`, bring it up to date, close it; articles extracted."""
    with EntityIndex.open(store) as index:
        return index.update(progress, should_stop)
