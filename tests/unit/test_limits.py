"""Time limits that hold for any input: deep HTML, slow servers, hostile redirects.

Everything goes through the `reader` command in a subprocess, with real files, a real
database on disk and loopback HTTP servers started by the test.
"""

from __future__ import annotations

import html
import os
import subprocess
import sys
import time
from pathlib import Path

from reader.store import Store

ARABIC = "نص عربي في أعمق عنصر"


def run_cli(
    db: Path, *args: str, timeout: float = 60, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], float]:
    """`reader ARGS` on `db`; the result and how long it took (a hang fails the test)."""
    full_env = {**os.environ, "READER_DB": str(db), "COLUMNS": "120", "NO_COLOR": "1"}
    full_env.update(env or {})
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "reader", *args],
        capture_output=True,
        text=True,
        env=full_env,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        check=False,
    )
    return result, time.monotonic() - started


def stored(db: Path) -> list[tuple[str, str]]:
    """(title, text) of every article in the database on disk."""
    store = Store.open(db)
    try:
        articles = [store.get_article(summary.id) for summary in store.list_articles()]
        return [(article.title, article.text) for article in articles if article is not None]
    finally:
        store.close()


# ------------------------------------------------------------------ deep nesting


def nested(depth: int, text: str = ARABIC) -> str:
    return "<div>" * depth + f"<p>{text}</p>" + "</div>" * depth


def test_a_page_nested_100000_deep_is_imported_in_linear_time(tmp_path: Path) -> None:
    # Before: the block collector rescanned its open-tag stack for every tag (455 s here).
    page = tmp_path / "deep.html"
    page.write_text(f"<html><body>{nested(100_000)}</body></html>", encoding="utf-8")
    db = tmp_path / "db" / "reader.json"
    result, seconds = run_cli(db, "add", str(page), timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Added 1 article.\n"
    assert stored(db) == [(ARABIC, ARABIC)]
    assert seconds < 30


def test_a_feed_entry_nested_20000_deep_is_imported_in_linear_time(tmp_path: Path) -> None:
    # A 460 KB entry: 34 s before, in feedparser's sanitiser and then our collector.
    entry = html.escape(nested(20_000))
    feed = tmp_path / "deep.rss"
    feed.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>عميق</title>'
        "<item><title>خبر عميق</title><link>https://example.com/deep</link>"
        f"<description>{entry}</description></item></channel></rss>",
        encoding="utf-8",
    )
    assert feed.stat().st_size > 450_000
    db = tmp_path / "db" / "reader.json"
    result, seconds = run_cli(db, "add", str(feed), timeout=60)
    assert result.returncode == 0, result.stderr
    assert stored(db) == [("خبر عميق", ARABIC)]
    assert seconds < 20
