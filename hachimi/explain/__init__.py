"""Violations -> minimal cores, repairs and rendered messages."""
