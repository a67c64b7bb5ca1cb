"""The base of every payload a service puts on the bus: a frozen dataclass
whose dict form carries its `schema`, so a reader refuses a shape it does not
know rather than guess at its fields. Each service's contract.py defines its
payloads on it; parts of a payload may be dataclasses too (alone, optional,
or as a tuple of them), and come back as such."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, ClassVar, Self


class Payload:
    """A payload's dict form, with its schema, for the bus's JSON."""

    SCHEMA: ClassVar[int] = 1

    def to_dict(self) -> dict[str, Any]:
        return {"schema": self.SCHEMA, **dataclasses.asdict(self)}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Self:
        if raw.get("schema") != cls.SCHEMA:
            raise ValueError(f"{cls.__name__} of schema {raw.get('schema')!r}; "
                             f"this firmware reads schema {cls.SCHEMA}")
        hints = typing.get_type_hints(cls)
        return cls(**{f.name: _shaped(hints[f.name], raw[f.name])
                      for f in dataclasses.fields(cls) if f.name in raw})


def _shaped(hint: Any, value: Any) -> Any:
    """`value` from JSON as `hint` describes it: dataclasses rebuilt, lists of
    them as tuples; anything else as it came."""
    if isinstance(value, dict) and dataclasses.is_dataclass(hint):
        return hint(**{k: _shaped(typing.get_type_hints(hint)[k], v) for k, v in value.items()})
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple and args[-1:] == (Ellipsis,) and isinstance(value, list | tuple):
        return tuple(_shaped(args[0], item) for item in value)
    if origin in (typing.Union, types.UnionType) and isinstance(value, dict):
        return next((_shaped(a, value) for a in args if dataclasses.is_dataclass(a)), value)
    return value
