"""Options shared by several commands (one definition each)."""

from __future__ import annotations

import click


def format_option(what: str = "one JSON document on stdout", choices: tuple[str, ...] = ("text", "json")):
    """--format text|json (or other choices); the help says what json prints."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=f"json: {what}.",
    )
