"""Markdown export: golden seed document, exact round-trip through markdown-it-py, file names."""

from __future__ import annotations

import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from helpers.cli import CliRun, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from reader.entities.extractor import Extractor
from reader.errors import ReaderError
from reader.models import Annotation, Article, Block
from reader.notes.export import (
    EXPORT_DIR_SETTING,
    MAX_NAME_BYTES,
    export_article_file,
    safe_filename,
)
from reader.notes.markdown import article_markdown, combined_markdown, escape_text
from reader.store.database import Store

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"
GOLDEN = ROOT / "tests" / "fixtures" / "export" / "seed.md"
EXPORTED_AT = "2026-01-01T09:30:00+00:00"
SEED_TITLE = "إيلون ماسك يهز قطاع التكنولوجيا مرة أخرى بعرض بملايين الدولارات لشراء OpenAI"
SEED_HEADINGS = {3, 6, 9, 12}  # line numbers of the seed's sub-headings

MD = MarkdownIt("commonmark")


# --- helpers --------------------------------------------------------------------------


def seed_article() -> Article:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    blocks = [
        Block("heading" if n in SEED_HEADINGS else "paragraph", line)
        for n, line in enumerate(lines, 1)
    ]
    return Article(
        id="23062d0d2c77e25f",
        title=SEED_TITLE,
        source="seeds/000_23062d0d2c77e25f.txt",
        blocks=blocks,
        author="فريق التحرير",
        published="2025-02-11",
    )


def annotate(
    article: Article,
    quote: str,
    n: int,
    *,
    color: int = 1,
    note: str = "",
    tags: list[str] | None = None,
) -> Annotation:
    text = article.text
    start = text.index(quote)
    return Annotation(
        id=f"{n:032x}",
        article_id=article.id,
        start=start,
        end=start + len(quote),
        quote=quote,
        prefix=text[max(0, start - 32) : start],
        suffix=text[start + len(quote) : start + len(quote) + 32],
        color=color,
        note=note,
        tags=tags or [],
        created=f"2026-01-01T00:00:0{n}+00:00",
    )


def seed_annotations(article: Article) -> list[Annotation]:
    text = article.text
    # A highlight running from the end of paragraph 15 into paragraph 16.
    cross_start = text.index("محاولات أو مفاوضات جديدة في المستقبل.")
    cross_end = text.index("لا يزال الوضع مفتوحا") + len("لا يزال الوضع مفتوحا")
    cross = Annotation(
        id=f"{4:032x}",
        article_id=article.id,
        start=cross_start,
        end=cross_end,
        quote=text[cross_start:cross_end],
        color=4,
        note="# ليس عنوانًا\n\n> ولا اقتباسًا",
        created="2026-01-01T00:00:04+00:00",
    )
    orphan = Annotation(
        id=f"{5:032x}",
        article_id=article.id,
        start=10,
        end=27,
        quote="نص لم يعد موجودًا",
        color=5,
        note="ملاحظة يتيمة",
        orphan=True,
    )
    return [
        annotate(
            article,
            "لا شكرًا، ولكننا سنشتري تويتر بمبلغ 9.740 مليار دولار إذا كنت تريد ذلك.",
            2,
            color=2,
            note="ردّ ساخر من ألتمان.\nقارن بـ *تغريدة* ماسك_الأولى",
            tags=["سخرية", "تويتر"],
        ),
        orphan,
        annotate(
            article,
            "بعرض بملايين الدولارات لشراء OpenAI",
            1,
            note="عرض ضخم: 97.4 مليار؟",
            tags=["اقتصاد", "OpenAI"],
        ),
        cross,
        annotate(article, "محاولة شراء ذات تداعيات متعددة", 3, color=3),
    ]


def children_text(children: list[Token]) -> str:
    """Inline tokens back to text; anything but text and line breaks means escaping failed."""
    out = []
    for child in children:
        if child.type == "text":
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        else:
            raise AssertionError(f"unexpected inline token {child.type}: {child.markup!r}")
    return "".join(out)


@dataclass
class Parsed:
    h1: list[str] = field(default_factory=list)
    h2: list[str] = field(default_factory=list)
    highlights: list[tuple[str, str, str]] = field(default_factory=list)  # heading, quote, note


def parse_export(document: str) -> Parsed:
    """The export's structure as markdown-it-py sees it (front matter cut off first)."""
    assert document.startswith("---\n")
    end = document.index("\n---\n", 4)
    tokens = MD.parse(document[end + 5 :])
    parsed = Parsed()
    i = 0
    current: list[str] | None = None
    while i < len(tokens):
        token = tokens[i]
        assert token.type not in ("html_block", "code_block", "fence", "hr"), token.type
        if token.type == "heading_open":
            text = children_text(tokens[i + 1].children or [])
            if token.tag == "h1":
                parsed.h1.append(text)
            elif token.tag == "h2":
                parsed.h2.append(text)
            elif token.tag == "h3" and parsed.h2 and parsed.h2[-1] == "Highlights":
                current = [text, "", ""]
                parsed.highlights.append(current)  # type: ignore[arg-type]
            i += 3
            continue
        if token.type == "blockquote_open" and current is not None:
            assert tokens[i - 1].type == "heading_close", "quote must follow its heading"
            if tokens[i + 1].type == "paragraph_open":
                current[1] = children_text(tokens[i + 2].children or [])
                assert tokens[i + 4].type == "blockquote_close"
                i += 5
            else:
                assert tokens[i + 1].type == "blockquote_close"
                i += 2
            if i < len(tokens) and tokens[i].type == "paragraph_open":
                current[2] = children_text(tokens[i + 1].children or [])
                i += 3
            current = None
            continue
        source_line = i >= 2 and tokens[i - 2].type == "heading_close" and tokens[i - 2].tag == "h1"
        if token.type == "inline" and not source_line:
            children_text(token.children or [])  # every paragraph but the source line is text
        i += 1
    parsed.highlights = [tuple(h) for h in parsed.highlights]  # type: ignore[misc]
    return parsed


def front(document: str) -> dict[str, object]:
    end = document.index("\n---\n", 4)
    loaded = yaml.safe_load(document[4:end])
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store.open(tmp_path / "db" / "reader.json") as opened:
        yield opened


# --- golden file --------------------------------------------------------------------


def test_seed_export_matches_the_hand_checked_golden_file(store: Store) -> None:
    article = seed_article()
    store.put_article(article)
    for annotation in seed_annotations(article):
        store.add_annotation(annotation)
    document = article_markdown(
        store.get_article(article.id),  # type: ignore[arg-type]
        store.annotations_for(article.id),
        exported_at=EXPORTED_AT,
    )
    assert document == GOLDEN.read_text(encoding="utf-8")


def test_seed_export_structure_and_logical_text() -> None:
    article = seed_article()
    annotations = seed_annotations(article)
    document = article_markdown(article, annotations, exported_at=EXPORTED_AT)
    parsed = parse_export(document)
    assert parsed.h1 == [SEED_TITLE]
    assert parsed.h2 == ["Highlights"]
    # Reading order: by position, the orphan last.
    by_position = sorted((a for a in annotations if not a.orphan), key=lambda a: a.start)
    expected = [(a.quote, a.note) for a in [*by_position, annotations[1]]]
    assert [(q, n) for _, q, n in parsed.highlights] == expected
    headings = [h for h, _, _ in parsed.highlights]
    assert headings[0] == "1. paragraph 1 · colour 1 · tags: اقتصاد, OpenAI"
    assert headings[2] == "3. paragraph 6 · colour 3"  # the sub-heading is block 6
    assert headings[3] == "4. paragraphs 15–16 · colour 4"
    assert headings[4] == "5. not found in the current text · colour 5"
    meta = front(document)
    assert meta == {
        "title": SEED_TITLE,
        "source": "seeds/000_23062d0d2c77e25f.txt",
        "url": "",
        "author": "فريق التحرير",
        "date": "2025-02-11",
        "exported-at": EXPORTED_AT,
        "tags": ["اقتصاد", "OpenAI", "سخرية", "تويتر"],
        "reader-id": article.id,
    }
    # Logical Unicode as stored: no presentation forms, no added bidi controls.
    assert not any(0xFB50 <= ord(c) <= 0xFDFF or 0xFE70 <= ord(c) <= 0xFEFF for c in document)
    assert not set(document) & set(
        "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
    )


# --- round trip -----------------------------------------------------------------------

MARKDOWNISH = [
    "#",
    "##",
    ">",
    "*",
    "**",
    "_",
    "__",
    "[",
    "]",
    "(",
    ")",
    "`",
    "```",
    "~~~",
    "---",
    "***",
    "___",
    "===",
    "<div>",
    "</div>",
    "<!--",
    "-->",
    "&amp;",
    "&#10;",
    "&",
    "\\",
    "|",
    "- ",
    "+ ",
    "1. ",
    "2) ",
    "!",
    "[x]",
    "[!NOTE]",
    "    ",
    "\t",
    "  ",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "$",
    "%%",
    "==",
    "<http://a.b>",
    "http://x.y/_z_",
    ":",
    "#tag",
    "\u00a0",
    "\u3000",
    "\u2028",
    "\u200f",
    "\u202b",
    "\ufeff",
    "ماسك",
    "ألتمان",
    "OpenAI",
    "مُحَمَّد",
    "٩٧٫٤",
    "، ",
    "؟",
]
NOT_STORED = "".join(
    chr(code) for code in [*range(0x20), *range(0x7F, 0xA0)] if chr(code) not in "\t\n\r\x0c"
)
"""Controls the store never holds (`reader.text.sanitize`): the export writes them as references,
which CommonMark parsers read as U+FFFD, so they cannot come back exactly."""
pieces = st.one_of(
    st.sampled_from(MARKDOWNISH),
    st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters=NOT_STORED),
        max_size=6,
    ),
)
user_text = st.lists(pieces, max_size=12).map("".join)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    notes=st.lists(
        st.tuples(user_text.filter(bool), user_text, st.lists(user_text.filter(bool), max_size=2)),
        min_size=1,
        max_size=3,
    ),
    title=user_text,
)
def test_quotes_and_notes_come_back_exactly_from_markdown_it(
    notes: list[tuple[str, str, list[str]]], title: str
) -> None:
    article = Article(
        id="a1", title=title, source="https://example.com/a?b=1", blocks=[Block("paragraph", "نص")]
    )
    annotations = [
        Annotation(
            id=f"{n:032x}", article_id="a1", start=n, end=n + 1, quote=quote, note=note, tags=tags
        )
        for n, (quote, note, tags) in enumerate(notes)
    ]
    document = article_markdown(article, annotations, exported_at=EXPORTED_AT)
    parsed = parse_export(document)
    assert [(q, n) for _, q, n in parsed.highlights] == [(q, n) for q, n, _ in notes]
    assert parsed.h2 == ["Highlights"]
    assert len(parsed.h1) == 1
    meta = front(document)
    assert meta["title"] == title
    assert meta["tags"] == list(dict.fromkeys(t for _, _, tags in notes for t in tags))


@pytest.mark.parametrize(
    "text",
    [
        "a\n\nb",
        "\nلا",
        "لا\n",
        "\n\n",
        "  مسافة  ",
        "---",
        "===",
        "1. بند",
        "<div>x</div>",
        "# عنوان",
        "> اقتباس",
        "*مائل*",
        "نهاية\\",
        "&amp;",
        "\t\tشيفرة",
        "x\n---\ny",
        "[a](b)",
        "`c`",
        "a\r\nb",
    ],
)
def test_tricky_text_round_trips(text: str) -> None:
    tokens = MD.parse("\n".join("> " + line for line in escape_text(text)))
    assert [t.type for t in tokens] == [
        "blockquote_open",
        "paragraph_open",
        "inline",
        "paragraph_close",
        "blockquote_close",
    ]
    assert children_text(tokens[2].children or []) == text


def test_combined_document_has_each_article() -> None:
    first = seed_article()
    second = Article(
        id="b2", title="مقال *ثان*", source="/tmp/b.txt", blocks=[Block("paragraph", "فقرة واحدة")]
    )
    note = Annotation(id="f" * 32, article_id="b2", start=0, end=4, quote="فقرة", note="تعليق")
    document = combined_markdown(
        [(first, seed_annotations(first), None), (second, [note], None)], exported_at=EXPORTED_AT
    )
    meta = front(document)
    assert meta["articles"] == "2" and meta["exported-at"] == EXPORTED_AT
    tokens = MD.parse(document[document.index("\n---\n", 4) + 5 :])
    h1 = [
        children_text(tokens[i + 1].children or [])
        for i, t in enumerate(tokens)
        if t.tag == "h1" and t.nesting == 1
    ]
    assert h1 == [SEED_TITLE, "مقال *ثان*"]
    assert document.count("## Highlights") == 2


def test_entities_section_grouped_by_type() -> None:
    @dataclass
    class Ent:
        name: str
        type: str
        mentions: list[object]

    entities = [
        Ent("OpenAI", "ORG", [1, 2, 3]),
        Ent("إيلون ماسك", "PERSON", [1, 2]),
        Ent("97.400 مليون", "MONEY", [1]),
        Ent("سام ألتمان", "PERSON", [1]),
        Ent("*غريب*", "WEIRD", [1]),
    ]
    document = article_markdown(seed_article(), [], entities=entities, exported_at=EXPORTED_AT)
    tail = document[document.index("## Entities") :]
    tokens = MD.parse(tail)
    sections: list[tuple[str, list[str]]] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h3":
            sections.append((children_text(tokens[i + 1].children or []), []))
        elif token.type == "inline" and tokens[i - 1].type == "paragraph_open" and sections:
            sections[-1][1].append(children_text(token.children or []))
    assert sections == [
        ("People", ["[[إيلون ماسك]] (2 mentions)", "[[سام ألتمان]] (1 mention)"]),
        ("Organisations", ["[[OpenAI]] (3 mentions)"]),
        ("Money", ["[[97.400 مليون]] (1 mention)"]),
        ("WEIRD", ["[[غريب|*غريب*]] (1 mention)"]),
    ]


# --- file names and files -------------------------------------------------------------

RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{n}" for n in range(1, 10)),
    *(f"LPT{n}" for n in range(1, 10)),
}


def assert_portable(name: str) -> None:
    assert name
    assert not set(name) & set('/\\:*?"<>|')
    assert not any(unicodedata.category(c) == "Cc" for c in name)
    assert name[-1] not in ". " and name[0] not in ". "
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert name.split(".")[0].strip().upper() not in RESERVED


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ('ماسك: "لا" / نعم? <x> | y*', "ماسك لا نعم x y"),
        ("CON", "_CON"),
        ("lpt1.txt", "_lpt1.txt"),
        ("  ...عنوان...  ", "عنوان"),
        ("a\tb\nc\x07d", "a b cd"),
        ("\u202eevil\u202c.md", "evil.md"),
        ("", "article"),
        ("////", "article"),
        ("إيلون ماسك يهز قطاع التكنولوجيا", "إيلون ماسك يهز قطاع التكنولوجيا"),
    ],
)
def test_safe_filename(title: str, expected: str) -> None:
    assert safe_filename(title) == expected


def test_safe_filename_caps_bytes_without_splitting_arabic() -> None:
    name = safe_filename("مُحَمَّد " * 100)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert name.encode("utf-8").decode("utf-8") == name
    assert not unicodedata.combining(name[-1])
    assert ("مُحَمَّد " * 100).startswith(name)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300))
def test_safe_filename_is_always_portable(title: str) -> None:
    assert_portable(safe_filename(title))


def test_export_article_file_uses_the_setting_and_replaces_its_own_file(
    store: Store, tmp_path: Path
) -> None:
    article = seed_article()
    store.put_article(article)
    for annotation in seed_annotations(article):
        store.add_annotation(annotation)
    folder = tmp_path / "notes" / "deep"
    store.set_setting(EXPORT_DIR_SETTING, str(folder))
    path = export_article_file(store, article.id)
    assert path.parent == folder and path.suffix == ".md"
    assert path.name == SEED_TITLE + ".md"
    written = path.read_text(encoding="utf-8")
    meta = front(written)
    assert meta["reader-id"] == article.id
    expected = article_markdown(
        article, store.annotations_for(article.id), exported_at=str(meta["exported-at"])
    )
    assert written == expected
    # Exporting again replaces the same file; another article with the same title gets its own.
    assert export_article_file(store, article.id) == path
    twin = Article(id="twin", title=SEED_TITLE, source="/x.txt", blocks=[Block("paragraph", "نص")])
    store.put_article(twin)
    other = export_article_file(store, "twin")
    assert other.name == SEED_TITLE + " (2).md"
    assert front(path.read_text(encoding="utf-8"))["reader-id"] == article.id
    assert sorted(p.name for p in folder.iterdir()) == sorted([path.name, other.name])


def test_export_article_file_explicit_folder_and_unknown_id(store: Store, tmp_path: Path) -> None:
    article = seed_article()
    store.put_article(article)
    path = export_article_file(store, article.id, tmp_path / "here")
    assert path.parent == tmp_path / "here"
    with pytest.raises(ReaderError, match="nope"):
        export_article_file(store, "nope", tmp_path)


def test_default_folder_is_documents_reader(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "Documents"
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(docs))
    store.put_article(seed_article())
    path = export_article_file(store, seed_article().id)
    assert path.parent == docs / "reader"


# --- the command ----------------------------------------------------------------------


def run_reader(db: Path, *args: str, cwd: Path) -> CliRun:
    """`reader ARGS` run from `cwd`, whose Documents folder is the user's."""
    return run_cli(db, *args, cwd=cwd, env={"XDG_DOCUMENTS_DIR": str(cwd / "Documents")})


def test_cli_export_markdown(tmp_path: Path) -> None:
    db = tmp_path / "db" / "reader.json"
    article = seed_article()
    second = Article(
        id="b2",
        title="مقال ثان",
        source="https://example.com/b",
        blocks=[Block("paragraph", "فقرة واحدة")],
    )
    with Store.open(db) as store:
        store.put_article(article)
        store.put_article(second)
        store.put_article(
            Article(id="c3", title="بلا ملاحظات", source="/c.txt", blocks=[Block("paragraph", "x")])
        )
        for annotation in seed_annotations(article):
            store.add_annotation(annotation)
        store.add_annotation(
            Annotation(id="e" * 32, article_id="b2", start=0, end=4, quote="فقرة", note="# لا")
        )

    out = run_reader(db, "export", "2306", "-o", "-", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert [q for _, q, _ in parse_export(out.stdout).highlights] == [
        a.quote for a in sorted(seed_annotations(article), key=lambda a: (a.orphan, a.start))
    ]

    out = run_reader(db, "export", "--all", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    written = sorted(Path(line) for line in out.stdout.splitlines())
    assert [p.name for p in written] == sorted([SEED_TITLE + ".md", "مقال ثان.md"])
    assert all(p.parent == tmp_path / "Documents" / "reader" for p in written)

    out = run_reader(db, "export", "--all", "-o", "all.md", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    combined = (tmp_path / "all.md").read_text(encoding="utf-8")
    assert front(combined)["articles"] == "2"
    assert "# مقال ثان" in combined and f"# {SEED_TITLE}" in combined

    out = run_reader(db, "export", "--all", "-o", "folder/", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert len(list((tmp_path / "folder").glob("*.md"))) == 2

    for bad, message in [
        (["export"], "--all"),
        (["export", "zzz"], "zzz"),
        (["import", "missing.json"], "missing.json"),
    ]:
        out = run_reader(db, *bad, cwd=tmp_path)
        assert out.returncode == 1
        assert out.stderr.startswith("reader: ") and message in out.stderr
        assert "Traceback" not in out.stderr


def test_cli_with_entities_lists_what_the_extractor_finds(
    tmp_path: Path, extractor: Extractor
) -> None:
    db = tmp_path / "db" / "reader.json"
    article = seed_article()
    with Store.open(db) as store:
        store.put_article(article)
        for annotation in seed_annotations(article):
            store.add_annotation(annotation)
    out = run_reader(db, "export", article.id, "--with-entities", "-o", "-", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    entities = extractor.extract(article.text)
    assert entities, "the seed article names people and organisations"
    tokens = MD.parse(out.stdout[out.stdout.index("## Entities") :])
    listed: dict[str, list[str]] = {}
    heading = ""
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h3":
            heading = children_text(tokens[i + 1].children or [])
        elif token.type == "inline" and tokens[i - 1].type == "paragraph_open":
            listed.setdefault(heading, []).append(children_text(token.children or []))
    names = {
        "PERSON": "People",
        "ORG": "Organisations",
        "LOC": "Places",
        "MONEY": "Money",
        "DATE": "Dates",
        "MISC": "Other",
    }
    expected: dict[str, list[str]] = {}
    for entity in entities:
        count = len(entity.mentions)
        label = f"[[{entity.name}]] ({count} mention{'' if count == 1 else 's'})"
        expected.setdefault(names.get(entity.type, entity.type), []).append(label)
    assert listed == expected
    assert any("ماسك" in item for item in listed.get("People", []))
    out = run_reader(db, "export", article.id, "--with-entities", "--format", "json", cwd=tmp_path)
    assert out.returncode == 1 and "Markdown" in out.stderr


def test_cli_export_fsyncs_every_file_and_the_folder_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Durable as before (each file fsynced before it is renamed into place, the folder after
    the renames), with one folder fsync for the whole export instead of one a file."""
    from reader.cli import main

    db = tmp_path / "db" / "reader.json"
    with Store.open(db) as store:
        for n in range(12):
            article = Article(
                id=f"a{n}", title=f"مقال {n}", source=f"/{n}.txt", blocks=[Block("paragraph", "نص")]
            )
            store.put_article(article)
            store.add_annotation(
                Annotation(id=f"{n:032x}", article_id=article.id, start=0, end=2, quote="نص")
            )
    folder = tmp_path / "out"
    synced: list[tuple[bool, int, int]] = []  # (a folder?, its inode, exports in place by then)
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        status = os.fstat(fd)
        in_place = len(list(folder.glob("*.md"))) if folder.is_dir() else 0
        synced.append((stat.S_ISDIR(status.st_mode), status.st_ino, in_place))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    capsys.readouterr()
    assert main(["--db", str(db), "export", "--all", "-o", f"{folder}/"]) == 0
    written = [Path(line) for line in capsys.readouterr().out.splitlines()]
    monkeypatch.undo()
    assert sorted(path.name for path in written) == sorted(f"مقال {n}.md" for n in range(12))
    assert sorted(path.name for path in folder.iterdir()) == sorted(p.name for p in written)
    files_synced = {inode for is_folder, inode, _ in synced if not is_folder}
    assert {path.stat().st_ino for path in written} <= files_synced  # each before its rename
    folder_syncs = [
        n for is_folder, inode, n in synced if is_folder and inode == folder.stat().st_ino
    ]
    assert folder_syncs == [12]  # once, after every file is in place
