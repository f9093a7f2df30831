"""The entity gold set of `tests/fixtures/entities_gold/` and how an extractor is scored on it.

Shared by `tests/unit/test_entities_gold.py` and `benchmarks/bench_entities.py`. The rules
(also in the folder's README):

- Only people, organisations and places are scored (PERSON, ORG, LOC).
- A gold entity is one line: its type, its name as written, and any other forms the text uses
  for the same entity (a surname alone, an abbreviation, a Latin-script spelling).
- An extracted entity matches a gold entity when the types are equal and its name, after
  Arabic folding, is exactly one of the gold entity's forms after folding.
- Each entity counts once per text: several extracted entities matching one gold entity
  (the extractor did not group them) make one true positive, not extras.
- An extracted PERSON/ORG/LOC entity matching no gold entity is a false positive; a gold
  entity matched by nothing is a false negative.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reader.entities.extractor import Entity
from reader.text.arabic import fold_plain

GOLD_FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "entities_gold"
SCORED_TYPES = ("PERSON", "ORG", "LOC")


@dataclass(frozen=True, slots=True)
class GoldEntity:
    """One line of a gold list."""

    type: str
    forms: tuple[str, ...]
    """The name as written first, then other forms the text uses."""


@dataclass(frozen=True, slots=True)
class GoldText:
    """One text of the gold set and its careful reader's list."""

    name: str
    text: str
    entities: tuple[GoldEntity, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one text was scored: what matched, what was missed, what was extra."""

    name: str
    matched: tuple[GoldEntity, ...]
    missed: tuple[GoldEntity, ...]
    extra: tuple[tuple[str, str], ...]
    """(type, name) of extracted entities matching nothing."""


def _key(name: str) -> str:
    return " ".join(fold_plain(name).split())


def load_gold(folder: Path = GOLD_FOLDER) -> list[GoldText]:
    """Every text of the gold set (NN-topic.txt) with its list (NN-topic.tsv)."""
    out: list[GoldText] = []
    for text_file in sorted(folder.glob("*.txt")):
        entities = []
        for line in text_file.with_suffix(".tsv").read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            kind, *forms = line.split("\t")
            if kind not in SCORED_TYPES or not forms:
                raise ValueError(f"{text_file.with_suffix('.tsv').name}: bad line {line!r}")
            entities.append(GoldEntity(kind, tuple(forms)))
        out.append(GoldText(text_file.stem, text_file.read_text(encoding="utf-8"), tuple(entities)))
    return out


def score_text(gold: GoldText, entities: Sequence[Entity]) -> Outcome:
    """Match one text's extracted entities against its list."""
    index: dict[tuple[str, str], GoldEntity] = {}
    for entity in gold.entities:
        for form in entity.forms:
            index[(entity.type, _key(form))] = entity
    matched: dict[GoldEntity, None] = {}
    extra: dict[tuple[str, str], None] = {}
    for found in entities:
        if found.type not in SCORED_TYPES:
            continue
        hit = index.get((found.type, _key(found.name)))
        if hit is None:
            extra[(found.type, found.name)] = None
        else:
            matched[hit] = None
    missed = tuple(e for e in gold.entities if e not in matched)
    return Outcome(gold.name, tuple(matched), missed, tuple(extra))


@dataclass(frozen=True, slots=True)
class Scores:
    """Typed precision, recall and F1, overall and per type, over the whole set."""

    counts: dict[str, Counter[str]]
    """Per type and "all": tp, fp, fn."""
    outcomes: tuple[Outcome, ...]

    def prf(self, kind: str = "all") -> tuple[float, float, float]:
        c = self.counts[kind]
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def score_gold(extract: Callable[[str], Sequence[Entity]], gold: Sequence[GoldText]) -> Scores:
    """Score an extractor (`Extractor.extract` or alike) on every text of the set."""
    counts: dict[str, Counter[str]] = {k: Counter() for k in (*SCORED_TYPES, "all")}
    outcomes = []
    for text in gold:
        outcome = score_text(text, extract(text.text))
        outcomes.append(outcome)
        for kind, items in (
            ("tp", [e.type for e in outcome.matched]),
            ("fn", [e.type for e in outcome.missed]),
            ("fp", [t for t, _ in outcome.extra]),
        ):
            for t in items:
                counts[t][kind] += 1
                counts["all"][kind] += 1
    return Scores(counts, tuple(outcomes))


def describe(scores: Scores) -> str:
    """The misses and extras of every text, one line each, for a failing test or the bench."""
    lines = []
    for o in scores.outcomes:
        missed = ", ".join(f"{e.type} {e.forms[0]}" for e in o.missed)
        extra = ", ".join(f"{t} {n}" for t, n in o.extra)
        lines.append(f"{o.name}: missed [{missed}] extra [{extra}]")
    return "\n".join(lines)
