"""`reader add` tells the truth about what it read: JSON Lines with bad lines, front matter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from reader.store import Store


def reader(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reader", "--db", str(db), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def titles(db: Path) -> list[str]:
    with Store.open(db) as store:
        return sorted(summary.title for summary in store.list_articles())


def record(n: int) -> str:
    return json.dumps(
        {"title": f"خبر {n}", "content": f"نص الخبر رقم {n} في سطر واحد.", "url": f"https://x/{n}"},
        ensure_ascii=False,
    )


# --- JSON Lines ----------------------------------------------------------------------------


def test_a_broken_line_is_named_and_the_good_lines_are_added(tmp_path: Path) -> None:
    db = tmp_path / "db" / "reader.json"
    path = tmp_path / "news.jsonl"
    lines = [record(1), '{"title": "نصف سطر", "content": ', record(3), "", record(5)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = reader(db, "add", str(path))
    assert out.returncode == 1
    assert out.stdout == "Added 3 articles.\n"
    assert out.stderr == (
        f"reader: {path}: skipped 1 of its 4 lines (not valid JSON on line 2); "
        "the other 3 lines were read.\n"
    )
    assert titles(db) == ["خبر 1", "خبر 3", "خبر 5"]

    again = reader(db, "add", str(path))  # the good lines are found again, not doubled
    assert again.returncode == 1
    assert again.stdout == "Added 0 articles, 3 already in the library.\n"
    assert titles(db) == ["خبر 1", "خبر 3", "خبر 5"]


def test_every_kind_of_bad_line_is_named_by_number(tmp_path: Path) -> None:
    db = tmp_path / "db" / "reader.json"
    path = tmp_path / "mixed.jsonl"
    lines = [record(n) for n in range(1, 31)]
    for n in (4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26):
        lines[n - 1] = "{broken"
    lines[1] = '["an", "array"]'
    lines[2] = '{"title": "بلا نص"}'
    lines[4] = '{"content": ' + "[" * 500 + "]" * 500 + "}"
    path.write_text("\n".join(lines), encoding="utf-8")
    out = reader(db, "add", str(path))
    assert out.returncode == 1
    assert out.stderr == (
        f"reader: {path}: skipped 15 of its 30 lines (not a JSON object on line 2; "
        "no content or text field on line 3; not valid JSON on lines 4, 6, 8, 10, 12, 14, "
        "16, 18, 20, 22 and 2 more; nested more than 100 levels deep on line 5); "
        "the other 15 lines were read.\n"
    )
    assert out.stdout == "Added 15 articles.\n"
    assert len(titles(db)) == 15


def test_a_file_of_only_bad_lines_adds_nothing_and_says_why(tmp_path: Path) -> None:
    db = tmp_path / "db" / "reader.json"
    path = tmp_path / "bad.jsonl"
    path.write_text("{oops\n[1]\n", encoding="utf-8")
    out = reader(db, "add", str(path))
    assert out.returncode == 1
    assert out.stdout == "Added 0 articles.\n"
    assert out.stderr == (
        f"reader: {path} holds no article that reader can read: not valid JSON on line 1; "
        "not a JSON object on line 2.\n"
    )
