"""The Entities tab on its own: grouped list, selection message with spans, n/N jumps.

The pane reads the reader's corrections from a real store on disk."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.message import Message
from textual.pilot import Pilot

from reader.ingest.articles import parse_path
from reader.models import Article, EntityCorrection
from reader.store.database import Store
from reader.ui.messages import EntitySelected, MentionJump
from reader.ui.widgets.entities_pane import EntitiesPane, EntityItem, HeadingItem

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"


class PaneApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield EntitiesPane(id="entities-pane")

    def on_entity_selected(self, message: EntitySelected) -> None:
        self.messages.append(message)

    def on_mention_jump(self, message: MentionJump) -> None:
        self.messages.append(message)


async def wait_for_items(pilot: Pilot[None], pane: EntitiesPane) -> None:
    await pane.app.workers.wait_for_complete()
    await pilot.pause()


async def test_lists_entities_grouped_and_posts_spans(tmp_path: Path) -> None:
    article = parse_path(SEED)[0]
    path = tmp_path / "reader.json"
    saved = Store.open(path)
    saved.put_article(article)
    saved.add_entity_correction(EntityCorrection("hide", "تويتر"))
    saved.close()
    store = Store.open(path)  # the correction as read back from disk
    app = PaneApp()
    try:
        await _check_pane(app, store, article)
    finally:
        store.close()


async def _check_pane(app: PaneApp, store: Store, article: Article) -> None:
    async with app.run_test(size=(60, 40)) as pilot:
        pane = app.query_one(EntitiesPane)
        pane.show_article(store, article)
        await wait_for_items(pilot, pane)
        headings = [item.kind for item in pane.query(HeadingItem)]
        assert headings[:2] == ["PERSON", "ORG"]
        names = [item.entity.name for item in pane.query(EntityItem)]
        assert names[0] == "إيلون ماسك"
        assert "تويتر" not in names
        first = pane.query(EntityItem).first()
        pane.select(first.entity)
        await pilot.pause()
        selected = [m for m in app.messages if isinstance(m, EntitySelected)]
        assert selected and selected[-1].entity is not None
        assert selected[-1].entity.name == "إيلون ماسك"
        spans = selected[-1].spans
        assert len(spans) == article.text.count("ماسك") + 1
        assert all(article.text[s:e] in {"إيلون ماسك", "ماسك", "مسك"} for s, e in spans)
        pane.focus()
        # Choosing shows the first mention; n goes on to the second.
        await pilot.press("n", "n", "N")
        await pilot.pause()
        jumps = [(m.start, m.end) for m in app.messages if isinstance(m, MentionJump)]
        assert jumps == [spans[1], spans[2], spans[1]]
