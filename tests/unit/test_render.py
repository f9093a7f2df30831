"""`reader render` and render_lines: the article as the terminal shows it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.cli import run_piped
from rich.cells import cell_len

from reader.text.layout import layout
from reader.text.render import paragraphs_of, render_lines

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"


ENV: dict[str, str | None] = {"READER_BIDI": None, "READER_DB": "/nonexistent/reader.json"}
"""No bidi mode from the environment, and no library (render needs none)."""


def run_reader(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """`reader ...` on pipes through the command line's entry point in this process (what a
    process on pipes writes: test_a_process_writes_what_the_entry_point_writes)."""
    with contextlib.chdir(ROOT):
        run = run_piped(args, {**ENV, **(env or {})}, stdin=stdin or b"")
    return subprocess.CompletedProcess(["reader", *args], run.status, run.stdout, run.stderr)


def run_reader_process(
    *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """`python -m reader ...` in a real subprocess."""
    environment = {key: value for key, value in os.environ.items() if key != "READER_BIDI"}
    environment["READER_DB"] = "/nonexistent/reader.json"
    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=environment,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (
            ("render", str(ROOT / "tests" / "fixtures" / "articles" / "tech.rss"), "--width", "60"),
            None,
        ),
        (("render", "--plain", "-", "--bidi", "terminal"), "\ufeffمرحبا (عالم)\nabc\n".encode()),
        (("render", "/nonexistent/article.txt"), None),
    ],
    ids=["feed", "plain-stdin", "missing"],
)
def test_a_process_writes_what_the_entry_point_writes(
    args: tuple[str, ...], stdin: bytes | None
) -> None:
    """The other tests run the entry point in this process; a process on pipes writes the same
    bytes and exits with the same status."""
    process = run_reader_process(*args, stdin=stdin)
    in_process = run_reader(*args, stdin=stdin)
    assert (in_process.returncode, in_process.stdout, in_process.stderr) == (
        process.returncode,
        process.stdout,
        process.stderr,
    )


def test_render_lines_layout_and_blank_line_between_paragraphs() -> None:
    paragraphs = ["مرحبا بالعالم", "", "hello world"]
    lines = render_lines(paragraphs, 20)
    first = layout("مرحبا بالعالم", 20)[0]
    assert lines == [" " * first.indent + first.text, "", "hello world"]
    assert all(line == line.rstrip() for line in lines)


def test_paragraphs_are_non_blank_lines() -> None:
    assert paragraphs_of("a\n\n  \nb\r\nc") == ["a", "b", "c"]


def test_render_plain_matches_render_lines(tmp_path: Path) -> None:
    result = run_reader("render", "--plain", str(SEED), "--width", "40")
    assert result.returncode == 0, result.stderr
    text = SEED.read_text(encoding="utf-8")
    expected = render_lines(paragraphs_of(text), 40)
    assert result.stdout.decode("utf-8").splitlines() == expected
    assert max(cell_len(line) for line in expected) <= 40


def test_render_reads_stdin_with_bom_and_modes() -> None:
    data = "\ufeffمرحبا (عالم)\nabc\n".encode()
    result = run_reader("render", "--plain", "-", "--width", "20", stdin=data)
    assert result.returncode == 0
    assert result.stdout.decode("utf-8").splitlines() == render_lines(["مرحبا (عالم)", "abc"], 20)
    terminal = run_reader(
        "render", "--plain", "-", "--width", "20", "--bidi", "terminal", stdin=data
    )
    assert terminal.stdout.decode("utf-8").splitlines()[0] == " " * 8 + "مرحبا (عالم)"
    via_env = run_reader(
        "render", "--plain", "-", "--width", "20", stdin=data, env={"READER_BIDI": "terminal"}
    )
    assert via_env.stdout == terminal.stdout
    global_flag = run_reader(
        "--bidi", "terminal", "render", "--plain", "-", "--width", "20", stdin=data
    )
    assert global_flag.stdout == terminal.stdout
    no_harakat = run_reader("render", "--plain", "-", "--no-harakat", stdin="عَلَمٌ\n".encode())
    assert no_harakat.stdout.decode("utf-8").strip() == "\ufee2\ufee0\ufecb"


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        (None, ["--plain"], "no such file"),
        (b"\xff\xfe\x00bad", ["--plain"], "is not UTF-8 text"),
        (None, [], "does not exist"),
        (b"\x00\x01\x02\x03binary\x00", [], "is a binary file"),
        (b"---\ntitle: [unclosed\n---\nbody\n", [], "is not valid YAML"),
        (b"  \n\n", [], "is empty"),
    ],
    ids=["plain-missing", "plain-not-utf8", "missing", "binary", "bad-front-matter", "blank"],
)
def test_bad_input_is_one_sentence(
    tmp_path: Path, content: bytes | None, options: list[str], message: str
) -> None:
    path = tmp_path / "article.txt"
    if content is not None:
        path.write_bytes(content)
    result = run_reader("render", *options, str(path))
    assert result.returncode == 1
    error = result.stderr.decode("utf-8")
    assert error.startswith("reader: ") and message in error
    assert "Traceback" not in error and error.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "options"),
    [
        ("خبر \x1b]0;pwned\x07عاجل\x1b[2J\x00 done\n", ["--plain"]),
        (
            '---\ntitle: "t\\e]0;pwned\\a"\nauthor: "\\e[2Jx"\n---\n'
            "خبر \x1b]0;pwned\x07عاجل\x1b[2J done\n",
            [],
        ),
    ],
    ids=["plain", "article"],
)
def test_escape_sequences_in_a_file_never_reach_the_terminal(
    tmp_path: Path, content: str, options: list[str]
) -> None:
    path = tmp_path / "evil.txt"
    path.write_text(content, encoding="utf-8")
    result = run_reader("render", *options, str(path), "--width", "30")
    assert result.returncode == 0, result.stderr
    assert b"\x1b" not in result.stdout and b"\x00" not in result.stdout
    assert b"\x07" not in result.stdout and b"pwned" not in result.stdout


def test_help_mentions_options() -> None:
    result = run_reader("render", "--help")
    assert result.returncode == 0
    for option in (b"--width", b"--bidi", b"--no-harakat", b"--plain"):
        assert option in result.stdout


# ------------------------------------------------------------- the article, as the app shows it

FIXTURES = ROOT / "tests" / "fixtures" / "articles"


def rendered(*args: str) -> list[str]:
    result = run_reader("render", *args)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    return result.stdout.decode("utf-8").splitlines()


def right_aligned(text: str, width: int) -> list[str]:
    """A right-to-left article's title lines: shaped, and right-aligned as the header is."""
    return [
        " " * (width - cell_len(line.strip())) + line.strip()
        for line in render_lines([text], width)
    ]


def test_front_matter_is_the_title_and_byline_not_body_text(tmp_path: Path) -> None:
    path = tmp_path / "launch.txt"
    path.write_text(
        "---\ntitle: إطلاق قمر صناعي عربي\nauthor: علي حسن\ndate: 2024-03-15\n---\n"
        "أُطلق اليوم قمر صناعي عربي جديد لرصد الطقس.\n\nويحمل القمر أجهزة استشعار متطورة.\n",
        encoding="utf-8",
    )
    lines = rendered(str(path), "--width", "50")
    body = ["أُطلق اليوم قمر صناعي عربي جديد لرصد الطقس.", "ويحمل القمر أجهزة استشعار متطورة."]
    title = right_aligned("إطلاق قمر صناعي عربي", 50)
    byline = render_lines(["\u200elaunch.txt · \u2068علي حسن\u2069 · 2024-03-15"], 50)
    assert lines == [*title, *byline, "", *render_lines(body, 50)]
    text = "\n".join(lines)
    assert "title:" not in text and "---" not in text and "author" not in text


def test_a_right_to_left_title_ends_at_the_right_edge_by_the_cells_it_draws(
    tmp_path: Path,
) -> None:
    """The title is right-aligned by the cells the layout drew it in: an emoji the cell-width
    regex of the table printer counted as one cell once pushed the line a cell too far."""
    path = tmp_path / "rocket.txt"
    path.write_text("---\ntitle: إطلاق صاروخ 🚀 جديد\n---\nنص المقال.\n", encoding="utf-8")
    for width in (30, 16):
        lines = rendered(str(path), "--width", str(width))
        title_rows = len(layout("إطلاق صاروخ 🚀 جديد", width))
        assert [cell_len(line) for line in lines[:title_rows]] == [width] * title_rows
        assert lines[:title_rows] == right_aligned("إطلاق صاروخ 🚀 جديد", width)


def test_terminal_mode_keeps_logical_text(tmp_path: Path) -> None:
    path = tmp_path / "launch.txt"
    path.write_text("---\ntitle: عنوان\nauthor: كاتب\n---\nنص المقال.\n", encoding="utf-8")
    lines = rendered(str(path), "--width", "30", "--bidi", "terminal")
    assert [line.strip() for line in lines] == ["عنوان", "launch.txt · كاتب", "", "نص المقال."]
    assert lines[0] == " " * 25 + "عنوان"


def test_html_page_prints_the_article_not_its_source() -> None:
    lines = rendered(str(FIXTURES / "solar.html"), "--width", "200", "--bidi", "terminal")
    stripped = [line.strip() for line in lines]
    assert stripped[0] == "الطاقة الشمسية تتوسع في دول الخليج"
    assert stripped[1] == "solar.html · خالد العتيبي · 2024-02-20"
    assert stripped[2] == ""
    assert stripped[3].startswith("تشهد دول الخليج العربي توسعاً كبيراً")
    assert "تحديات التخزين" in stripped
    assert "مشروع سدير في السعودية" in stripped
    text = "\n".join(lines)
    for source_only in ("<", "should never appear", "color: red", "الرئيسية", "موقع الأخبار"):
        assert source_only not in text


def test_markdown_json_and_feed(tmp_path: Path) -> None:
    guide = [line.strip() for line in rendered(str(FIXTURES / "guide.md"), "--bidi", "terminal")]
    assert guide[:3] == ["دليل القراءة السريعة", "guide.md · سارة أحمد · 2024-05-01", ""]
    assert "القراءة السريعة مهارة يمكن تعلّمها بالتدريب، كما يشرح هذا الدليل." in guide
    assert not any(line.startswith(("#", "**", "- ", "> ")) for line in guide)
    one = [line.strip() for line in rendered(str(FIXTURES / "article.json"), "--bidi", "terminal")]
    assert one == [
        "مقال واحد",
        "example.com · أ, ب · 2024-01-02",
        "",
        "فقرة بصيغة HTML.",
        "",
        "وفقرة ثانية.",
    ]
    feed = rendered(str(FIXTURES / "tech.rss"), "--bidi", "terminal", "--width", "60")
    assert feed.count("─" * 60) == 1  # two entries, one rule between them
    first, second = "\n".join(feed).split("─" * 60)
    assert first.strip().splitlines()[0].strip() == "إطلاق قمر صناعي عربي جديد"
    assert second.strip().splitlines()[:2] == [
        "Open source AI model released",
        "example.com · 2024-01-16",
    ]


def test_stdin_is_read_as_an_article() -> None:
    data = b"---\ntitle: Notes\n---\nfirst line\nsecond line\n"
    result = run_reader("render", "-", "--width", "40", stdin=data)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8").splitlines() == [
        "Notes",
        "stdin",
        "",
        "first line",
        "",
        "second line",
    ]


def test_render_loads_only_what_printing_an_article_needs(tmp_path: Path) -> None:
    """`reader render` of a text file never loads the library's store, the UI, the user data
    folder's lookup (platformdirs, for the top help's epilog), the RFC 822 date parser
    (email.utils, for dates that are not ISO) or the other commands and what they import
    (the table printer, JSON): each costs start-up time on every render."""
    path = tmp_path / "launch.txt"
    path.write_text("---\ntitle: عنوان\ndate: 2024-03-15\n---\nنص المقال.\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from reader.cli import main\n"
        f"status = main(['render', {str(path)!r}, '--width', '30'])\n"
        "loaded = ['platformdirs', 'email.utils', 'tinydb', 'filelock', 'textual', 'sqlite3',\n"
        "          'reader.store', 'reader.ui', 'reader.commands.output', 'json',\n"
        "          'reader.commands.library', 'reader.commands.search']\n"
        "print(status, [name for name in loaded if name in sys.modules], file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, cwd=ROOT, timeout=60, check=False
    )
    assert result.stderr.decode("utf-8").strip() == "0 []"
    assert "نص المقال".encode() not in result.stdout  # printed shaped, as the app shows it
    assert result.stdout.strip()


def test_the_top_help_still_names_where_the_library_is_saved() -> None:
    result = run_reader("--help")
    assert result.returncode == 0, result.stderr
    help_text = " ".join(result.stdout.decode("utf-8").split())
    assert "Your library and notes are saved in " in help_text
    assert "reader.json (change it with --db or $READER_DB)" in help_text
