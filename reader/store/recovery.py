"""Repairing a database folder in place: damaged files, missing files, badly typed records.

A file that does not load is kept aside as `NAME.corrupt-YYYYmmdd-HHMMSS`, restored
from the newest good backup with every record still readable in it merged back
(`reader.store.salvage`), and the user is told in one sentence what came back and
what may be missing. A file that is gone but was there is made again the same way.
Records with fields of the wrong type are left out of every read and moved to
`set-aside.json`.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from reader.files import Signature, atomic_write, fsync_dir
from reader.models import now_iso, text_hash
from reader.store.backups import Backups, bodies_named
from reader.store.counts import CountsCache, is_entry
from reader.store.errors import StoreError, describe_os_error
from reader.store.layout import LIBRARY_TABLES, Layout
from reader.store.locking import WriteLock
from reader.store.migrations import SCHEMA_VERSION
from reader.store.notices import Notices
from reader.store.salvage import (
    WRONG_SHAPE,
    Salvage,
    all_valid,
    merge_salvage,
    noun,
    record_problem,
    salvage_tables,
    title_from_text,
)
from reader.store.storage import (
    AtomicJSONStorage,
    KeyedTinyDB,
    encode_json,
    is_tinydb_data,
    read_object,
    read_records,
)


def _sentence_list(items: list[str], limit: int = 5) -> str:
    shown = items[:limit]
    more = len(items) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _quoted(title: str, width: int = 40) -> str:
    return "'" + (title if len(title) <= width else title[: width - 1] + "…") + "'"


class Recovery:
    """Finds and repairs damage in one store's folder; the store owns one of these.

    `recover` handles a file that does not load, `restore_missing` and `check_at_open`
    look for missing files and damage when the store opens, `valid_docs` filters records
    with fields of the wrong type, and `kept_body_references` names the bodies that
    damaged and set-aside copies still point to, so body collection keeps them.
    """

    def __init__(
        self,
        layout: Layout,
        lock: WriteLock,
        notices: Notices,
        backups: Backups,
        counts: CountsCache,
    ) -> None:
        self._layout = layout
        self._lock = lock
        self._notices = notices
        self._backups = backups
        self._counts = counts
        # Per file: the signature last checked and the keys of its bad records.
        self._checked: dict[tuple[Path, str], tuple[Signature | None, frozenset[str]]] = {}

    # -- a file that does not load ---------------------------------------------------------

    def recover(self, path: Path) -> None:
        """`path` does not load: keep it aside, restore a backup, merge back what it still
        holds, rebuild what can be rebuilt, and tell the user what may be missing."""
        if self._notices.read_only:
            raise StoreError(
                f"The database file {path} is damaged and the folder is read-only, "
                "so it cannot be repaired; it was left as it is."
            )
        with self._lock.held():
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                return
            try:
                if is_tinydb_data(json.loads(raw)):
                    return  # another process already repaired it
            except ValueError:
                pass
            tables, kind = self._layout.tables_of(path)
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
                raise StoreError(describe_os_error(error, path.parent)) from error
        self._notices.tell(
            f"{path} was damaged ({salvage.damage}), so it was moved aside to {aside}{notes}."
        )

    def _rebuild(self, path: Path, kind: str, salvage: Salvage, *, gone: bool = False) -> str:
        """Write `path` anew from its newest good backup and `salvage`; the rest of the
        sentence that tells the user (where it came from, what may be missing)."""
        base, when = self._backups.newest_copy(path)
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
        meta = merged.setdefault("meta", {})
        meta.setdefault("schema", {"version": SCHEMA_VERSION})
        return [f"settings, reading positions and entity corrections saved {since} may be missing"]

    def _fill_in_library(self, merged: dict[str, Any]) -> list[str]:
        """Articles whose record was lost but whose text is saved come back under their
        first line, with their old id when a highlight names that text; highlights whose
        article is still missing are named."""
        articles: dict[str, Any] = merged.setdefault("articles", {})
        referenced = {str(doc.get("body", "")) for doc in articles.values()}
        referenced |= self._backups.library_bodies(strict=False) or set()
        owners: dict[str, str] = {}  # text hash -> article id, from highlights
        shard_articles: dict[str, int] = {}
        for shard in sorted(self._layout.annotations_dir.glob("*.json")):
            docs = read_records(shard, "annotations")
            for doc in docs.values():
                article_id = doc.get("article_id")
                if isinstance(article_id, str):
                    shard_articles[article_id] = shard_articles.get(article_id, 0) + 1
                    if isinstance(doc.get("text_hash"), str):
                        owners.setdefault(doc["text_hash"], article_id)
        rebuilt: list[str] = []
        now = now_iso()
        for body in sorted(self._layout.bodies_dir.glob("*.json")):
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
                f"is lost (ids {_sentence_list(lost)}) are kept in {self._layout.annotations_dir}"
            )
        return phrases

    def _name_lost_feeds(self, merged: dict[str, Any]) -> list[str]:
        """Feeds that articles came from but that are no longer subscribed."""
        feeds = merged.setdefault("feeds", {})
        library = self._layout.library.atomic_storage.read() or {}
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
        hint = self._counts.hint().get(path.name[:-5])
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
        doc = (self._layout.library.atomic_storage.read() or {}).get("articles", {}).get(article_id)
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
        for db, table, kind in (
            (self._layout.main, "settings", "setting"),
            (self._layout.main, "corrections", "correction"),
            (self._layout.library, "articles", "article"),
            (self._layout.feeds, "feeds", "feed"),
        ):
            docs = (db.atomic_storage.read() or {}).get(table, {})
            self.valid(kind, docs, db.atomic_storage, table)

    def restore_missing(self) -> None:
        """Bring back a database file that is gone but was there (the newest backup has it,
        or what is left shows it was there); called at open before anything is read."""
        if self._notices.read_only or not self._layout.folder.is_dir():
            return
        manifest = self._backups.newest_manifest()
        counts = self._counts.hint()
        library_path = self._layout.library.atomic_storage.path
        feeds_path = self._layout.feeds.atomic_storage.path
        candidates: list[Path] = []
        has_bodies = any(self._layout.bodies_dir.glob("*.json"))
        if not self._layout.path.exists() and (
            library_path.exists() or "db.json" in manifest or has_bodies
        ):
            candidates.append(self._layout.path)
        if not library_path.exists() and ("d/library.json" in manifest or has_bodies):
            candidates.append(library_path)
        if not feeds_path.exists() and "d/feeds.json" in manifest:
            candidates.append(feeds_path)
        present = set(self._layout.shard_names())  # one listing, not a stat per file
        annotations_dir = self._layout.annotations_dir
        # The name of each file the backup holds (rel is "d/annotations/NAME.json"): string
        # work, not a Path each (10,000 annotation files cost every command 0.1 s).
        for name in sorted(set(counts) | {rel.rpartition("/")[2][:-5] for rel in manifest}):
            if name in present:
                continue
            shard = annotations_dir / f"{name}.json"
            rel = f"d/annotations/{name}.json"
            hint = counts.get(name)
            if rel in manifest or (is_entry(hint) and hint is not None and hint[4]):
                candidates.append(shard)
        for path in candidates:
            self._restore_missing_file(path)

    def _restore_missing_file(self, path: Path) -> None:
        _tables, kind = self._layout.tables_of(path)
        if kind == "annotation":
            base, _when = self._backups.newest_copy(path)
            name = path.name[:-5]
            article_id = _first_article_id(base) or self._counts.article_of(name) or name
            library = (self._layout.library.atomic_storage.read() or {}).get("articles", {})
            if article_id not in library:
                return  # the article was deleted, and its highlights with it
        with self._lock.held():
            if path.exists():
                return
            try:
                notes = self._rebuild(path, kind, Salvage(), gone=True)
                fsync_dir(path.parent)
            except OSError as error:
                raise StoreError(describe_os_error(error, path.parent)) from error
        self._notices.tell(f"{path} was missing, so it was made again{notes}.")

    # -- records with fields of the wrong type ---------------------------------------------

    def valid_docs(self, db: KeyedTinyDB, table: str, kind: str) -> dict[str, dict[str, Any]]:
        """The records of `table` in `db` whose fields have the right types (see `valid`)."""
        storage = db.atomic_storage
        docs: dict[str, dict[str, Any]] = (storage.read() or {}).get(table, {})
        return self.valid(kind, docs, storage, table)

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
            problems = (
                {}
                if all_valid(kind, docs)
                else {
                    doc_key: problem
                    for doc_key, doc in docs.items()
                    if (problem := record_problem(kind, doc)) is not None
                }
            )
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
        where = self._layout.set_aside_file
        listed = _sentence_list([f"{key}: {problem}" for key, problem in problems.items()], 3)
        moved = False
        if not self._notices.read_only:
            db = next(
                (d for d in self._layout.all_dbs() if d.atomic_storage is storage),
                None,
            )
            if db is not None:
                try:
                    # A read never waits for another process's write: if the lock is
                    # busy the records are only left out, and set aside another time.
                    with self._lock.without_waiting(), self._lock.writing(db):
                        live = db.keyed(table)
                        present = [k for k in problems if live.has_key(k)]
                        kept = read_object(where)
                        shelf = kept.setdefault(
                            f"{_relative(storage.path, self._layout.folder)}:{table}", {}
                        )
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
        self._notices.tell(
            f"{noun(kind, count)} in {storage.path} "
            f"{'has a field' if count == 1 else 'have fields'} of the wrong type ({listed}), "
            f"so {it} {place} and the rest of the library is usable."
        )

    def kept_body_references(self) -> set[str]:
        """Bodies named by damaged copies kept aside and by set-aside records."""
        found: set[str] = set()
        for aside in self._layout.folder.glob("library.json.corrupt-*"):
            try:
                raw = aside.read_bytes()
            except OSError:
                continue
            found |= bodies_named(salvage_tables(raw, LIBRARY_TABLES).tables.get("articles", {}))
        for shelf in read_object(self._layout.set_aside_file).values():
            if isinstance(shelf, dict):
                found |= bodies_named(shelf)
        return found


def _relative(path: Path, folder: Path) -> str:
    """`path` inside the database folder as `annotations/x.json`, else its name."""
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.name


def _first_article_id(data: dict[str, Any] | None) -> str:
    for doc in (data or {}).get("annotations", {}).values():
        if isinstance(doc, dict) and isinstance(doc.get("article_id"), str):
            return str(doc["article_id"])
    return ""


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")
