"""Annotations: one small TinyDB file per article, so a save rewrites only that article's."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from reader.files import signature
from reader.models import Annotation
from reader.store.counts import SETTLED_NS, Counts, CountsCache, FolderStamp, is_entry
from reader.store.errors import StoreError
from reader.store.layout import Layout, shard_name
from reader.store.locking import WriteLock
from reader.store.notices import Notices
from reader.store.records import ANNOTATION_FIELDS, annotation_doc, annotation_from
from reader.store.recovery import Recovery

#: How a changed field is named when two processes changed it differently.
_FIELD_WORDS = {"color": "colour", "start": "place", "end": "place", "quote": "text"}


def _by_place(annotation: Annotation) -> tuple[int, int, str, str]:
    return (annotation.start, annotation.end, annotation.created, annotation.id)


class Annotations:
    """The annotations of every article: `annotations/NAME.json`, NAME from `shard_name`."""

    def __init__(
        self,
        layout: Layout,
        lock: WriteLock,
        notices: Notices,
        recovery: Recovery,
        counts: CountsCache,
    ) -> None:
        self._layout = layout
        self._lock = lock
        self._notices = notices
        self._recovery = recovery
        self._counts = counts
        # Annotation id -> the file it was last seen in (an article id may have changed).
        self._home: dict[str, str] = {}

    def _docs(self, name: str) -> dict[str, dict[str, Any]]:
        docs = self._recovery.valid_docs(self._layout.shard(name), "annotations", "annotation")
        for key in docs:
            self._home[key] = name
        return docs

    def counts(self) -> dict[str, int]:
        """Annotations per article id, without parsing files that did not change.

        A file whose (inode, size, mtime_ns) still matches its counts-cache entry is
        not read; the others are read and the cache is rewritten. While the folder's
        own stamp matches the one kept with the cache, no file is even looked at.
        """
        with self._counts.lock:
            known = self._counts.hint()
            folder = self._folder_stamp()
            if folder is not None and folder == self._counts.folder_stamp():
                fresh = known
            else:
                fresh = self._scan(known)
                settled = folder is not None and time.time_ns() - folder[1] >= SETTLED_NS
                self._counts.replace(
                    fresh, folder=folder if settled else None, save=not self._notices.read_only
                )
        counts: dict[str, int] = {}
        for _ino, _size, _mtime, article_id, count in fresh.values():
            if count:
                counts[article_id] = counts.get(article_id, 0) + count
        return counts

    def _folder_stamp(self) -> FolderStamp | None:
        """The annotations folder's (inode, mtime_ns), taken before its files are looked at."""
        try:
            stat = os.stat(self._layout.annotations_dir)
        except OSError:
            return None
        return (stat.st_ino, stat.st_mtime_ns)

    def _scan(self, known: Counts) -> Counts:
        """Every annotation file's cache entry: kept when its signature matches, else read."""
        fresh: Counts = {}
        try:
            entries = list(os.scandir(self._layout.annotations_dir))
        except FileNotFoundError:
            entries = []
        for entry in entries:
            if not entry.name.endswith(".json") or entry.name.startswith("."):
                continue
            name = entry.name[:-5]
            try:
                sig = list(signature(entry.stat()))
            except FileNotFoundError:
                continue
            hint = known.get(name)
            if is_entry(hint) and hint is not None and hint[:3] == sig:
                fresh[name] = hint
                continue
            docs = self._docs(name)
            read_sig = self._layout.shard(name).atomic_storage.signature
            if read_sig is None:
                continue
            first = next(iter(docs.values()), {})
            fresh[name] = [*read_sig, str(first.get("article_id", name)), len(docs)]
        return fresh

    def add(self, annotation: Annotation) -> None:
        """Save a new annotation (the caller sets its id); replaces one with the same id."""
        name = shard_name(annotation.article_id)
        db = self._layout.shard(name)
        with self._lock.writing(db):
            db.keyed("annotations").put_key(annotation.id, asdict(annotation))
        self._home[annotation.id] = name

    def add_many(self, annotations: Iterable[Annotation]) -> None:
        """Save many annotations: one lock, one write per article (imports, migrations).

        Each article's file is written and then dropped from the read cache, so a big
        import does not keep a second copy of every annotation it saved in memory.
        """
        by_shard: dict[str, list[Annotation]] = {}
        for annotation in annotations:
            by_shard.setdefault(shard_name(annotation.article_id), []).append(annotation)
        with self._lock.held():
            for name, group in by_shard.items():
                docs = {annotation.id: annotation_doc(annotation) for annotation in group}
                db = self._layout.shard(name)
                with self._lock.writing(db):
                    db.keyed("annotations").put_many(docs)
                db.atomic_storage.invalidate()
                for key in docs:
                    self._home[key] = name

    def update(self, annotation: Annotation) -> None:
        """Save changes to an annotation (its note, colour, tags, anchor...)."""
        home = self._home.get(annotation.id)
        if home is not None and home != shard_name(annotation.article_id):
            self.delete(annotation.id)
        self.add(annotation)

    def update_fields(self, base: Annotation, **changes: Any) -> Annotation:
        """Change some fields of a saved annotation, leaving every other field as stored
        (see `Store.update_annotation_fields`)."""
        unknown = set(changes) - ANNOTATION_FIELDS
        if unknown or {"id", "article_id"} & set(changes):
            raise ValueError(f"cannot change annotation fields {sorted(changes)}")
        name = self._home.get(base.id) or shard_name(base.article_id)
        db = self._layout.shard(name)
        with self._lock.writing(db):
            table = db.keyed("annotations")
            doc = table.get_key(base.id)
            if doc is None:
                raise StoreError(
                    "This highlight was deleted by another reader process, "
                    "so the change was not saved."
                )
            stored = annotation_from(doc)
            clashes = [
                key
                for key, value in changes.items()
                if key != "updated"
                and getattr(stored, key) != getattr(base, key)
                and getattr(stored, key) != value
            ]
            if clashes:
                names = " and ".join(_FIELD_WORDS.get(key, key) for key in clashes)
                raise StoreError(
                    f"This highlight's {names} changed in another reader process after it "
                    "was shown here, so your change was not saved; look at it again and "
                    "redo the change."
                )
            for key, value in changes.items():
                setattr(stored, key, list(value) if key == "tags" else value)
            table.put_key(base.id, asdict(stored))
        self._home[base.id] = name
        return stored

    def delete(self, annotation_id: str) -> Annotation | None:
        """Remove an annotation; returns what was removed, or None if it was not there."""
        home = self._home.get(annotation_id)
        names = ([home] if home else []) + [n for n in self._layout.shard_names() if n != home]
        for name in names:
            if annotation_id not in self._docs(name):
                continue
            db = self._layout.shard(name)
            with self._lock.writing(db):
                table = db.keyed("annotations")
                doc = table.get_key(annotation_id)
                if doc is None:
                    continue
                table.remove_keys([annotation_id])
            self._home.pop(annotation_id, None)
            return annotation_from(doc)
        return None

    def delete_article(self, article_id: str) -> None:
        """Remove an article's annotation file (call under the write lock)."""
        self._layout.shard(shard_name(article_id)).atomic_storage.delete()

    def of(self, article_id: str) -> list[Annotation]:
        """An article's annotations, ordered by where they start."""
        docs = self._docs(shard_name(article_id))
        return sorted((annotation_from(doc) for doc in docs.values()), key=_by_place)

    def get(self, article_id: str, annotation_id: str) -> Annotation | None:
        """One annotation of an article by id, without building the article's others."""
        data = self._layout.shard(shard_name(article_id)).atomic_storage.read() or {}
        doc = data.get("annotations", {}).get(annotation_id)
        return None if doc is None else annotation_from(doc)

    def all(self) -> list[Annotation]:
        """Every annotation, grouped by article file, each ordered by start."""
        found: list[Annotation] = []
        for name in sorted(self._layout.shard_names()):
            docs = self._docs(name)
            found.extend(sorted((annotation_from(doc) for doc in docs.values()), key=_by_place))
        return found
