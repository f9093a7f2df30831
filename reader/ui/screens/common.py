"""Small display helpers the library and article screens share (kept light to import)."""

from __future__ import annotations

from reader.ingest.metadata import short_source

__all__ = ["short_source"]
