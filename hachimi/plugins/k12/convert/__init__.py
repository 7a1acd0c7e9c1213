"""Converters from other persona formats (original HACHIMI Chinese records) to v1 persona dicts."""
