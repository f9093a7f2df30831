"""Settings and entity corrections: tables of the main file, `reader.json`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from reader.models import EntityCorrection, now_iso
from reader.store.layout import Layout
from reader.store.locking import WriteLock
from reader.store.records import correction_from
from reader.store.recovery import Recovery


class Settings:
    """Saved settings: JSON values by key (reading positions use "position:<article id>")."""

    def __init__(self, layout: Layout, lock: WriteLock) -> None:
        self._layout = layout
        self._lock = lock

    def get(self, key: str, default: Any = None) -> Any:
        """A saved setting (JSON value), or `default`."""
        doc = self._layout.main.keyed("settings").get_key(key)
        return default if doc is None else doc.get("value", default)

    def set(self, key: str, value: Any) -> None:
        """Save a JSON-serialisable setting."""
        value = json.loads(json.dumps(value))  # a private copy; TypeError for non-JSON values
        db = self._layout.main
        with self._lock.writing(db):
            db.keyed("settings").put_key(key, {"value": value})

    def update(self, key: str, change: Callable[[Any], Any], default: Any = None) -> Any:
        """Save `change(value as saved now)` under the lock, and return it: a read and a write
        with no other process's (or thread's) write between them."""
        db = self._layout.main
        with self._lock.writing(db):
            table = db.keyed("settings")
            doc = table.get_key(key)
            saved = default if doc is None else doc.get("value", default)
            value = json.loads(json.dumps(change(saved)))
            table.put_key(key, {"value": value})
            return value


class Corrections:
    """The user's corrections to entity extraction, applied in the order they were made."""

    def __init__(self, layout: Layout, lock: WriteLock, recovery: Recovery) -> None:
        self._layout = layout
        self._lock = lock
        self._recovery = recovery

    def add(self, correction: EntityCorrection) -> None:
        """Save a correction, giving it an id and creation time when it has none."""
        if not correction.id:
            correction.id = uuid.uuid4().hex
        if not correction.created:
            correction.created = now_iso()
        db = self._layout.main
        with self._lock.writing(db):
            db.keyed("corrections").put_key(correction.id, asdict(correction))

    def all(self) -> list[EntityCorrection]:
        """Every correction, oldest first (they apply in order)."""
        docs = self._recovery.valid_docs(self._layout.main, "corrections", "correction")
        found = [correction_from(doc) for doc in docs.values()]
        found.sort(key=lambda c: (c.created, c.id))
        return found

    def remove(self, correction_id: str) -> bool:
        """Forget a correction; False when there was no such correction."""
        db = self._layout.main
        with self._lock.writing(db):
            table = db.keyed("corrections")
            if not table.has_key(correction_id):
                return False
            table.remove_keys([correction_id])
            return True
