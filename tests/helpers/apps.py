"""Apps for the tests, built by the real factory (`reader.ui.app.make_app`) with the entity
model this test process loads once: loading folds every word list (0.2 CPU-s), and a run
starts hundreds of apps, most on a library whose articles the app extracts in the background.
A test of loading itself (when, how often) uses `reader.ui.app.make_app` and passes no model.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from reader.entities.extractor import Extractor
from reader.ui.app import ReaderApp
from reader.ui.app import make_app as build_app


@cache
def shared_extractor() -> Extractor:
    """The shipped entity model and word lists, loaded once per test process (`extract` has
    no side effects, so every test can share one; a test that changes a setting such as
    `crf_share` loads its own)."""
    return Extractor.load()


def make_app(*args: Any, **kwargs: Any) -> ReaderApp:
    """`reader.ui.app.make_app` with the shared entity model unless the test gives one."""
    kwargs.setdefault("extractor", shared_extractor())
    return build_app(*args, **kwargs)
