"""What goes wrong with the database, said in one sentence."""

from __future__ import annotations

import errno
from pathlib import Path

from reader.errors import ReaderError

#: errno values that mean "the disk (or quota, or file size limit) is full".
NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
#: errno values that mean "this place cannot be written".
READ_ONLY_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


class StoreError(ReaderError):
    """The database cannot be read or written: out of space, read-only, locked, newer, ..."""


class StoreBusyError(StoreError):
    """Another process held the database's write lock for longer than the store would wait."""


class CorruptFileError(Exception):
    """The file exists but is not a JSON object; `path` says which."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def describe_os_error(error: OSError, where: Path) -> str:
    """One plain sentence for a failed write."""
    if error.errno in NO_SPACE_ERRNOS:
        return (
            f"There is no room left on the disk to save to {where}; "
            "free some space and try again (nothing already saved was lost)."
        )
    if error.errno in READ_ONLY_ERRNOS:
        return (
            f"Cannot save to {where} because the folder is read-only or not writable "
            "(nothing already saved was lost)."
        )
    reason = error.strerror or str(error)
    return f"Could not save to {where}: {reason} (nothing already saved was lost)."


def size_text(count: int) -> str:
    """A byte count for people: 0 bytes, 12 KB, 3.4 MB."""
    if count < 1000:
        return f"{count} bytes"
    if count < 1_000_000:
        return f"{count // 1000} KB"
    return f"{count / 1_000_000:.1f} MB"
