"""The phrase table: names seen tagged in training, their reliability, and its file form."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.arabic import fold_plain
from reader.entities import Extractor, phrase_table_path
from reader.errors import ReaderError
from reader.ner_features import Lexicon, PhraseTable, sentence_features

TAGGED = [
    [("زار", "O"), ("بان", "B-PERS"), ("كي", "I-PERS"), ("مون", "I-PERS"), ("القاهرة", "B-LOC")],
    [("وقال", "O"), ("بان", "B-PERS"), ("كي", "I-PERS"), ("مون", "I-PERS"), (".", "O")],
    # الأمل is tagged once and left untagged three times: a name, but an unreliable one.
    [("فريق", "O"), ("الأمل", "B-ORG"), ("فاز", "O")],
    [("الأمل", "O"), ("كبير", "O")],
    [("فقدنا", "O"), ("الأمل", "O")],
    [("عاد", "O"), ("الأمل", "O")],
]


def test_multiword_names_are_found_whole_with_their_clitic_stripped() -> None:
    table = PhraseTable.build(TAGGED)
    # وبان: the proclitic does not hide the phrase; لبنان's last word is not بان.
    features = table.features(["التقى", "وبان", "كي", "مون", "لبنان"])
    assert features[0] == []
    assert "tg=B-PERS" in features[1] and "tgr=B-PERS-hi" in features[1]
    assert "tg=I-PERS" in features[2] and "tg=I-PERS" in features[3]
    assert "tgn=3" in features[3]
    assert features[4] == []


def test_reliability_counts_how_often_a_phrase_is_tagged() -> None:
    table = PhraseTable.build(TAGGED)
    assert table.phrases[("الامل",)] == ("ORG", "mid")
    assert table.phrases[("القاهره",)] == ("LOC", "hi")


def test_an_unfinished_phrase_gives_no_features() -> None:
    table = PhraseTable.build(TAGGED)
    assert table.features(["بان", "كي", "و"]) == [[], [], []]


def test_a_sentence_ending_in_a_shorter_phrase_finds_that_phrase() -> None:
    table = PhraseTable.build(
        [[("الأمم", "B-ORG"), ("المتحدة", "I-ORG")], [("الأمم", "B-MISC"), ("تتقدم", "O")]]
    )
    assert table.features(["قالت", fold_plain("الأمم")])[1][:1] == ["tg=B-MISC"]


def test_file_form_round_trips() -> None:
    table = PhraseTable.build(TAGGED)
    text = table.dumps()
    assert PhraseTable.loads(text) == table
    assert text == PhraseTable.loads(text).dumps()  # sorted: the same table, the same file


def test_sentence_features_carry_the_phrase_features() -> None:
    table = PhraseTable.build(TAGGED)
    words = ["قال", "بان", "كي", "مون"]
    plain = sentence_features(Lexicon.build(), words)
    with_table = sentence_features(Lexicon.build(), words, phrases=table)
    assert [set(b) - set(a) for a, b in zip(plain, with_table, strict=True)] == [
        set(),
        {"tg=B-PERS", "tgr=B-PERS-hi", "tgn=3"},
        {"tg=I-PERS", "tgr=I-PERS-hi", "tgn=3"},
        {"tg=I-PERS", "tgr=I-PERS-hi", "tgn=3"},
    ]


def test_missing_phrase_table_is_a_reader_error(tmp_path: Path) -> None:
    from reader.entities import MODEL_PATH

    model = tmp_path / "ner.crfsuite"
    model.write_bytes(MODEL_PATH.read_bytes())
    with pytest.raises(ReaderError, match=r"ner\.phrases\.json.*python -m reader\.ner_train"):
        Extractor.load(model)


def test_shipped_phrase_table_loads() -> None:
    from reader.entities import MODEL_PATH

    table = PhraseTable.loads(phrase_table_path(MODEL_PATH).read_text(encoding="utf-8"))
    assert len(table.phrases) > 1000
    assert all(kind in {"PERS", "ORG", "LOC", "MISC"} for kind, _ in table.phrases.values())
