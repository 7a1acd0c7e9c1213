"""The v1 persona format: enums, strict pydantic models, JSON Schema export."""
