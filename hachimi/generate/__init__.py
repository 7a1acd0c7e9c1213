"""Generation: solver-narrowed grammars, the agents of a theory and the propose-validate-revise loop
(model specs and engines are hachimi/engines/).

Heavy dependencies (torch, transformers, llguidance, httpx2, vllm) are imported only inside the functions that
need them, so importing this package stays cheap.
"""

from ..engines.models import NARRATIVES  # noqa: F401  (the narrative styles, kept importable from here)

BOX_VARIANTS = 16  # narrowed boxes per slot by default (loop.box_seed); one definition, the CLI's help shows it
