"""Fixtures for the whole suite."""

from __future__ import annotations

import compileall
import gc
import os
import shutil
import socketserver
import subprocess
import sys
import tempfile
from collections.abc import Generator, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from filelock import FileLock
from helpers.apps import shared_extractor
from helpers.loopback import Serve, serving
from helpers.told import Told

from reader.entities.extractor import Extractor

ROOT = Path(__file__).resolve().parents[1]
#: Environment variable naming the folder (made by the xdist controller) where the workers
#: take turns at their first collection.
FIRST_COLLECTION = "READER_TESTS_FIRST_COLLECTION"


def pytest_configure(config: pytest.Config) -> None:
    """Garbage collection runs after 50,000 new objects instead of 700: a test app builds and
    drops widget trees of thousands of objects, and at the default a test process spent 13% of
    its CPU collecting (reference counting still frees what has no cycle at once).

    With xdist, the controller compiles the package before the workers start: on a fresh
    clone every worker would otherwise compile each module it imports (they start together,
    so none finds another's bytecode), 4 CPU-s of a run with six workers. It also makes the
    folder in which the workers take turns at their first collection (`pytest_collection`)."""
    gc.set_threshold(50_000, 20, 100)
    controller = config.getoption("numprocesses", None) and not hasattr(config, "workerinput")
    if controller and not sys.dont_write_bytecode:
        compileall.compile_dir(ROOT / "reader", quiet=2)
        os.environ[FIRST_COLLECTION] = tempfile.mkdtemp(prefix="reader-tests-")


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> Generator[None, object, object]:
    """An xdist worker collects the tests alone while no other has: the first to start
    rewrites every test module's asserts (pytest's bytecode for them, in `__pycache__`) and the
    others wait and then import that. On a fresh clone six workers starting together each
    rewrote them (none found another's bytecode), 2.3-2.7 CPU-s of collection a worker; now
    the first takes 3.1 and the others 0.8-0.9."""
    folder = os.environ.get(FIRST_COLLECTION)
    if folder is None or "PYTEST_XDIST_WORKER" not in os.environ:
        return (yield)
    done = Path(folder, "collected")
    with FileLock(str(Path(folder, "collecting.lock"))):
        if not done.exists():
            try:
                return (yield)
            finally:
                done.touch()
    return (yield)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run order: the UI tests spread evenly among the others, each kind in its collected
    order, and the slow tests at the head of each worker's first batch, one a worker (a slow
    test started late holds up the end of the run; several in one batch hold up that worker).
    A UI test waits on its app for about half its time; in collected order (tests/ui/ before
    tests/unit/) xdist's workers ended the run all in UI tests, with the cores a third idle.

    xdist's load scheduling hands each of its N workers a first batch of consecutive tests,
    a quarter of its share (len(items) // N // 4) of them: the slow tests go at the start of
    those batches, wrapping round to second places when there are more slow tests than
    workers."""

    ui_folder = ROOT / "tests" / "ui"
    slow = [item for item in items if item.get_closest_marker("slow") is not None]
    rest = [item for item in items if item.get_closest_marker("slow") is None]
    kinds = [item.path.is_relative_to(ui_folder) for item in rest]
    counts = {kind: kinds.count(kind) for kind in (True, False)}
    seen = {True: 0, False: 0}
    place: dict[str, float] = {}
    for item, kind in zip(rest, kinds, strict=True):
        place[item.nodeid] = (seen[kind] + 0.5) / counts[kind]
        seen[kind] += 1
    rest.sort(key=lambda item: place[item.nodeid])

    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    batch = max(2, len(items) // workers // 4)
    slots = sorted((number % workers) * batch + number // workers for number in range(len(slow)))
    ordered = list(rest)
    for slot, item in zip(slots, slow, strict=True):
        ordered.insert(min(slot, len(ordered)), item)
    items[:] = ordered


def pytest_unconfigure(config: pytest.Config) -> None:
    """The run is over: what is left in memory (the widgets of a few hundred test apps) is
    frozen out of garbage collection, which at exit took a test process seconds, and an xdist
    worker that has not exited 5 s after the run is interrupted and waited for."""
    gc.freeze()
    if not hasattr(config, "workerinput") and FIRST_COLLECTION in os.environ:
        shutil.rmtree(os.environ.pop(FIRST_COLLECTION), ignore_errors=True)


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's temporary folder, which every xdist worker's own folder is in."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def bytecode_cache_for_subprocesses(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The processes tests start (`python -m reader ...`, hundreds in a run) keep their compiled
    modules in one folder for the run instead of compiling every module from source each time
    (PYTHONDONTWRITEBYTECODE, when set, forbids even that): the source tree stays clean, and a
    process runs what an installed `reader`, compiled once, runs."""
    base = run_folder(tmp_path_factory)
    with pytest.MonkeyPatch.context() as env:
        env.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
        env.setenv("PYTHONPYCACHEPREFIX", str(base / "pycache"))
        yield


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip wheel` builds from this checkout, built once for the run: the first
    worker to ask builds it, under a lock in the run's folder, and the others reuse it."""
    base = run_folder(tmp_path_factory)
    folder = base / "wheel"
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    with FileLock(str(base / "wheel.lock")):
        if not folder.is_dir():
            building = base / "wheel-building"
            built = subprocess.run(
                [*pip_wheel, "--quiet", "--wheel-dir", str(building), str(ROOT)],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert built.returncode == 0, built.stderr
            building.rename(folder)
    (found,) = folder.glob("*.whl")
    return found


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
    every word list; `extract` has no side effects, so every test can share one): the same
    one `helpers.apps.make_app` gives the apps it builds."""
    return shared_extractor()


@pytest.fixture
def told() -> Told:
    """Collects an app's notifications: `app.run_test(..., message_hook=told.hook)`."""
    return Told()
