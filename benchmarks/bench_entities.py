"""Entity extraction: quality on held-out ANERcorp sentences, speed, load time and size.

Quality: exact span and type (PERSON/ORG/LOC/MISC against ANERcorp's PERS/ORG/LOC/MISC)
on the last tenth of ../shared/anercorp/ANERcorp_train.txt, which neither `tools/ner_train.py`
nor `tools/tagger_train.py` trains on. Scored sentence by sentence for the plain CRF, the
neural tagger alone, and the extractor's tagging (tagger + the layers it keeps), then by
runs of sentences as articles. `--dev` scores models trained with `--dev` on the
development part instead, for tuning without looking at the held-out part; `--layers`
adds every combination of the correction layers.

Speed: model load, an article of about 830 words and the seed article after load, and the
300-article corpus; size: the model files shipped in reader/entities/data/.

    .venv/bin/python benchmarks/bench_entities.py [--layers]
    .venv/bin/python benchmarks/bench_entities.py --dev --model /tmp/dev.crfsuite --tagger /tmp/dev
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests"))

import copy  # noqa: E402
import itertools  # noqa: E402

from helpers.entities_gold import SCORED_TYPES, describe, load_gold, score_gold  # noqa: E402
from ner_train import read_conll, split_dev, split_holdout, split_tenth  # noqa: E402

from reader.entities.extractor import (  # noqa: E402
    DATA_FOLDER,
    MODEL_PATH,
    Extractor,
    Layers,
    bio_spans,
)
from reader.entities.tagger import CONFIG_FILE, WEIGHTS_FILE  # noqa: E402
from reader.entities.tagger_inputs import CLUSTERS_FILE, VECTORS_FILE, VOCAB_FILE  # noqa: E402
from reader.text.arabic import fold_plain  # noqa: E402

TYPES = ("PERS", "ORG", "LOC", "MISC")


def score(
    sentences: Sequence[list[tuple[str, str]]], tagger: Callable[[list[str]], list[str]]
) -> tuple[Counter[tuple[str, str]], Counter[str]]:
    """Counts of true/false positives and false negatives, by type and in total."""
    per_type: Counter[tuple[str, str]] = Counter()
    total: Counter[str] = Counter()
    for sentence in sentences:
        words = [w for w, _ in sentence]
        gold = set(bio_spans([t for _, t in sentence]))
        predicted = set(bio_spans(tagger(words)))
        for kind, spans in (
            ("tp", gold & predicted),
            ("fp", predicted - gold),
            ("fn", gold - predicted),
        ):
            total[kind] += len(spans)
            for span in spans:
                per_type[(span[2], kind)] += 1
    return per_type, total


def article_mode(
    sentences: Sequence[list[tuple[str, str]]], extractor: Extractor, window: int
) -> tuple[Counter[tuple[str, str]], Counter[str]]:
    """Score `Extractor.extract` on runs of `window` consecutive sentences taken as articles.

    ANERcorp keeps its sentences in article order but does not mark where articles end,
    so a run approximates an article; this measures the article-level steps (a name found
    once is tagged everywhere, surnames of full names). Mentions map back to the tokens
    they overlap. Dates and percentages are not ANERcorp entities and are skipped; ANERcorp
    tags the currency word of an amount ("60 دولارا") as MISC, so a MONEY mention counts
    as a MISC span on its currency word, our richer type translated to theirs.
    """
    per_type: Counter[tuple[str, str]] = Counter()
    total: Counter[str] = Counter()
    back = {"PERSON": "PERS", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC"}
    for first in range(0, len(sentences), window):
        chunk = sentences[first : first + window]
        lines: list[str] = []
        places: list[tuple[int, int, int, int]] = []  # (start, end, sentence, token)
        offset = 0
        for number, sentence in enumerate(chunk):
            words = []
            for index, (word, _) in enumerate(sentence):
                places.append((offset, offset + len(word), number, index))
                words.append(word)
                offset += len(word) + 1
            lines.append(" ".join(words))
        text = "\n".join(lines)
        gold = {
            (number, *span)
            for number, s in enumerate(chunk)
            for span in bio_spans([t for _, t in s])
        }
        predicted = set()
        currencies = extractor._lexicon.currencies
        for entity in extractor.extract(text):
            if entity.type == "MONEY":
                for mention in entity.mentions:
                    for start, end, number, index in places:
                        inside = mention.start <= start and end <= mention.end
                        if inside and fold_plain(text[start:end]) in currencies:
                            predicted.add((number, index, index + 1, "MISC"))
                continue
            if entity.type not in back or any(c.isdigit() for c in entity.name):
                continue
            for mention in entity.mentions:
                hit = [p for p in places if p[0] < mention.end and mention.start < p[1]]
                if hit and hit[0][2] == hit[-1][2]:
                    predicted.add((hit[0][2], hit[0][3], hit[-1][3] + 1, back[entity.type]))
        for kind, spans in (
            ("tp", gold & predicted),
            ("fp", predicted - gold),
            ("fn", gold - predicted),
        ):
            total[kind] += len(spans)
            for span in spans:
                per_type[(span[3], kind)] += 1
    return per_type, total


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def report(name: str, per_type: Counter[tuple[str, str]], total: Counter[str]) -> float:
    """Print one scorer's figures; return its F1."""
    p, r, f = prf(total["tp"], total["fp"], total["fn"])
    print(f"{name}: precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}   (target F1 >= 0.78)")
    for kind in TYPES:
        tp, fp, fn = per_type[(kind, "tp")], per_type[(kind, "fp")], per_type[(kind, "fn")]
        kp, kr, kf = prf(tp, fp, fn)
        print(f"    {kind:<5} P {kp:.3f}  R {kr:.3f}  F1 {kf:.3f}   (gold {tp + fn})")
    return f


def gold_report(name: str, extractor: Extractor, details: bool) -> float:
    """Typed precision, recall and F1 on the project's gold set of today's news; its F1."""
    scores = score_gold(extractor.extract, load_gold())
    p, r, f = scores.prf()
    print(f"{name}: precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}   (target F1 >= 0.85)")
    for kind in SCORED_TYPES:
        c = scores.counts[kind]
        kp, kr, kf = scores.prf(kind)
        print(f"    {kind:<6} P {kp:.3f}  R {kr:.3f}  F1 {kf:.3f}   (gold {c['tp'] + c['fn']})")
    if details:
        print("    " + describe(scores).replace("\n", "\n    "))
    return f


def best_of(runs: int, action: Callable[[], object]) -> float:
    """Best wall time of `runs` runs, in seconds."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev", action="store_true", help="score the development part")
    parser.add_argument(
        "--dev-tenth", type=int, help="score this tenth (0-9) of the training part instead"
    )
    parser.add_argument("--model", type=Path, default=MODEL_PATH, help="the CRF")
    parser.add_argument("--tagger", type=Path, default=DATA_FOLDER, help="the tagger's folder")
    parser.add_argument("--layers", action="store_true", help="score each layer combination")
    parser.add_argument(
        "--shares", action="store_true", help="score mixes of the CRF's and tagger's probabilities"
    )
    parser.add_argument(
        "--crf-share",
        type=float,
        help="the tagger extractor's CRF share (default: the extractor's own)",
    )
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument(
        "--gold-details", action="store_true", help="list the gold set's misses and extras"
    )
    parser.add_argument("--window", type=int, default=10, help="sentences per pseudo-article")
    args = parser.parse_args()

    corpus = SHARED / "anercorp" / "ANERcorp_train.txt"
    extractor = Extractor.load(args.model, tagger_folder=None)
    neural = Extractor.load(args.model, tagger_folder=args.tagger)
    if args.crf_share is not None:
        neural.crf_share = args.crf_share
    if not neural.neural:
        print(f"no tagger weights in {args.tagger}: the neural tagger is not measured")
    if corpus.is_file():
        training, part = split_holdout(read_conll(corpus))
        label = "held-out"
        if args.dev:
            _, part = split_dev(training)
            label = "dev"
        if args.dev_tenth is not None:
            _, part = split_tenth(training, args.dev_tenth)
            label = f"tenth {args.dev_tenth} of the training"
        tokens = sum(len(s) for s in part)
        print(f"ANERcorp {label} part: {len(part)} sentences, {tokens} tokens")
        report("  plain CRF               ", *score(part, extractor.crf_tags))
        print(f"  CRF extractor, layers {extractor.layers}")
        report("  CRF extractor, by sentence", *score(part, extractor.tag_words))
        if neural.neural:
            alone = copy.copy(neural)
            alone.crf_share = 0.0
            report("  neural tagger alone     ", *score(part, alone.model_tags))
            mixed = copy.copy(neural)
            mixed.crf_share = 0.5
            report("  tagger + CRF mixed (0.5)", *score(part, mixed.model_tags))
            print(f"  tagger extractor, CRF share {neural.crf_share}, layers {neural.layers}")
            report("  tagger extractor, by sentence", *score(part, neural.tag_words))
        if neural.neural and args.shares:
            for share in (0.0, 0.3, 0.5, 0.7):
                other = copy.copy(neural)
                other.crf_share = share
                _, total = score(part, other.model_tags)
                f = prf(total["tp"], total["fp"], total["fn"])[2]
                print(f"    models only, CRF share {share}: F1 {f:.3f}")
        if args.layers:
            for base in (extractor, neural) if neural.neural else (extractor,):
                for values in itertools.product((False, True), repeat=5):
                    layers = Layers(*values)
                    narrowed = layers.gazetteer_latin_only or not layers.people
                    if (not layers.gazetteer and narrowed) or (
                        layers.gazetteer_latin_only and not layers.people
                    ):
                        continue
                    other = copy.copy(base)
                    other.layers = layers
                    _, total = score(part, other.tag_words)
                    f = prf(total["tp"], total["fp"], total["fn"])[2]
                    print(f"    {'tagger' if base.neural else 'CRF'} {layers}: F1 {f:.3f}")
        for name, which in (("CRF", extractor), ("tagger", neural)):
            if which.neural or which is extractor:
                report(
                    f"  {name} extractor, runs of {args.window} sentences as articles",
                    *article_mode(part, which, args.window),
                )
    else:
        print(f"ANERcorp not found at {corpus}: quality not measured")

    default = "tagger" if Extractor.load().neural else "CRF"
    print(f"The default extractor: the {default} extractor")
    print("Gold set of today's news (tests/fixtures/entities_gold/, typed, per entity and text):")
    gold_report("  CRF extractor           ", extractor, args.gold_details)
    if neural.neural:
        gold_report(f"  tagger extractor ({neural.crf_share} CRF)", neural, args.gold_details)
        alone = copy.copy(neural)
        alone.crf_share = 0.0
        gold_report("  tagger-alone extractor  ", alone, args.gold_details)

    if args.no_speed:
        return 0
    shipped = [MODEL_PATH, *(DATA_FOLDER / n for n in (WEIGHTS_FILE, CONFIG_FILE))]
    shipped += [DATA_FOLDER / n for n in (VECTORS_FILE, VOCAB_FILE, CLUSTERS_FILE)]
    sizes = {p.name: p.stat().st_size / 1e6 for p in shipped if p.is_file()}
    print(
        f"model files: {sum(sizes.values()):.1f} MB   (target <= 20 MB): "
        + ", ".join(f"{name} {mb:.1f}" for name, mb in sizes.items())
    )
    seed = (ROOT / "seeds" / "000_23062d0d2c77e25f.txt").read_text(encoding="utf-8")
    articles_file = SHARED / "corpus" / "saudinewsnet-300.jsonl"
    texts = (
        [
            json.loads(line).get("content", "")
            for line in articles_file.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        if articles_file.is_file()
        else []
    )
    for name, which, folder in (
        ("CRF extractor", extractor, None),
        ("tagger extractor", neural, args.tagger),
    ):
        if which is neural and not neural.neural:
            continue
        print(f"{name}:")
        load = best_of(5, lambda folder=folder: Extractor.load(args.model, tagger_folder=folder))
        print(f"  load: {load * 1000:.0f} ms   (target <= 300 ms)")
        which.extract(seed)
        seed_time = best_of(10, lambda which=which: which.extract(seed))
        print(f"  seed article ({len(seed.split())} words): {seed_time * 1000:.1f} ms")
        if not texts:
            continue
        article = min(texts, key=lambda t: abs(len(t.split()) - 830))
        which.extract(article)
        took = best_of(10, lambda which=which, article=article: which.extract(article))
        words = len(article.split())
        print(f"  article of {words} words: {took * 1000:.1f} ms   (target <= 30 ms)")
        # The same article first thing after a load: nothing kept from an earlier article.
        fresh = [Extractor.load(args.model, tagger_folder=folder) for _ in range(5)]
        for other in fresh:
            other.crf_share = which.crf_share
        cold = best_of(5, lambda article=article, fresh=fresh: fresh.pop().extract(article))
        print(f"  the same, first after a load: {cold * 1000:.1f} ms")
        chars = sum(len(t) for t in texts)
        whole = best_of(2, lambda which=which: [which.extract(t) for t in texts])
        print(f"  corpus: {len(texts)} articles, {chars} chars in {whole:.2f} s   (target <= 10 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
