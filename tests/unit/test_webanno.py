"""Web Annotation JSON-LD: our export, reading it back, and files other tools write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import CliRun, run_cli

from reader.errors import ReaderError
from reader.models import Annotation, Article, Block
from reader.notes.importer import import_annotations, import_file
from reader.notes.webanno import ANNO_CONTEXT, collection_json, collection_text, local_id
from reader.store.database import Store

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"
SOURCE = "https://example.com/news/musk-openai"
EXPORTED_AT = "2026-01-01T09:30:00+00:00"
QUOTE = "لا شكرًا، ولكننا سنشتري تويتر بمبلغ 9.740 مليار دولار إذا كنت تريد ذلك."


def seed_article(source: str = SOURCE, article_id: str = "seed") -> Article:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    return Article(
        id=article_id,
        title="ماسك وألتمان",
        source=source,
        blocks=[Block("paragraph", line) for line in lines],
    )


def make(article: Article, quote: str, n: int, **extra: Any) -> Annotation:
    text = article.text
    start = text.index(quote)
    end = start + len(quote)
    return Annotation(
        id=f"{n:032x}",
        article_id=article.id,
        start=start,
        end=end,
        quote=quote,
        prefix=text[max(0, start - 32) : start],
        suffix=text[end : end + 32],
        **extra,
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store.open(tmp_path / "a" / "reader.json") as opened:
        yield opened


@pytest.fixture
def other(tmp_path: Path) -> Store:
    with Store.open(tmp_path / "b" / "reader.json") as opened:
        yield opened


def as_tuple(a: Annotation) -> tuple[object, ...]:
    return (a.id, a.article_id, a.start, a.end, a.quote, a.note, a.tags, a.color, a.orphan)


def annotated(store: Store) -> tuple[Article, list[Annotation]]:
    article = seed_article()
    store.put_article(article)
    notes = [
        make(
            article,
            QUOTE,
            1,
            color=2,
            note="ردّ ساخر\n\nسطر ثان",
            tags=["سخرية", "تويتر"],
            created="2026-01-01T00:00:00+00:00",
            updated="2026-01-02T00:00:00+00:00",
        ),
        make(article, "OpenAI", 2, color=5),
        make(article, "مايكروسوفت", 3, note="شريك"),
    ]
    for annotation in notes:
        store.add_annotation(annotation)
    return article, store.annotations_for(article.id)


# --- export -------------------------------------------------------------------------------


def test_export_follows_the_web_annotation_model(store: Store) -> None:
    article, notes = annotated(store)
    data = collection_json([(article, notes)], exported_at=EXPORTED_AT)
    assert data["@context"] == ANNO_CONTEXT
    assert data["type"] == "AnnotationCollection"
    assert data["total"] == 3
    page = data["first"]
    assert page["type"] == "AnnotationPage" and page["startIndex"] == 0
    first = next(item for item in page["items"] if item["id"].endswith("0001"))
    assert first["@context"] == ANNO_CONTEXT
    assert first["type"] == "Annotation"
    assert first["id"] == "urn:uuid:00000000-0000-0000-0000-000000000001"
    assert first["created"] == "2026-01-01T00:00:00+00:00"
    assert first["modified"] == "2026-01-02T00:00:00+00:00"
    assert first["body"] == [
        {
            "type": "TextualBody",
            "value": "ردّ ساخر\n\nسطر ثان",
            "format": "text/plain",
            "purpose": "commenting",
        },
        {"type": "TextualBody", "value": "سخرية", "purpose": "tagging"},
        {"type": "TextualBody", "value": "تويتر", "purpose": "tagging"},
    ]
    target = first["target"]
    assert target["source"] == SOURCE
    assert target["styleClass"] == "reader-colour-2"
    assert ".reader-colour-2" in first["stylesheet"]["value"]
    quote, position = target["selector"]
    assert quote["type"] == "TextQuoteSelector" and quote["exact"] == QUOTE
    assert article.text.endswith(quote["suffix"], 0, position["end"] + len(quote["suffix"]))
    assert article.text[position["start"] : position["end"]] == QUOTE
    assert article.text[: position["start"]].endswith(quote["prefix"])
    # A highlight without note or tags has no body.
    bare = next(item for item in page["items"] if item["id"].endswith("0002"))
    assert "body" not in bare and bare["motivation"] == "highlighting"
    # The JSON text is that same document, with Arabic written as itself.
    text = collection_text([(article, notes)], exported_at=EXPORTED_AT)
    assert json.loads(text) == data
    assert QUOTE in text
    empty = collection_text([(article, [])], exported_at=EXPORTED_AT)
    assert json.loads(empty)["first"]["items"] == []


def test_file_sources_become_file_uris_and_orphans_lose_their_position(tmp_path: Path) -> None:
    article = seed_article(source=str(tmp_path / "مقال.txt"))
    orphan = Annotation(
        id="a" * 32, article_id=article.id, start=3, end=9, quote="غائب", orphan=True
    )
    item = collection_json([(article, [orphan])], exported_at=EXPORTED_AT)["first"]["items"][0]
    assert item["target"]["source"] == (tmp_path / "مقال.txt").as_uri()
    assert [s["type"] for s in item["target"]["selector"]] == ["TextQuoteSelector"]


# --- round trip ---------------------------------------------------------------------------


def test_round_trip_into_another_library_and_idempotent(
    store: Store, other: Store, tmp_path: Path
) -> None:
    article, notes = annotated(store)
    other.put_article(seed_article())
    path = tmp_path / "notes.json"
    path.write_text(collection_text([(article, notes)], exported_at=EXPORTED_AT), encoding="utf-8")

    report = import_file(other, path)
    assert (report.placed, report.orphaned, len(report.skipped)) == (3, 0, 0)
    assert [as_tuple(a) for a in other.annotations_for(article.id)] == [as_tuple(a) for a in notes]
    imported = {a.id: a for a in other.annotations_for(article.id)}
    assert imported[f"{1:032x}"].created == "2026-01-01T00:00:00+00:00"
    assert imported[f"{1:032x}"].updated == "2026-01-02T00:00:00+00:00"

    shard = other.annotations_dir / "seed.json"
    before = (shard.read_bytes(), shard.stat().st_mtime_ns)
    again = import_file(other, path)
    assert (again.placed, again.updated, again.unchanged, again.orphaned) == (0, 0, 3, 0)
    assert again.skipped == []
    assert [as_tuple(a) for a in other.annotations_for(article.id)] == [as_tuple(a) for a in notes]
    assert (shard.read_bytes(), shard.stat().st_mtime_ns) == before  # not even rewritten


def test_import_reanchors_into_changed_text(store: Store, other: Store) -> None:
    article, notes = annotated(store)
    data = collection_json([(article, notes)], exported_at=EXPORTED_AT)
    changed = seed_article()
    changed.blocks.insert(0, Block("paragraph", "فقرة جديدة أضيفت في أول المقال."))
    changed.blocks = [b for b in changed.blocks if "مايكروسوفت" not in b.text]
    other.put_article(changed)
    report = import_annotations(other, data)
    assert (report.placed, report.orphaned) == (2, 1)
    placed = {a.id: a for a in other.annotations_for(changed.id)}
    for annotation in placed.values():
        if annotation.orphan:
            assert annotation.quote == "مايكروسوفت" and annotation.note == "شريك"
        else:
            assert changed.text[annotation.start : annotation.end] == annotation.quote


# --- re-import: updating what was edited elsewhere ------------------------------------------


def item_by_id(data: dict[str, Any], n: int) -> dict[str, Any]:
    item: dict[str, Any] = next(
        i for i in data["first"]["items"] if i["id"] == f"urn:uuid:00000000-0000-0000-0000-{n:012x}"
    )
    return item


def test_reimport_updates_edited_note_tags_and_colour_on_disk(tmp_path: Path) -> None:
    first, second = tmp_path / "one" / "reader.json", tmp_path / "two" / "reader.json"
    with Store.open(first) as store:
        article, notes = annotated(store)
    data = collection_json([(article, notes)], exported_at=EXPORTED_AT)
    with Store.open(second) as store:
        store.put_article(seed_article())
        assert import_annotations(store, data).placed == 3

    edited = json.loads(json.dumps(data))
    one = item_by_id(edited, 1)
    one["body"] = [
        {"type": "TextualBody", "value": "ملاحظة عدّلت في أداة أخرى", "purpose": "commenting"},
        {"type": "TextualBody", "value": "تويتر", "purpose": "tagging"},
        {"type": "TextualBody", "value": "مال", "purpose": "tagging"},
    ]
    one["modified"] = "2026-02-03T04:05:06+00:00"
    item_by_id(edited, 2)["target"]["styleClass"] = "reader-colour-4"
    del item_by_id(edited, 3)["body"]  # the note was removed elsewhere
    with Store.open(second) as store:
        report = import_annotations(store, edited)
    assert (report.placed, report.updated, report.unchanged, report.orphaned) == (0, 3, 0, 0)
    assert report.skipped == [] and report.total == 3

    with Store.open(second) as store:  # read back from the files, not from memory
        back = {a.id: a for a in store.annotations_for(article.id)}
    assert len(back) == 3
    one_back = back[f"{1:032x}"]
    assert one_back.note == "ملاحظة عدّلت في أداة أخرى"
    assert one_back.tags == ["تويتر", "مال"]
    assert one_back.color == 2 and one_back.quote == QUOTE and not one_back.orphan
    assert one_back.created == "2026-01-01T00:00:00+00:00"
    assert one_back.updated == "2026-02-03T04:05:06+00:00"
    assert back[f"{2:032x}"].color == 4 and back[f"{2:032x}"].note == ""
    assert back[f"{3:032x}"].note == "" and back[f"{3:032x}"].quote == "مايكروسوفت"

    with Store.open(second) as store:
        again = import_annotations(store, edited)
    assert (again.updated, again.unchanged) == (0, 3)


def test_reimport_moves_a_quote_only_when_it_reanchors(store: Store) -> None:
    article, notes = annotated(store)
    data = collection_json([(article, notes)], exported_at=EXPORTED_AT)
    text = article.text
    moved = json.loads(json.dumps(data))
    selectors = item_by_id(moved, 2)["target"]["selector"]
    selectors[0] = {"type": "TextQuoteSelector", "exact": "ماسك"}
    del selectors[1]
    lost = item_by_id(moved, 3)
    lost["target"]["selector"] = [{"type": "TextQuoteSelector", "exact": "نص غير موجود هنا"}]
    lost["body"][0]["value"] = "شريك استراتيجي"
    report = import_annotations(store, moved)
    assert (report.updated, report.unchanged, report.orphaned) == (2, 1, 0)
    back = {a.id: a for a in store.annotations_for(article.id)}
    two = back[f"{2:032x}"]
    assert (two.start, two.end, two.quote) == (text.index("ماسك"), text.index("ماسك") + 4, "ماسك")
    assert two.prefix == text[max(0, two.start - 32) : two.start] and two.color == 5
    three = back[f"{3:032x}"]  # the new quote is nowhere: the note changes, the place stays
    assert three.note == "شريك استراتيجي" and not three.orphan
    assert three.quote == "مايكروسوفت" and text[three.start : three.end] == "مايكروسوفت"


def test_reimport_without_positions_does_not_move_a_repeated_quote(store: Store) -> None:
    article = seed_article()
    store.put_article(article)
    text = article.text
    second = text.index("OpenAI", text.index("OpenAI") + 1)
    here = make(article, "OpenAI", 7, note="الثانية")
    here.start, here.end = second, second + 6
    here.prefix, here.suffix = text[second - 32 : second], text[second + 6 : second + 38]
    store.add_annotation(here)
    data = foreign(selector={"type": "TextQuoteSelector", "exact": "OpenAI"})
    data["id"] = f"urn:uuid:00000000-0000-0000-0000-{7:012x}"
    data["bodyValue"] = "الثانية، بعد التعديل"
    report = import_annotations(store, data)
    assert report.updated == 1
    (back,) = store.annotations_for(article.id)
    assert (back.start, back.note) == (second, "الثانية، بعد التعديل")


def test_reimport_from_another_tool_keeps_the_colour_it_does_not_know(store: Store) -> None:
    article, notes = annotated(store)
    data = collection_json([(article, notes)], exported_at=EXPORTED_AT)
    for item in data["first"]["items"]:
        del item["target"]["styleClass"], item["stylesheet"]
    report = import_annotations(store, data)
    assert (report.updated, report.unchanged) == (0, 3)
    assert [a.color for a in store.annotations_for(article.id)] == [a.color for a in notes]


def test_an_id_of_another_articles_annotation_is_skipped(store: Store) -> None:
    article, notes = annotated(store)
    elsewhere = seed_article(source="https://example.com/other", article_id="other")
    store.put_article(elsewhere)
    one = next(a for a in notes if a.id == f"{1:032x}")
    data = collection_json([(elsewhere, [one])], exported_at=EXPORTED_AT)
    item_by_id(data, 1)["body"][0]["value"] = "لا ينبغي أن تصل"
    report = import_annotations(store, data)
    assert (report.placed, report.updated, report.unchanged) == (0, 0, 0)
    assert [(s.label, s.reason) for s in report.skipped] == [
        (
            "urn:uuid:00000000-0000-0000-0000-000000000001",
            "an annotation with this id is already in the library on another article",
        )
    ]
    assert store.annotations_for(elsewhere.id) == []
    assert [as_tuple(a) for a in store.annotations_for(article.id)] == [as_tuple(a) for a in notes]


def test_a_repeated_id_in_one_file_is_skipped(store: Store) -> None:
    article, notes = annotated(store)
    one = next(a for a in notes if a.id == f"{1:032x}")
    data = collection_json([(article, [one])], exported_at=EXPORTED_AT)
    copy = json.loads(json.dumps(item_by_id(data, 1)))
    copy["body"][0]["value"] = "نسخة ثانية"
    data["first"]["items"].append(copy)
    report = import_annotations(store, data)
    assert report.unchanged == 1 and report.updated == 0
    assert report.reasons() == {"an earlier annotation in the file has the same id": 1}
    assert {a.id: a.note for a in store.annotations_for(article.id)}[one.id] == one.note


def test_presentation_forms_come_in_as_logical_text(store: Store) -> None:
    import arabic_reshaper

    article = seed_article()
    store.put_article(article)
    data = foreign(selector={"type": "TextQuoteSelector", "exact": arabic_reshaper.reshape("ماسك")})
    data["body"] = [
        {
            "type": "TextualBody",
            "value": arabic_reshaper.reshape("ملاحظة"),
            "purpose": "commenting",
        },
        {"type": "TextualBody", "value": "\ufdf2", "purpose": "tagging"},
    ]
    assert import_annotations(store, data).placed == 1
    (annotation,) = store.annotations_for(article.id)
    assert (annotation.quote, annotation.note, annotation.tags) == ("ماسك", "ملاحظة", ["الله"])
    assert article.text[annotation.start : annotation.end] == "ماسك"
    logical_data = foreign(selector={"type": "TextQuoteSelector", "exact": "ماسك"})
    logical_data["body"] = [
        {"type": "TextualBody", "value": "ملاحظة", "purpose": "commenting"},
        {"type": "TextualBody", "value": "الله", "purpose": "tagging"},
    ]
    assert import_annotations(store, logical_data).unchanged == 1


# --- other tools' files -------------------------------------------------------------------


def foreign(**target: Any) -> dict[str, Any]:
    return {
        "@context": ANNO_CONTEXT,
        "id": "https://annotations.example/a/1",
        "type": "Annotation",
        "target": {"source": SOURCE, **target},
    }


def test_single_annotation_with_only_a_quote_uses_its_context(store: Store) -> None:
    article = seed_article()
    store.put_article(article)
    text = article.text
    second = text.index("OpenAI", text.index("OpenAI") + 1)
    data = foreign(
        selector={
            "type": "TextQuoteSelector",
            "exact": "OpenAI",
            "prefix": text[second - 10 : second],
            "suffix": text[second + 6 : second + 12],
        }
    )
    data["bodyValue"] = "ملاحظة من أداة أخرى"
    data["body"] = [
        {"type": "TextualBody", "value": "وسم", "purpose": "tagging"},
        "https://example.com/x",
    ]
    report = import_annotations(store, data)
    assert report.placed == 1
    (annotation,) = store.annotations_for(article.id)
    assert (annotation.start, annotation.end) == (second, second + 6)
    assert annotation.note == "ملاحظة من أداة أخرى" and annotation.tags == ["وسم"]
    assert annotation.id == local_id("https://annotations.example/a/1")
    again = import_annotations(store, data)  # same IRI, same local id
    assert (again.placed, again.unchanged) == (0, 1)


def test_position_only_selector_takes_the_quote_from_the_article(store: Store) -> None:
    article = seed_article()
    store.put_article(article)
    data = foreign(selector={"type": "TextPositionSelector", "start": 0, "end": 10})
    del data["id"]  # no id: derived from the content, still idempotent
    assert import_annotations(store, [data]).placed == 1
    (annotation,) = store.annotations_for(article.id)
    assert annotation.quote == article.text[:10]
    assert import_annotations(store, [data]).unchanged == 1
    assert len(store.annotations_for(article.id)) == 1


def test_collections_pages_lists_and_keyword_forms(store: Store) -> None:
    article = seed_article()
    store.put_article(article)

    def anno(n: int, quote: str) -> dict[str, Any]:
        return {
            "@id": f"urn:uuid:00000000-0000-0000-0000-{n:012d}",
            "@type": "oa:Annotation",
            "motivation": "tagging",
            "body": {"value": f"وسم{n}"},
            "target": [
                {
                    "source": {"id": SOURCE.replace("https://", "http://www.") + "/"},
                    "selector": {"type": "TextQuoteSelector", "exact": quote},
                }
            ],
        }

    documents = [
        {
            "type": "AnnotationCollection",
            "first": {
                "type": "AnnotationPage",
                "items": [anno(1, "ماسك")],
                "next": {"type": "AnnotationPage", "items": [anno(2, "ألتمان")]},
            },
        },
        {"type": "AnnotationPage", "items": [anno(3, "مايكروسوفت")]},
        [anno(4, "SoftBank"), [anno(5, "Oracle")]],
    ]
    for document in documents:
        report = import_annotations(store, document)
        assert report.skipped == [] and report.orphaned == 0
    found = {a.quote: a for a in store.annotations_for(article.id)}
    assert sorted(found) == sorted(["ماسك", "ألتمان", "مايكروسوفت", "SoftBank", "Oracle"])
    assert found["Oracle"].tags == ["وسم5"] and found["Oracle"].note == ""
    assert found["Oracle"].id == f"{5:032x}"


def test_skips_say_why(store: Store) -> None:
    store.put_article(seed_article())
    items: list[Any] = [
        "not an object",
        {"type": "Note", "content": "x"},
        {"type": "Annotation"},
        {"type": "Annotation", "target": SOURCE},
        {
            "type": "Annotation",
            "target": {"source": SOURCE, "selector": {"type": "CssSelector", "value": "p"}},
        },
        {
            "type": "Annotation",
            "target": {
                "source": "https://elsewhere.example/x",
                "selector": {"type": "TextQuoteSelector", "exact": "ماسك"},
            },
        },
        {
            "type": "Annotation",
            "target": {
                "source": SOURCE,
                "selector": {"type": "TextPositionSelector", "start": 10, "end": 999999},
            },
        },
        {
            "type": "Annotation",
            "target": {"selector": {"type": "TextQuoteSelector", "exact": "ماسك"}},
        },
    ]
    report = import_annotations(store, {"type": "AnnotationCollection", "items": items})
    assert report.placed == 0 and report.orphaned == 0
    assert [s.reason for s in report.skipped] == [
        "it is not a JSON object",
        "it is not an annotation (no type Annotation and no target)",
        "it has no target",
        "its target has no text quote or text position selector",
        "its target has no text quote or text position selector",
        "no article in the library has the source https://elsewhere.example/x",
        "it has only a text position, and that position is not inside the article",
        "its target names no source document",
    ]


def test_quote_missing_from_the_article_is_kept_as_an_orphan(store: Store) -> None:
    article = seed_article()
    store.put_article(article)
    data = foreign(
        selector=[
            {"type": "TextQuoteSelector", "exact": "جملة لم تكتب في هذا المقال أبدًا"},
            {"type": "TextPositionSelector", "start": 5, "end": 20},
        ],
        styleClass="reader-colour-3",
    )
    report = import_annotations(store, data)
    assert (report.placed, report.orphaned) == (0, 1)
    (annotation,) = store.annotations_for(article.id)
    assert annotation.orphan and annotation.color == 3
    assert annotation.quote == "جملة لم تكتب في هذا المقال أبدًا"


def test_file_uri_targets_match_path_sources(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "مقالات" / "seed.txt"
    article = seed_article(source=str(path))
    store.put_article(article)
    data = {
        "type": "Annotation",
        "target": {
            "source": path.as_uri(),
            "selector": {"type": "TextQuoteSelector", "exact": "ماسك"},
        },
    }
    assert import_annotations(store, data).placed == 1


def test_bad_files_are_one_sentence(store: Store, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"type": ', encoding="utf-8")
    with pytest.raises(ReaderError, match=r"broken\.json is not valid JSON"):
        import_file(store, broken)
    with pytest.raises(ReaderError, match="There is no file"):
        import_file(store, tmp_path / "missing.json")
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"a": "\xe9"}')
    with pytest.raises(ReaderError, match="not UTF-8"):
        import_file(store, latin)
    with pytest.raises(ReaderError, match="only named by their address"):
        import_annotations(
            store, {"type": "AnnotationCollection", "first": "https://x.example/page1"}
        )


# --- the commands -------------------------------------------------------------------------


def run_reader(db: Path, *args: str, cwd: Path) -> CliRun:
    """`reader ARGS` run from `cwd`, whose Documents folder is the user's."""
    return run_cli(db, *args, cwd=cwd, env={"XDG_DOCUMENTS_DIR": str(cwd / "Documents")})


def test_cli_export_json_then_import(tmp_path: Path) -> None:
    first, second = tmp_path / "one" / "reader.json", tmp_path / "two" / "reader.json"
    with Store.open(first) as store:
        _, notes = annotated(store)
    with Store.open(second) as store:
        store.put_article(seed_article())

    out = run_reader(first, "export", "--format", "json", "seed", "-o", "-", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["total"] == 3

    out = run_reader(first, "export", "--all", "--format", "json", "-o", "notes.json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "notes.json"

    out = run_reader(second, "import", "notes.json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("notes.json: 3 placed, 0 updated, 0 unchanged, 0 orphaned")
    with Store.open(second) as store:
        assert [as_tuple(a) for a in store.annotations_for("seed")] == [as_tuple(a) for a in notes]

    out = run_reader(second, "import", "notes.json", cwd=tmp_path)
    assert "notes.json: 0 placed, 0 updated, 3 unchanged, 0 orphaned, 0 skipped." in out.stdout

    out = run_reader(first, "export", "--format", "json", "seed", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    written = Path(out.stdout.strip())
    assert written.parent == tmp_path / "Documents" / "reader" and written.suffix == ".json"

    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2", encoding="utf-8")
    out = run_reader(second, "import", str(bad), cwd=tmp_path)
    assert out.returncode == 1 and out.stderr.startswith("reader: ") and "bad.json" in out.stderr


def test_cli_import_reports_updates(tmp_path: Path) -> None:
    first, second = tmp_path / "one" / "reader.json", tmp_path / "two" / "reader.json"
    with Store.open(first) as store:
        article, notes = annotated(store)
    with Store.open(second) as store:
        store.put_article(seed_article())
    data = collection_json([(article, notes)], exported_at=EXPORTED_AT)
    path = tmp_path / "notes.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = run_reader(second, "import", str(path), cwd=tmp_path)
    assert f"{path}: 3 placed, 0 updated, 0 unchanged, 0 orphaned, 0 skipped." in out.stdout
    item_by_id(data, 3)["body"][0]["value"] = "شريك قديم"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = run_reader(second, "import", str(path), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert f"{path}: 0 placed, 1 updated, 2 unchanged, 0 orphaned, 0 skipped." in out.stdout
    with Store.open(second) as store:
        assert {a.note for a in store.annotations_for("seed")} >= {"شريك قديم"}


def test_cli_import_reports_orphans(tmp_path: Path) -> None:
    first, second = tmp_path / "one" / "reader.json", tmp_path / "two" / "reader.json"
    with Store.open(first) as store:
        article, notes = annotated(store)
    changed = seed_article()
    changed.blocks = [b for b in changed.blocks if "مايكروسوفت" not in b.text]
    with Store.open(second) as store:
        store.put_article(changed)
    path = tmp_path / "notes.json"
    path.write_text(collection_text([(article, notes)], exported_at=EXPORTED_AT), encoding="utf-8")
    out = run_reader(second, "import", str(path), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert f"{path}: 2 placed, 0 updated, 0 unchanged, 1 orphaned, 0 skipped." in out.stdout
    assert "1 orphaned: kept with their notes" in out.stdout
