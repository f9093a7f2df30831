"""The Textual app: screens, widgets, themes, command palette. Only this package imports Textual."""
