"""Articles in: bytes to text, which format, one parser per format, fetching, the library service.

- `articles`: the way in, `parse_path` and `parse_bytes`.
- `decode`: bytes to text (size cap, byte-order marks, charset guessing); `sniff`: which format.
- `formats/`: one parser per format (`text` with `frontmatter`, `markdown`, `html`, `json`,
  `feed`), each making `Block`s with `blocks` and ending in `metadata.finish_article` (id,
  title, language, date).
- `jsonread`: JSON with a nesting limit, streamed; `fetch` and `fetch_net`: one guarded GET.
- `library`: the service the commands and the app call (add, subscribe, refresh).

Imports point one way: library -> articles -> formats -> metadata -> blocks, with decode,
sniff and jsonread below the formats that use them.
"""
