"""Engines: many generation requests (messages, JSON Schema, seed, budget) -> outputs (text, tokens,
timing, truncation, error). One module per engine behind the interface in `base`; engines know
nothing of personas, and the generation loop knows nothing of engines."""
