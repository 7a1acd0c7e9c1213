"""A theory pack, loaded: its persona format (schema.toml), rules and numeric rules, features (composed
with the packs it extends), prompts, and where it lives. Pure loading and checking of files; the
solver checks the programs before first use (hachimi/solve/program_check.py) and authoring tools
(lint, test, check, new) are hachimi/authoring/."""
