"""hachimi: theory-aligned, quota-controlled, auditable synthetic student personas.

Importing this package is cheap: solvers load on first use, torch never loads here.
"""

__version__ = "0.1.0"
