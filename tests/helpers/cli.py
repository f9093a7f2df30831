"""`reader ARGS` run in this process through the command line's own entry point
(`reader.cli.main`), with stdin, stdout and stderr as byte pipes and the environment given:
what a subprocess on pipes would see, without starting an interpreter for each command. For
what only a real process shows (a terminal, the interpreter's own streams), use a subprocess
or `helpers.terminal.run_on_terminal`."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from reader.cli import main
from reader.entities.extractor import Extractor


@dataclass(frozen=True)
class PipedRun:
    """What one run wrote to stdout and stderr (bytes) and its exit status."""

    stdout: bytes
    stderr: bytes
    status: int


def _pipe(data: bytes = b"") -> io.TextIOWrapper:
    """A text stream over bytes, as Python's own streams on a pipe (UTF-8, `\\n` kept)."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="", write_through=True)


@contextmanager
def _environment(env: Mapping[str, str | None]) -> Iterator[None]:
    """`os.environ` with `env` applied (None removes a name), restored afterwards."""
    saved = {name: os.environ.get(name) for name in env}
    try:
        for name, value in env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_piped(
    args: tuple[str, ...] | list[str],
    env: Mapping[str, str | None],
    *,
    stdin: bytes = b"",
    extractor: Extractor | None = None,
) -> PipedRun:
    """`reader ARGS` with stdin holding `stdin`, stdout and stderr on pipes, and `env` (names
    to set, or None to remove) in the environment; `extractor`, when given, is the entity
    model the command uses instead of loading the shipped one (`reader.cli.main`)."""
    streams = (sys.stdin, sys.stdout, sys.stderr)
    stdin_pipe, stdout_pipe, stderr_pipe = _pipe(stdin), _pipe(), _pipe()
    try:
        sys.stdin, sys.stdout, sys.stderr = stdin_pipe, stdout_pipe, stderr_pipe
        with _environment(env):
            try:
                status = main(list(args), extractor=extractor)
            except SystemExit as stop:  # argparse: --help, a usage error
                status = stop.code if isinstance(stop.code, int) else 1
        stdout_pipe.flush()
        stderr_pipe.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = streams
    out = stdout_pipe.buffer
    err = stderr_pipe.buffer
    assert isinstance(out, io.BytesIO) and isinstance(err, io.BytesIO)
    return PipedRun(out.getvalue(), err.getvalue(), status)


@dataclass(frozen=True)
class CliRun:
    """What `run_cli` saw, as text (as `subprocess.run(..., text=True)` gives it)."""

    stdout: str
    stderr: str
    returncode: int


def _text(data: bytes) -> str:
    """`data` read back as a text-mode pipe reads it (UTF-8, universal newlines)."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()


def run_cli(
    db: str | os.PathLike[str],
    *args: str,
    stdin: str = "",
    env: Mapping[str, str | None] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> CliRun:
    """`reader ARGS` on the library `db` (READER_DB), 120 columns, no colour, on pipes, in this
    process: the set-up most command-line tests share. `env` adds to or removes from it; `cwd`
    is the working folder during the run."""
    with contextlib.chdir(cwd if cwd is not None else os.getcwd()):
        run = run_piped(
            args,
            {"READER_DB": os.fspath(db), "COLUMNS": "120", "NO_COLOR": "1", **(env or {})},
            stdin=stdin.encode(),
        )
    return CliRun(_text(run.stdout), _text(run.stderr), run.status)
