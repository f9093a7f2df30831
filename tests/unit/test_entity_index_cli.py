"""The entity index through the command line: `reader entities --all`, `reader search
person:/org:/place:` and `reader export --with-entities`, on a real database on disk."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from helpers.cli import run_piped
from helpers.entity_library import TEXTS, news_article
from helpers.terminal import run_on_terminal

from reader.entities.extractor import Extractor
from reader.entities.index import entity_key
from reader.models import EntityCorrection
from reader.notes.markdown import vault_name
from reader.store.database import Store

LOGICAL_LETTER = re.compile("[\u0621-\u063a\u0641-\u064a]")
PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]")
SGR = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "db" / "reader.json"
    with Store.open(path) as store:
        store.put_articles(news_article(key) for key in TEXTS)
    return path


def env(db: Path) -> dict[str, str | None]:
    return {"READER_DB": str(db), "READER_BIDI": None, "COLUMNS": "100"}


def reader(db: Path, *args: str) -> tuple[int, str, str]:
    run = run_piped(list(args), env(db))
    return run.status, run.stdout.decode("utf-8"), run.stderr.decode("utf-8")


def expected(db: Path, extractor: Extractor) -> dict[str, tuple[str, int, int]]:
    """Per entity key: (type, articles, mentions), from the extractor run article by article
    with the saved corrections."""
    articles: Counter[str] = Counter()
    mentions: Counter[str] = Counter()
    kinds: dict[str, str] = {}
    with Store.open(db) as store:
        corrections = store.entity_corrections()
        for key in TEXTS:
            found = store.get_article(key)
            assert found is not None
            spans: dict[str, set[int]] = {}
            for entity in extractor.extract(found.text, corrections):
                name_key = entity_key(entity.type, entity.name)
                kinds[name_key] = entity.type
                spans.setdefault(name_key, set()).update(m.start for m in entity.mentions)
            for name_key, starts in spans.items():
                articles[name_key] += 1
                mentions[name_key] += len(starts)
    return {k: (kinds[k], articles[k], mentions[k]) for k in articles}


def test_entities_all_json_and_table_on_a_pipe(db: Path, extractor: Extractor) -> None:
    status, out, err = reader(db, "entities", "--all", "--json")
    assert status == 0, err
    assert err == "reader: indexing the entities of 3 articles first.\n"
    rows = json.loads(out)
    assert {r["key"]: (r["type"], r["articles"], r["mentions"]) for r in rows} == expected(
        db, extractor
    )
    assert [r["articles"] for r in rows] == sorted((r["articles"] for r in rows), reverse=True)
    musk = next(r for r in rows if r["name"] == "إيلون ماسك")
    assert (musk["first"], musk["last"]) == ("2025-03-01", "2025-03-05")

    status, out, err = reader(db, "entities", "--all")
    assert status == 0 and err == ""  # indexed already: nothing to say on stderr
    lines = out.splitlines()
    assert lines[0] == "People" and lines[1].split() == ["Articles", "Mentions", "Name"]
    assert re.search(r"^\s+2\s+4\s+إيلون ماسك$", out, re.MULTILINE), out
    assert "Organisations" in lines and "Places" in lines
    assert PRESENTATION.search(out) is None

    with Store.open(db) as store:
        store.add_entity_correction(EntityCorrection("rename", "إيلون ماسك", target="Elon Musk"))
    status, out, err = reader(db, "entities", "--all")
    assert status == 0 and err == ""  # a correction needs no extraction
    assert re.search(r"^\s+2\s+4\s+Elon Musk$", out, re.MULTILINE) and "إيلون ماسك" not in out


def test_entities_all_is_shaped_on_a_terminal_with_progress(db: Path) -> None:
    environment = {**os.environ, "READER_DB": str(db), "TERM": "xterm-256color"}
    for name in ("NO_COLOR", "COLUMNS", "LINES", "READER_BIDI"):
        environment.pop(name, None)
    shown = SGR.sub("", run_on_terminal(["entities", "--all"], environment, timeout=120).text)
    assert "Articles  Mentions  Name" in shown
    table = shown[shown.index("People") :]
    assert LOGICAL_LETTER.search(table) is None, table
    assert PRESENTATION.search(table)


def test_entities_without_path_or_with_both_says_so(db: Path) -> None:
    status, _out, err = reader(db, "entities")
    assert status == 1 and err.startswith("reader: ") and "--all" in err
    assert "Traceback" not in err
    status, _out, err = reader(db, "entities", "x.txt", "--all")
    assert status == 1 and "not both" in err


def ids(out: str) -> list[str]:
    return [row["id"] for row in json.loads(out)]


def test_search_entity_prefixes(db: Path) -> None:
    status, out, err = reader(db, "search", "person:ماسك", "--json")
    assert status == 0, err
    assert sorted(ids(out)) == ["a1", "a2"]
    for row in json.loads(out):
        text = TEXTS[row["id"]][2]
        spans = [(m["start"], m["end"]) for m in row["matches"] if m["field"] == "text"]
        assert spans and all("ماسك" in text[s:e] for s, e in spans)
        assert text[row["position"] :].startswith("إيلون ماسك")
        start, end = row["snippet_matches"][0]
        assert "ماسك" in row["snippet"][start:end]
    status, out, _ = reader(db, "search", 'person:"إيلون ماسك"', "القاهرة", "--json")
    assert ids(out) == ["a2"]
    status, out, _ = reader(db, "search", "org:openai", "الرياض", "--json")
    assert sorted(ids(out)) == ["a1", "a3"]
    status, out, _ = reader(db, "search", "place:القاهرة", "--json")
    assert ids(out) == ["a2"]
    # A person is not a place; and an entity with a word nowhere near it finds nothing.
    status, out, _ = reader(db, "search", "place:ماسك")
    assert status == 1 and "No article matches" in out
    status, out, _ = reader(db, "search", "person:ماسك", "مايكروسوفت")
    assert status == 1
    status, out, err = reader(db, "search", "person:ماسك")
    assert status == 0 and "[إيلون ماسك]" in out and "id a1" in out


WIKI = re.compile(r"\[\[([^\]|]+)(?:\|([^\]]*))?\]\]")


def test_export_with_entities_links_resolve_to_entity_names(
    db: Path, extractor: Extractor, tmp_path: Path
) -> None:
    vault = tmp_path / "vault"
    status, _out, err = reader(db, "export", "a1", "a2", "--with-entities", "-o", f"{vault}/")
    assert status == 0, err
    links: set[str] = set()
    with Store.open(db) as store:
        for key in ("a1", "a2"):
            found = store.get_article(key)
            assert found is not None
            names = {e.name for e in extractor.extract(found.text)}
            document = next(
                p.read_text(encoding="utf-8")
                for p in vault.glob("*.md")
                if f'reader-id: "{key}"' in p.read_text(encoding="utf-8")
            )
            section = document[document.index("## Entities") :]
            targets = [m.group(1) for m in WIKI.finditer(section)]
            assert sorted(targets) == sorted(names)  # each link is the entity's own name
            links.update(targets)
    assert "إيلون ماسك" in links and "OpenAI" in links
    # A vault holding a note per entity: every link finds its note.
    for name in links:
        (vault / f"{name}.md").write_text(name, encoding="utf-8")
    notes = {p.stem for p in vault.glob("*.md")}
    assert links <= notes


@pytest.mark.parametrize(
    "name",
    ['AT&T: "الشركة"', "a/b\\c", "[[x]]|y", "#وسم ^ج", "..", "\u202eعكس\u202c", "`كود` $1 ~ _x_"],
)
def test_a_name_unfit_for_a_file_becomes_a_link_a_vault_can_hold(tmp_path: Path, name: str) -> None:
    from reader.notes.markdown import wiki_link

    target = vault_name(name)
    assert target.strip() == target and target not in ("", ".", "..")
    assert not set(target) & set('/\\:*?"<>|#^[]`$~_\u202e\u202c')
    (tmp_path / f"{target}.md").write_text("x", encoding="utf-8")  # a file can have it
    link = wiki_link(name)
    match = WIKI.fullmatch(link)
    assert match is not None and match.group(1) == target
