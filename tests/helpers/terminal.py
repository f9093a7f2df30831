"""`reader` run on a pseudo-terminal, as a user runs it: what the terminal received, and the
exit status. The commands shape and reorder Arabic only when their output is a terminal, so
the tests that check that (and that nothing hostile reaches one) need a real one."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class TerminalRun:
    """What one run wrote to the terminal (stdout and stderr, interleaved) and its status."""

    output: bytes
    status: int

    @property
    def text(self) -> str:
        """The output decoded, with the terminal's CR LF line ends as LF."""
        return self.output.decode("utf-8").replace("\r\n", "\n")


def run_on_terminal(
    args: tuple[str, ...] | list[str],
    env: Mapping[str, str],
    *,
    columns: int = 100,
    rows: int = 40,
    answers: Mapping[bytes, bytes] | None = None,
    timeout: float = 60,
) -> TerminalRun:
    """`python -m reader ARGS` with stdout and stderr on a terminal `columns` x `rows`.

    With `answers` ({prompt: reply}) stdin is the terminal too, and each reply is typed once
    its prompt has been shown; otherwise stdin is empty and not a terminal."""
    pending = dict(answers or {})
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "reader", *args],
        stdin=slave if answers else subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env=dict(env),
    )
    os.close(slave)
    seen = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            assert ready, f"reader {args} wrote nothing for {timeout} s; so far {seen!r}"
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the process closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            for prompt in [prompt for prompt in pending if prompt in seen]:
                os.write(master, pending.pop(prompt))
        status = process.wait(timeout=timeout)
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not pending, f"reader {args} never asked {list(pending)}; it wrote {seen!r}"
    return TerminalRun(seen, status)
