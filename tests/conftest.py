"""Fixtures for the whole suite."""

from __future__ import annotations

import socketserver
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from helpers.loopback import Serve, serving
from helpers.told import Told

from reader.entities.extractor import Extractor


@pytest.fixture
def serve() -> Iterator[Serve]:
    """`serve(Handler)` starts a loopback HTTP server and returns its base URL
    (http://127.0.0.1:PORT); the servers stop when the test ends."""
    with ExitStack() as running:

        def start(handler: type[socketserver.BaseRequestHandler], host: str = "127.0.0.1") -> str:
            return running.enter_context(serving(handler, host))

        yield start


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    """The shipped entity model and word lists, loaded once per test process (loading folds
    every word list; `extract` has no side effects, so every test can share one)."""
    return Extractor.load()


@pytest.fixture
def told() -> Told:
    """Collects an app's notifications: `app.run_test(..., message_hook=told.hook)`."""
    return Told()
