"""`hachimi` entry point: the command group; each command lives in its own module."""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import HachimiError


class Group(click.Group):
    """Turns HachimiError, and an error from the operating system that no command answered itself
    (a file it may not read, a full disk), into a one-line message and exit code 2 (never a traceback)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except HachimiError as e:
            click.echo(f"hachimi: error: {e}", err=True)
            sys.exit(2)
        except click.BadParameter as e:  # a path click refused (missing, a folder): one line too
            if not isinstance(getattr(e.param, "type", None), click.Path):
                raise
            click.echo(f"hachimi: error: {e.format_message()}", err=True)
            sys.exit(2)
        except Exception as e:
            from ..fsio import fs_error, is_fs_error

            if not is_fs_error(e):
                raise
            click.echo(f"hachimi: error: {fs_error(e)}", err=True)
            sys.exit(2)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hachimi")
def cli():
    """hachimi: theory-aligned, auditable synthetic student personas (grades 1-12).

    \b
    Generate personas (bundled SmolLM2 by default; JSON valid by construction):
      hachimi generate --n 5 --seed 7 --out runs/demo
      hachimi models                        configured models and where their weights are
    Exact quotas, refill, dedup, resume, reports:
      hachimi plan plans/k12-balanced.toml --n 1000
      hachimi generate --plan plans/k12-balanced.toml --n 1000 --seed 1 --out runs/big
      hachimi dedup runs/big/personas.jsonl
      hachimi report runs/big
    Audit why a persona was rejected or revised:
      hachimi audit runs/big g07-female-low-000123
      hachimi audit runs/big --rules --by grade
    Validate personas against a theory (clingo ASP + Z3):
      hachimi validate personas.jsonl
      hachimi validate personas.jsonl --format jsonl > report.jsonl
    Author a theory:
      hachimi theory vocab                  facts and fields rules can use
      hachimi theory lint constraints/k12
      hachimi theory test constraints/k12
      hachimi theory check constraints/k12
    See how the text reader reads a persona's narratives (levels, names, constructions):
      hachimi text read personas.jsonl --id g08-female-low-000017
    Convert original HACHIMI (Chinese) records:
      hachimi convert --from hachimi-zh original.jsonl out.jsonl
    """


def register() -> None:
    """Every command of `hachimi --help` on the group (imported here, so `import hachimi.cli.main`
    stays light); tests run the same set in process."""
    from . import (
        audit_cmd,
        convert_cmd,
        export_cmd,
        generate_cmd,
        plan_cmd,
        report_cmd,
        schema_cmd,
        survey_cmd,
        text_cmd,
        theory_cmd,
        validate_cmd,
    )

    cli.add_command(audit_cmd.audit_cmd)
    cli.add_command(plan_cmd.plan_cmd)
    cli.add_command(report_cmd.report_cmd)
    cli.add_command(report_cmd.dedup_cmd)
    cli.add_command(export_cmd.export_cmd)
    cli.add_command(generate_cmd.generate)
    cli.add_command(generate_cmd.models_cmd)
    cli.add_command(validate_cmd.validate)
    cli.add_command(theory_cmd.theory)
    cli.add_command(schema_cmd.schema)
    cli.add_command(survey_cmd.survey)
    cli.add_command(convert_cmd.convert)
    cli.add_command(text_cmd.text_cmd)


def main() -> None:
    register()
    cli(prog_name="hachimi")


if __name__ == "__main__":
    main()
