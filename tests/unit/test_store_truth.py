"""No update is lost between processes and the user is told the truth, done for real:
two `reader` processes on one database, a lock held by another process, a write that fails
part-way, a read-only folder and a full disk, with a loopback server for feeds."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers.loopback import QuietHandler, Serve

from reader.models import Annotation, Article, Block, Feed
from reader.store.database import Store, StoreError

ARABIC = "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في مدينة الرياض بسعة مئتي سرير."


def run_cli(
    db: Path, *args: str, env: dict[str, str] | None = None, limit_bytes: int = 0
) -> subprocess.CompletedProcess[str]:
    """`reader ARGS` in a new process; `limit_bytes` caps the size of any file it writes."""

    def cap() -> None:
        if limit_bytes:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "READER_DB": str(db), "COLUMNS": "120", **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
        preexec_fn=cap,
    )


def _article(article_id: str = "a1", title: str = "مقال") -> Article:
    return Article(
        id=article_id, title=title, source=f"https://example.com/{article_id}",
        blocks=[Block("paragraph", ARABIC)],
    )  # fmt: skip


def _seed(db: Path) -> None:
    with Store.open(db) as store:
        store.put_article(_article())
        store.add_annotation(
            Annotation(id="h1", article_id="a1", start=6, end=11, quote=ARABIC[6:11], note="قديمة")
        )


HOLDER = textwrap.dedent(
    """
    import sys
    from filelock import FileLock
    held = FileLock(sys.argv[1])  # the package's own lock contends with the store's
    held.acquire()
    print("locked", flush=True)
    sys.stdin.read()
    """
)


@contextmanager
def lock_held_by_another_process(db: Path) -> Iterator[None]:
    """Another process holds the database's write lock until the block ends."""
    lock = db.with_name(db.name + ".d") / "lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)


# -- reads never wait for the write lock -----------------------------------------------------


def test_list_and_feed_list_work_while_another_process_holds_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    _seed(db)
    with lock_held_by_another_process(db):
        started = time.monotonic()
        listed = run_cli(db, "list", "--json")
        feeds = run_cli(db, "feed", "list", "--json")
        took = time.monotonic() - started
    assert listed.returncode == 0, listed.stderr
    assert [(row["title"], row["highlights"]) for row in json.loads(listed.stdout)] == [("مقال", 1)]
    assert feeds.returncode == 0 and json.loads(feeds.stdout) == []
    assert took < 8, f"two reads took {took:.1f} s while the lock was held"


def test_housekeeping_is_skipped_while_the_lock_is_busy_and_done_later(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    _seed(db)
    litter = db.with_name(db.name + ".d") / ".library.json.999.dead.tmp"
    litter.write_bytes(b"half a write")
    with lock_held_by_another_process(db), Store.open(db) as store:
        assert store.get_article("a1") is not None
        assert litter.exists()  # not swept: that needs the lock, and opening does not wait
    with Store.open(db):
        assert not litter.exists()


def test_a_write_while_the_lock_is_held_says_so_in_one_sentence(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    _seed(db)
    with Store.open(db) as store, lock_held_by_another_process(db):
        store.lock_timeout_seconds = 0.2
        with pytest.raises(StoreError, match="locked by another reader process"):
            store.set_setting("theme", "dark")
        with store.without_waiting(), pytest.raises(StoreError, match="locked"):
            store.set_setting("theme", "dark")
        assert store.get_setting("theme") is None


# -- reader add reports only what was saved --------------------------------------------------


def test_add_does_not_report_an_article_whose_write_failed(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    _seed(db)
    big = tmp_path / "big.txt"
    big.write_text("عنوان طويل\n\n" + (ARABIC + "\n\n") * 2000, encoding="utf-8")
    added = run_cli(db, "add", str(big), limit_bytes=100_000)  # the body file cannot be written
    assert added.returncode == 1
    assert "Added 1 article" not in added.stdout
    assert "no room left on the disk" in added.stderr
    assert "Traceback" not in added.stderr
    with Store.open(db) as store:
        assert [s.id for s in store.list_articles()] == ["a1"]


# -- lost updates between processes ----------------------------------------------------------


CHANGER = textwrap.dedent(
    """
    import sys
    from reader.store.database import Store
    with Store.open(sys.argv[1]) as store:
        (annotation,) = store.annotations_for("a1")
        annotation.note = sys.argv[2]
        store.update_annotation(annotation)
    """
)


def test_field_update_keeps_what_another_process_saved_in_other_fields(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    _seed(db)
    with Store.open(db) as store:
        (shown,) = store.annotations_for("a1")
        subprocess.run([sys.executable, "-c", CHANGER, str(db), "جديدة"], check=True, timeout=60)
        saved = store.update_annotation_fields(shown, color=4)
        assert (saved.note, saved.color) == ("جديدة", 4)
    with Store.open(db) as store:
        (stored,) = store.annotations_for("a1")
    assert (stored.note, stored.color) == ("جديدة", 4)


def test_field_update_refuses_when_the_same_field_changed_underneath(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    _seed(db)
    with Store.open(db) as store:
        (shown,) = store.annotations_for("a1")
        subprocess.run([sys.executable, "-c", CHANGER, str(db), "من هناك"], check=True, timeout=60)
        with pytest.raises(StoreError, match="note changed in another reader process") as refused:
            store.update_annotation_fields(shown, note="من هنا")
        assert str(refused.value).endswith(".")
        same = store.update_annotation_fields(shown, note="من هناك")  # the same edit: no clash
        assert same.note == "من هناك"
        store.delete_annotation("h1")
        with pytest.raises(StoreError, match="deleted by another reader process"):
            store.update_annotation_fields(shown, color=2)
        assert store.annotations_for("a1") == []


class _HeldFeed(QuietHandler):
    """Serves one RSS feed, but only once `release` is set; `asked` is set on each request."""

    asked: threading.Event
    release: threading.Event

    def do_GET(self) -> None:
        self.asked.set()
        self.release.wait(timeout=60)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            "<title>أخبار</title><link>https://example.com/</link>"
            "<item><title>خبر</title><link>https://example.com/x1</link><guid>x1</guid>"
            "<description>نص الخبر.</description></item></channel></rss>"
        ).encode()
        self.reply(200, body, {"Content-Type": "application/rss+xml"})


def test_feed_removed_during_a_running_refresh_stays_removed(tmp_path: Path, serve: Serve) -> None:
    db = tmp_path / "reader.json"
    asked, release = threading.Event(), threading.Event()
    handler = type("Handler", (_HeldFeed,), {"asked": asked, "release": release})
    url = f"{serve(handler)}/feed"
    with Store.open(db) as store:
        store.put_feed(Feed(url=url, title="أخبار"))
    refresh = subprocess.Popen(
        [sys.executable, "-m", "reader", "--db", str(db), "refresh"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert asked.wait(timeout=60), "refresh never asked for the feed"
        removed = run_cli(db, "feed", "remove", url)
        assert removed.returncode == 0, removed.stderr
    finally:
        release.set()
        out, err = refresh.communicate(timeout=60)
    assert refresh.returncode == 0, err
    assert "stays unsubscribed" in out
    assert json.loads(run_cli(db, "feed", "list", "--json").stdout) == []
    listed = json.loads(run_cli(db, "list", "--json").stdout)
    assert [row["title"] for row in listed] == ["خبر"]  # what was fetched is kept


# -- read-only folder and full disk ----------------------------------------------------------


def _unshare_available() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /tmp"],
        capture_output=True,
    )
    return probe.returncode == 0


def _export_changed_note(db: Path, target: Path, note: str) -> None:
    """A Web Annotation file of the library's annotations with every note set to `note`."""
    exported = run_cli(db, "export", "--all", "--format", "json", "-o", str(target))
    assert exported.returncode == 0, exported.stderr
    text = target.read_text(encoding="utf-8")
    assert "قديمة" in text
    target.write_text(text.replace("قديمة", note), encoding="utf-8")


def test_import_into_a_read_only_folder_says_read_only(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    db = folder / "reader.json"
    _seed(db)
    changes = tmp_path / "notes.json"
    _export_changed_note(db, changes, "جديدة")
    command = [sys.executable, "-m", "reader", "--db", str(db), "import", str(changes)]
    if os.geteuid() == 0:
        if not _unshare_available():
            pytest.skip("running as root without unshare: cannot make a folder read-only")
        command = [
            "unshare", "-rm", "sh", "-c",
            f'mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && exec "$@"',
            "sh", *command,
        ]  # fmt: skip
    else:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir():
                path.chmod(0o555)
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
    assert result.returncode == 1
    assert "read-only" in result.stderr.splitlines()[-1]
    assert "closed" not in result.stderr
    assert "Traceback" not in result.stderr
    with Store.open(db) as store:
        assert [a.note for a in store.annotations_for("a1")] == ["قديمة"]


FULL = {"READER_MIN_FREE_BYTES": str(10**18)}
"""A free-space threshold no disk meets: the disk counts as full."""


def test_full_disk_opens_read_only_says_why_and_saves_nothing(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    _seed(db)
    listed = run_cli(db, "list", "--json", env=FULL)
    assert listed.returncode == 0, listed.stderr
    assert [row["title"] for row in json.loads(listed.stdout)] == ["مقال"]
    (notice,) = listed.stderr.splitlines()
    assert "is full" in notice and "read-only" in notice and notice.endswith(".")
    new = tmp_path / "new.txt"
    new.write_text("خبر جديد\n\n" + ARABIC, encoding="utf-8")
    added = run_cli(db, "add", str(new), env=FULL)
    assert added.returncode == 1
    assert "Added 1 article" not in added.stdout
    assert "is full" in added.stderr.splitlines()[-1]
    assert "Traceback" not in added.stderr
    with Store.open(db) as store:
        assert [s.title for s in store.list_articles()] == ["مقال"]


needs_unshare = pytest.mark.skipif(
    not _unshare_available(), reason="needs unshare -rm (user and mount namespaces) to mount tmpfs"
)


@needs_unshare
def test_really_full_disk_lists_and_refuses_add_in_one_sentence(tmp_path: Path) -> None:
    """A 512 KiB tmpfs filled to the last byte by another file."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    db = mount / "reader.json"
    new = tmp_path / "new.txt"
    new.write_text("خبر جديد\n\n" + ARABIC, encoding="utf-8")
    (tmp_path / "setup.py").write_text(
        "import sys\nfrom reader.store.database import Store\n"
        "from reader.models import Article, Block\n"
        "with Store.open(sys.argv[1]) as s:\n"
        "    blocks = [Block('paragraph', 'x')]\n"
        "    s.put_article(Article(id='a1', title='t', source='x', blocks=blocks))\n",
        encoding="utf-8",
    )
    reader = f"{sys.executable} -m reader --db {db}"
    script = (
        f"set -e; mount -t tmpfs -o size=512k tmpfs {mount}; "
        f"{sys.executable} {tmp_path / 'setup.py'} {db}; "
        f"head -c 2000000 /dev/zero > {mount}/filler 2>/dev/null || true; "
        f"echo --list--; {reader} list --json 2>&1; echo status $?; "
        f"echo --add--; {reader} add {new} 2>&1 || echo status $?"
    )
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    listed, added = result.stdout.split("--list--")[1].split("--add--")
    assert "status 0" in listed and '"title": "t"' in listed
    assert "is full" in listed and "read-only" in listed
    assert "Added 1 article" not in added and "status 1" in added
    assert "Traceback" not in result.stdout + result.stderr


# -- the fast JSON codec writes what the standard library wrote --------------------------------


def test_store_files_are_byte_for_byte_what_json_dumps_wrote(tmp_path: Path) -> None:
    from reader.store.storage import decode_json, encode_json

    awkward = {
        "arabic": ARABIC,
        "controls": "".join(map(chr, range(32))) + '\x7f"\\/\u2028\u2029\ufeff\U0001f600',
        "numbers": [0, -1, 2**70, 1.5, True, None],
        "nested": {"": [], "x": {}},
    }
    expected = json.dumps(awkward, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert encode_json(awkward) == expected
    assert decode_json(expected) == awkward
    tiny = [1e-7, 1e300, -0.0, 0.1]  # exponents are spelt differently, the values are the same
    assert decode_json(encode_json(tiny)) == json.loads(json.dumps(tiny)) == tiny
    assert decode_json(b'{"a": NaN}')["a"] != 0  # only the standard library reads NaN
    with pytest.raises(ValueError):
        decode_json(b'{"a": ')
