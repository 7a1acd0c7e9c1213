"""Authoring a theory pack: lint (as strict as the solver), the fixture-case runner (`theory test`),
the consistency check (`theory check`), the lint gate of validate and generate, and `theory new`.
Above validate in the layering: it runs the Validator on cases; nothing below it imports it."""
