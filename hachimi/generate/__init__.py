"""Generation: models, solver-narrowed grammars, the five agents and the propose-validate-revise loop.

Heavy dependencies (torch, transformers, llguidance, httpx2, vllm) are imported only inside the functions that
need them, so importing this package stays cheap.
"""

# How narratives are decoded (README "Narrative styles"; `narrative =` in models/*.toml, `hachimi
# generate --narrative`): "scaffold" fixes one sentence per rated dimension and writes clauses of
# frequent words (scaffold.py, lexicon.py), for small models; "free" bounds text by length and
# paragraph form only (grammar.paragraph), for capable models and hosted APIs.
NARRATIVES = ("scaffold", "free")
