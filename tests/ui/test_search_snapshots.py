"""SVG snapshots of the search screen at 130x45 and 80x24: an Arabic query whose results are a
hit in the text (the seed article) and a hit in a note (the weather article). Regenerate with
`--snapshot-update` and look at them (`rsvg-convert X.svg -o X.png`): Arabic joined, right to
left, right-aligned, the matches marked.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.arabic import type_text
from helpers.screen import steady_cursors
from helpers.waits import search_answered, settle
from textual.pilot import Pilot

from reader.models import Annotation
from reader.store.database import Store
from reader.ui.app import ReaderApp

SIZES = [(130, 45), (80, 24)]
SIZE_IDS = ["130x45", "80x24"]
Factory = Callable[..., ReaderApp]
SnapCompare = Callable[..., bool]
NOTE = "هل يشتري ماسك شركة أخرى؟"


@pytest.fixture
def noted_app(db_path: Path, app_factory: Factory) -> Factory:
    """The fixed library with a note that names ماسك on the weather article."""
    with Store.open(db_path) as store:
        article = store.get_article("arabic0000000002")
        assert article is not None
        start = article.text.index("الرياح")
        store.add_annotation(
            Annotation(
                id="note-1",
                article_id=article.id,
                start=start,
                end=start + len("الرياح"),
                quote="الرياح",
                note=NOTE,
            )
        )
    return app_factory


async def _searched(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.press("s")
    await settle(pilot)
    await type_text(pilot, "ماسك")
    await search_answered(pilot)
    steady_cursors(pilot.app)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_search_screen(
    snap_compare: SnapCompare, noted_app: Factory, size: tuple[int, int]
) -> None:
    assert snap_compare(noted_app(), terminal_size=size, run_before=_searched)
