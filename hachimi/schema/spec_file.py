"""schema.toml's shape (pydantic, strict): a wrong type or an unknown key is refused with its key
before anything is derived (hachimi/schema/spec.py turns the checked file into a PersonaSchema)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ScaleEntry(_Strict):
    values: list[str] = Field(min_length=1)
    ordinal: bool = False
    fact: str | None = None


class GroupEntry(_Strict):
    names: dict[str, str] = Field(min_length=1)  # dimension -> display name, in order
    fact: str | None = None


class AgentEntry(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    parts: list[str] = Field(min_length=1)


class PartEntry(_Strict):
    title: str = Field(pattern=r"^[A-Z][A-Za-z0-9]*$")
    optional: bool = False


class FieldEntry(_Strict):
    path: str
    kind: Literal["int", "enum", "set", "count", "text", "id"]
    pred: str | None = None
    args: list[str] = Field(default_factory=list)
    scale: str | None = None
    range: list[int] | None = Field(default=None, min_length=2, max_length=2)  # [lo, hi]
    items: list[int] | None = Field(default=None, min_length=2, max_length=2)  # [lo, hi]
    owner: str | None = None
    required: bool = True
    unknown_as_fact: bool = False
    tags: list[str] = Field(default_factory=list)
    min_chars: int | None = None
    max_chars: int | None = None
    pattern: str | None = None
    description: str = ""
    dimensions: str | None = None


class BiasEntry(_Strict):
    field: str  # a set field of the slot part: slot.<field>
    draws: str  # the persona set field whose allowed values it is drawn from
    by: list[str] = Field(default_factory=list)  # slot variables the allowed values depend on


class SlotEntry(_Strict):
    variables: list[str] = Field(min_length=1)  # each a field slot.<variable>
    binds: dict[str, str] = Field(default_factory=dict)  # variable -> the persona field it fixes
    id: str = Field(min_length=1)  # the persona id, a str.format template of the variables and {index}
    bias: BiasEntry | None = None


class PersonEntry(_Strict):
    name: str | None = None  # the persona's name (a text field)
    agent_name: str | None = (
        None  # the name as an identifier (a text field; the pack's plug-in spells one from the other)
    )
    gender: str | None = None  # the persona's gender (an enum field; its values are the pronoun sets of persons files)
    age: str | None = None  # the persona's age in years (an int field)


class SchemaFile(_Strict):
    version: str = "v1"
    scales: dict[str, ScaleEntry] = Field(default_factory=dict)
    dimensions: dict[str, GroupEntry] = Field(default_factory=dict)
    # a pack that extends another lists only what it adds (spec.build checks a whole format has all)
    agent: list[AgentEntry] = Field(default_factory=list)
    parts: dict[str, PartEntry] = Field(default_factory=dict)
    objects: dict[str, str] = Field(default_factory=dict)
    field: list[FieldEntry] = Field(default_factory=list)
    slot: SlotEntry | None = None
    person: PersonEntry = Field(default_factory=PersonEntry)
