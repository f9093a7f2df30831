"""The store imports and locks without Unix-only modules (the README lists Windows terminals)."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from filelock import FileLock

import reader
from reader.store.database import Store, StoreError

PACKAGE = Path(reader.__file__).resolve().parent

NO_FCNTL = textwrap.dedent(
    """
    import sys, warnings
    sys.modules["fcntl"] = None  # as on Windows: `import fcntl` raises ImportError
    warnings.simplefilter("ignore")  # filelock says it falls back to a soft lock
    import reader.store.database
    import reader.cli
    print("imported")
    """
)


def test_the_package_imports_without_fcntl() -> None:
    done = subprocess.run(
        [sys.executable, "-c", NO_FCNTL], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported"


def test_no_module_of_the_package_imports_fcntl() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if "fcntl" in names:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert found == []


def test_a_filelock_held_elsewhere_keeps_writes_waiting(tmp_path: Path) -> None:
    """The store's lock is the `filelock` package's: a FileLock on the database's lock file
    holds every write back until it is released, and no write is lost."""
    db = tmp_path / "reader.json"
    with Store.open(db) as store:
        other = FileLock(str(store.folder / "lock"))
        other.acquire()
        saved = threading.Event()

        def save() -> None:
            store.set_setting("k", 1)
            saved.set()

        writer = threading.Thread(target=save)
        writer.start()
        try:
            time.sleep(0.3)
            assert not saved.is_set()
            assert store.get_setting("k") is None
        finally:
            other.release()
        writer.join(10)
        assert saved.is_set()
        assert store.get_setting("k") == 1


def test_a_closed_store_refuses_writes_in_a_sentence(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "reader.json")
    store.close()
    with pytest.raises(StoreError, match="is closed"):
        store.set_setting("k", 1)
