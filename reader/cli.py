"""The `reader` command line: global options, subcommands, and friendly errors."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from reader import DISTRIBUTION, __version__
from reader.errors import ReaderError
from reader.text.modes import BIDI_ENV, BIDI_MODES, resolve_bidi_mode

if TYPE_CHECKING:  # the model loads only when a command needs it
    from reader.entities.extractor import Extractor

#: Each subcommand and the module under `reader.commands` that registers it, in the order
#: the help lists them.
COMMANDS: dict[str, str] = {
    "add": "library",
    "list": "library",
    "feed": "library",
    "refresh": "library",
    "fulltext": "library",
    "remove": "manage",
    "archive": "manage",
    "unarchive": "manage",
    "render": "render",
    "export": "export",
    "import": "export",
    "entities": "entities",
    "search": "search",
}
#: Modules under `reader.commands`, each registering one or more subcommands.
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(COMMANDS.values()))


def _common_options() -> argparse.ArgumentParser:
    """Options every subcommand accepts: `reader SUB --db X` works like `reader --db X SUB`."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--version",
        action="version",
        version=f"reader {__version__} ({DISTRIBUTION})",
        help="show the version (and the name reader is installed by)",
    )
    common.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="database file (default: $READER_DB, else the user data folder)",
    )
    return common


class _TopParser(argparse.ArgumentParser):
    """The `reader` parser: its epilog names the database's path, found only when the help
    is shown (finding the user data folder loads platformdirs, which `reader render` and
    the other commands that never open the library do without)."""

    def format_help(self) -> str:
        if self.epilog is None:
            from reader.paths import DB_ENV, default_db_path

            self.epilog = (
                f"Your library and notes are saved in {default_db_path()} "
                f"(change it with --db or ${DB_ENV}). Run 'reader' alone to open the library, "
                "or 'reader PATH|URL' to open one article."
            )
        return super().format_help()


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full parser (also used by tests to check every subcommand's --help), or with
    `command` only the subcommands of its module: a run of one command imports and
    registers no other (`reader render` would otherwise load every command's imports)."""
    common = _common_options()
    parser = _TopParser(
        prog="reader",
        description="A terminal news reader built for Arabic first.",
        parents=[common],
    )
    parser.add_argument(
        "--bidi",
        choices=BIDI_MODES,
        default=None,
        help="'app' shapes and reorders Arabic itself (default); 'terminal' leaves it to a "
        f"terminal that does its own bidi (also ${BIDI_ENV})",
    )
    parser.add_argument("--theme", default=None, help="colour theme for the app")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES if command is None else (COMMANDS[command],):
        module = importlib.import_module(f"reader.commands.{name}")
        module.register(subparsers, common)
    return parser


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The subcommands `parser` was given (`add_subparsers`), by name; {} when none.

    argparse keeps them only in its private action list; this is the one place that reads it
    (the open-target shorthand below, and the tests' walk over every subcommand's --help)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def command_of(argv: Sequence[str]) -> str | None:
    """The subcommand `argv` runs, if it names one before any help option: the parser
    `main` builds then registers only its module (help names every subcommand)."""
    takes_value = {"--db", "--bidi", "--theme"}
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg in ("-h", "--help"):
            return None
        if arg in takes_value:
            index += 2
        elif arg.startswith("-"):
            index += 1
        else:
            return arg if arg in COMMANDS else None
    return None


def split_open_target(
    argv: list[str], parser: argparse.ArgumentParser
) -> tuple[list[str], str | None]:
    """`reader PATH|URL` is shorthand for opening it: pull the target out before parsing.

    Returns the arguments left for `parser` and the target (None when the first word that is
    not an option is a subcommand, or there is none)."""
    commands = subcommands(parser)
    takes_value = {"--db", "--bidi", "--theme"}
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg in takes_value:
            index += 2
            continue
        if arg.startswith("-"):
            index += 1
            continue
        if arg in commands:
            return argv, None
        return argv[:index] + argv[index + 1 :], arg
    return argv, None


def main(argv: Sequence[str] | None = None, *, extractor: Extractor | None = None) -> int:
    """Entry point for `reader` and `python -m reader`; returns the exit status.

    `extractor`: an entity model already loaded, for the commands that extract entities
    (`entities`, `export --with-entities`, `person:` searches) to use instead of loading the
    shipped one, as a host that runs many commands in one process does (the test suite)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(command_of(args_list))
    args_list, target = split_open_target(args_list, parser)
    args = parser.parse_args(args_list)
    args.target = target
    args.extractor = extractor
    bidi, warning = resolve_bidi_mode(args.bidi, os.environ.get(BIDI_ENV))
    if warning:  # said here once for the whole run, whichever command (or the app) runs
        from reader.commands.output import Out

        Out(bidi).say(f"reader: {warning}", err=True)
    try:
        func = getattr(args, "func", None)
        if func is None:
            from reader.ui.app import run_app

            return run_app(args)
        args.bidi = bidi  # (the app weighs its saved setting between $READER_BIDI and the default)
        result: int = func(args)
        return result
    except ReaderError as error:
        from reader.commands.output import Out

        Out.of(args).say(f"reader: {error}", err=True)
        return 1
    except KeyboardInterrupt:
        print("reader: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
