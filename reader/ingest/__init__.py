"""Articles in: decoding, parsing each format, feeds, fetching, the library service."""
