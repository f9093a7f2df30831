"""Entity extraction: the seed article's cast, Arabic details, grouping, corrections, CLI."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from helpers.cli import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.entities.extractor import ENTITY_TYPES, MODEL_PATH, Entity, Extractor, bio_spans
from reader.entities.features import Lexicon, feature_signature
from reader.entities.wordlists import read_gazetteers, shipped_folder
from reader.errors import ReaderError
from reader.models import EntityCorrection

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"
SHARED = ROOT / ".." / "shared"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def by_name(entities: list[Entity]) -> dict[str, Entity]:
    return {e.name: e for e in entities}


def names(entities: list[Entity], kind: str) -> set[str]:
    return {e.name for e in entities if e.type == kind}


def assert_offsets(entities: list[Entity], text: str) -> None:
    for entity in entities:
        assert entity.mentions, entity
        for mention in entity.mentions:
            assert 0 <= mention.start < mention.end <= len(text)
            assert text[mention.start : mention.end] == mention.text


# -- the seed article: the list a careful reader writes -------------------------------------

# Read from the article: the people, organisations, places, products/projects, money
# amounts and years it names.
SEED_PEOPLE = {"إيلون ماسك", "سام ألتمان", "مارك توبيروف"}
SEED_ORGS = {"OpenAI", "xAI", "SoftBank", "Oracle", "مايكروسوفت", "تويتر", "X"}
SEED_PLACES = {"الولايات المتحدة"}
SEED_OTHER = {"ChatGPT", "ستارجيت"}
SEED_MONEY = {"97.400 مليون", "9.740 مليار دولار", "500.000 مليون"}
# Vague amounts the article also names ("بملايين الدولارات", "مليارات الدولارات").
SEED_MONEY_VAGUE = {"ملايين الدولارات", "مليارات الدولارات"}
SEED_DATES = {"2015", "2018"}


def test_seed_people_organisations_places(extractor: Extractor, seed_text: str) -> None:
    entities = extractor.extract(seed_text)
    assert names(entities, "PERSON") == SEED_PEOPLE
    assert names(entities, "ORG") == SEED_ORGS
    assert names(entities, "LOC") == SEED_PLACES
    assert names(entities, "MISC") == SEED_OTHER


def test_a_particle_next_to_a_name_is_left_out_of_it(extractor: Extractor) -> None:
    """The tagger reads "أعلنت شركة تسلا أن" as the organisation "تسلا أن": a particle never
    ends or begins a name. Compared as written, not folded: the N of "سي ان ان" stays."""
    found = {
        (e.name, e.type)
        for e in extractor.extract(
            "أعلنت شركة تسلا أن إيلون ماسك سيزور القاهرة. وذكرت شبكة سي ان ان أن الرئيس وصل."
        )
    }
    assert {("تسلا", "ORG"), ("سي ان ان", "ORG"), ("إيلون ماسك", "PERSON")} <= found
    assert not any(name.endswith(" أن") for name, _ in found), found


def test_text_in_presentation_forms_is_read_as_its_letters(extractor: Extractor) -> None:
    """A passage copied in presentation forms (one of the 300 corpus articles has one) is not
    a name: the tagger read its unknown characters as a person nine words long."""
    text = "قال الرئيس إن ﺑﻬﻢ ﻭﺍﻟﻌﺴﺮ ﻭﺍﻟﻴﺴﺮ ﺃﻭﻗﺎﺕ ﻭﺳﺎﻋﺎﺕ ﻭﺃﻛﺮﻡ ﺍﻟﻨﺎﺱ ﻣﺎ ﺑﻴﻦ ﺍﻟﻮﺭﻯ في ﺍﻟﺮﻳﺎﺽ."
    found = [(e.name, e.type) for e in extractor.extract(text)]
    assert found == [("ﺍﻟﺮﻳﺎﺽ", "LOC")], found


def test_seed_money_and_years(extractor: Extractor, seed_text: str) -> None:
    entities = extractor.extract(seed_text)
    assert SEED_MONEY <= names(entities, "MONEY") <= SEED_MONEY | SEED_MONEY_VAGUE
    assert names(entities, "DATE") == SEED_DATES


def test_seed_nothing_else(extractor: Extractor, seed_text: str) -> None:
    entities = extractor.extract(seed_text)
    allowed = (
        SEED_PEOPLE
        | SEED_ORGS
        | SEED_PLACES
        | SEED_OTHER
        | SEED_MONEY
        | SEED_MONEY_VAGUE
        | SEED_DATES
    )
    assert {e.name for e in entities} <= allowed
    assert len({e.name for e in entities}) == len(entities), "one entity per name"


def test_seed_mentions_grouped(extractor: Extractor, seed_text: str) -> None:
    entities = by_name(extractor.extract(seed_text))
    musk = entities["إيلون ماسك"]
    # Every ماسك, plus the misspelt مسك in "التابعة لمسك".
    assert len(musk.mentions) == seed_text.count("ماسك") + 1
    assert {m.text for m in musk.mentions} == {"إيلون ماسك", "ماسك", "مسك"}
    altman = entities["سام ألتمان"]
    assert len(altman.mentions) == seed_text.count("ألتمان")
    assert {m.text for m in altman.mentions} == {"سام ألتمان", "ألتمان"}
    assert len(entities["OpenAI"].mentions) == seed_text.count("OpenAI")
    assert len(entities["مايكروسوفت"].mentions) == seed_text.count("مايكروسوفت")


def test_seed_sorted_by_mentions(extractor: Extractor, seed_text: str) -> None:
    entities = extractor.extract(seed_text)
    counts = [len(e.mentions) for e in entities]
    assert counts == sorted(counts, reverse=True)
    assert {entities[0].name, entities[1].name} == {"إيلون ماسك", "OpenAI"}


def test_seed_proclitics_left_out(extractor: Extractor, seed_text: str) -> None:
    entities = extractor.extract(seed_text)
    assert_offsets(entities, seed_text)
    softbank = by_name(entities)["SoftBank"].mentions[0]
    assert seed_text[softbank.start - 1] == "و"
    assert softbank.text == "SoftBank"
    for entity in entities:
        for mention in entity.mentions:
            assert not mention.text.startswith(("وماسك", "لمسك", "وألتمان", "لشركة", "و "))


# -- Arabic details --------------------------------------------------------------------------


def test_proclitic_on_arabic_name(extractor: Extractor) -> None:
    text = "استثمرت مايكروسوفت في المشروع، ثم قالت الصحيفة إن الصفقة مرتبطة بمايكروسوفت وحدها."
    found = by_name(extractor.extract(text))
    assert [m.text for m in found["مايكروسوفت"].mentions] == ["مايكروسوفت", "مايكروسوفت"]
    second = found["مايكروسوفت"].mentions[1]
    assert text[second.start - 1] == "ب"


def test_company_word_alone_is_not_an_entity(extractor: Extractor) -> None:
    text = "قال الرئيس إن الشركة ستعلن النتائج بعد اجتماع مجلس الإدارة، وإن لشركة أخرى رأيا."
    assert extractor.extract(text) == []


def test_money_with_arabic_indic_digits_and_separators(extractor: Extractor) -> None:
    text = "وقعت الشركة صفقة بقيمة ٩٫٧٤ مليار دولار، وأخرى بقيمة 1,500 ريال، ودفعت $5 مليون."
    money = names(extractor.extract(text), "MONEY")
    assert money == {"٩٫٧٤ مليار دولار", "1,500 ريال", "$5 مليون"}


def test_dates_in_both_month_families_and_hijri(extractor: Extractor) -> None:
    text = (
        "وصل الوفد في 12 يناير 2024، وغادر في 3 كانون الثاني 2020، "
        "وعاد في 15 رمضان 1445 هـ، وكان قد زار البلد في عام ٢٠١٨."
    )
    dates = names(extractor.extract(text), "DATE")
    assert dates == {"12 يناير 2024", "3 كانون الثاني 2020", "15 رمضان 1445 هـ", "٢٠١٨"}


def test_percentages(extractor: Extractor) -> None:
    text = "ارتفعت الأسعار بنسبة 5% هذا الشهر، وبنسبة ٣٫٥ في المئة في الشهر الماضي."
    found = {(e.type, e.name) for e in extractor.extract(text)}
    assert ("MISC", "5%") in found
    assert ("MISC", "٣٫٥ في المئة") in found


def test_a_number_alone_is_not_money(extractor: Extractor) -> None:
    text = "يسكن المدينة 5 ملايين نسمة، وفيها 300 مدرسة."
    assert names(extractor.extract(text), "MONEY") == set()


def test_name_tagged_once_is_tagged_everywhere(extractor: Extractor) -> None:
    text = "قال الوزير السعودي خالد الفالح إن الإنتاج سيرتفع. وأضاف الفالح أن الأسواق مستقرة."
    people = [e for e in extractor.extract(text) if e.type == "PERSON"]
    assert len(people) == 1
    assert people[0].name == "خالد الفالح"
    assert [m.text for m in people[0].mentions] == ["خالد الفالح", "الفالح"]


def test_two_surnames_side_by_side_are_two_people(extractor: Extractor) -> None:
    text = "التقى سام ألتمان بإيلون ماسك. ثم اتهم ماسك ألتمان بالخداع."
    people = {e.name: e for e in extractor.extract(text) if e.type == "PERSON"}
    assert set(people) == {"سام ألتمان", "إيلون ماسك"}
    assert [m.text for m in people["إيلون ماسك"].mentions] == ["إيلون ماسك", "ماسك"]
    assert [m.text for m in people["سام ألتمان"].mentions] == ["سام ألتمان", "ألتمان"]


def test_a_full_name_is_not_split_by_its_parts_seen_alone(extractor: Extractor) -> None:
    # هيلاري and كلينتون each appear alone, but neither is the surname of another full name.
    text = "قالت هيلاري إنها ستترشح. وأيد كلينتون القرار. ودافعت هيلاري كلينتون عن خطتها."
    people = [e for e in extractor.extract(text) if e.type == "PERSON"]
    mentions = {m.text for e in people for m in e.mentions}
    assert "هيلاري كلينتون" in mentions


def test_places_and_bodies_from_gazetteer(extractor: Extractor) -> None:
    text = "اجتمع مجلس الأمن في نيويورك لبحث الوضع في السودان، وحضر ممثل عن الأمم المتحدة."
    found = {(e.type, e.name) for e in extractor.extract(text)}
    assert ("LOC", "نيويورك") in found
    assert ("LOC", "السودان") in found
    assert ("ORG", "الأمم المتحدة") in found


def test_what_follows_that_he_is_not_a_name(extractor: Extractor) -> None:
    """ "قال إنه سعيد": he said he was happy. The tagger made سعيد (also a first name) a person;
    in ANERcorp no entity follows إنه, أنه, إنها or أنها (375 of them)."""
    found = {(e.type, e.name) for e in extractor.extract("قال الوزير إنه سعيد بالنتائج.")}
    assert not {name for kind, name in found if kind == "PERSON"}, found


def test_harakat_do_not_split_an_entity(extractor: Extractor) -> None:
    text = "زار إيلون ماسك القاهرة. ثم قال مَاسِك إنه سعيد."
    musk = [e for e in extractor.extract(text) if e.type == "PERSON"]
    assert len(musk) == 1
    assert [m.text for m in musk[0].mentions] == ["إيلون ماسك", "مَاسِك"]


_SEED_SENTENCES = [
    line for line in SEED.read_text(encoding="utf-8").replace(".", ".\n").splitlines() if line
]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.sampled_from(_SEED_SENTENCES), min_size=1, max_size=4),
    st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(["ـ", "َ", "ً", "ّ"])), max_size=8),
)
def test_offsets_hold_for_any_text(
    extractor: Extractor, sentences: list[str], marks: list[tuple[int, str]]
) -> None:
    # Sprinkle tatweel and harakat after letters: offsets must still index the text.
    chars = list("\n".join(sentences))
    for position, mark in marks:
        position %= len(chars)
        if "\u0621" <= chars[position] <= "\u064a":
            chars[position] += mark
    text = "".join(chars)
    entities = extractor.extract(text)
    assert_offsets(entities, text)
    for entity in entities:
        assert entity.type in ENTITY_TYPES
        spans = sorted((m.start, m.end) for m in entity.mentions)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_empty_text(extractor: Extractor) -> None:
    assert extractor.extract("") == []
    assert extractor.extract("   \n  ") == []


def test_threads_sharing_one_extractor_get_what_each_would_alone(seed_text: str) -> None:
    """The app's Entities pane and its background indexer extract with one model from two
    threads. The CRF keeps each sentence's state between calls (mixed with the tagger, as
    here, it is asked for every word's probabilities after `set`), so calls must not
    interleave: every thread's result equals the one-thread result."""
    shared = Extractor.load()
    shared.crf_share = 0.5  # this test's own model: the CRF's state is in play
    paragraphs = [p for p in seed_text.split("\n") if len(p) > 80][:8]
    alone = [shared.extract(text) for text in paragraphs]
    results: dict[int, list[list[Entity]]] = {}
    start = threading.Barrier(4)

    def extract_all(number: int) -> None:
        start.wait()
        order = paragraphs[number:] + paragraphs[:number]
        found = [shared.extract(text) for text in order * 6]
        results[number] = found

    threads = [threading.Thread(target=extract_all, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == [0, 1, 2, 3]
    for number, found in results.items():
        expected = (alone[number:] + alone[:number]) * 6
        assert found == expected, number


def test_bio_spans() -> None:
    assert bio_spans(["B-PERS", "I-PERS", "O", "B-LOC", "B-LOC", "I-ORG"]) == [
        (0, 2, "PERS"),
        (3, 4, "LOC"),
        (4, 5, "LOC"),
        (5, 6, "ORG"),
    ]


def test_tag_words_matches_corpus_labels(extractor: Extractor) -> None:
    tags = extractor.tag_words(["وقال", "كوفي", "أنان", "في", "نيويورك", "."])
    assert bio_spans(tags) == [(1, 3, "PERS"), (4, 5, "LOC")]


def test_shipped_model_matches_current_features() -> None:
    provenance = json.loads(MODEL_PATH.with_name(MODEL_PATH.name + ".json").read_text("utf-8"))
    assert provenance["feature_signature"] == feature_signature(Lexicon.build()), (
        "features or word lists changed: rebuild with python tools/ner_train.py"
    )
    assert provenance["held_out_sentences"] > 0
    assert (ROOT / provenance["rebuild"].split()[-1]).is_file()


def test_missing_model_is_a_reader_error(tmp_path: Path) -> None:
    with pytest.raises(ReaderError, match=r"python tools/ner_train\.py"):
        Extractor.load(tmp_path / "none.crfsuite")


# -- the word lists are data files ---------------------------------------------------------------


def _copy_word_lists(tmp_path: Path) -> Path:
    folder = tmp_path / "wordlists"
    shutil.copytree(ROOT / "reader" / "entities" / "data" / "wordlists", folder)
    return folder


def test_word_list_files_name_source_and_licence() -> None:
    files = sorted((ROOT / "reader" / "entities" / "data" / "wordlists").glob("*.txt"))
    assert len(files) == 31
    for path in files:
        header = path.read_text(encoding="utf-8").split("\n\n", 1)[0].splitlines()
        assert all(line.startswith("#") for line in header), path.name
        assert any(line.startswith("# Source: ") for line in header), path.name
        assert any(line.startswith("# Licence: ") for line in header), path.name


def test_editing_any_word_list_makes_the_model_stale(tmp_path: Path) -> None:
    shipped = feature_signature(Lexicon.build())
    folder = _copy_word_lists(tmp_path)
    assert feature_signature(Lexicon.build(read_gazetteers(folder))) == shipped
    # Stop words feed the rules, not the CRF's cue features: still part of the signature.
    stopwords = folder / "stopwords.txt"
    stopwords.write_text(stopwords.read_text(encoding="utf-8") + "كذلك\n", encoding="utf-8")
    assert feature_signature(Lexicon.build(read_gazetteers(folder))) != shipped


def test_comments_in_a_word_list_are_not_data(tmp_path: Path) -> None:
    shipped = feature_signature(Lexicon.build())
    folder = _copy_word_lists(tmp_path)
    people = folder / "people.txt"
    people.write_text("# a note\n\n" + people.read_text(encoding="utf-8"), encoding="utf-8")
    lists = read_gazetteers(folder)
    assert lists.people == read_gazetteers(shipped_folder()).people
    assert feature_signature(Lexicon.build(lists)) == shipped


def test_a_company_added_to_its_list_is_found(tmp_path: Path, extractor: Extractor) -> None:
    text = "ارتفعت أسهم زرقوشتك في البورصة."
    assert extractor.extract(text) == []
    folder = _copy_word_lists(tmp_path)
    companies = folder / "companies.txt"
    companies.write_text(companies.read_text(encoding="utf-8") + "زرقوشتك\n", encoding="utf-8")
    found = Extractor.load(lists=read_gazetteers(folder)).extract(text)
    assert [(e.name, e.type) for e in found] == [("زرقوشتك", "ORG")]


def test_a_missing_word_list_is_a_reader_error(tmp_path: Path) -> None:
    folder = _copy_word_lists(tmp_path)
    (folder / "cities.txt").unlink()
    with pytest.raises(ReaderError, match=r"cities\.txt"):
        read_gazetteers(folder)


def test_training_tool_rebuilds_a_loadable_model(tmp_path: Path) -> None:
    corpus = tmp_path / "tiny.txt"
    sentence = "وقال O\nكوفي B-PERS\nأنان I-PERS\nفي O\nنيويورك B-LOC\n. O\n\n"
    corpus.write_text(sentence * 20, encoding="utf-8")
    model = tmp_path / "tiny.crfsuite"
    tool = ROOT / "tools" / "ner_train.py"
    result = subprocess.run(
        [
            sys.executable,
            str(tool),
            "--corpus",
            str(corpus),
            "--model",
            str(model),
            "--iterations=5",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    provenance = json.loads((tmp_path / "tiny.crfsuite.json").read_text(encoding="utf-8"))
    assert (provenance["trained_sentences"], provenance["held_out_sentences"]) == (18, 2)
    assert provenance["feature_signature"] == feature_signature(Lexicon.build())
    tags = Extractor.load(model).crf_tags(["وقال", "كوفي", "أنان", "في", "نيويورك", "."])
    assert bio_spans(tags) == [(1, 3, "PERS"), (4, 5, "LOC")]


def test_installed_wheel_loads_model_and_word_lists(tmp_path: Path, wheel: Path) -> None:
    """Unpacked as pip installs it, away from the checkout, the CLI finds the same entities."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(site)
    assert sum(n.startswith("reader/entities/data/wordlists/") for n in names) == 31
    # Training is a development tool, not part of the runtime package.
    assert not [n for n in names if "ner_train" in n]
    assert not [n for n in names if n.endswith(".py") and b"Trainer(" in (site / n).read_bytes()]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "READER_DB": str(tmp_path / "db.json"), "PYTHONPATH": str(site)}
    installed = subprocess.run(
        [sys.executable, "-c", "import reader; print(reader.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=elsewhere,
        check=False,
    )
    assert Path(installed.stdout.strip()).is_relative_to(site), installed.stdout
    result = subprocess.run(
        [sys.executable, "-m", "reader", "entities", str(SEED), "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=elsewhere,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    from_wheel = json.loads(result.stdout)
    assert {item["name"] for item in from_wheel if item["type"] == "PERSON"} == SEED_PEOPLE
    from_checkout = run_cli(tmp_path / "db.json", "entities", str(SEED), "--json")
    assert from_wheel == json.loads(from_checkout.stdout)


# -- the reader's corrections -----------------------------------------------------------------


def test_correction_hide(extractor: Extractor, seed_text: str) -> None:
    entities = extractor.extract(seed_text, [EntityCorrection("hide", "تويتر")])
    assert "تويتر" not in by_name(entities)


def test_correction_retype_and_rename(extractor: Extractor, seed_text: str) -> None:
    entities = by_name(
        extractor.extract(
            seed_text,
            [
                EntityCorrection("retype", "ستارجيت", type="ORG"),
                EntityCorrection("rename", "إيلون ماسك", target="Elon Musk"),
            ],
        )
    )
    assert entities["ستارجيت"].type == "ORG"
    assert "Elon Musk" in entities and "إيلون ماسك" not in entities
    assert len(entities["Elon Musk"].mentions) == seed_text.count("ماسك") + 1


def test_correction_merge(extractor: Extractor, seed_text: str) -> None:
    plain = by_name(extractor.extract(seed_text))
    merged = by_name(extractor.extract(seed_text, [EntityCorrection("merge", "X", target="تويتر")]))
    assert "X" not in merged
    assert len(merged["تويتر"].mentions) == len(plain["تويتر"].mentions) + len(plain["X"].mentions)


def test_correction_add_matches_by_surface_name(extractor: Extractor) -> None:
    text = "أعلن مجلس الإدارة خطته. ثم قال مجلس الإدارة إن الخطة جاهزة."
    entities = extractor.extract(text, [EntityCorrection("add", "مجلس الادارة", type="ORG")])
    added = by_name(entities)["مجلس الادارة"]
    assert added.type == "ORG"
    assert [m.text for m in added.mentions] == ["مجلس الإدارة", "مجلس الإدارة"]
    assert_offsets(entities, text)


# -- real articles ----------------------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_articles_offsets_and_no_titles_alone(extractor: Extractor) -> None:
    corpus = SHARED / "corpus" / "saudinewsnet-300.jsonl"
    if not corpus.is_file():
        pytest.skip("../shared/corpus is not here")
    lines = corpus.read_text(encoding="utf-8").splitlines()[:40]
    titles = {"الرئيس", "الملك", "الأمير", "الشيخ", "الوزير", "الشركة", "مجلس الإدارة"}
    for line in lines:
        text = json.loads(line)["content"]
        entities = extractor.extract(text)
        assert_offsets(entities, text)
        assert not titles & {e.name for e in entities}
        for entity in entities:
            for mention in entity.mentions:
                assert mention.text[0].isalnum() or mention.text[0] in "$€£¥", mention
                last = mention.text.rstrip("ًٌٍَُِّْ")[-1]
                assert last.isalnum() or last in "%٪", mention
        counts = [len(e.mentions) for e in entities]
        assert counts == sorted(counts, reverse=True)


# -- command line -----------------------------------------------------------------------------


def test_cli_json(tmp_path: Path, seed_text: str) -> None:
    result = run_cli(tmp_path / "db.json", "entities", str(SEED), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert {item["name"] for item in payload if item["type"] == "PERSON"} == SEED_PEOPLE
    for item in payload:
        assert set(item) == {"type", "name", "mentions"}
        for mention in item["mentions"]:
            assert seed_text[mention["start"] : mention["end"]] == mention["text"]
    assert not (tmp_path / "db.json").exists(), "listing entities must not create a database"


def test_cli_applies_saved_corrections(tmp_path: Path) -> None:
    from reader.store.database import Store

    store = Store.open(tmp_path / "db.json")
    try:
        store.add_entity_correction(EntityCorrection("hide", "تويتر"))
        store.add_entity_correction(EntityCorrection("retype", "ستارجيت", type="ORG"))
    finally:
        store.close()
    result = run_cli(tmp_path / "db.json", "entities", str(SEED), "--json")
    assert result.returncode == 0, result.stderr
    found = {item["name"]: item["type"] for item in json.loads(result.stdout)}
    assert "تويتر" not in found
    assert found["ستارجيت"] == "ORG"


def test_cli_table(tmp_path: Path) -> None:
    result = run_cli(tmp_path / "db.json", "entities", str(SEED))
    assert result.returncode == 0, result.stderr
    assert "People" in result.stdout and "إيلون ماسك" in result.stdout
    assert "Money" in result.stdout


def test_cli_missing_file(tmp_path: Path) -> None:
    result = run_cli(tmp_path / "db.json", "entities", str(tmp_path / "nope.txt"))
    assert result.returncode == 1
    assert result.stderr.startswith("reader: ")
    assert "Traceback" not in result.stderr
