"""Generation: models, solver-narrowed grammars, the five agents and the propose-validate-revise loop.

Heavy dependencies (torch, transformers, llguidance, httpx2, vllm) are imported only inside the functions that
need them, so importing this package stays cheap.
"""
