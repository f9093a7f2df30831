"""`reader add` tells the truth about what it read: JSON Lines with bad lines, front matter."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers.cli import run_cli

from reader.store.database import Store


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
    out = run_cli(db, "add", str(path))
    assert out.returncode == 1
    assert out.stdout == "Added 3 articles.\n"
    assert out.stderr == (
        f"reader: {path}: skipped 1 of its 4 lines (not valid JSON on line 2); "
        "the other 3 lines were read.\n"
    )
    assert titles(db) == ["خبر 1", "خبر 3", "خبر 5"]

    again = run_cli(db, "add", str(path))  # the good lines are found again, not doubled
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
    out = run_cli(db, "add", str(path))
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
    out = run_cli(db, "add", str(path))
    assert out.returncode == 1
    assert out.stdout == "Added 0 articles.\n"
    assert out.stderr == (
        f"reader: {path} holds no article that reader can read: not valid JSON on line 1; "
        "not a JSON object on line 2.\n"
    )


# --- front matter --------------------------------------------------------------------------


def added(db: Path, path: Path) -> Any:
    out = run_cli(db, "add", str(path))
    assert out.returncode == 0, out.stderr
    assert out.stdout == "Added 1 article.\n"
    with Store.open(db) as store:
        (summary,) = store.list_articles()
        return store.get_article(summary.id)


def test_front_matter_is_read_as_yaml(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        "---\n"
        'title: "\\"ابن مساعد\\".. الشمالي"\n'
        "author: 'فاطمة ''الزهراء'''\n"
        "# a comment\n"
        "date: 2024-03-15\n"
        "language: ar\n"
        "tags: [اقتصاد, 'تقنية']\n"
        "---\n"
        "نص المقال الأول في فقرة واحدة.\n",
        encoding="utf-8",
    )
    article = added(tmp_path / "db" / "reader.json", path)
    assert article.title == '"ابن مساعد".. الشمالي'
    assert article.author == "فاطمة 'الزهراء'"
    assert article.published == "2024-03-15"
    assert article.text == "نص المقال الأول في فقرة واحدة."


def test_front_matter_lists_and_values_yaml_would_retype_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text(
        "---\ntitle: yes\nauthor:\n  - سارة أحمد\n  - خالد العتيبي\nsource: 1.50\n---\n"
        "نص المقال في فقرة.\n",
        encoding="utf-8",
    )
    article = added(tmp_path / "db" / "reader.json", path)
    assert article.title == "yes"
    assert article.author == "سارة أحمد, خالد العتيبي"
    assert article.source == "1.50"


def test_malformed_front_matter_is_refused_in_one_sentence(tmp_path: Path) -> None:
    db = tmp_path / "db" / "reader.json"
    path = tmp_path / "bad.md"
    path.write_text('---\ntitle: "لم يغلق\nauthor: سارة\n---\nنص المقال.\n', encoding="utf-8")
    out = run_cli(db, "add", str(path))
    assert out.returncode == 1
    assert out.stderr.startswith(
        f"reader: {path} has front matter (between the --- lines) that is not valid YAML (line 2): "
    )
    assert out.stderr.count("\n") == 1 and out.stderr.endswith(".\n")
    assert titles(db) == []


def test_a_paragraph_between_two_rules_is_text_not_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "rules.txt"
    path.write_text("---\nهذه فقرة بين خطين: وليست بيانات\n---\nوفقرة بعدها.\n", encoding="utf-8")
    article = added(tmp_path / "db" / "reader.json", path)
    assert "هذه فقرة بين خطين: وليست بيانات" in article.text
