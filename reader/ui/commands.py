"""The command palette's binding provider: every action bound on the current screen, by its
description. Themes, keys, the reader's settings and views are system commands
(`ReaderApp.get_system_commands`), which extend Textual's own."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

#: Reading widths the palette offers.
READING_WIDTHS: tuple[int, ...] = (60, 72, 80, 100, 120)


class BindingCommands(Provider):
    """Offers each binding active on the current screen (once per description)."""

    def commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """(name, help, callback) for every binding active now."""
        app = self.app
        commands: list[tuple[str, str, Callable[[], object]]] = []
        seen: set[str] = set()
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.description or not active.enabled or binding.description in seen:
                continue
            seen.add(binding.description)
            commands.append(
                (
                    binding.description,
                    f"key: {app.get_key_display(binding) or key}",
                    partial(app.run_action, binding.action, active.node),
                )
            )
        return commands

    async def discover(self) -> Hits:
        """All commands, for the palette before anything is typed."""
        for name, help_text, callback in self.commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        """Commands whose name matches `query`, best first."""
        matcher = self.matcher(query)
        for name, help_text, callback in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
