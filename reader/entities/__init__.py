"""Named entities: the extractor, its features, word lists and taggers (a CRF and a neural
tagger run in numpy), and the library-wide entity index."""
