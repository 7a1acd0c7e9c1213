"""Persona <-> facts: the mapping table, the lenient reader, text features, the completion domain."""
