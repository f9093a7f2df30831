"""Named entities: the extractor, its features and word lists."""
