"""The one text reader: language, sentences and clauses, dimension names, and the levels prose
states (hachimi/text/reader.py). Every text check of the validator (mentions R8/R9, levels L1-L3,
readable prose, coherence), `hachimi convert` and the generator's read-back use it."""
