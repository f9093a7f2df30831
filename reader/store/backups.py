"""Rolling backups: a copy of every database file except bodies, made at most hourly.

    backups/20260131-120000-123456/
        db.json, d/library.json, d/feeds.json, d/annotations/ID.json
        manifest.json   {"files": {rel: signature}, "copies": {rel: [size, mtime_ns]}}

A file unchanged since the previous backup (same signature, per that backup's
manifest) is hard-linked from it instead of copied, so a backup costs little when
only a few files changed. Backup copies are never modified, so sharing them is safe.
A backup is built in a `.staging-*` folder and renamed into place when complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from reader.files import Signature, signature
from reader.store.errors import CorruptFileError
from reader.store.layout import Layout
from reader.store.locking import WriteLock
from reader.store.notices import Notices
from reader.store.storage import (
    encode_json,
    is_tinydb_data,
    read_json_file,
    read_records,
)

_STAMP = "%Y%m%d-%H%M%S"


class Backups:
    """The backups of one database: making them, pruning them, reading them back."""

    def __init__(self, layout: Layout, lock: WriteLock, notices: Notices) -> None:
        self._layout = layout
        self._lock = lock
        self._notices = notices

    @property
    def folder(self) -> Path:
        """The folder of rolling backups."""
        return self._layout.backups_dir

    def all(self) -> list[Path]:
        """Complete backup folders, newest first."""
        try:
            entries = [p for p in self.folder.iterdir() if not p.name.startswith(".")]
        except FileNotFoundError:
            return []
        return sorted(entries, key=lambda p: p.name, reverse=True)

    def due(self, interval_seconds: float) -> bool:
        """Whether the newest backup is older than `interval_seconds` (or there is none)."""
        backups = self.all()
        if not backups:
            return True
        try:
            newest = datetime.strptime(backups[0].name[:15], _STAMP).timestamp()
        except ValueError:
            newest = 0.0
        return time.time() - newest >= interval_seconds

    def newest_manifest(self) -> dict[str, Any]:
        """The files the newest backup holds (relative path -> signature), or nothing."""
        backups = self.all()
        if backups:
            with contextlib.suppress(OSError, ValueError, AttributeError, KeyError, TypeError):
                files = json.loads((backups[0] / "manifest.json").read_bytes())["files"]
                if isinstance(files, dict):
                    return files
        return {}

    def make(self, kept: int) -> Path:
        """Copy every database file except bodies into a new backup folder, keeping the
        newest `kept` backups; the new folder. Takes the write lock."""
        layout = self._layout
        with self._lock.held():
            self.folder.mkdir(exist_ok=True)
            previous = self.all()
            reuse: dict[str, list[int]] = {}
            copies: dict[str, list[int]] = {}
            if previous:
                with contextlib.suppress(OSError, ValueError, AttributeError, KeyError):
                    old_manifest = json.loads((previous[0] / "manifest.json").read_bytes())
                    reuse = old_manifest["files"]
                    copies = old_manifest.get("copies", {})
            # Microseconds keep names unique and in time order.
            final = self.folder / datetime.now().strftime(f"{_STAMP}-%f")
            staging = self.folder / f".staging-{final.name}"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            (staging / "d" / "annotations").mkdir(parents=True)
            sources = [
                layout.path,
                layout.library.atomic_storage.path,
                layout.feeds.atomic_storage.path,
            ]
            sources.extend(sorted(layout.annotations_dir.glob("*.json")))
            manifest: dict[str, list[int]] = {}
            made: dict[str, list[int]] = {}
            for source in sources:
                rel = layout.backup_relpath(source)
                try:
                    sig = list(signature(os.stat(source)))
                except FileNotFoundError:
                    continue
                target = staging / rel
                if reuse.get(str(rel)) == sig:
                    earlier = previous[0] / rel
                    if self._copy_intact(earlier, sig, copies.get(str(rel))):
                        try:
                            os.link(earlier, target)
                            manifest[str(rel)] = sig
                            made[str(rel)] = copies.get(str(rel)) or [sig[1], 0]
                            continue
                        except OSError:
                            pass
                copied = self._copy_checked(source, target)
                if copied is not None:
                    manifest[str(rel)] = list(copied)
                    stat = os.stat(target)
                    made[str(rel)] = [stat.st_size, stat.st_mtime_ns]
            (staging / "manifest.json").write_bytes(
                encode_json({"files": manifest, "copies": made})
            )
            os.replace(staging, final)
            for old in self.all()[kept:]:
                shutil.rmtree(old, ignore_errors=True)
            return final

    def _copy_checked(self, source: Path, target: Path) -> Signature | None:
        """Copy `source` if it parses (recovering it first if not); its signature, or None."""
        for _attempt in range(3):
            try:
                with open(source, "rb") as handle:
                    sig = signature(os.fstat(handle.fileno()))
                    raw = handle.read()
            except FileNotFoundError:
                return None
            try:
                if is_tinydb_data(json.loads(raw)):
                    target.write_bytes(raw)
                    return sig
            except ValueError:
                pass
            self._layout.recover(source)
        return None

    def _copy_intact(self, copy: Path, sig: list[int], recorded: list[int] | None) -> bool:
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
        self._notices.tell(
            f"The backup copy {copy} {found}, so the new backup copied the file afresh "
            "(nothing in the database itself was lost)."
        )
        return False

    def newest_copy(self, path: Path) -> tuple[dict[str, Any] | None, str]:
        """The data of the newest backup copy of `path` that loads, and when it was made."""
        rel = self._layout.backup_relpath(path)
        for backup in self.all():
            try:
                value = json.loads((backup / rel).read_bytes())
            except (OSError, ValueError):
                continue
            if not is_tinydb_data(value):
                continue
            try:
                made = datetime.strptime(backup.name[:15], _STAMP)
            except ValueError:
                return value, backup.name
            return value, made.strftime("%Y-%m-%d %H:%M")
        return None, ""

    def library_bodies(self, *, strict: bool) -> set[str] | None:
        """The body hashes every backup's library names. `strict`: None when a backup's
        library cannot be read (so nothing is deleted on its word); else those are skipped."""
        found: set[str] = set()
        seen: set[int] = set()
        rel = self._layout.backup_relpath(self._layout.library.atomic_storage.path)
        for backup in self.all():
            if not strict:
                found |= bodies_named(read_records(backup / rel, "articles"))
                continue
            try:
                loaded = read_json_file(backup / rel)
            except CorruptFileError:
                return None
            if loaded is None or loaded[1][0] in seen:
                continue
            seen.add(loaded[1][0])
            found.update(str(doc.get("body", "")) for doc in loaded[0].get("articles", {}).values())
        return found


def bodies_named(docs: dict[str, Any]) -> set[str]:
    """The body hashes article documents name."""
    return {
        doc["body"]
        for doc in docs.values()
        if isinstance(doc, dict) and isinstance(doc.get("body"), str)
    }
