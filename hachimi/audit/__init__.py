"""Auditing: a queryable SQLite store of every attempt, and the `hachimi audit` views."""
