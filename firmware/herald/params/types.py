"""Value types of parameters: each one checks an incoming string and returns
the canonical value to store, or raises `ValueError` with a reason a person
can act on. All values are strings, as in VAPIX's param.cgi.
"""

from __future__ import annotations

import ipaddress
import re
import zoneinfo
from dataclasses import dataclass, field

PRINTABLE = re.compile(r"[\x20-\x7e]*")
HOSTNAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*")


@dataclass(frozen=True)
class Bool:
    true: str = "yes"
    false: str = "no"

    def parse(self, raw: str) -> str:
        word = raw.strip().lower()
        if word in (self.true.lower(), "yes", "true", "on", "1"):
            return self.true
        if word in (self.false.lower(), "no", "false", "off", "0"):
            return self.false
        raise ValueError(f"must be {self.true} or {self.false}")

    def schema(self) -> tuple[str, dict[str, str]]:
        return "bool", {"true": self.true, "false": self.false}


@dataclass(frozen=True)
class Int:
    min: int
    max: int

    def parse(self, raw: str) -> str:
        text = raw.strip()
        if not re.fullmatch(r"[+-]?\d{1,20}", text):
            raise ValueError("must be a whole number")
        number = int(text)
        if not self.min <= number <= self.max:
            raise ValueError(f"must be between {self.min} and {self.max}")
        return str(number)

    def schema(self) -> tuple[str, dict[str, str]]:
        return "int", {"min": str(self.min), "max": str(self.max)}


@dataclass(frozen=True)
class String:
    max_length: int = 64
    min_length: int = 0

    def parse(self, raw: str) -> str:
        if not PRINTABLE.fullmatch(raw):
            raise ValueError("may hold printable ASCII characters only")
        if not self.min_length <= len(raw) <= self.max_length:
            if self.min_length:
                raise ValueError(f"must be {self.min_length} to {self.max_length} characters")
            raise ValueError(f"must be at most {self.max_length} characters")
        return raw

    def schema(self) -> tuple[str, dict[str, str]]:
        return "string", {"maxlen": str(self.max_length)}


@dataclass(frozen=True)
class Password(String):
    """A secret: stored, never listed or announced."""

    def schema(self) -> tuple[str, dict[str, str]]:
        return "password", {"maxlen": str(self.max_length)}


@dataclass(frozen=True)
class Enum:
    values: tuple[str, ...] = field(default_factory=tuple)

    def parse(self, raw: str) -> str:
        for value in self.values:
            if raw.strip().lower() == value.lower():
                return value
        raise ValueError("must be one of " + ", ".join(self.values))

    def schema(self) -> tuple[str, dict[str, str]]:
        return "enum", {}


@dataclass(frozen=True)
class Address:
    """An IPv4 address, or empty when `optional`."""

    optional: bool = False

    def parse(self, raw: str) -> str:
        text = raw.strip()
        if not text and self.optional:
            return ""
        try:
            return str(ipaddress.IPv4Address(text))
        except ValueError:
            raise ValueError("must be an IPv4 address such as 192.168.0.90") from None

    def schema(self) -> tuple[str, dict[str, str]]:
        return "ip", {}


@dataclass(frozen=True)
class Host:
    """A host name or an IP address, or empty when `optional`."""

    optional: bool = True

    def parse(self, raw: str) -> str:
        text = raw.strip()
        if not text and self.optional:
            return ""
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            pass
        if len(text) > 253 or not HOSTNAME.fullmatch(text):
            raise ValueError("must be a host name or an IP address")
        return text

    def schema(self) -> tuple[str, dict[str, str]]:
        return "string", {"maxlen": "253"}


@dataclass(frozen=True)
class Decimal:
    """A decimal number from `min` to `max` (up to 8 decimals), or empty when `optional`."""

    min: float
    max: float
    optional: bool = True

    def parse(self, raw: str) -> str:
        text = raw.strip()
        if not text and self.optional:
            return ""
        if not re.fullmatch(r"[+-]?\d{1,10}(\.\d{1,8})?", text):
            raise ValueError("must be a number such as 59.3293")
        if not self.min <= float(text) <= self.max:
            raise ValueError(f"must be between {self.min:g} and {self.max:g}")
        return text.removeprefix("+")

    def schema(self) -> tuple[str, dict[str, str]]:
        return "string", {"maxlen": "20"}


# A POSIX TZ value (POSIX.1, 8.3): std offset [dst [offset] [,start[/time],end[/time]]],
# a name of 3+ letters or <quoted>, an offset [+-]hh[:mm[:ss]], a rule Jn, n or Mm.w.d.
_TZ_NAME = r"(?:[A-Za-z]{3,}|<[A-Za-z0-9+-]{3,}>)"
_TZ_OFFSET = r"[+-]?(?:[01]?\d|2[0-4])(?::[0-5]\d(?::[0-5]\d)?)?"  # hours 0 to 24
_TZ_RULE = rf"(?:J\d{{1,3}}|\d{{1,3}}|M\d{{1,2}}\.\d\.\d)(?:/{_TZ_OFFSET})?"
_TZ_DST = rf"{_TZ_NAME}(?:{_TZ_OFFSET})?(?:,{_TZ_RULE},{_TZ_RULE})?"
POSIX_TZ = re.compile(rf"{_TZ_NAME}{_TZ_OFFSET}(?:{_TZ_DST})?")


@dataclass(frozen=True)
class TimeZone:
    """An IANA time zone name the device knows ("Europe/Stockholm"); empty
    when `optional`."""

    optional: bool = False

    def parse(self, raw: str) -> str:
        name = raw.strip()
        if not name and self.optional:
            return ""
        if name not in zoneinfo.available_timezones():
            raise ValueError("must be a time zone name such as Europe/Stockholm")
        return name

    def schema(self) -> tuple[str, dict[str, str]]:
        return "string", {"maxlen": "64"}


@dataclass(frozen=True)
class PosixTimeZone:
    """A POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3")."""

    def parse(self, raw: str) -> str:
        text = raw.strip()
        if len(text) > 64 or not POSIX_TZ.fullmatch(text):
            raise ValueError("must be a POSIX time zone such as CET-1CEST,M3.5.0,M10.5.0/3")
        return text

    def schema(self) -> tuple[str, dict[str, str]]:
        return "string", {"maxlen": "64"}


ParamType = (Bool | Int | String | Password | Enum | Address | Host | Decimal | TimeZone
             | PosixTimeZone)
