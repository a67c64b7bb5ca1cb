"""The base of every payload a service puts on the bus: a frozen dataclass
whose dict form carries its `schema`, so a reader refuses a shape it does not
know rather than guess at its fields. Each service's contract.py defines its
payloads on it."""

from __future__ import annotations

import dataclasses
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
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in names})
