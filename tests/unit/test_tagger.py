"""The neural entity tagger: shipped weights and tables, their signature, fallback and damage."""

from __future__ import annotations

import dataclasses
import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from reader.entities.extractor import DATA_FOLDER, Extractor, Layers, bio_spans
from reader.entities.features import Lexicon
from reader.entities.tagger import CONFIG_FILE, WEIGHTS_FILE, NeuralTagger
from reader.entities.tagger_inputs import (
    CLUSTERS_FILE,
    VECTORS_FILE,
    VOCAB_FILE,
    Tables,
    tagger_signature,
)
from reader.entities.wordlists import shipped_gazetteers
from reader.errors import ReaderError

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"
TABLES = (VECTORS_FILE, VOCAB_FILE, CLUSTERS_FILE)
ANNAN = ["وقال", "كوفي", "أنان", "في", "نيويورك", "."]


def _config() -> dict[str, object]:
    loaded: dict[str, object] = json.loads((DATA_FOLDER / CONFIG_FILE).read_text("utf-8"))
    return loaded


def test_shipped_tagger_matches_its_signature() -> None:
    config = _config()
    hyper = config["hyper"]
    assert isinstance(hyper, dict)
    assert config["signature"] == tagger_signature(Lexicon.build(), DATA_FOLDER, hyper), (
        "features, word lists, tables or tagger inputs changed: "
        "rebuild with python tools/tagger_train.py"
    )
    assert config["development_part_left_out"] is False
    assert (ROOT / str(config["rebuild"]).split()[-1]).is_file()


def test_the_signature_changes_with_a_table(tmp_path: Path) -> None:
    for name in TABLES:
        shutil.copy(DATA_FOLDER / name, tmp_path / name)
    hyper = _config()["hyper"]
    assert isinstance(hyper, dict)
    shipped = tagger_signature(Lexicon.build(), tmp_path, hyper)
    with (tmp_path / CLUSTERS_FILE).open("a", encoding="utf-8") as stream:
        stream.write("0101\tكلمة\n")
    assert tagger_signature(Lexicon.build(), tmp_path, hyper) != shipped


def test_tables_name_source_licence_and_script() -> None:
    for name in (VOCAB_FILE, CLUSTERS_FILE):
        header = (DATA_FOLDER / name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert header.startswith("# ")
        assert "SaudiNewsNet" in header and "CC BY-NC-SA 4.0" in header
        assert "tools/entity_tables.py" in header
    readme = (DATA_FOLDER / "README.md").read_text(encoding="utf-8")
    for name in (*TABLES, WEIGHTS_FILE, CONFIG_FILE):
        assert name in readme


def test_model_files_stay_small() -> None:
    names = (*TABLES, WEIGHTS_FILE, CONFIG_FILE, "ner.crfsuite")
    assert sum((DATA_FOLDER / n).stat().st_size for n in names) <= 20_000_000


def test_the_shipped_tagger_tags_by_default_alone_and_the_crf_on_request() -> None:
    """The tagger alone beats the CRF on held-out ANERcorp (0.781 against 0.750); mixing the
    CRF's probabilities in would take an article over its time."""
    extractor = Extractor.load()
    assert extractor.neural and extractor.crf_share == 0.0
    assert bio_spans(extractor.model_tags(ANNAN)) == [(1, 3, "PERS"), (4, 5, "LOC")]
    assert bio_spans(extractor.tag_words(ANNAN)) == [(1, 3, "PERS"), (4, 5, "LOC")]
    crf = Extractor.load(tagger_folder=None)
    assert not crf.neural
    assert bio_spans(crf.tag_words(ANNAN)) == [(1, 3, "PERS"), (4, 5, "LOC")]
    mixed = Extractor.load()
    mixed.crf_share = 0.5
    assert bio_spans(mixed.model_tags(ANNAN)) == [(1, 3, "PERS"), (4, 5, "LOC")]


def test_over_the_tagger_only_companies_and_clubs_of_the_arabic_script_lists_win() -> None:
    """On a development tenth the word lists cover as little as new text, most of their
    Arabic-script names cost the tagger points: its own tags stand there, but for companies
    and sports clubs (and names in Latin script). The CRF keeps every listed name."""
    shipped = shipped_gazetteers()
    lists = dataclasses.replace(
        shipped,
        people=(*shipped.people, "المتحدث الرسمي"),
        orgs_more=(*shipped.orgs_more, "الاجتماع انتهى"),
    )
    words = ["وقال", "المتحدث", "الرسمي", "إن", "الاجتماع", "انتهى", "في", "نيويورك"]
    neural = Extractor.load(lists=lists)
    assert neural.layers.gazetteer_latin_only
    assert bio_spans(neural.model_tags(words)) == [(7, 8, "LOC")]
    assert bio_spans(neural.tag_words(words)) == [(7, 8, "LOC")]
    listed = Extractor.load(lists=lists, layers=Layers())
    assert bio_spans(listed.tag_words(words)) == [(1, 3, "PERS"), (4, 6, "ORG"), (7, 8, "LOC")]
    crf = Extractor.load(lists=lists, tagger_folder=None)
    assert (1, 3, "PERS") in bio_spans(crf.tag_words(words))
    assert (4, 6, "ORG") in bio_spans(crf.tag_words(words))
    company = Extractor.load(lists=dataclasses.replace(lists, companies=("الاجتماع انتهى",)))
    assert bio_spans(company.tag_words(words)) == [(4, 6, "ORG"), (7, 8, "LOC")]


def test_a_batch_tags_as_its_sentences_one_by_one() -> None:
    """Sentences of different lengths batched together: padding must not change a tag."""
    extractor = Extractor.load(tagger_folder=DATA_FOLDER)
    text = SEED.read_text(encoding="utf-8")
    lines = [line.split() for line in text.splitlines() if line.strip()][:12]
    lines.insert(3, [])
    batched = extractor.tag_sentences(lines)
    assert batched == [extractor.tag_words(line) for line in lines]
    assert any(bio_spans(tags) for tags in batched)


def test_without_the_tagger_files_the_crf_tags(tmp_path: Path) -> None:
    extractor = Extractor.load(tagger_folder=tmp_path)
    assert not extractor.neural
    assert bio_spans(extractor.tag_words(ANNAN)) == [(1, 3, "PERS"), (4, 5, "LOC")]


@pytest.mark.parametrize("damaged", [WEIGHTS_FILE, CONFIG_FILE, VECTORS_FILE])
def test_damaged_tagger_files_are_a_reader_error(tmp_path: Path, damaged: str) -> None:
    for name in (*TABLES, WEIGHTS_FILE, CONFIG_FILE):
        shutil.copy(DATA_FOLDER / name, tmp_path / name)
    (tmp_path / damaged).write_bytes(b"\x93NUMPY not really")
    with pytest.raises(ReaderError, match="reinstall reader"):
        Extractor.load(tagger_folder=tmp_path)


def test_tables_load_with_unknown_words_as_zero() -> None:
    tables = Tables.load(DATA_FOLDER)
    assert tables.vectors.dtype == np.float16
    assert len(tables.vocab) == tables.vectors.shape[0]
    lexicon = Lexicon.build()
    tagger = NeuralTagger.load(DATA_FOLDER, lexicon, tables)
    encoded = tagger.encode(["زززقققططط", "في"])
    assert encoded.words[0] == 0 and encoded.words[1] > 0


def test_viterbi_finds_the_best_path_of_every_sentence_in_a_batch() -> None:
    """Batched Viterbi against brute force over every tag sequence, on random scores."""
    tagger = NeuralTagger.load(DATA_FOLDER, Lexicon.build())
    trans, start, end = tagger.transitions()
    kinds = len(tagger.tags)
    rng = np.random.default_rng(15)
    scores = [(rng.normal(size=(n, kinds)) * 3).astype(np.float32) for n in (4, 1, 0, 3, 4, 2)]

    def total(s: np.ndarray, path: tuple[int, ...]) -> float:
        value = start[path[0]] + end[path[-1]]
        value += sum(s[i, p] for i, p in enumerate(path))
        value += sum(trans[a, b] for a, b in itertools.pairwise(path))
        return float(value)

    expected = [
        list(max(itertools.product(range(kinds), repeat=len(s)), key=lambda p: total(s, p)))
        if len(s)
        else []
        for s in scores
    ]
    assert tagger.decode(scores) == expected


def test_marginals_are_the_tag_probabilities_of_every_sentence_in_a_batch() -> None:
    """Forward-backward against brute force: each tag's share of all paths' probability."""
    tagger = NeuralTagger.load(DATA_FOLDER, Lexicon.build())
    trans, start, end = tagger.transitions()
    kinds = len(tagger.tags)
    rng = np.random.default_rng(7)
    scores = [(rng.normal(size=(n, kinds)) * 2).astype(np.float32) for n in (3, 0, 1, 4)]
    for s, found in zip(scores, tagger.marginals(scores), strict=True):
        assert found.shape == (len(s), kinds)
        if not len(s):
            continue
        expected = np.zeros((len(s), kinds))
        for path in itertools.product(range(kinds), repeat=len(s)):
            value = start[path[0]] + end[path[-1]] + sum(s[i, p] for i, p in enumerate(path))
            value += sum(trans[a, b] for a, b in itertools.pairwise(path))
            for i, p in enumerate(path):
                expected[i, p] += np.exp(value)
        expected /= expected[0].sum()
        assert np.allclose(found, expected, atol=1e-4)


def test_mixed_models_give_valid_bio_tags() -> None:
    extractor = Extractor.load()
    extractor.crf_share = 0.5
    lines = [line.split() for line in SEED.read_text(encoding="utf-8").splitlines() if line]
    for tags in extractor.tag_sentences(lines):
        for before, tag in itertools.pairwise(["O", *tags]):
            if tag.startswith("I-"):
                assert before[2:] == tag[2:], (before, tag)


def test_a_vocabulary_out_of_step_with_its_vectors_is_a_reader_error(tmp_path: Path) -> None:
    """Rows are matched by position: one line lost would give every later word the vector of
    its neighbour (an empty word, harakat alone, once did exactly that)."""
    for name in TABLES:
        shutil.copy(DATA_FOLDER / name, tmp_path / name)
    lines = (tmp_path / VOCAB_FILE).read_text(encoding="utf-8").split("\n")
    assert "" in lines[1:-1]  # the empty word has its own row
    del lines[5]
    (tmp_path / VOCAB_FILE).write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ReaderError, match="do not match"):
        Tables.load(tmp_path)


def test_the_tagger_extractor_finds_the_seed_articles_cast() -> None:
    """Mixed with the CRF and with every layer (the word lists' Arabic-script names too: with
    Latin-script names only, تويتر is lost)."""
    extractor = Extractor.load(tagger_folder=DATA_FOLDER)
    found = extractor.extract(SEED.read_text(encoding="utf-8"))
    names = {(e.type, e.name) for e in found if e.type in ("PERSON", "ORG", "LOC")}
    assert names == {
        ("PERSON", "إيلون ماسك"),
        ("PERSON", "سام ألتمان"),
        ("PERSON", "مارك توبيروف"),
        *(("ORG", n) for n in ("OpenAI", "xAI", "SoftBank", "Oracle", "مايكروسوفت", "تويتر", "X")),
        ("LOC", "الولايات المتحدة"),
    }


@pytest.mark.parametrize("share", [0.5, 0.0])
def test_over_the_tagger_a_facility_named_after_a_king_is_a_place(share: float) -> None:
    """The tagger makes an organisation of the name after the title (سلمان الدولي), not a
    person as the CRF does: the facility rule takes a name of any type."""
    extractor = Extractor.load(tagger_folder=DATA_FOLDER)
    extractor.crf_share = share
    text = (
        "وتخطط المملكة لتحويل مطار الملك سلمان الدولي إلى أحد أكبر مطارات العالم، "
        "فيما وصل الأمير محمد بن سلمان إلى الرياض."
    )
    found = {(e.type, e.name) for e in extractor.extract(text)}
    assert ("LOC", "مطار الملك سلمان الدولي") in found, found
    assert ("PERSON", "محمد بن سلمان") in found, found
