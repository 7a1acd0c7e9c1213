"""Near-duplicate detection: SimHash with banded LSH (lexical) and sentence embeddings (semantic)."""
