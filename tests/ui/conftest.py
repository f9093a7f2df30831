"""Fixtures for the UI tests: a fixed library in tmp_path, and apps built by the real factory."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.apps import make_app

from reader.entities.extractor import Extractor
from reader.entities.index import EntityIndex
from reader.ingest.articles import parse_path
from reader.models import Article, Block
from reader.store.database import Store
from reader.ui.app import ReaderApp

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"


def english_article() -> Article:
    """A short left-to-right article, older than the seed."""
    return Article(
        id="english0000000001",
        title="Markets steady as investors wait",
        source="https://example.com/news/markets",
        blocks=[
            Block(
                "paragraph", "Stocks were little changed on Monday as investors waited for news."
            ),
            Block("heading", "Oil prices"),
            Block("paragraph", "Oil rose slightly after a week of losses, traders said."),
        ],
        published="2025-01-05",
        added="2025-01-05T08:00:00",
        language="en",
        direction="ltr",
    )


def arabic_short_article() -> Article:
    """A short Arabic article, the oldest in the library."""
    return Article(
        id="arabic0000000002",
        title="الطقس في الرياض",
        source="https://example.com/ar/weather",
        blocks=[
            Block("paragraph", "يتوقع أن تكون درجات الحرارة مرتفعة في الرياض هذا الأسبوع."),
            Block("paragraph", "وقالت الأرصاد إن الرياح ستكون معتدلة."),
        ],
        published="2024-12-01",
        added="2024-12-01T08:00:00",
    )


def seed_article() -> Article:
    """The shipped seed article with fixed dates (so screens do not depend on the clock)."""
    article = parse_path(SEED)[0]
    article.published = "2025-02-11"
    article.added = "2025-02-11T09:00:00"
    return article


@pytest.fixture(autouse=True)
def _no_env_bidi(monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's READER_BIDI must not change what the tests see."""
    monkeypatch.delenv("READER_BIDI", raising=False)


@pytest.fixture(scope="session")
def indexed_library(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    """The fixed library's folder, built once per test process with its entity index up to
    date, as it is at every start after the first (see `db_path`)."""
    folder = tmp_path_factory.mktemp("library")
    store = Store.open(folder / "reader.json")
    for article in (seed_article(), english_article(), arabic_short_article()):
        store.put_article(article)
    with EntityIndex.open(store, extractor) as index:
        index.update()
    store.close()
    return folder


@pytest.fixture
def db_path(tmp_path: Path, indexed_library: Path) -> Path:
    """A database holding the seed article and two short ones (newest first: seed, en, ar),
    a copy of `indexed_library`: the app's background entity pass a second after start finds
    the articles indexed instead of extracting them again in every test (0.12 CPU-s each)."""
    for source in indexed_library.iterdir():
        if source.is_dir():
            shutil.copytree(source, tmp_path / source.name)
        else:
            shutil.copy2(source, tmp_path / source.name)
    return tmp_path / "reader.json"


@pytest.fixture
def app_factory(db_path: Path) -> Callable[..., ReaderApp]:
    """Builds apps on the fixed library through the real factory, with the entity model the
    test process has loaded once (`helpers.apps.make_app`)."""

    def build(**kwargs: object) -> ReaderApp:
        return make_app(db_path, seed=False, **kwargs)

    return build
