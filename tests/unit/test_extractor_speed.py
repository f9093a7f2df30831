"""The extractor's speed-ups keep its output: features cut to the CRF's attributes and kept
per word across articles tag exactly as the full features do."""

from __future__ import annotations

from pathlib import Path

import pycrfsuite
import pytest
from helpers.entities_gold import GOLD_FOLDER

from reader.entities.extractor import MODEL_PATH, Extractor, model_attributes
from reader.entities.features import Lexicon, sentence_features, sentences, tokenize

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"


def texts() -> list[str]:
    gold = sorted(GOLD_FOLDER.glob("*.txt"))
    return [SEED.read_text("utf-8"), *(p.read_text("utf-8") for p in gold)]


@pytest.fixture(scope="module")
def tagger() -> pycrfsuite.Tagger:
    opened = pycrfsuite.Tagger()
    opened.open(str(MODEL_PATH))
    return opened


def test_the_attributes_read_from_the_model_file_are_those_it_has_weights_for(
    tagger: pycrfsuite.Tagger,
) -> None:
    weighted = {attribute for attribute, _ in tagger.info().state_features}
    assert model_attributes(MODEL_PATH) == weighted


def test_a_file_that_is_not_a_crf_model_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.bin"
    other.write_bytes(b"not a model" * 10)
    with pytest.raises(ValueError, match="not a CRFsuite"):
        model_attributes(other)


def test_the_crf_tags_every_sentence_as_with_its_full_features(
    tagger: pycrfsuite.Tagger,
) -> None:
    extractor = Extractor.load()
    lexicon = Lexicon.build()
    compared = 0
    # Twice over: the second pass reads every word's features from the cache.
    for text in [*texts(), *texts()]:
        tokens = tokenize(text)
        for start, end in sentences(text, tokens):
            words = [t.text for t in tokens[start:end]]
            full = list(tagger.tag(sentence_features(lexicon, words)))
            assert extractor.crf_tags(words) == full, words
            compared += 1
    assert compared > 200


def test_entities_are_the_same_with_the_cut_features_and_with_all_of_them(
    tagger: pycrfsuite.Tagger,
) -> None:
    fast = Extractor.load(tagger_folder=None)  # the CRF extractor
    plain = Extractor(tagger, Lexicon.build())
    for text in texts():
        got = [(e.name, e.type, e.mentions) for e in fast.extract(text)]
        assert got == [(e.name, e.type, e.mentions) for e in plain.extract(text)]
        assert got
