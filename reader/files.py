"""Writing files so a crash never leaves half of one: the one atomic write the package uses.

`atomic_write` writes a temporary file beside the target, fsyncs it, renames it over
the target and fsyncs the folder, so a reader of the file (or the disk after a power
cut) sees the old bytes or the new ones, never a mix. The database
(`reader.store`) writes every file through it; exports go through
`write_text_atomic`, which adds the folder and a one-sentence error, or, for many files at
once, `write_texts_atomic`, which fsyncs them side by side and each folder once.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
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


def atomic_write(
    path: Path, payload: bytes, *, durable: bool = True, sync_folder: bool = True
) -> Signature:
    """Replace `path` with `payload` so readers see the old or the new file, never a mix.

    Writes a temporary file beside it, fsyncs it (unless `durable` is False, for
    caches that can be rebuilt), stamps a unique mtime, renames it into place and
    fsyncs the folder (unless `sync_folder` is False: a caller writing many files
    into one folder fsyncs it once, after the last). On any error the temporary file
    is removed and the old file is untouched; the OSError propagates. Returns the new
    file's signature.

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
    if durable and sync_folder:
        fsync_dir(path.parent)
    return sig


def write_text_atomic(path: Path, text: str) -> None:
    """Save `text` as UTF-8 at `path` with `atomic_write`, making its folder first.

    For files the user asked for (exports); a failure is a ReaderError in one sentence.
    """
    write_texts_atomic([(path, text)])


WRITERS = 8
"""Files `write_texts_atomic` writes at once: their fsyncs wait on the disk, not the CPU."""


def write_texts_atomic(files: Sequence[tuple[Path, str]]) -> None:
    """Save each `(path, text)` as UTF-8 with `atomic_write`, making folders first: each file
    whole (temporary file, fsync, rename), written side by side, each folder fsynced once.

    A file system commits fsyncs that wait together in one journal commit, so 500 files
    cost about as much as a handful; one after another, each fsync is a commit of its own.
    A failure is a ReaderError in one sentence naming the first file that could not be
    written (in the order given) and how many of the others were; those are kept.
    """
    written: list[Path] = []
    failed: tuple[Path, OSError] | None = None
    for path, _text in files:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            failed = (path, error)
            break
    if failed is None:
        with ThreadPoolExecutor(max_workers=min(WRITERS, max(len(files), 1))) as pool:
            jobs = [
                pool.submit(atomic_write, path, text.encode("utf-8"), sync_folder=False)
                for path, text in files
            ]
            for (path, _text), job in zip(files, jobs, strict=True):
                try:
                    job.result()
                except OSError as error:
                    failed = failed or (path, error)
                else:
                    written.append(path)
        for folder in dict.fromkeys(path.parent for path in written):
            fsync_dir(folder)
    if failed is not None:
        path, problem = failed
        reason = problem.strerror or str(problem)
        others = _others(len(files), len(written))
        raise ReaderError(f"Could not write {path}: {reason}{others}.") from problem


def _others(total: int, written: int) -> str:
    """What became of the other files when one of `total` could not be written."""
    rest = total - 1
    if rest == 0:
        return ""
    if written == rest:
        share = "the other file was" if rest == 1 else f"the other {rest} files were"
    elif written == 0:
        share = "the other file was not" if rest == 1 else f"none of the other {rest} were"
    else:
        share = f"{written} of the other {rest} were"
    return f"; {share} written"
