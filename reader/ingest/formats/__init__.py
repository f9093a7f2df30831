"""One parser per input format; each hands its blocks to `reader.ingest.metadata.finish_article`."""
