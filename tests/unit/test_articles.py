"""Parsing real files of every supported format into articles."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.errors import ReaderError
from reader.ingest.articles import parse_bytes, parse_path
from reader.ingest.blocks import clean_text
from reader.ingest.decode import MAX_BYTES
from reader.ingest.formats.html import content_blocks
from reader.ingest.formats.json import PartlyRead
from reader.ingest.formats.text import parse_text
from reader.ingest.metadata import TITLE_LIMIT, article_id_for, title_from_text
from reader.ingest.sniff import detect_kind
from reader.models import Article

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "articles"
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"
CORPUS = ROOT / ".." / "shared" / "corpus" / "saudinewsnet-300.jsonl"


def one(path: Path) -> Article:
    articles = parse_path(path)
    assert len(articles) == 1
    return articles[0]


def kinds(article: Article) -> list[tuple[str, str]]:
    return [(block.kind, block.text) for block in article.blocks]


def squash(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------------ the seed


def test_seed_sub_headings_are_exactly_the_short_unpunctuated_lines() -> None:
    article = one(SEED)
    headings = [block.text for block in article.blocks if block.kind == "heading"]
    assert headings == [
        "سام ألتمان يرفض عرض ماسك لشراء OpenAI بسخرية",
        "محاولة شراء ذات تداعيات متعددة",
        "مايكروسوفت واللاعبين الرئيسيين الآخرين",
        "فصل آخر في المعركة بين ماسك وألتمان لشراء OpenAI",
    ]
    assert all(block.kind in ("heading", "paragraph") for block in article.blocks)
    assert len(article.blocks) == 16


def test_seed_text_is_the_file_exactly_and_title_is_first_heading() -> None:
    article = one(SEED)
    assert article.text == SEED.read_text(encoding="utf-8")
    assert article.title == "سام ألتمان يرفض عرض ماسك لشراء OpenAI بسخرية"
    assert (article.language, article.direction) == ("ar", "rtl")
    assert article.source == str(SEED.resolve())
    assert article.id == article_id_for(str(SEED.resolve()))


# ------------------------------------------------------------------------ plain text


def test_front_matter_gives_title_source_date_author_and_stays_out_of_the_text() -> None:
    article = one(FIXTURES / "arabic_front_matter.txt")
    assert article.title == "افتتاح مكتبة عامة جديدة في الرياض"
    assert article.source == "https://example.com/news/library-opening"
    assert article.published == "2024-03-15"
    assert article.author == "فاطمة الزهراء"
    assert "---" not in article.text and "title:" not in article.text
    assert [kind for kind, _ in kinds(article)] == [
        "paragraph",
        "paragraph",
        "heading",
        "paragraph",
        "paragraph",
    ]
    assert article.blocks[2].text == "مرافق حديثة للقراء"
    # The id follows the file, not the front-matter source, so re-adding finds it.
    assert article.id == article_id_for(str((FIXTURES / "arabic_front_matter.txt").resolve()))


def test_mixed_arabic_english_without_title_uses_first_heading() -> None:
    article = one(FIXTURES / "mixed_no_title.txt")
    assert article.title == "ردود فعل المحللين"
    assert "Tim Cook" in article.text and "iPhone 16" in article.text
    assert '"أسرع بنسبة 30%"' in article.text
    assert article.direction == "rtl"


def test_title_falls_back_to_first_sentence_cut_at_a_word() -> None:
    text = (
        "أعلنت وزارة التعليم اليوم عن خطة شاملة لتطوير المناهج الدراسية في جميع المراحل "
        "التعليمية خلال السنوات الخمس المقبلة. وتشمل الخطة تدريب المعلمين."
    )
    article = parse_text(text, source="/tmp/x.txt", label="x.txt")
    assert article.title.endswith("…")
    assert len(article.title) <= TITLE_LIMIT + 1
    words = article.title[:-1].split()
    assert text.startswith(" ".join(words))
    assert text.split()[: len(words)] == words  # whole words only
    short = parse_text("خبر قصير جدا. وتفاصيل أخرى تتبع هنا.", source="/tmp/y", label="y")
    assert short.title == "خبر قصير جدا"


def test_heading_rules_only_single_short_unpunctuated_lines_between_paragraphs() -> None:
    long_a = "هذه فقرة طويلة بما يكفي لتكون فقرة عادية في نص المقال، وتنتهي بنقطة."
    long_b = "وهذه فقرة ثانية تتبعها، وفيها كلام كثير عن الموضوع نفسه بلا عنوان."
    text = "\n".join(
        [
            long_a,
            "سطر قصير ينتهي بنقطة.",
            long_b,
            "عنوان أول",
            "عنوان ثان متتال",
            long_a,
            "سؤال قصير؟",
            long_b,
            "سطر أخير بلا نقطة",
        ]
    )
    article = parse_text(text, source="/tmp/z", label="z")
    assert [b.text for b in article.blocks if b.kind == "heading"] == []
    text2 = f"{long_a}\nعنوان فرعي حقيقي\n{long_b}"
    assert [b.kind for b in parse_text(text2, source="/t", label="t").blocks] == [
        "paragraph",
        "heading",
        "paragraph",
    ]


def test_text_in_arabic_extended_b_letters_is_right_to_left(tmp_path: Path) -> None:
    """Letters of Arabic Extended-B (U+0870-U+089F, for African and Asian languages) are
    Arabic script: such an article reads right to left, as the layout engine shapes it."""
    letters = "".join(chr(code) for code in range(0x0870, 0x0880))
    path = tmp_path / "extended.txt"
    path.write_text(f"{letters} {letters[::-1]} ok\n", encoding="utf-8")
    article = one(path)
    assert (article.language, article.direction) == ("ar", "rtl")


def test_hard_wrapped_text_joins_lines_and_first_heading_becomes_title() -> None:
    article = one(FIXTURES / "english_wrapped.txt")
    assert article.title == "The Library Opens Its Doors"
    assert [b.kind for b in article.blocks] == ["paragraph", "paragraph"]
    assert article.blocks[0].text.startswith("The new public library in Riyadh opened yesterday")
    assert article.blocks[0].text.endswith("according to the city council.")
    assert (article.language, article.direction) == ("en", "ltr")


def test_bullets_in_text_become_list_items_keeping_their_marker() -> None:
    text = "مقدمة طويلة بعض الشيء للقائمة التالية من النقاط:\n- الأولى\n- الثانية\nخاتمة القائمة."
    article = parse_text(text, source="/t", label="t")
    assert kinds(article)[1:3] == [("list_item", "- الأولى"), ("list_item", "- الثانية")]


def test_control_characters_and_escape_sequences_are_removed() -> None:
    article = one(FIXTURES / "controls.txt")
    whole = article.title + "\n" + article.text
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", whole)
    assert "[31m" not in whole and "]0;" not in whole and "\r" not in whole
    assert article.title == "عنوان أحمر"
    assert article.blocks[0].text == "فقرة فيها رمز تحكم ونهاية سطر ويندوز."
    assert article.blocks[1].text == "وفقرة أخرى بعد تسلسل OSC."


def test_clean_text_keeps_arabic_format_characters() -> None:
    text = "لا\u200cإله \u200fRTL\u200e \u202bمضمن\u202c"
    assert clean_text(text) == text
    assert clean_text("a\tb\r\nc\x1b[1md\x9b2Je\x00f\x0cg\u2028h") == "a   b\ncdef g\nh"


# ------------------------------------------------------------------------ encodings


@pytest.mark.parametrize(
    ("name", "title", "first"),
    [
        (
            "windows1256.txt",
            "تقرير عن الاقتصاد المحلي",
            "ارتفعت أسعار النفط اليوم بنسبة اثنين في المئة بعد قرار منظمة أوبك خفض الإنتاج.",
        ),
        (
            "iso8859_6.txt",
            "أخبار الطقس",
            "يتوقع أن تشهد المنطقة الشرقية أمطاراً غزيرة يوم الخميس مع رياح نشطة.",
        ),
        (
            "utf16.txt",
            "رسالة من القارئ",
            "أكتب إليكم لأشكركم على التغطية المميزة لأخبار المنطقة خلال الأسبوع الماضي.",
        ),
        (
            "utf8_bom.txt",
            "خبر قصير",
            "هذا نص مكتوب بترميز UTF-8 مع علامة ترتيب البايت في بدايته.",
        ),
    ],
)
def test_encodings_are_detected(name: str, title: str, first: str) -> None:
    article = one(FIXTURES / name)
    assert article.title == title
    assert article.blocks[0].text == first
    assert "\ufeff" not in article.text


def test_utf16_big_endian_with_bom() -> None:
    data = "\ufeffعنوان\nنص المقال هنا بترميز آخر.".encode("utf-16-be")
    [article] = parse_bytes(data, source="/tmp/be.txt")
    assert article.title == "عنوان"
    assert article.text == "نص المقال هنا بترميز آخر."


# ------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("binary.txt", "is a binary file"),
        ("empty.txt", "is empty"),
        ("broken.jsonl", "not valid JSON on line 2"),
    ],
)
def test_bad_files_get_one_sentence_naming_the_file(name: str, phrase: str) -> None:
    with pytest.raises(ReaderError) as caught:
        parse_path(FIXTURES / name)
    message = str(caught.value)
    assert name in message and phrase in message
    assert "\n" not in message and message.endswith(".")


def test_missing_file_folder_and_whitespace_only(tmp_path: Path) -> None:
    with pytest.raises(ReaderError, match=r"nope\.txt does not exist\."):
        parse_path(tmp_path / "nope.txt")
    with pytest.raises(ReaderError, match="is a folder"):
        parse_path(tmp_path)
    blank = tmp_path / "blank.txt"
    blank.write_text(" \n\n\t\n", encoding="utf-8")
    with pytest.raises(ReaderError, match=r"blank\.txt is empty\."):
        parse_path(blank)


def test_over_cap_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(ReaderError, match=r"big\.txt is larger than 50 MB\."):
        parse_path(big)


def test_undecodable_bytes_are_refused() -> None:
    noise = bytes(range(1, 9)) * 200 + bytes(range(14, 27)) * 200
    with pytest.raises(ReaderError, match=r"noise\.txt"):
        parse_bytes(noise, source="/tmp/noise.txt", name="noise.txt")


# ------------------------------------------------------------------------ Markdown, HTML


def test_markdown_blocks_links_and_front_matter() -> None:
    article = one(FIXTURES / "guide.md")
    assert article.title == "دليل القراءة السريعة"
    assert article.author == "سارة أحمد"
    assert article.published == "2024-05-01"
    assert kinds(article) == [
        ("paragraph", "القراءة السريعة مهارة يمكن تعلّمها بالتدريب، كما يشرح هذا الدليل."),
        ("heading", "الخطوات الأساسية"),
        ("list_item", "حدّد هدفك من القراءة"),
        ("list_item", "تجنّب تكرار الكلمات في ذهنك"),
        ("list_item", "استخدم إصبعك دليلاً للعين"),
        ("quote", "القراءة غذاء العقل، كما يقول المثل."),
        ("list_item", "الأسبوع الأول: عشر دقائق يومياً"),
        ("list_item", "الأسبوع الثاني: عشرون دقيقة"),
        ("paragraph", "صورة توضيحية"),
    ]
    assert "https://example.com" not in article.text and "**" not in article.text


def test_html_main_text_metadata_and_no_boilerplate() -> None:
    article = one(FIXTURES / "solar.html")
    assert article.title == "الطاقة الشمسية تتوسع في دول الخليج"
    assert article.author == "خالد العتيبي"
    assert article.published.startswith("2024-02-20")
    assert (article.language, article.direction) == ("ar", "rtl")
    assert ("heading", "تحديات التخزين") in kinds(article)
    assert ("quote", "المستقبل للطاقة النظيفة، ولا عودة إلى الوراء.") in kinds(article)
    assert [t for k, t in kinds(article) if k == "list_item"] == [
        "محطة نور أبوظبي",
        "مشروع سدير في السعودية",
    ]
    assert "ACWA Power" in article.text
    for boilerplate in ("الرئيسية", "جميع الحقوق", "tracking", "color: red"):
        assert boilerplate not in article.text


def test_html_by_content_type_and_sniffing() -> None:
    page = (FIXTURES / "solar.html").read_bytes()
    assert detect_kind(page, content_type="text/html; charset=utf-8") == "html"
    assert detect_kind(page, name="https://example.com/article") == "html"
    rss = (FIXTURES / "tech.rss").read_bytes()
    assert detect_kind(rss, content_type="text/xml") == "feed"
    assert detect_kind(rss, name="https://example.com/feed") == "feed"
    assert detect_kind(b"# Title\n\ntext", content_type="text/markdown") == "markdown"
    assert detect_kind(b"plain words", name="notes") == "text"


# ------------------------------------------------------------------------ JSON


def test_jsonl_records_in_the_saudinewsnet_shape() -> None:
    articles = parse_path(FIXTURES / "news.jsonl")
    assert [a.title for a in articles] == ['خبر "أول"', "خبر ثانٍ"]
    first, second = articles
    assert first.source == first.entry_id == "https://example.com/a"
    assert first.id == article_id_for("https://example.com/a", "https://example.com/a")
    assert first.published == "2015-07-21T02:44:11"
    assert first.author == "محرر"
    assert kinds(first) == [
        ("paragraph", "الفقرة الأولى من الخبر."),
        ("paragraph", "الفقرة الثانية من الخبر."),
    ]
    # Runs of spaces and no-break spaces mark paragraphs in scraped text.
    assert [b.text for b in second.blocks] == ["نص الخبر الثاني.", "فقرة بعد فاصل المسافات."]


def test_json_object_with_html_text_and_author_list() -> None:
    article = one(FIXTURES / "article.json")
    assert article.title == "مقال واحد"
    assert article.source == "https://example.com/one"
    assert article.author == "أ, ب"
    assert article.published == "2024-01-02T03:04:05+00:00"
    assert [b.text for b in article.blocks] == ["فقرة بصيغة HTML.", "وفقرة ثانية."]


def test_json_lines_record_without_content_is_skipped_and_named(tmp_path: Path) -> None:
    path = tmp_path / "partial.jsonl"
    path.write_text('{"title": "a", "content": "نص"}\n{"title": "b"}\n', encoding="utf-8")
    with pytest.raises(PartlyRead) as caught:
        parse_path(path)
    assert str(caught.value) == (
        f"{path}: skipped 1 of its 2 lines (no content or text field on line 2); "
        "the other line was read."
    )
    assert [article.title for article in caught.value.articles] == ["a"]


def test_json_array_record_without_content_fails_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "partial.json"
    path.write_text('[{"title": "a", "content": "نص"}, {"title": "b"}]', encoding="utf-8")
    with pytest.raises(ReaderError, match=r"partial\.json \(entry 2\) has no content"):
        parse_path(path)


# ------------------------------------------------------------------------ ids


def test_article_ids_are_stable_short_hex_and_source_specific() -> None:
    a = article_id_for("/home/u/a.txt")
    assert a == article_id_for("/home/u/a.txt")
    assert re.fullmatch(r"[0-9a-f]{16}", a)
    assert a != article_id_for("/home/u/b.txt")
    assert article_id_for("feed", "entry-1") == article_id_for("other feed", "entry-1")


# ------------------------------------------------------------------------ properties

_text = st.text(
    alphabet=st.sampled_from([*"ابتثجحخ دذرزسشصض.،؟!\n\t\r\x1b\x07ab12 ", "\u00a0"]),
    min_size=1,
    max_size=300,
)


@settings(max_examples=150, deadline=None)
@given(_text)
def test_content_blocks_keep_every_visible_character(text: str) -> None:
    blocks = content_blocks(text)
    joined = "\n".join(b.text for b in blocks)
    assert squash(joined) == squash(clean_text(text))
    for block in blocks:
        assert block.text and "\n" not in block.text
        assert block.text == block.text.strip()
        assert not any(unicodedata.category(ch) == "Cc" for ch in block.text)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=400))
def test_title_is_a_word_prefix_within_the_limit(text: str) -> None:
    title = title_from_text(text)
    assert len(title) <= TITLE_LIMIT + 1
    core = title.removesuffix("…").rstrip()
    first_line = text.strip().split("\n", 1)[0].strip()
    assert first_line.startswith(core)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_parse_text_never_crashes_and_blocks_are_clean(text: str) -> None:
    try:
        article = parse_text(text, source="/tmp/p.txt", label="p.txt")
    except ReaderError as error:
        assert "p.txt" in str(error)
        return
    assert article.blocks
    for block in article.blocks:
        assert "\n" not in block.text and block.text.strip() == block.text
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", block.text)


# ------------------------------------------------------------------------ corpus


@pytest.mark.corpus
def test_corpus_articles_keep_their_text() -> None:
    if not CORPUS.is_file():
        pytest.skip("../shared/corpus is absent")
    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    articles = parse_path(CORPUS)
    assert len(articles) == len(records) == 300
    assert len({a.id for a in articles}) == 300
    for record, article in zip(records, articles, strict=True):
        assert squash(article.text) == squash(clean_text(record["content"]))
        assert article.source == record["url"]
        assert article.direction == "rtl"
        assert "&quot;" not in article.title


def test_windows_1256_web_page_and_a_page_with_little_text() -> None:
    page = (
        '<html><head><meta charset="windows-1256"><title>صفحة</title></head>'
        "<body><p>نص قصير بترميز ويندوز العربي.</p></body></html>"
    ).encode("cp1256")
    [article] = parse_bytes(page, source="https://example.com/a", content_type="text/html")
    assert article.title == "صفحة"
    assert article.text == "نص قصير بترميز ويندوز العربي."
    with pytest.raises(ReaderError, match=r"https://example\.com/empty has no article text\."):
        parse_bytes(
            b"<html><body><script>x()</script></body></html>",
            source="https://example.com/empty",
            content_type="text/html",
        )
