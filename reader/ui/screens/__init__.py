"""Screens of the reader app: library, article, help."""
