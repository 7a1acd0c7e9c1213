"""A plan file's TOML -> a checked structure (pydantic): wrong types, unknown keys, NaN or negative
shares, unknown variables or values anywhere (marginals, conditionals, joint keys, population
constraints, strata) are refused with the table and key they sit in, before anything is allocated."""

from __future__ import annotations

import math
from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..pydantic_errors import describe  # noqa: F401  (plan.py reads it from here)

Value = Union[int, str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def _share(x: Any, where: str = "") -> float:
    at = f"{where}: " if where else ""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ValueError(f"{at}a share must be a number, not {x!r}")
    if math.isnan(x) or math.isinf(x) or x < 0:
        raise ValueError(f"{at}a share must be a finite number >= 0, not {x!r}")
    return float(x)


def _shares(v: dict, prefix: str = "") -> dict:
    return {k: _share(x, f"{prefix}{k}") for k, x in v.items()}


class PlanInfo(_Strict):
    name: str | None = None
    description: str | None = None
    attempts_per_slot: int = Field(4, ge=1, le=1000)
    bias: int = Field(1, ge=0)  # values drawn as each slot's bias; at most the schema's items bound


class Conditional(_Strict):
    variable: str
    when: dict[str, Value | list[Value]] = Field(default_factory=dict)
    shares: dict[str, Any]

    @field_validator("shares")
    @classmethod
    def _numbers(cls, v: dict) -> dict:
        return _shares(v)


class Population(_Strict):
    name: str | None = None
    where: dict[str, Value | list[Value]] = Field(default_factory=dict)
    is_: dict[str, Value | list[Value]] = Field(alias="is")
    min: float | None = Field(None, ge=0, le=1)
    max: float | None = Field(None, ge=0, le=1)
    model_config = ConfigDict(extra="forbid", strict=False, populate_by_name=True)


class PlanFile(_Strict):
    plan: PlanInfo = Field(default_factory=PlanInfo)
    variables: dict[str, list[Value]]
    marginals: dict[str, dict[str, Any]] = Field(default_factory=dict)
    conditional: list[Conditional] = Field(default_factory=list)
    joint: dict[str, Any] | None = None
    population: list[Population] = Field(default_factory=list)
    strata: dict[str, dict[str, dict[str, Any]]] = Field(default_factory=dict)

    @field_validator("marginals")
    @classmethod
    def _marg_numbers(cls, v: dict) -> dict:
        return {var: _shares(shares, f"{var}.") for var, shares in v.items()}

    @field_validator("joint")
    @classmethod
    def _joint_numbers(cls, v: dict | None) -> dict | None:
        return None if v is None else _shares(v)
