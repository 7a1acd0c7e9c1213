"""The k12 theory's plug-in: what its pack needs that cannot be data. names.py spells and checks
pinyin names ([features.coherence] names), convert/ reads the original HACHIMI format (`hachimi
convert`), prose.py writes the template engine's k12 parts (its phrase banks: phrases.py),
personas.py builds k12 personas for tests and benchmarks. Generic code never imports this package
by name: the pack's files name it."""


def template_part(agent_key: str, schema: dict, seed: int):
    """The template engine's k12 part for an agent (prose.py), None for an agent k12 lacks."""
    from .prose import template_part as part

    return part(agent_key, schema, seed)


def converters() -> dict:
    """`hachimi convert --from NAME`: the formats this theory reads -> (description, convert_lines),
    convert_lines(lines, start) yielding (line number, Converted(persona, problems))."""

    def hachimi_zh(lines, start=1):
        from .convert.hachimi_zh import convert_lines

        return convert_lines(lines, start=start)

    return {"hachimi-zh": ("the original HACHIMI corpus (Chinese keys and values)", hachimi_zh)}
