"""`reader import` under big and hostile files: nesting and size limits, memory, streaming."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from reader.errors import ReaderError
from reader.ingest.jsonread import CHUNK_CHARS, MAX_DEPTH
from reader.models import Article, Block
from reader.notes.importer import MAX_IMPORT_BYTES, import_annotations, import_file
from reader.store.database import Store

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"
SOURCE = "https://example.com/news/limits"


def seed_article(n: int = 0) -> Article:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    return Article(
        id=f"seed{n}",
        title="ماسك وألتمان",
        source=f"{SOURCE}/{n}",
        blocks=[Block("paragraph", line) for line in lines if line.strip()],
    )


def annotation(n: int, article: Article, start: int, length: int = 20, **extra: Any) -> Any:
    text = article.text
    return {
        "id": f"urn:uuid:00000000-0000-0000-0000-{n:012d}",
        "type": "Annotation",
        "bodyValue": f"ملاحظة {n}",
        "target": {
            "source": article.source,
            "selector": {
                "type": "TextQuoteSelector",
                "exact": text[start : start + length],
                "prefix": text[max(0, start - 16) : start],
                "suffix": text[start + length : start + length + 16],
            },
        },
        **extra,
    }


def library(tmp_path: Path, articles: int = 1) -> tuple[Path, list[Article]]:
    db = tmp_path / "db" / "reader.json"
    made = [seed_article(n) for n in range(articles)]
    with Store.open(db) as store:
        store.put_articles(made)
    return db, made


def run_import(db: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reader", "--db", str(db), "import", *map(str, files)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def stored(db: Path, article_id: str = "seed0") -> list[Any]:
    with Store.open(db) as store:
        return store.annotations_for(article_id)


def nested(levels: int) -> Any:
    value: Any = []
    for _ in range(levels - 1):
        value = [value]
    return value


# --- nesting -------------------------------------------------------------------------------


def test_100000_nested_arrays_are_refused_in_one_sentence(tmp_path: Path) -> None:
    db, _ = library(tmp_path)
    path = tmp_path / "nested.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    out = run_import(db, path)
    assert out.returncode == 1
    assert out.stderr == (
        f"reader: {path} nests arrays or objects more than {MAX_DEPTH} levels deep, "
        "more than reader reads; nothing was imported from it.\n"
    )
    assert out.stdout == ""


def test_an_item_nested_past_the_limit_refuses_the_file_and_saves_nothing(
    tmp_path: Path,
) -> None:
    """Deeper than the limit but not deep enough for Python's own recursion limit."""
    db, (article,) = library(tmp_path)
    page = {
        "type": "AnnotationPage",
        "items": [
            annotation(1, article, 100),
            annotation(2, article, 200, extra=nested(MAX_DEPTH)),
        ],
    }
    path = tmp_path / "deep-item.json"
    path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    out = run_import(db, path)
    assert out.returncode == 1
    assert f"{path} nests arrays or objects more than {MAX_DEPTH} levels deep" in out.stderr
    assert "Traceback" not in out.stderr
    assert stored(db) == []


def test_nesting_up_to_the_limit_is_imported(tmp_path: Path) -> None:
    db, (article,) = library(tmp_path)
    # page object, items array, annotation object: 3 levels around the member's value
    page = {"type": "AnnotationPage", "items": [annotation(1, article, 100, extra=nested(97))]}
    path = tmp_path / "at-limit.json"
    path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    out = run_import(db, path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"{path}: 1 placed")

    page["items"] = [annotation(2, article, 300, extra=nested(98))]
    path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    out = run_import(db, path)
    assert out.returncode == 1 and "levels deep" in out.stderr
    assert len(stored(db)) == 1


def test_a_deep_article_json_is_refused_by_add(tmp_path: Path) -> None:
    """`reader add` reads JSON articles with the same limit and the same sentence."""
    path = tmp_path / "deep.json"
    deep = "[" * 5000 + "]" * 5000
    path.write_text('{"title": "x", "content": "نص", "extra": ' + deep + "}", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "reader", "--db", str(tmp_path / "db.json"), "add", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert out.returncode == 1
    assert f"{path} nests arrays or objects more than {MAX_DEPTH} levels deep" in out.stderr
    assert "recursion" not in out.stderr


# --- size ----------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    db, _ = library(tmp_path)
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:  # sparse: takes no disk space
        handle.truncate(MAX_IMPORT_BYTES + 1)
    out = run_import(db, path)
    assert out.returncode == 1
    assert out.stderr == (
        f"reader: {path} is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB, the most "
        "reader imports from one file (split it into smaller files); nothing was imported "
        "from it.\n"
    )


_PEAK_OF_CHILD = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
sys.stderr.buffer.write(child.stderr.read())
_, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def peak_rss(db: Path, path: Path) -> int:
    """Peak resident memory of `reader import` in a child process, in bytes. It is started by
    a small Python process: on Linux a child's peak counts its parent's resident memory when
    it was forked (the peak carries over exec), and here the parent would be this test run,
    holding the file's items."""
    command = [sys.executable, "-m", "reader", "--db", str(db), "import", str(path)]
    launcher = subprocess.run(
        [sys.executable, "-c", _PEAK_OF_CHILD, *command],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    status, peak = map(int, launcher.stdout.split())
    assert status == 0, launcher.stderr
    return peak * 1024  # KiB on Linux


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss units differ")
def test_memory_stays_within_a_few_times_the_file(tmp_path: Path) -> None:
    db, articles = library(tmp_path, articles=10)
    items = []
    for n in range(20_000):
        article = articles[n % len(articles)]
        items.append(annotation(n + 1, article, 16 + (n * 37) % (len(article.text) - 64)))
    big = tmp_path / "big.json"
    big.write_text(
        json.dumps({"type": "AnnotationPage", "items": items}, ensure_ascii=False),
        encoding="utf-8",
    )
    small = tmp_path / "small.json"
    small.write_text(json.dumps(items[0], ensure_ascii=False), encoding="utf-8")
    size = big.stat().st_size
    baseline = peak_rss(db, small)
    peak = peak_rss(db, big)
    with Store.open(db) as store:
        placed = Counter(note.article_id for note in store.all_annotations())
    by_source = {article.source: article.id for article in articles}
    assert placed == Counter(by_source[item["target"]["source"]] for item in items)
    # Streaming, the import's own memory is ~3.9 times the file (the placed annotations wait
    # to be written article by article); reading the document whole makes it ~6.8 (tried).
    assert peak - baseline < 5 * size, f"{(peak - baseline) / size:.1f} x the file"


# --- streaming -----------------------------------------------------------------------------


def test_values_across_chunk_boundaries_and_longer_than_a_chunk(tmp_path: Path) -> None:
    db, (article,) = library(tmp_path)
    long_note = "ن" * (2 * CHUNK_CHARS + 17)
    items = [annotation(n + 1, article, 10 + n % 400) for n in range(6000)]
    items[3000]["bodyValue"] = long_note
    path = tmp_path / "chunks.json"
    # Pretty-printed, so whitespace and the values fall on both sides of chunk ends.
    path.write_text(
        json.dumps({"type": "AnnotationPage", "items": items}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    assert path.stat().st_size > 3 * CHUNK_CHARS
    out = run_import(db, path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"{path}: 6000 placed, 0 updated, 0 unchanged, 0 orphaned")
    notes = {a.id: a.note for a in stored(db)}
    assert notes[f"{3001:032d}"] == long_note
    assert notes[f"{6000:032d}"] == "ملاحظة 6000"


def test_a_syntax_error_far_into_the_file_names_its_line_and_column(tmp_path: Path) -> None:
    db, (article,) = library(tmp_path)
    items = [annotation(n + 1, article, 10 + n % 400) for n in range(8000)]
    text = json.dumps({"type": "AnnotationPage", "items": items}, ensure_ascii=False, indent=1)
    cut = text.index('"bodyValue"', len(text) * 3 // 4)
    broken = text[:cut] + '"bodyValue" "missing colon",' + text[cut + len('"bodyValue":') :]
    path = tmp_path / "broken.json"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(broken)
    out = run_import(db, path)
    assert out.returncode == 1
    assert out.stderr == (
        f"reader: {path} is not valid JSON "
        f"(line {expected.value.lineno}, column {expected.value.colno}); "
        "nothing was imported from it.\n"
    )
    assert stored(db) == []


SHAPES: list[Any] = [
    "single",
    "list",
    "page",
    "collection",
    "nested-lists",
    "next-by-address",
    "first-by-address",
    "not-annotations",
]


def shape(name: str, article: Article) -> Any:
    a = [annotation(n + 1, article, 40 * n + 10) for n in range(6)]
    if name == "single":
        return a[0]
    if name == "list":
        return a
    if name == "page":
        return {"type": "AnnotationPage", "label": {"x": [1, 2]}, "items": a}
    if name == "collection":
        return {
            "type": "AnnotationCollection",
            "total": 6,
            "first": {
                "type": "AnnotationPage",
                "items": a[:2],
                "next": {"items": a[2:4], "next": {"items": a[4:]}},
            },
        }
    if name == "nested-lists":
        return [a[0], [a[1], [a[2], {"items": [a[3]]}]], 7, [[[[[[[[[a[4]]]]]]]]]]]
    if name == "next-by-address":
        return {"first": {"items": a[:2], "next": "https://x.example/page2"}}
    if name == "first-by-address":
        return {"type": "AnnotationCollection", "first": "https://x.example/page1"}
    return [{"type": "Note"}, "text", None, {"items": "nothing"}, {}]


@pytest.mark.parametrize("name", SHAPES)
def test_reading_a_file_in_chunks_finds_what_reading_it_whole_finds(
    tmp_path: Path, name: str
) -> None:
    article = seed_article()
    document = shape(name, article)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    outcomes = []
    for where, run in (
        ("whole", lambda store: import_annotations(store, document)),
        ("file", lambda store: import_file(store, path)),
    ):
        with Store.open(tmp_path / where / "reader.json") as store:
            store.put_article(article)
            try:
                report = run(store)
            except ReaderError as error:
                outcomes.append(("error", str(error)))
                continue
            notes = sorted((a.id, a.quote, a.note) for a in store.annotations_for(article.id))
            outcomes.append(
                (report.placed, [(s.label, s.reason) for s in report.skipped], notes)  # type: ignore[arg-type]
            )
    assert outcomes[0] == outcomes[1]
    assert outcomes[0] != (0, [], [])


def test_a_refused_file_does_not_stop_the_next_one(tmp_path: Path) -> None:
    db, (article,) = library(tmp_path)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    good = tmp_path / "good.json"
    good.write_text(json.dumps([annotation(1, article, 50)], ensure_ascii=False), "utf-8")
    out = run_import(db, deep, good, tmp_path / "missing.json")
    assert out.returncode == 1
    assert out.stdout == f"{good}: 1 placed, 0 updated, 0 unchanged, 0 orphaned, 0 skipped.\n"
    errors = out.stderr.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"reader: {deep} nests arrays or objects")
    assert errors[1] == (
        f"reader: There is no file {tmp_path / 'missing.json'}; nothing was imported from it."
    )
    assert len(stored(db)) == 1
