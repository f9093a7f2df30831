"""The command palette provider: every bound action by its description, plus themes and modes."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from reader.text.modes import BidiMode
    from reader.ui.app import ReaderApp


#: Reading widths the palette offers.
READING_WIDTHS: tuple[int, ...] = (60, 72, 80, 100, 120)


class ReaderCommands(Provider):
    """Offers each binding active on the current screen, each theme, and each bidi mode."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """(name, help, callback) for every command available now."""
        from reader.ui.screens.all_notes import open_all_notes

        app: ReaderApp = self.app  # type: ignore[assignment]
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
        if hasattr(self.screen, "show_pane_tab"):  # an article: entity corrections
            from reader.ui.widgets.entities_pane import PALETTE_ACTIONS, run_from_palette

            for name, help_text, action in PALETTE_ACTIONS:
                if name not in seen:
                    seen.add(name)
                    commands.append(
                        (name, help_text, partial(run_from_palette, self.screen, action))
                    )
        for name in app.reader_themes:
            commands.append(
                (f"Theme: {name}", "switch the colour theme", partial(app.set_theme, name))
            )
        modes: tuple[tuple[BidiMode, str], ...] = (
            ("app", "shape and reorder Arabic in the app"),
            ("terminal", "leave bidi to a bidi-aware terminal"),
        )
        for mode, help_text in modes:
            commands.append((f"Bidi mode: {mode}", help_text, partial(app.set_bidi_mode, mode)))
        for width in READING_WIDTHS:
            commands.append(
                (
                    f"Reading width: {width}",
                    "widest text column, in cells",
                    partial(app.set_reading_width, width),
                )
            )
        commands.append(
            (
                "Harakat: hide" if app.harakat else "Harakat: show",
                "Arabic diacritics",
                partial(app.set_harakat, not app.harakat),
            )
        )
        commands.append(("Help: list every key", "key: ?", app.action_help))
        commands.append(
            ("All notes", "highlights and notes of every article", partial(open_all_notes, app))
        )
        return commands

    async def discover(self) -> Hits:
        """All commands, for the palette before anything is typed."""
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        """Commands whose name matches `query`, best first."""
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
