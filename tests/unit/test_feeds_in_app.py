"""The pieces of the app's feeds screen that are plain functions: relative times, the error
cell, the refresh notification and the saved interval."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reader.ingest.library import FeedResult, RefreshReport
from reader.models import Article
from reader.ui.feed_refresh import interval_name, refresh_summary, saved_interval
from reader.ui.screens.feeds import error_cell, feed_columns, relative_time

NOW = datetime(2026, 3, 10, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stamp", "said"),
    [
        ("", "never"),
        ("2026-03-10T11:59:30+00:00", "just now"),
        ("2026-03-10T11:48:00+00:00", "12 min ago"),
        ("2026-03-10T09:00:00+00:00", "3 h ago"),
        ("2026-03-09T11:00:00+00:00", "1 day ago"),
        ("2026-03-05T12:00:00+00:00", "5 days ago"),
        ("2026-02-01T08:00:00+00:00", "2026-02-01"),  # older than a week: its date
        ("2026-03-10T11:30:00", "30 min ago"),  # no zone: UTC, as records are written
        ("2026-03-11T12:00:00+00:00", "2026-03-11"),  # a clock ahead of ours: its date
        ("yesterday\x1b[31m", "yesterday"),  # not a time: cut to 10 cells, the escape gone
    ],
)
def test_relative_time(stamp: str, said: str) -> None:
    assert relative_time(stamp, NOW) == said


def test_the_error_cell_leaves_the_feeds_url_to_the_line_below() -> None:
    url = "https://example.com/feed"
    assert error_cell(f"{url} answered 404 Not Found.", url) == "Answered 404 Not Found."
    assert error_cell(f"Could not fetch {url}: refused.", url) == "Could not fetch: refused."
    assert error_cell("", url) == ""


@pytest.mark.parametrize("width", [60, 80, 100, 130, 200])
def test_feed_columns_fill_the_width(width: int) -> None:
    columns = feed_columns(width)
    used = columns.title + columns.error + 6 + 12 + 4 * 2 + 2
    assert used == width or (width < 80 and columns.error == 10)
    assert 16 <= columns.title <= 48


def _article(n: int) -> Article:
    return Article(id=f"a{n}", title=str(n), source="", blocks=[])


def test_refresh_summary_counts_articles_feeds_and_failures() -> None:
    report = RefreshReport(
        results=[
            FeedResult("https://a/feed", "أخبار", new=3),
            FeedResult("https://b/feed", "Sport", new=2),
            FeedResult("https://c/feed", "", not_modified=True),
            FeedResult("https://d/feed", "Dead", error="https://d/feed answered 404 Not Found."),
        ],
        new_articles=[_article(n) for n in range(5)],
    )
    assert refresh_summary(report) == (
        "5 new articles from 2 feeds; 1 failed: Dead: https://d/feed answered 404 Not Found."
    )
    quiet = RefreshReport(results=[FeedResult("https://c/feed", "C", not_modified=True)])
    assert refresh_summary(quiet) == "No new articles (1 feed checked)."
    failing = RefreshReport(
        results=[FeedResult(f"https://{n}/f", f"F{n}", error="down.") for n in range(5)]
    )
    assert refresh_summary(failing) == (
        "No new articles (0 feeds checked); 5 failed (the feeds screen says why):"
        "\nF0\nF1\nF2\nand 2 more"
    )
    two = RefreshReport(
        results=[
            FeedResult("https://a/f", "أخبار الرياض", error="down."),
            FeedResult("https://b/f", "", error="down."),
        ]
    )
    assert refresh_summary(two).split("\n") == [
        "No new articles (0 feeds checked); 2 failed (the feeds screen says why):",
        "أخبار الرياض",
        "https://b/f",
    ]


def test_saved_interval_and_its_name() -> None:
    assert [saved_interval(v) for v in (None, "900", True, -5, 0, 900, 0.3)] == [
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        900.0,
        0.3,
    ]
    assert [interval_name(s) for s in (0, 900, 3600, 21600, 120, 0.3)] == [
        "off",
        "every 15 min",
        "every hour",
        "every 6 hours",
        "every 2 min",
        "every 0.3 s",
    ]
