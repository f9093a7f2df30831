"""Damage in the database folder: checking records, salvaging damaged files, naming losses.

The store (`reader.store.database`) calls these when a file does not parse, has the wrong
shape, or holds records whose fields have the wrong types. Nothing here touches
the disk except `read_body_salvage`, which only reads; the store decides what
to write and what to tell the user.

- `record_problem` checks one record's field types (`title: null`, `published: 5`)
  so a bad record can be set aside instead of crashing `list` or `export`.
- `salvage_tables` pulls every readable record out of a truncated, partly
  garbled or wrongly shaped TinyDB file, so they can be merged back over an
  older backup instead of being thrown away.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.files import Signature, atomic_write, fsync_dir
from reader.models import now_iso
from reader.store.storage import AtomicJSONStorage, encode_json, is_tinydb_data

if TYPE_CHECKING:
    from reader.store.database import Store

#: What each field of each kind of record must hold: a type, or a tuple of allowed values.
_TEXT = str
_FIELDS: dict[str, dict[str, Any]] = {
    "article": {
        "id": _TEXT,
        "title": _TEXT,
        "source": _TEXT,
        "author": _TEXT,
        "published": _TEXT,
        "language": _TEXT,
        "direction": ("rtl", "ltr"),
        "added": _TEXT,
        "feed_url": _TEXT,
        "entry_id": _TEXT,
        "body": _TEXT,
    },
    "annotation": {
        "id": _TEXT,
        "article_id": _TEXT,
        "start": int,
        "end": int,
        "quote": _TEXT,
        "prefix": _TEXT,
        "suffix": _TEXT,
        "text_hash": _TEXT,
        "color": int,
        "note": _TEXT,
        "tags": list,
        "created": _TEXT,
        "updated": _TEXT,
        "orphan": bool,
    },
    "feed": {
        "url": _TEXT,
        "title": _TEXT,
        "etag": _TEXT,
        "modified": _TEXT,
        "last_checked": _TEXT,
        "seen": list,
        "folder": _TEXT,
        "html_url": _TEXT,
    },
    "correction": {
        "action": ("add", "retype", "merge", "rename", "hide"),
        "name": _TEXT,
        "type": _TEXT,
        "target": _TEXT,
        "id": _TEXT,
        "created": _TEXT,
    },
    "setting": {},
    "any": {},
}

#: Fields a record cannot do without (the others have defaults).
_REQUIRED: dict[str, tuple[str, ...]] = {
    "article": ("body",),
    "annotation": ("article_id", "start", "end"),
    "feed": (),
    "correction": ("action", "name"),
    "setting": ("value",),
    "any": (),
}

#: Which kind of record each table of each database file holds.
MAIN_TABLES = {"meta": "any", "settings": "setting", "corrections": "correction"}
LIBRARY_TABLES = {"articles": "article"}
FEEDS_TABLES = {"feeds": "feed"}
ANNOTATION_TABLES = {"annotations": "annotation"}

_NOUNS = {
    "article": "article",
    "annotation": "highlight",
    "feed": "feed",
    "correction": "entity correction",
    "setting": "setting",
    "any": "record",
}


def noun(kind: str, count: int = 1) -> str:
    """What a record of `kind` is called for people, with its count: "2 highlights"."""
    word = _NOUNS.get(kind, "record")
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _expected(rule: Any) -> str:
    if isinstance(rule, tuple):
        return " or ".join(repr(choice) for choice in rule)
    return {str: "text", int: "a whole number", bool: "true or false", list: "a list"}.get(
        rule, "another type"
    )


def record_problem(kind: str, doc: Any) -> str | None:
    """Why `doc` cannot be a record of `kind` ("title is null, not text"), or None if it can."""
    if not isinstance(doc, dict):
        return f"it is {_describe(doc)}, not an object"
    for name in _REQUIRED.get(kind, ()):
        if name not in doc:
            return f"it has no {name}"
    for name, rule in _FIELDS.get(kind, {}).items():
        if name not in doc:
            continue
        value = doc[name]
        if isinstance(rule, tuple):
            ok = value in rule
        elif rule is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif rule is list:
            ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        else:
            ok = isinstance(value, rule)
        if not ok:
            return f"{name} is {_describe(value)}, not {_expected(rule)}"
    return None


@dataclass(slots=True)
class Salvage:
    """What could be read from a damaged file: the records by table, and how it was damaged."""

    tables: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    damage: str = "not valid JSON"

    @property
    def count(self) -> int:
        """How many records were read."""
        return sum(len(records) for records in self.tables.values())


#: A JSON object key followed by the start of an object: `"key":{`.
WRONG_SHAPE = "valid JSON of the wrong shape"
_KEY_OBJECT = re.compile(r'"((?:[^"\\\x00-\x1f]|\\.){0,2000})"\s*:\s*\{')
_DECODER = json.JSONDecoder()


def describe_damage(raw: bytes) -> str:
    """How a file that failed to load looks: "empty", "cut short", "garbled bytes" or
    "garbled JSON", or "valid JSON of the wrong shape"."""
    if not raw.strip():
        return "empty"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(raw) - 3 or error.reason != "unexpected end of data":
            return "garbled bytes"
        text = raw[: error.start].decode("utf-8")  # cut inside a character
    try:
        json.loads(text)
    except ValueError as error:
        if isinstance(error, json.JSONDecodeError) and (
            error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string")
        ):
            return "cut short"
        return "garbled JSON"
    return WRONG_SHAPE


def salvage_tables(raw: bytes, tables: Mapping[str, str]) -> Salvage:
    """Every readable, well-typed record of `tables` (name -> kind) in a damaged TinyDB file.

    A file that parses but has the wrong shape gives the records it still holds
    (a table written as a list keeps the records that name their id). Otherwise
    the text is scanned for `"key":{...}` objects inside each known table; what
    decodes and passes `record_problem` is kept, what does not is skipped, so a
    truncated file keeps everything before the cut and a garbled stretch costs
    only the records it touches.
    """
    salvage = Salvage(damage=describe_damage(raw))
    text = raw.decode("utf-8", errors="replace")
    try:
        whole = json.loads(text)
    except ValueError:
        whole = None
    if whole is not None:
        if isinstance(whole, dict):
            for name, records in whole.items():
                if name in tables:
                    _take_table(salvage, name, tables[name], records)
        return salvage
    pos = 0
    table: str | None = None
    while True:
        match = _KEY_OBJECT.search(text, pos)
        if match is None:
            break
        try:
            key = json.loads(f'"{match.group(1)}"')
        except ValueError:
            pos = match.start() + 1
            continue
        brace = match.end() - 1
        try:
            value, end = _DECODER.raw_decode(text, brace)
        except ValueError:
            value, end = None, -1
        if key in tables and (value is None or _looks_like_table(value)):
            if value is not None:
                _take_table(salvage, key, tables[key], value)
                table = None
                pos = end
            else:
                table = key  # cut or garbled inside: read its records one by one
                pos = brace + 1
            continue
        if table is not None and value is not None:
            kind = tables[table]
            if record_problem(kind, value) is None:
                salvage.tables.setdefault(table, {})[str(key)] = value
                pos = end
                continue
        pos = match.start() + 1
    return salvage


def _looks_like_table(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(doc, dict) for doc in value.values())


def _take_table(salvage: Salvage, name: str, kind: str, records: Any) -> None:
    """Keep the well-typed records of one parsed table (an object by key, or a list)."""
    items: list[tuple[str, Any]] = []
    if isinstance(records, dict):
        items = [(str(key), doc) for key, doc in records.items()]
    elif isinstance(records, list):
        for doc in records:
            if isinstance(doc, dict):
                key = doc.get("id") or doc.get("url")
                if isinstance(key, str) and key:
                    items.append((key, doc))
    for key, doc in items:
        if record_problem(kind, doc) is None:
            salvage.tables.setdefault(name, {})[key] = doc


def merge_salvage(base: dict[str, Any] | None, salvage: Salvage) -> tuple[dict[str, Any], int]:
    """`base` (a backup's data, or nothing) with the salvaged records laid over it.

    The damaged file was newer than any backup, so its readable records win.
    Returns the merged data and how many salvaged records the backup lacked.
    """
    merged: dict[str, Any] = {
        name: dict(records) for name, records in (base or {}).items() if isinstance(records, dict)
    }
    new = 0
    for name, records in salvage.tables.items():
        table = merged.setdefault(name, {})
        for key, doc in records.items():
            if key not in table:
                new += 1
            table[key] = doc
    return merged, new


def salvage_body(raw: bytes) -> list[tuple[str, str]]:
    """The readable blocks, in order, of a damaged body file (`[[kind, text], ...]`)."""
    text = raw.decode("utf-8", errors="replace")
    blocks: list[tuple[str, str]] = []
    pos = text.find("[")
    if pos < 0:
        return blocks
    pos += 1
    while True:
        start = text.find("[", pos)
        if start < 0:
            break
        try:
            value, end = _DECODER.raw_decode(text, start)
        except ValueError:
            pos = start + 1
            continue
        if (
            isinstance(value, list)
            and len(value) == 2
            and value[0] in ("heading", "paragraph", "quote", "list_item")
            and isinstance(value[1], str)
        ):
            blocks.append((value[0], value[1]))
        pos = end
    return blocks


def title_from_text(text: str, width: int = 60) -> str:
    """A stand-in title for an article whose record was lost: its first line, cut at a word."""
    lines = [line.strip() for line in text.splitlines()]
    first = next((line for line in lines if any(ch.isalpha() for ch in line)), "")
    if len(first) <= width:
        return first or "Recovered article"
    cut = first[:width]
    space = cut.rfind(" ")
    return (cut[:space] if space > width // 2 else cut) + "…"


# -- the store's side: repairing files in place -------------------------------------------------

#: Where records with fields of the wrong type are kept once taken out of the library.
SET_ASIDE_NAME = "set-aside.json"


def _sentence_list(items: list[str], limit: int = 5) -> str:
    shown = items[:limit]
    more = len(items) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _quoted(title: str, width: int = 40) -> str:
    return "'" + (title if len(title) <= width else title[: width - 1] + "…") + "'"


class Recovery:
    """Finds and repairs damage in one store's folder; the store owns one of these.

    `recover` handles a file that does not load, `check_at_open` looks for damage
    and missing files when the store opens, `valid` filters records with fields of
    the wrong type, and `kept_body_references` names the bodies that damaged and
    set-aside copies still point to, so backup rotation keeps them.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        # Per file: the signature last checked and the keys of its bad records.
        self._checked: dict[tuple[Path, str], tuple[Signature | None, frozenset[str]]] = {}

    # -- which file is which ---------------------------------------------------------------

    def tables_of(self, path: Path) -> tuple[dict[str, str], str]:
        """The tables (name -> record kind) a database file holds, and what it is called."""
        store = self._store
        if path == store.path:
            return MAIN_TABLES, "setting"
        if path.name == "library.json" and path.parent == store.folder:
            return LIBRARY_TABLES, "article"
        if path.name == "feeds.json" and path.parent == store.folder:
            return FEEDS_TABLES, "feed"
        return ANNOTATION_TABLES, "annotation"

    # -- a file that does not load ---------------------------------------------------------

    def recover(self, path: Path) -> None:
        """`path` does not load: keep it aside, restore a backup, merge back what it still
        holds, rebuild what can be rebuilt, and tell the user what may be missing."""
        from reader.store.database import StoreError

        store = self._store
        if store.read_only:
            raise StoreError(
                f"The database file {path} is damaged and the folder is read-only, "
                "so it cannot be repaired; it was left as it is."
            )
        with store._locked():
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                return
            try:
                if is_tinydb_data(json.loads(raw)):
                    return  # another process already repaired it
            except ValueError:
                pass
            tables, kind = self.tables_of(path)
            salvage = salvage_tables(raw, tables)
            aside = path.with_name(f"{path.name}.corrupt-{_stamp()}")
            counter = 1
            while aside.exists():
                counter += 1
                aside = path.with_name(f"{path.name}.corrupt-{_stamp()}-{counter}")
            try:
                # Link first, then replace: a crash in between leaves the damaged file in
                # place to be found again, never a database with its file missing.
                try:
                    os.link(path, aside)
                except OSError:
                    shutil.copyfile(path, aside)
                notes = self._rebuild(path, kind, salvage)
                fsync_dir(path.parent)
            except OSError as error:
                raise StoreError(_describe_os_error(error, path.parent)) from error
        store._tell(
            f"{path} was damaged ({salvage.damage}), so it was moved aside to {aside}{notes}."
        )

    def _rebuild(self, path: Path, kind: str, salvage: Salvage, *, gone: bool = False) -> str:
        """Write `path` anew from its newest good backup and `salvage`; the rest of the
        sentence that tells the user (where it came from, what may be missing)."""
        base, when = self.newest_backup(path)
        merged, new = merge_salvage(base, salvage)
        missing = self._fill_in(path, kind, merged, when, salvage)
        atomic_write(path, encode_json(merged))
        parts = []
        if when:
            parts.append(f" and restored from the backup of {when}")
        else:
            parts.append(" and, with no backup of it, rebuilt from what could be read")
        if salvage.count:
            parts.append(
                f", with {noun(kind, salvage.count)} still readable in it merged back"
                + (f" ({new} newer than the backup)" if when and new else "")
            )
        elif when and not gone:
            parts.append(", with nothing in it still readable")
        if missing:
            parts.append("; " + "; ".join(missing))
        return "".join(parts)

    def newest_backup(self, path: Path) -> tuple[dict[str, Any] | None, str]:
        """The data of the newest backup copy of `path` that loads, and when it was made."""
        store = self._store
        rel = store._backup_relpath(path)
        for backup in store._backups():
            try:
                value = json.loads((backup / rel).read_bytes())
            except (OSError, ValueError):
                continue
            if not is_tinydb_data(value):
                continue
            try:
                made = datetime.strptime(backup.name[:15], "%Y%m%d-%H%M%S")
            except ValueError:
                return value, backup.name
            return value, made.strftime("%Y-%m-%d %H:%M")
        return None, ""

    def _fill_in(
        self, path: Path, kind: str, merged: dict[str, Any], when: str, salvage: Salvage
    ) -> list[str]:
        """Rebuild what the merged data can still get back; phrases naming what may be lost."""
        since = "since then" if when else "ever"
        if kind == "article":
            return self._fill_in_library(merged)
        if kind == "feed":
            return self._name_lost_feeds(merged)
        if kind == "annotation":
            whole = salvage.damage == WRONG_SHAPE
            return self._name_lost_annotations(path, merged, since, whole)
        from reader.store.database import SCHEMA_VERSION

        meta = merged.setdefault("meta", {})
        meta.setdefault("schema", {"version": SCHEMA_VERSION})
        return [f"settings, reading positions and entity corrections saved {since} may be missing"]

    def _fill_in_library(self, merged: dict[str, Any]) -> list[str]:
        """Articles whose record was lost but whose text is saved come back under their
        first line, with their old id when a highlight names that text; highlights whose
        article is still missing are named."""
        from reader.notes.anchors import text_hash

        store = self._store
        articles: dict[str, Any] = merged.setdefault("articles", {})
        referenced = {str(doc.get("body", "")) for doc in articles.values()}
        referenced |= self._backup_body_references()
        owners: dict[str, str] = {}  # text hash -> article id, from highlights
        shard_articles: dict[str, int] = {}
        for shard in sorted(store.annotations_dir.glob("*.json")):
            docs = _read_table(shard, "annotations")
            for doc in docs.values():
                article_id = doc.get("article_id")
                if isinstance(article_id, str):
                    shard_articles[article_id] = shard_articles.get(article_id, 0) + 1
                    if isinstance(doc.get("text_hash"), str):
                        owners.setdefault(doc["text_hash"], article_id)
        rebuilt: list[str] = []
        now = now_iso()
        for body in sorted(store.bodies_dir.glob("*.json")):
            digest = body.name[:-5]
            if digest in referenced:
                continue
            try:
                value = json.loads(body.read_bytes())
                text = "\n".join(str(item[1]) for item in value)
            except (OSError, ValueError, TypeError, IndexError, KeyError):
                continue
            article_id = owners.get(text_hash(text)) or f"recovered-{digest[:12]}"
            if article_id in articles:
                continue
            title = title_from_text(text)
            articles[article_id] = {
                "id": article_id,
                "title": title,
                "source": "",
                "added": now,
                "body": digest,
            }
            rebuilt.append(f"{_quoted(title)} (id {article_id})")
        phrases = []
        if rebuilt:
            phrases.append(
                f"{noun('article', len(rebuilt))} whose record was lost "
                f"{'was' if len(rebuilt) == 1 else 'were'} rebuilt from the saved text, "
                f"titled by the first line and without source or date: "
                f"{_sentence_list(rebuilt)}"
            )
        lost = sorted(article_id for article_id in shard_articles if article_id not in articles)
        if lost:
            count = sum(shard_articles[article_id] for article_id in lost)
            phrases.append(
                f"{noun('annotation', count)} on {noun('article', len(lost))} whose record "
                f"is lost (ids {_sentence_list(lost)}) are kept in {store.annotations_dir}"
            )
        return phrases

    def _name_lost_feeds(self, merged: dict[str, Any]) -> list[str]:
        """Feeds that articles came from but that are no longer subscribed."""
        feeds = merged.setdefault("feeds", {})
        library = self._store._library.atomic_storage.read() or {}
        urls = sorted(
            {
                doc["feed_url"]
                for doc in library.get("articles", {}).values()
                if isinstance(doc, dict) and isinstance(doc.get("feed_url"), str)
            }
            - set(feeds)
            - {""}
        )
        if not urls:
            return []
        return [
            f"these feeds that articles came from may have been unsubscribed: "
            f"{_sentence_list(urls)} (subscribe again with 'reader feed add URL')"
        ]

    def _name_lost_annotations(
        self, path: Path, merged: dict[str, Any], since: str, whole: bool
    ) -> list[str]:
        """Name the article whose highlights may be missing, with how many when the
        counts cache knew the file (`whole`: every record in it could be read)."""
        store = self._store
        hint = store._counts_hint().get(path.name[:-5])
        docs = merged.setdefault("annotations", {})
        known = isinstance(hint, list) and len(hint) == 5
        article_id = str(hint[3]) if known and hint is not None else ""
        if not article_id:
            first: dict[str, Any] = next(iter(docs.values()), {})
            article_id = str(first.get("article_id", path.name[:-5]))
        had = hint[4] if known and hint is not None and isinstance(hint[4], int) else -1
        if whole and had <= len(docs):
            return []
        title = article_id
        doc = (store._library.atomic_storage.read() or {}).get("articles", {}).get(article_id)
        if isinstance(doc, dict) and isinstance(doc.get("title"), str):
            title = doc["title"]
        if had > len(docs):
            return [
                f"{noun('annotation', had - len(docs))} on the article {_quoted(title)} "
                f"(id {article_id}) could not be read and may be missing"
            ]
        return [
            f"highlights and notes on the article {_quoted(title)} (id {article_id}) "
            f"saved {since} may be missing"
        ]

    # -- at open: missing files ------------------------------------------------------------

    def check_at_open(self) -> None:
        """Find damage before any command shows anything: load the library, feeds and
        changed annotation files (damage there is repaired and told), and set aside records
        with fields of the wrong type."""
        store = self._store
        for db, table, kind in (
            (store._main, "settings", "setting"),
            (store._main, "corrections", "correction"),
            (store._library, "articles", "article"),
            (store._feeds, "feeds", "feed"),
        ):
            docs = (db.atomic_storage.read() or {}).get(table, {})
            self.valid(kind, docs, db.atomic_storage, table)
        store._annotation_counts()

    def restore_missing(self) -> None:
        """Bring back a database file that is gone but was there (the newest backup has it,
        or what is left shows it was there); called at open before anything is read."""
        store = self._store
        if store.read_only or not store.folder.is_dir():
            return
        manifest: dict[str, Any] = {}
        backups = store._backups()
        if backups:
            with contextlib.suppress(OSError, ValueError, AttributeError, KeyError):
                manifest = json.loads((backups[0] / "manifest.json").read_bytes())["files"]
        counts = store._counts_hint()
        library_path = store._library.atomic_storage.path
        feeds_path = store._feeds.atomic_storage.path
        candidates: list[Path] = []
        has_bodies = any(store.bodies_dir.glob("*.json"))
        if not store.path.exists() and (
            library_path.exists() or "db.json" in manifest or has_bodies
        ):
            candidates.append(store.path)
        if not library_path.exists() and ("d/library.json" in manifest or has_bodies):
            candidates.append(library_path)
        if not feeds_path.exists() and "d/feeds.json" in manifest:
            candidates.append(feeds_path)
        for name in sorted(set(counts) | {Path(rel).name[:-5] for rel in manifest}):
            shard = store.annotations_dir / f"{name}.json"
            if shard.exists():
                continue
            rel = f"d/annotations/{name}.json"
            hint = counts.get(name)
            if rel in manifest or (isinstance(hint, list) and len(hint) == 5 and hint[4]):
                candidates.append(shard)
        for path in candidates:
            self._restore_missing_file(path)

    def _restore_missing_file(self, path: Path) -> None:
        from reader.store.database import StoreError

        store = self._store
        _tables, kind = self.tables_of(path)
        if kind == "annotation":
            base, _when = self.newest_backup(path)
            article_id = _first_article_id(base) or _hint_article(store, path)
            library = (store._library.atomic_storage.read() or {}).get("articles", {})
            if article_id not in library:
                return  # the article was deleted, and its highlights with it
        with store._locked():
            if path.exists():
                return
            try:
                notes = self._rebuild(path, kind, Salvage(), gone=True)
                fsync_dir(path.parent)
            except OSError as error:
                raise StoreError(_describe_os_error(error, path.parent)) from error
        store._tell(f"{path} was missing, so it was made again{notes}.")

    # -- records with fields of the wrong type ---------------------------------------------

    def valid(
        self,
        kind: str,
        docs: dict[str, Any],
        storage: AtomicJSONStorage,
        table: str,
    ) -> dict[str, Any]:
        """`docs` without the records whose fields have the wrong type; the first time a
        version of the file shows bad records the user is told, and they are moved to
        `set-aside.json` when the store can write (a rare write: only when there are some)."""
        key = (storage.path, table)
        sig = storage.signature
        known = self._checked.get(key)
        if known is not None and known[0] == sig and sig is not None:
            bad = known[1]
        else:
            problems = {
                doc_key: problem
                for doc_key, doc in docs.items()
                if (problem := record_problem(kind, doc)) is not None
            }
            bad = frozenset(problems)
            self._checked[key] = (sig, bad)
            if problems:
                self._set_aside(kind, problems, storage, table)
        if not bad:
            return docs
        return {doc_key: doc for doc_key, doc in docs.items() if doc_key not in bad}

    def _set_aside(
        self,
        kind: str,
        problems: dict[str, str],
        storage: AtomicJSONStorage,
        table: str,
    ) -> None:
        from reader.store.database import StoreError

        store = self._store
        where = store.folder / SET_ASIDE_NAME
        listed = _sentence_list([f"{key}: {problem}" for key, problem in problems.items()], 3)
        moved = False
        if not store.read_only:
            db = next(
                (d for d in store._all_dbs() if d.atomic_storage is storage),
                None,
            )
            if db is not None:
                try:
                    # A read never waits for another process's write: if the lock is
                    # busy the records are only left out, and set aside another time.
                    with store.without_waiting(), store._writing(db):
                        live = db.keyed(table)
                        present = [k for k in problems if live.has_key(k)]
                        kept = _read_whole(where)
                        shelf = kept.setdefault(f"{_relative(storage.path, store)}:{table}", {})
                        for doc_key in present:
                            shelf[doc_key] = live.get_key(doc_key)
                        atomic_write(where, encode_json(kept))
                        if present:
                            live.remove_keys(present)
                    moved = True
                except StoreError:
                    moved = False
        count = len(problems)
        it = "it was" if count == 1 else "they were"
        place = f"set aside in {where}" if moved else "left out"
        store._tell(
            f"{noun(kind, count)} in {storage.path} "
            f"{'has a field' if count == 1 else 'have fields'} of the wrong type ({listed}), "
            f"so {it} {place} and the rest of the library is usable."
        )

    # -- backups ---------------------------------------------------------------------------

    def backup_copy_intact(self, copy: Path, sig: list[int], recorded: list[int] | None) -> bool:
        """Whether a previous backup's copy is still as it was made (so it may be linked into
        the next backup); when it is not, the user is told and a fresh copy is made."""
        try:
            stat = os.stat(copy)
        except FileNotFoundError:
            found = "is missing"
        else:
            if recorded is not None and len(recorded) == 2 and recorded[1]:
                intact = [stat.st_size, stat.st_mtime_ns] == recorded
            else:  # a manifest from before copies were recorded: the size must still match
                intact = stat.st_size == sig[1]
            if intact:
                return True
            found = "was changed or damaged after it was made"
        self._store._tell(
            f"The backup copy {copy} {found}, so the new backup copied the file afresh "
            "(nothing in the database itself was lost)."
        )
        return False

    # -- what backup rotation must keep ----------------------------------------------------

    def _backup_body_references(self) -> set[str]:
        store = self._store
        found: set[str] = set()
        rel = store._backup_relpath(store._library.atomic_storage.path)
        for backup in store._backups():
            found |= _bodies_in(_read_table(backup / rel, "articles"))
        return found

    def kept_body_references(self) -> set[str]:
        """Bodies named by damaged copies kept aside and by set-aside records."""
        store = self._store
        found: set[str] = set()
        for aside in store.folder.glob("library.json.corrupt-*"):
            try:
                raw = aside.read_bytes()
            except OSError:
                continue
            found |= _bodies_in(salvage_tables(raw, LIBRARY_TABLES).tables.get("articles", {}))
        for shelf in _read_whole(store.folder / SET_ASIDE_NAME).values():
            if isinstance(shelf, dict):
                found |= _bodies_in(shelf)
        return found


def _relative(path: Path, store: Store) -> str:
    """`path` inside the store's folder as `annotations/x.json`, else its name."""
    try:
        return path.relative_to(store.folder).as_posix()
    except ValueError:
        return path.name


def _bodies_in(docs: dict[str, Any]) -> set[str]:
    return {
        doc["body"]
        for doc in docs.values()
        if isinstance(doc, dict) and isinstance(doc.get("body"), str)
    }


def _read_whole(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _read_table(path: Path, table: str) -> dict[str, Any]:
    records = _read_whole(path).get(table, {})
    return records if isinstance(records, dict) else {}


def _first_article_id(data: dict[str, Any] | None) -> str:
    for doc in (data or {}).get("annotations", {}).values():
        if isinstance(doc, dict) and isinstance(doc.get("article_id"), str):
            return str(doc["article_id"])
    return ""


def _hint_article(store: Store, path: Path) -> str:
    hint = store._counts_hint().get(path.name[:-5])
    return str(hint[3]) if isinstance(hint, list) and len(hint) == 5 else path.name[:-5]


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _describe_os_error(error: OSError, where: Path) -> str:
    from reader.store.database import _describe_os_error as describe

    return describe(error, where)
