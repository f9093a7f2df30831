"""Writing files so a crash never leaves half of one: the one atomic write the package uses.

`atomic_write` writes a temporary file beside the target, fsyncs it, renames it over
the target and fsyncs the folder, so a reader of the file (or the disk after a power
cut) sees the old bytes or the new ones, never a mix. The database
(`reader.store`) writes every file through it; exports go through
`write_text_atomic`, which adds the folder and a one-sentence error.
"""

from __future__ import annotations

import os
import time
import uuid
from contextlib import suppress
from pathlib import Path

from reader.errors import ReaderError

#: What identifies one version of a file: inode, size and nanosecond mtime.
Signature = tuple[int, int, int]

#: Temporary files are named `.NAME.<pid>.<random>.tmp` so crashed writes can be swept up.
TMP_SUFFIX = ".tmp"


def signature(stat: os.stat_result) -> Signature:
    """What identifies one version of a file: inode, size and nanosecond mtime."""
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def fsync_dir(folder: Path) -> None:
    """Make a rename inside `folder` durable (best effort where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, payload: bytes, *, durable: bool = True) -> Signature:
    """Replace `path` with `payload` so readers see the old or the new file, never a mix.

    Writes a temporary file beside it, fsyncs it (unless `durable` is False, for
    caches that can be rebuilt), stamps a unique mtime, renames it into place and
    fsyncs the folder. On any error the temporary file is removed and the old
    file is untouched; the OSError propagates. Returns the new file's signature.

    The fresh nanosecond mtime means a signature never repeats, even when another
    process rewrites the file within one tick of a filesystem's coarse timestamps.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}{TMP_SUFFIX}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        try:
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            stamp = time.time_ns()
            os.utime(fd, ns=(stamp, stamp))
            if durable:
                os.fsync(fd)
            sig = signature(os.fstat(fd))
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(path.parent)
    return sig


def write_text_atomic(path: Path, text: str) -> None:
    """Save `text` as UTF-8 at `path` with `atomic_write`, making its folder first.

    For files the user asked for (exports); a failure is a ReaderError in one sentence.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text.encode("utf-8"))
    except OSError as error:
        reason = error.strerror or str(error)
        raise ReaderError(f"Could not write {path}: {reason}.") from error
