"""Durability of the store, done for real: SIGKILLed writers, two writer processes,
damaged files, a newer schema, a full disk and a read-only folder."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reader.models import Annotation, Article, Block
from reader.store.database import SCHEMA_VERSION, Store, StoreError

# A writer that acks each completed write on stdout: "ann ID", "art ID", "set KEY VALUE".
WRITER = textwrap.dedent(
    """
    import sys, uuid
    from reader.models import Annotation, Article, Block
    from reader.store.database import Store

    path, tag = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 10**9
    go = sys.argv[4] if len(sys.argv) > 4 else ""
    store = Store.open(path)

    def ack(*words):
        sys.stdout.write(" ".join(map(str, words)) + "\\n")
        sys.stdout.flush()

    ack("ready")
    if go:
        import os, time
        give_up = time.monotonic() + 30  # never outlive a failed test by much
        while not os.path.exists(go):
            if time.monotonic() > give_up:
                sys.exit(3)
            time.sleep(0.001)
    for i in range(limit):
        kind = i % 4
        if kind == 3:
            article_id = f"{tag}-{i}"
            store.put_article(Article(id=article_id, title=f"مقال {i}", source=f"s/{article_id}",
                                      blocks=[Block("paragraph", "نص " * 50 + str(i))]))
            ack("art", article_id)
        elif kind == 2:
            store.set_setting(f"counter:{tag}", i)
            ack("set", f"counter:{tag}", i)
        else:
            ann = Annotation(id=uuid.uuid4().hex, article_id=f"shared-{i % 3}", start=i, end=i + 2,
                             quote="نص", note=f"{tag} {i}")
            store.add_annotation(ann)
            ack("ann", ann.id)
    ack("done")
    """
)


class Acks:
    """Reads a writer's stdout on a thread, so acks are collected up to the moment it dies."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.endswith("\n"):  # a line cut short by the kill is not an ack
                self.lines.append(line.strip())
                self.ready.set()

    def join(self) -> list[str]:
        self._thread.join(timeout=10)
        return self.lines


@pytest.fixture
def start_writer() -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Starts writer processes and kills any still running when the test ends."""
    started: list[subprocess.Popen[str]] = []

    def start(db: Path, tag: str, *extra: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), tag, *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def check_acked(store: Store, lines: list[str]) -> int:
    """Every acked write is in the store; returns how many acks there were."""
    annotation_ids = {a.id for a in store.all_annotations()}
    acked = 0
    for line in lines:
        parts = line.split()
        if parts[0] == "ann":
            assert parts[1] in annotation_ids, f"acked annotation {parts[1]} lost"
        elif parts[0] == "art":
            article = store.get_article(parts[1])
            assert article is not None, f"acked article {parts[1]} lost"
            assert article.blocks[0].text.endswith(parts[1].split("-")[-1])
        elif parts[0] == "set":
            assert store.get_setting(parts[1], -1) >= int(parts[2]), f"setting {parts[1]} went back"
        else:
            continue
        acked += 1
    return acked


@pytest.mark.slow  # writer processes killed at random moments: about 9 s
def test_sigkill_at_random_moments_loses_no_acked_write(
    tmp_path: Path, start_writer: Callable[..., subprocess.Popen[str]]
) -> None:
    db = tmp_path / "reader.json"
    rng = random.Random(20260101)
    all_lines: list[str] = []
    deadline = time.monotonic() + 20
    kills = mid_write = 0
    while kills < 25 and time.monotonic() < deadline:
        process = start_writer(db, f"w{kills}")
        acks = Acks(process)
        assert acks.ready.wait(10), process.stderr.read() if process.stderr else ""
        time.sleep(rng.uniform(0.0, 0.12))
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        assert process.returncode == -signal.SIGKILL
        all_lines.extend(acks.join())
        kills += 1
        if any(tmp_path.rglob("*.tmp")):
            mid_write += 1  # killed between creating a temp file and renaming it
        with Store.open(db) as store:
            assert store.messages == []
            check_acked(store, all_lines)
        leftovers = [p.name for p in tmp_path.rglob("*.tmp")]
        assert leftovers == []  # swept by the open above
    print(f"{kills} kills, {mid_write} in the middle of a write")
    assert kills >= 10
    assert mid_write >= 1
    with Store.open(db) as store:
        assert check_acked(store, all_lines) > 50


def test_two_processes_lose_none_of_each_others_writes(
    tmp_path: Path, start_writer: Callable[..., subprocess.Popen[str]]
) -> None:
    db = tmp_path / "reader.json"
    go = tmp_path / "go"
    Store.open(db).close()
    writers = [start_writer(db, tag, "160", str(go)) for tag in ("left", "right")]
    readers = [Acks(w) for w in writers]
    for r in readers:
        assert r.ready.wait(10)
    go.touch()
    for w in writers:
        assert w.wait(60) == 0, w.stderr.read() if w.stderr else ""
    lines = [line for r in readers for line in r.join()]
    with Store.open(db) as store:
        assert check_acked(store, lines) == 2 * 160
        assert len(store.all_annotations()) == 2 * 80
        assert store.get_setting("counter:left") == 158
        assert store.get_setting("counter:right") == 158
        assert store.article_count() == 2 * 40


def _article(article_id: str = "a1") -> Article:
    return Article(id=article_id, title="عنوان", source="x", blocks=[Block("paragraph", "نص")])


def _seed(db: Path) -> None:
    with Store.open(db) as store:
        store.put_article(_article())
        store.add_annotation(Annotation(id="h1", article_id="a1", start=0, end=2, quote="نص"))
        store.set_setting("theme", "dark")
        store.make_backup()


def test_damaged_main_file_is_moved_aside_and_restored_from_backup(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    _seed(db)
    db.write_text('{"meta": {"schema": {"ver', encoding="utf-8")
    with Store.open(db) as store:
        assert len(store.messages) == 1
        message = store.messages[0]
        aside = sorted(tmp_path.glob("reader.json.corrupt-*"))
        assert len(aside) == 1
        assert aside[0].read_text(encoding="utf-8") == '{"meta": {"schema": {"ver'
        assert str(aside[0]) in message and "restored from the backup" in message
        assert message.count(". ") == 0 and message.endswith(".")
        assert store.get_setting("theme") == "dark"
        assert store.schema_version() == SCHEMA_VERSION
        assert [a.id for a in store.annotations_for("a1")] == ["h1"]


def test_damaged_file_without_backup_rebuilds_articles_from_their_text(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    with Store.open(db) as store:
        store.put_article(_article())
    library = tmp_path / "reader.json.d" / "library.json"
    shutil.rmtree(tmp_path / "reader.json.d" / "backups")
    library.write_bytes(b"\x00\xff not json")
    with Store.open(db) as store:
        [summary] = store.list_articles()
        article = store.get_article(summary.id)
        assert article is not None and article.text == _article().text
        assert len(store.messages) == 1
        assert "moved aside" in store.messages[0] and "no backup" in store.messages[0]
        assert "rebuilt from the saved text" in store.messages[0]
        store.put_article(_article("a2"))
        assert {s.id for s in store.list_articles()} == {summary.id, "a2"}
    assert len(list(library.parent.glob("library.json.corrupt-*"))) == 1


def test_damaged_annotation_file_found_later_is_restored(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    _seed(db)
    shard = tmp_path / "reader.json.d" / "annotations" / "a1.json"
    with Store.open(db) as store:
        shard.write_text("[1, 2", encoding="utf-8")
        assert [a.id for a in store.annotations_for("a1")] == ["h1"]
        assert len(store.messages) == 1 and "a1.json" in store.messages[0]
    assert len(list(shard.parent.glob("a1.json.corrupt-*"))) == 1


def test_newer_schema_is_opened_read_only_and_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    _seed(db)
    data = json.loads(db.read_text(encoding="utf-8"))
    data["meta"]["schema"]["version"] = SCHEMA_VERSION + 1
    db.write_text(json.dumps(data), encoding="utf-8")
    before = db.read_bytes()
    with Store.open(db) as store:
        assert store.read_only
        assert len(store.messages) == 1 and "newer version" in store.messages[0]
        assert store.get_setting("theme") == "dark"
        with pytest.raises(StoreError, match="read-only"):
            store.set_setting("theme", "light")
        with pytest.raises(StoreError):
            store.add_annotation(Annotation(id="h2", article_id="a1", start=0, end=1, quote="ن"))
    assert db.read_bytes() == before
    assert list(tmp_path.glob("reader.json.corrupt-*")) == []


def test_plain_tinydb_file_is_migrated(tmp_path: Path) -> None:
    from tinydb import TinyDB

    db = tmp_path / "reader.json"
    plain = TinyDB(db)
    plain.table("articles").insert(
        {"id": "p1", "title": "قديم", "source": "old.txt", "blocks": [["paragraph", "نص قديم"]]}
    )
    plain.table("annotations").insert(
        {"id": "n1", "article_id": "p1", "start": 0, "end": 2, "quote": "نص"}
    )
    plain.table("settings").insert({"key": "theme", "value": "dark"})
    plain.close()
    with Store.open(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
        article = store.get_article("p1")
        assert article is not None and article.text == "نص قديم"
        assert [a.id for a in store.annotations_for("p1")] == ["n1"]
        assert store.get_setting("theme") == "dark"
    assert "articles" not in json.loads(db.read_text(encoding="utf-8"))


def test_rolling_backups_are_capped(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    with Store.open(db) as store:
        for index in range(Store.backups_kept + 3):
            store.set_setting("n", index)
            store.make_backup()
        backups = sorted((tmp_path / "reader.json.d" / "backups").iterdir())
        assert len(backups) == Store.backups_kept
        newest = json.loads((backups[-1] / "db.json").read_text(encoding="utf-8"))
        assert newest["settings"]["n"]["value"] == Store.backups_kept + 2


def test_damaged_body_gives_a_sentence(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    with Store.open(db) as store:
        store.put_article(_article())
        for body in (tmp_path / "reader.json.d" / "bodies").iterdir():
            body.write_text("{", encoding="utf-8")
        with pytest.raises(StoreError, match="damaged"):
            store.get_article("a1")


# -- full disk and read-only folder ----------------------------------------------------------

FILLER = textwrap.dedent(
    """
    import sys, uuid
    from reader.errors import ReaderError
    from reader.models import Annotation, Article, Block
    from reader.store.database import Store

    store = Store.open(sys.argv[1])
    limit_bytes = int(sys.argv[2])
    if limit_bytes:
        import resource
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    try:
        for i in range(100000):
            ann = Annotation(id=f"f{i}", article_id="a1", start=i, end=i + 1, quote="ن",
                             note="ملاحظة " * 20)
            store.add_annotation(ann)
            print("ann", ann.id, flush=True)
    except ReaderError as error:
        print("error", error, flush=True)
        # The failed write must not linger in this process's cache either.
        print("visible", len(store.annotations_for("a1")), flush=True)
    """
)


def _run_filler(db: Path, limit_bytes: int, wrapper: list[str] | None = None) -> list[str]:
    command = [sys.executable, "-c", FILLER, str(db), str(limit_bytes)]
    result = subprocess.run((wrapper or []) + command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout.splitlines()


def _assert_full_disk_handled(db: Path, lines: list[str]) -> None:
    errors = [line for line in lines if line.startswith("error ")]
    assert len(errors) == 1, lines[-3:]
    assert "no room left on the disk" in errors[0]
    assert "nothing already saved was lost" in errors[0]
    acked = [line.split()[1] for line in lines if line.startswith("ann ")]
    assert len(acked) > 5
    assert f"visible {len(acked)}" in lines
    with Store.open(db) as store:
        assert {a.id for a in store.annotations_for("a1")} == set(acked)
        assert store.get_article("a1") is not None


def test_file_size_limit_mid_write_gives_one_sentence_and_loses_nothing(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes the kernel refuse the write part-way, as a full disk does (EFBIG)."""
    db = tmp_path / "reader.json"
    with Store.open(db) as store:
        store.put_article(_article())
    lines = _run_filler(db, 60_000)
    _assert_full_disk_handled(db, lines)


def _unshare_available() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /tmp"],
        capture_output=True,
    )
    return probe.returncode == 0


needs_unshare = pytest.mark.skipif(
    not _unshare_available(), reason="needs unshare -rm (user and mount namespaces) to mount tmpfs"
)


@needs_unshare
def test_really_full_disk_gives_one_sentence_and_loses_nothing(tmp_path: Path) -> None:
    """A 256 KiB tmpfs mounted in a private namespace fills up: real ENOSPC."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    db = mount / "reader.json"
    (tmp_path / "filler.py").write_text(FILLER, encoding="utf-8")
    (tmp_path / "setup.py").write_text(
        "import sys\nfrom reader.store.database import Store\n"
        "from reader.models import Article, Block\n"
        "with Store.open(sys.argv[1]) as s:\n"
        "    blocks = [Block('paragraph', 'x')]\n"
        "    s.put_article(Article(id='a1', title='t', source='x', blocks=blocks))\n",
        encoding="utf-8",
    )
    (tmp_path / "check.py").write_text(
        "import sys\nfrom reader.store.database import Store\n"
        "with Store.open(sys.argv[1]) as s:\n"
        "    print('ids', ' '.join(sorted(a.id for a in s.annotations_for('a1'))))\n"
        "    print('messages', len(s.messages))\n",
        encoding="utf-8",
    )
    python = sys.executable
    script = (
        f"set -e; mount -t tmpfs -o size=256k tmpfs {mount}; "
        f"{python} {tmp_path / 'setup.py'} {db}; "
        f"{python} {tmp_path / 'filler.py'} {db} 0; "
        f"echo --check--; {python} {tmp_path / 'check.py'} {db}"
    )
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    before, after = result.stdout.split("--check--")
    lines = before.splitlines()
    errors = [line for line in lines if line.startswith("error ")]
    assert len(errors) == 1 and "no room left on the disk" in errors[0]
    acked = {line.split()[1] for line in lines if line.startswith("ann ")}
    assert len(acked) > 5
    assert f"visible {len(acked)}" in lines
    check = dict(line.split(" ", 1) for line in after.strip().splitlines())
    assert set(check["ids"].split()) == acked
    assert check["messages"] == "0"


def _make_read_only(folder: Path) -> list[str] | None:
    """chmod for normal users; root ignores modes, so root gets a read-only bind mount."""
    if os.geteuid() != 0:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir():
                path.chmod(0o555)
        return None
    if not _unshare_available():
        pytest.skip("running as root without unshare: cannot make a folder read-only")
    return [
        "unshare",
        "-rm",
        "sh",
        "-c",
        f'mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && exec "$@"',
        "sh",
    ]


def test_read_only_folder_gives_one_sentence_and_keeps_data(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    db = folder / "reader.json"
    _seed(db)
    wrapper = _make_read_only(folder)
    try:
        lines = _run_filler(db, 0, wrapper)
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
    assert not any(line.startswith("ann ") for line in lines)
    errors = [line for line in lines if line.startswith("error ")]
    assert len(errors) == 1, lines
    assert "read-only" in errors[0] and errors[0].endswith(".")
    with Store.open(db) as store:
        assert [a.id for a in store.annotations_for("a1")] == ["h1"]
        assert store.get_setting("theme") == "dark"


def test_backup_links_unchanged_files_and_copies_changed_ones(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    with Store.open(db) as store:
        for article_id in ("a1", "a2"):
            store.put_article(_article(article_id))
            store.add_annotation(
                Annotation(id=f"h-{article_id}", article_id=article_id, start=0, end=2, quote="نص")
            )
        first = store.make_backup()
        store.add_annotation(Annotation(id="h-new", article_id="a2", start=1, end=2, quote="ص"))
        second = store.make_backup()
    unchanged = "d/annotations/a1.json"
    changed = "d/annotations/a2.json"
    assert (first / unchanged).stat().st_ino == (second / unchanged).stat().st_ino
    assert (first / changed).stat().st_ino != (second / changed).stat().st_ino
    live = tmp_path / "reader.json.d" / "annotations" / "a2.json"
    assert (second / changed).read_bytes() == live.read_bytes()
    assert "h-new" not in (first / changed).read_text(encoding="utf-8")


def test_unreferenced_bodies_are_collected_at_backup(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    bodies = tmp_path / "reader.json.d" / "bodies"
    with Store.open(db) as store:
        store.put_article(_article("a1"))
        store.make_backup()
        store.put_article(
            Article(id="a1", title="ت", source="x", blocks=[Block("paragraph", "نص جديد")])
        )
        assert len(list(bodies.iterdir())) == 2
        for _ in range(Store.backups_kept):
            store.make_backup()  # the old body is still named by the first backups
        assert len(list(bodies.iterdir())) == 1
        article = store.get_article("a1")
        assert article is not None and article.text == "نص جديد"
        store.delete_article("a1")
        for _ in range(Store.backups_kept + 1):
            store.make_backup()
        assert list(bodies.iterdir()) == []


def test_a_stuck_lock_gives_a_sentence_not_a_hang(tmp_path: Path) -> None:
    from filelock import lock_descriptor

    class Impatient(Store):
        lock_timeout_seconds = 0.2

    db = tmp_path / "reader.json"
    with Impatient.open(db) as store:
        holder = os.open(tmp_path / "reader.json.d" / "lock", os.O_RDWR)
        try:
            assert lock_descriptor(holder, blocking=False)
            began = time.monotonic()
            with pytest.raises(StoreError, match="locked by another reader process"):
                store.set_setting("k", 1)
            assert time.monotonic() - began < 5
            assert store.get_setting("k") is None
        finally:
            os.close(holder)
        store.set_setting("k", 2)
        assert store.get_setting("k") == 2


def test_a_folder_as_database_path_gives_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        Store.open(tmp_path)


def test_a_writer_killed_between_its_first_body_and_the_library_leaves_no_notice(
    tmp_path: Path,
) -> None:
    """A body is saved before the library names it; a first article cut off in between is an
    unacknowledged write, not a lost library (the SIGKILL test above hit this at random)."""
    db = tmp_path / "reader.json"
    with Store.open(db):
        pass
    body = tmp_path / "reader.json.d" / "bodies" / f"{'0' * 64}.json"
    body.write_text('[["paragraph","نص لم يكتمل حفظه"]]', encoding="utf-8")
    with Store.open(db) as store:
        assert store.messages == []
        assert store.list_articles() == []
