"""reader.files: the one atomic write, and the timestamp text written in one place."""

from __future__ import annotations

import ast
import functools
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import reader
from reader.errors import ReaderError
from reader.files import atomic_write, write_text_atomic, write_texts_atomic
from reader.models import now_iso

PACKAGE = Path(reader.__file__).resolve().parent


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_atomic_write_replaces_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "data.json"
    target.write_bytes(b"old")
    atomic_write(target, "جديد".encode())
    assert target.read_text(encoding="utf-8") == "جديد"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.json"]


def test_atomic_write_failure_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()  # a folder in the way: the rename fails after the temporary file is written
    (target / "inside").write_text("kept")
    with pytest.raises(OSError):
        atomic_write(target, b"new")
    assert (target / "inside").read_text() == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_write_text_atomic_makes_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder" / "notes.md"
    write_text_atomic(target, "# عنوان\n")
    assert target.read_text(encoding="utf-8") == "# عنوان\n"


def test_write_text_atomic_says_what_failed_in_one_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ReaderError) as caught:
        write_text_atomic(blocker / "notes.md", "text")
    message = str(caught.value)
    assert message.startswith(f"Could not write {blocker / 'notes.md'}: ")
    assert message.endswith(".") and "\n" not in message


def test_many_files_are_each_written_whole_and_a_failure_names_one_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    files = [(tmp_path / "out" / f"{n}.md", f"# ملاحظات {n}\n" * 50) for n in range(30)]
    write_texts_atomic(files)
    for path, text in files:
        assert path.read_text(encoding="utf-8") == text
    assert len(list((tmp_path / "out").iterdir())) == 30  # no temporary file left

    in_the_way = tmp_path / "out" / "7.md"
    in_the_way.unlink()
    in_the_way.mkdir()  # the rename over it fails; the others are written all the same
    (in_the_way / "inside").write_text("kept")
    again = [(path, text + "!") for path, text in files]
    with pytest.raises(ReaderError) as caught:
        write_texts_atomic(again)
    assert str(caught.value) == (
        f"Could not write {in_the_way}: Is a directory; the other 29 files were written."
    )
    for path, text in again:
        if path != in_the_way:
            assert path.read_text(encoding="utf-8") == text
    assert (in_the_way / "inside").read_text() == "kept"
    assert len(list((tmp_path / "out").iterdir())) == 30


def test_now_iso_is_utc_to_the_second() -> None:
    text = now_iso()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", text), text
    assert abs(datetime.fromisoformat(text) - datetime.now(UTC)) < timedelta(seconds=5)


@functools.cache
def _tree(path: Path) -> ast.Module:
    """`path`'s syntax tree, parsed once per process (the checks below only read it)."""
    return ast.parse(path.read_text(encoding="utf-8"))


def _calls(path: Path, name: str) -> list[int]:
    """Lines in `path` that call an attribute or function called `name`."""
    lines = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called == name:
                lines.append(node.lineno)
    return lines


def test_now_as_iso_text_is_written_once() -> None:
    """`isoformat(timespec="seconds")` of the current time lives in `reader.models.now_iso`."""
    found = {
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in _sources()
        for line in _calls(path, "isoformat")
        if 'timespec="seconds"' in path.read_text(encoding="utf-8").splitlines()[line - 1]
    }
    assert len(found) == 1 and next(iter(found)).startswith("models.py:"), sorted(found)


def test_files_are_replaced_only_by_the_atomic_write() -> None:
    """Every `os.replace` of a file is `reader.files.atomic_write` (the backup folder's rename
    of its finished staging folder is the one other)."""
    found = {
        f"{path.relative_to(PACKAGE).as_posix()}:{line}"
        for path in _sources()
        for line in _calls(path, "replace")
        if "os.replace(" in path.read_text(encoding="utf-8").splitlines()[line - 1]
    }
    others = {place for place in found if not place.startswith("files.py:")}
    assert len(others) <= 1 and all(place.startswith("store/") for place in others), sorted(found)
    assert not any(_calls(path, "mkstemp") for path in _sources())
