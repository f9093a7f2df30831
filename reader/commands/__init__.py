"""Subcommands of the `reader` command line, one module each.

Each module has `register(subparsers, common)` that adds its parser(s) and sets
`func` to a handler `(args) -> int`. The handlers stay thin: they call the pure
core modules and print.
"""
