"""SQLite files kept beside the database that hold only what can be derived from it.

The search index and the entity index are such files: each is made at a version and made
again when another version made it, and a damaged one is simply removed and rebuilt from the
store. This module does that part for both.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path


def connect_derived(
    path: Path | str, schema: str, version: str, tables: Sequence[str], *, wal: bool = False
) -> sqlite3.Connection:
    """A connection to the derived file at `path` (or ":memory:") holding `schema` at
    `version`. A file made at another version loses `tables` and its meta rows and gets the
    schema again (checked again inside the transaction: another process may have done it).
    `wal`: write-ahead logging with normal syncing, for files written while others read."""
    connection = sqlite3.connect(path, timeout=15.0, isolation_level=None)
    if wal:
        if path != ":memory:":
            connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
    connection.executescript(schema)
    if derived_version(connection) != version:
        connection.execute("BEGIN IMMEDIATE")
        if derived_version(connection) != version:
            for table in tables:
                connection.execute(f"DROP TABLE IF EXISTS {table}")
            connection.execute("DELETE FROM meta")
            for statement in schema.split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('version', ?)", (version,)
            )
        connection.execute("COMMIT")
    return connection


def derived_version(connection: sqlite3.Connection) -> str | None:
    """The version the file was made at (its `meta` table's 'version' row), if any."""
    row = connection.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    return None if row is None else str(row[0])


def remove_derived(path: Path) -> None:
    """Remove the derived file and SQLite's files beside it (journal, WAL, shared memory)."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()
