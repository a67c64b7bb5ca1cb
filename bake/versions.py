"""Version comparison in the Debian/BitBake manner (`1.10 > 1.9`, `~` sorts first)."""

from __future__ import annotations

import re

_PART_RE = re.compile(r"(\d+|[^\d]+)")


def _order(c: str) -> int:
    if c == "~":
        return -1
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def _cmp_string(a: str, b: str) -> int:
    for i in range(max(len(a), len(b))):
        ca = _order(a[i]) if i < len(a) else 0
        cb = _order(b[i]) if i < len(b) else 0
        if ca != cb:
            return -1 if ca < cb else 1
    return 0


def _cmp_part(a: str, b: str) -> int:
    """dpkg's comparison of one version part: alternating non-digit and digit runs."""
    while a or b:
        na = re.match(r"[^\d]*", a).group(0)  # type: ignore[union-attr]
        nb = re.match(r"[^\d]*", b).group(0)  # type: ignore[union-attr]
        c = _cmp_string(na, nb)
        if c:
            return c
        a, b = a[len(na):], b[len(nb):]
        da = re.match(r"\d*", a).group(0)  # type: ignore[union-attr]
        db = re.match(r"\d*", b).group(0)  # type: ignore[union-attr]
        ia, ib = int(da or 0), int(db or 0)
        if ia != ib:
            return -1 if ia < ib else 1
        a, b = a[len(da):], b[len(db):]
    return 0


def vercmp(a: tuple[str, str, str], b: tuple[str, str, str]) -> int:
    """Compare (epoch, version, revision) triples: -1, 0 or 1."""
    ea, eb = int(a[0] or 0), int(b[0] or 0)
    if ea != eb:
        return -1 if ea < eb else 1
    return _cmp_part(a[1], b[1]) or _cmp_part(a[2], b[2])


def vercmp_string(a: str, b: str) -> int:
    """Compare two version strings of the form `[epoch:]version[-revision]`."""
    return vercmp(split_version(a), split_version(b))


def split_version(s: str) -> tuple[str, str, str]:
    """Split `[epoch:]version[-revision]` into its three parts."""
    epoch, _, rest = s.rpartition(":") if ":" in s else ("", "", s)
    version, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "")
    return epoch, version, revision
