"""The datastore: variables, flags, overrides and `${}` expansion (BitBake's `d`).

Each variable is a dict of its flags; the value itself is the `_content` flag,
a `??=` weak default is `_defaultval` (`_defaultval_flag_<f>` for a flag's),
and the deferred `:append`, `:prepend` and `:remove` operations are lists of
`(value, override)` pairs. Conditional variants such as `A:qemux86-64` are
separate variables indexed under their base name, and the highest-priority
active one replaces the base value when read.

Copies are cheap (copy-on-write per variable) because every recipe starts from
a copy of the configuration datastore.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from bake import codeparser, methodpool
from bake.errors import BakeError, ExpansionError

KEYWORDS = (":append", ":prepend", ":remove")
_KEYWORD_RE = re.compile(
    r"^(?P<base>.+?)(?P<keyword>:append|:prepend|:remove)(?::(?P<ovr>[^A-Z]*))?$")
_OVERRIDE_RE = re.compile(r"[a-z0-9][a-z0-9+.\-_]*")
_VAR_RE = re.compile(r"\$\{([a-zA-Z0-9\-_+./~:]+)\}")
_WS_SPLIT_RE = re.compile(r"(\s)")
_INTERNAL_FLAGS = frozenset(("_content", "_defaultval", *KEYWORDS))
FLAG_DEFAULT = "_defaultval_flag_"


class Expansion:
    """An expanded string and what it read: variables (`refs`) and called functions."""

    __slots__ = ("execs", "refs", "value")

    def __init__(self, value: Any, refs: set[str], execs: set[str]):
        self.value = value
        self.refs = refs
        self.execs = execs


class _VarLookup(dict):
    """Locals for inline Python: bare upper-case names read datastore variables."""

    def __init__(self, d: DataStore):
        super().__init__(d=d)
        self.d = d

    def __missing__(self, key: str) -> Any:
        value = self.d.getVar(key)
        if value is None or self.d.getVarFlag(key, "func", False):
            raise KeyError(key)
        return value


def _find_python_end(s: str, start: int) -> int:
    """Index of the `}` closing the `${@` at `start`, honouring nesting and quotes."""
    depth = 0
    quote = ""
    i = start + 3
    while i < len(s):
        c = s[i]
        if quote:
            if c == "\\":
                i += 1
            elif s.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif c in "\"'":
            quote = c * 3 if s.startswith(c * 3, i) else c
            i += len(quote) - 1
        elif c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


class DataStore:
    """BitBake's datastore API (`getVar`, `setVar`, flags, `expand`) with its semantics."""

    def __init__(self) -> None:
        self._vars: dict[str, dict[str, Any]] = {}
        self._ovr: dict[str, tuple[tuple[str, str], ...]] = {}
        self._owned: set[str] = set()
        self._cache: dict[str, Expansion] = {}
        self._active: dict[str, int] | None = None
        self._active_refs: set[str] = set()
        self._expanding: list[str] = []
        # Per variable: (operator, file, line, value, flag or "") of each operation.
        self.history: dict[str, list[tuple[str, str, int, str, str]]] | None = None

    # ----- copies -------------------------------------------------------------------

    def createCopy(self) -> DataStore:
        """A copy sharing unchanged variables with this datastore (copy-on-write)."""
        new = DataStore.__new__(DataStore)
        new._vars = dict(self._vars)
        new._ovr = dict(self._ovr)
        new._owned = set()
        self._owned = set()
        new._cache = dict(self._cache)
        new._active = self._active
        new._active_refs = self._active_refs
        new._expanding = []
        new.history = None if self.history is None else dict(self.history)
        return new

    def delta_from(self, base: DataStore) -> tuple[dict[str, Any], dict[str, Any]]:
        """The variables and override index entries that differ from `base` (for caching)."""
        vars_ = {k: v for k, v in self._vars.items() if base._vars.get(k) is not v}
        vars_.update({k: None for k in base._vars if k not in self._vars})
        ovr = {k: v for k, v in self._ovr.items() if base._ovr.get(k) != v}
        ovr.update({k: None for k in base._ovr if k not in self._ovr})
        return vars_, ovr

    @classmethod
    def from_delta(cls, base: DataStore, delta: tuple[dict[str, Any], dict[str, Any]]) -> DataStore:
        """Rebuild a datastore saved with `delta_from`."""
        d = base.createCopy()
        d._cache = {}
        d._active = None
        for target, changes in ((d._vars, delta[0]), (d._ovr, delta[1])):
            for k, v in changes.items():
                if v is None:
                    target.pop(k, None)
                else:
                    target[k] = v
        return d

    def __getstate__(self) -> dict[str, Any]:
        return {"vars": self._vars, "ovr": self._ovr}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()
        self._vars = state["vars"]
        self._ovr = state["ovr"]

    # ----- bookkeeping --------------------------------------------------------------

    def _writable(self, var: str) -> dict[str, Any]:
        if var not in self._owned:
            self._vars[var] = dict(self._vars.get(var) or {})
            self._owned.add(var)
        return self._vars[var]

    def _changed(self, var: str) -> None:
        self._cache = {}
        if var == "OVERRIDES" or var in self._active_refs:
            self._active = None

    def _record(self, var: str, op: str, value: Any, loginfo: dict[str, Any],
                flag: str = "") -> None:
        """Remember an operation for `bitbake -e`, under the variable it finally affects.

        `A:append:foo` and `A:foo` are recorded on `A`, their suffix shown with the
        operator, as BitBake's history does; `A:foo`, which `bitbake -e` also
        prints, keeps its own history too. Flag operations are recorded on the
        variable, naming the flag.
        """
        if self.history is None:
            return
        where = (loginfo.get("file", ""), loginfo.get("line", 0), str(value), flag)
        root = var
        m = _KEYWORD_RE.match(root)
        if m:
            root = m.group("base")
        while ":" in root and _OVERRIDE_RE.fullmatch(root[root.rfind(":") + 1:]):
            root = root[: root.rfind(":")]
        if root != var:
            if not m:
                self.history[var] = [*self.history.get(var, ()), (op, *where)]
            op = f"{var[len(root):]} {op}"
        self.history[root] = [*self.history.get(root, ()), (op, *where)]

    def _register_overrides(self, var: str) -> None:
        short = var
        while ":" in short:
            idx = short.rfind(":")
            if not _OVERRIDE_RE.fullmatch(short[idx + 1:]):
                return
            short = short[:idx]
            pair = (var, var[len(short) + 1:])
            current = self._ovr.get(short, ())
            if pair not in current:
                self._ovr[short] = (*current, pair)

    def _unregister_overrides(self, var: str) -> None:
        self._ovr.pop(var, None)
        short = var
        while ":" in short:
            short = short[: short.rfind(":")]
            current = self._ovr.get(short)
            if current:
                kept = tuple(p for p in current if p[0] != var)
                if kept:
                    self._ovr[short] = kept
                else:
                    del self._ovr[short]

    # ----- overrides ----------------------------------------------------------------

    def active_overrides(self) -> dict[str, int]:
        """Active overrides mapped to their priority (later in OVERRIDES wins)."""
        if self._active is None:
            self._compute_overrides()
        assert self._active is not None
        return self._active

    def _compute_overrides(self) -> None:
        previous: list[str] | None = None
        self._active = {}
        for _ in range(6):
            self._cache = {}
            exp = self._expand_var("OVERRIDES")
            value = exp.value or ""
            current = [o for o in value.split(":") if o]
            self._active_refs = exp.refs | {"OVERRIDES"}
            if current == previous:
                break
            previous = current
            self._active = {o: i for i, o in enumerate(current)}
        else:
            raise BakeError("Overrides could not be expanded into a stable state "
                            f"after 5 iterations: {':'.join(previous or [])}")
        self._cache = {}

    def _override_active(self, override: str | None, active: dict[str, int]) -> bool:
        return not override or all(o in active for o in override.split(":"))

    def _select_override(self, var: str) -> str | None:
        candidates = self._ovr.get(var)
        if not candidates:
            return None
        active = self.active_overrides()
        best: str | None = None
        best_rank: tuple[int, ...] = ()
        for full, override in candidates:
            positions = [active.get(o) for o in override.split(":")]
            if None in positions or full not in self._vars:
                continue
            rank = tuple(sorted(positions, reverse=True))  # type: ignore[arg-type]
            if best is None or rank > best_rank:
                best, best_rank = full, rank
        return best

    # ----- reading ------------------------------------------------------------------

    def _raw(self, var: str, noweakdefault: bool = False, parsing: bool = False) -> Any:
        """The value before expansion: overrides chosen, appends and prepends applied."""
        entry = self._vars.get(var)
        value = None
        if entry is not None:
            value = entry.get("_content")
            if value is None and not noweakdefault:
                value = entry.get("_defaultval")
        if parsing:
            return value
        match = self._select_override(var)
        if match is not None:
            value = self._raw(match)
        if entry is None:
            return value
        active = None
        for keyword in (":append", ":prepend"):
            ops = entry.get(keyword)
            if not ops:
                continue
            active = active if active is not None else self.active_overrides()
            for extra, override in ops:
                if self._override_active(override, active):
                    if value is None:
                        value = ""
                    value = value + extra if keyword == ":append" else extra + value
        return value

    def _apply_removes(self, var: str, exp: Expansion) -> None:
        entry = self._vars.get(var)
        ops = entry.get(":remove") if entry else None
        if not ops or not isinstance(exp.value, str) or not exp.value:
            return
        active = self.active_overrides()
        removes: set[str] = set()
        for item, override in ops:
            if self._override_active(override, active):
                sub = self.expand_with_refs(item)
                exp.refs |= sub.refs
                removes.update(sub.value.split())
        if removes:
            exp.value = "".join(w for w in _WS_SPLIT_RE.split(exp.value) if w not in removes)

    def _expand_var(self, var: str) -> Expansion:
        cached = self._cache.get(var)
        if cached is not None:
            return cached
        raw = self._raw(var)
        exp = self.expand_with_refs(raw, var)
        self._apply_removes(var, exp)
        self._cache[var] = exp
        return exp

    def getVar(self, var: str, expand: bool = True, noweakdefault: bool = False,
               parsing: bool = False) -> Any:
        """The value of `var` (None if unset), expanded unless `expand` is False."""
        if expand and not noweakdefault and not parsing:
            return self._expand_var(var).value
        value = self._raw(var, noweakdefault, parsing)
        return self.expand(value, var) if expand else value

    def getVarFlag(self, var: str, flag: str, expand: bool = True,
                   noweakdefault: bool = False, parsing: bool = False) -> Any:
        """The value of flag `flag` of `var`; `_content` is the variable's value."""
        if flag == "_content":
            return self.getVar(var, expand, noweakdefault, parsing)
        entry = self._vars.get(var)
        value = None
        if entry:
            value = entry.get(flag)
            if value is None and not noweakdefault:
                value = entry.get(FLAG_DEFAULT + flag)
        if expand and isinstance(value, str):
            return self.expand(value, f"{var}[{flag}]")
        return value

    def getVarFlags(self, var: str, expand: bool | list[str] = False,
                    internalflags: bool = False) -> dict[str, Any] | None:
        """All flags of `var` (None if it has none); expands those named in `expand`."""
        entry = self._vars.get(var)
        if entry is None:
            return None
        flags = {}
        for flag, value in entry.items():
            if not internalflags:
                if flag.startswith(FLAG_DEFAULT):
                    flag = flag[len(FLAG_DEFAULT):]
                    if flag in entry:
                        continue
                elif flag in _INTERNAL_FLAGS:
                    continue
            if isinstance(value, str) and (expand is True or (expand and flag in expand)):
                value = self.expand(value, f"{var}[{flag}]")
            flags[flag] = value
        return flags or None

    def keys(self) -> Iterator[str]:
        """Names of all variables that have a value or flags, or an active conditional value.

        As in BitBake, `FOO:machine = "x"` alone makes FOO a variable when
        `machine` is an override.
        """
        names = [k for k, v in self._vars.items() if v]
        names += [k for k in self._ovr if not self._vars.get(k) and self._select_override(k)]
        return iter(names)

    def __iter__(self) -> Iterator[str]:
        return self.keys()

    def __contains__(self, var: object) -> bool:
        if not isinstance(var, str):
            return False
        return bool(self._vars.get(var)) or self._select_override(var) is not None

    def getInt(self, var: str, default: int) -> int:
        """An integer variable (`default` if unset); anything else is a clear error."""
        value = self.getVar(var)
        if value is None or str(value).strip() == "":
            return default
        try:
            return int(str(value).strip())
        except ValueError:
            raise BakeError(f'{var} = "{value}" is not an integer') from None

    def override_names(self) -> set[str]:
        """Every override used by a conditional variable or a conditional operation."""
        names = {o for variants in self._ovr.values() for _, o in variants}
        for entry in self._vars.values():
            for keyword in KEYWORDS:
                names.update(o for _, o in entry.get(keyword, ()) if o)
        return names

    # ----- writing ------------------------------------------------------------------

    def setVar(self, var: str, value: Any, parsing: bool = False, **loginfo: Any) -> None:
        """Set `var`; `A:append`-style names queue a deferred operation instead.

        Outside parsing (anonymous and task Python), setting a variable also drops
        its pending `:append`/`:prepend`/`:remove` and its active conditional
        variants, so the value set is the value read back, as in BitBake.
        """
        self._record(var, loginfo.get("op", "set"), value, loginfo)
        m = _KEYWORD_RE.match(var)
        if m:
            base, keyword = m.group("base"), m.group("keyword")
            entry = self._writable(base)
            entry[keyword] = [*entry.get(keyword, ()), (value, m.group("ovr") or None)]
            if ":" in base:
                self._register_overrides(base)
            self._changed(base)
            return
        entry = self._writable(var)
        if not parsing:
            for keyword in KEYWORDS:
                entry.pop(keyword, None)
            if var in self._ovr:
                active = self.active_overrides()
                for full, override in self._ovr[var]:
                    if self._override_active(override, active):
                        self.delVar(full)
                self._ovr.pop(var, None)
        if ":" in var:
            self._register_overrides(var)
        entry["_content"] = value
        self._changed(var)

    def setVarFlag(self, var: str, flag: str, value: Any, **loginfo: Any) -> None:
        """Set one flag of `var`."""
        if flag == "_content":
            self.setVar(var, value, **loginfo)
            return
        if loginfo:
            self._record(var, loginfo.get("op", "set"), value, loginfo, flag)
        self._writable(var)[flag] = value
        if ":" in var:
            self._register_overrides(var)
        self._changed(var)

    def setVarFlags(self, var: str, flags: dict[str, Any]) -> None:
        """Set several flags of `var` (others are kept)."""
        for flag, value in flags.items():
            self.setVarFlag(var, flag, value)

    def appendVar(self, var: str, value: str, **loginfo: Any) -> None:
        """Append to the current (unexpanded) value of `var`."""
        self.setVar(var, (self.getVar(var, False) or "") + value, **loginfo)

    def prependVar(self, var: str, value: str, **loginfo: Any) -> None:
        """Prepend to the current (unexpanded) value of `var`."""
        self.setVar(var, value + (self.getVar(var, False) or ""), **loginfo)

    def appendVarFlag(self, var: str, flag: str, value: str) -> None:
        """Append to flag `flag` of `var`."""
        self.setVarFlag(var, flag, (self.getVarFlag(var, flag, False) or "") + value)

    def prependVarFlag(self, var: str, flag: str, value: str) -> None:
        """Prepend to flag `flag` of `var`."""
        self.setVarFlag(var, flag, value + (self.getVarFlag(var, flag, False) or ""))

    def delVar(self, var: str, **loginfo: Any) -> None:
        """Remove `var`, its flags and its conditional variants' index."""
        self._record(var, "del", "", loginfo)
        if var in self._vars:
            del self._vars[var]
            self._owned.discard(var)
        self._unregister_overrides(var)
        self._changed(var)

    def delVarFlag(self, var: str, flag: str, **loginfo: Any) -> None:
        """Remove one flag of `var`."""
        if flag == "_content":
            self.delVar(var, **loginfo)
            return
        entry = self._vars.get(var) or {}
        present = [f for f in (flag, FLAG_DEFAULT + flag) if f in entry]
        if present:
            writable = self._writable(var)
            for f in present:
                del writable[f]
            self._changed(var)

    def delVarFlags(self, var: str) -> None:
        """Remove every flag of `var` but keep its value."""
        if var in self._vars:
            entry = self._writable(var)
            for flag in [f for f in entry if f not in _INTERNAL_FLAGS]:
                del entry[flag]
            self._changed(var)

    def renameVar(self, key: str, newkey: str, **loginfo: Any) -> None:
        """Move `key` (value, flags, pending operations, variants) to `newkey`."""
        if key == newkey or key not in self._vars:
            return
        entry = dict(self._vars[key])
        variants = self._ovr.get(key, ())
        self.delVar(key)
        self._record(newkey, "rename from " + key, entry.get("_content", ""), loginfo)
        target = self._writable(newkey)
        for flag, value in entry.items():
            if flag in KEYWORDS:
                target[flag] = [*target.get(flag, ()), *value]
            else:
                target[flag] = value
        if ":" in newkey:
            self._register_overrides(newkey)
        self._changed(newkey)
        for full, override in variants:
            if full in self._vars and full.startswith(key + ":"):
                self.renameVar(full, f"{newkey}:{override}")

    # ----- expansion ----------------------------------------------------------------

    def expand(self, s: Any, varname: str | None = None) -> Any:
        """Expand `${VAR}` and `${@python}` in `s`; undefined references stay as they are."""
        if not isinstance(s, str) or "${" not in s:
            return s
        return self.expand_with_refs(s, varname).value

    def expand_with_refs(self, s: Any, varname: str | None = None) -> Expansion:
        """Expand `s`, also returning the variables and functions the expansion used."""
        refs: set[str] = set()
        execs: set[str] = set()
        if not isinstance(s, str) or "${" not in s:
            return Expansion(s, refs, execs)
        if varname:
            self._expanding.append(varname)
        try:
            while "${" in s:
                old = s
                s = _VAR_RE.sub(lambda m: self._sub_var(m, refs, execs), s)
                s = self._sub_python(s, varname, refs, execs)
                if s == old:
                    break
        finally:
            if varname:
                self._expanding.pop()
        return Expansion(s, refs, execs)

    def _sub_var(self, m: re.Match[str], refs: set[str], execs: set[str]) -> str:
        key = m.group(1)
        if key in self._expanding:
            raise ExpansionError(self._expanding[-1], m.group(0),
                                 f"variable {key} references itself!")
        refs.add(key)
        exp = self._expand_var(key)
        refs |= exp.refs
        execs |= exp.execs
        return m.group(0) if exp.value is None else str(exp.value)

    def _sub_python(self, s: str, varname: str | None, refs: set[str], execs: set[str]) -> str:
        out: list[str] = []
        pos = 0
        while True:
            start = s.find("${@", pos)
            if start < 0:
                break
            end = _find_python_end(s, start)
            if end < 0:
                break
            code = s[start + 3:end]
            out.append(s[pos:start])
            out.append(self._eval_inline(code, varname, refs, execs))
            pos = end + 1
        if not out:
            return s
        out.append(s[pos:])
        return "".join(out)

    def _eval_inline(self, code: str, varname: str | None, refs: set[str],
                     execs: set[str]) -> str:
        info = codeparser.python_info(code.strip(), "eval")
        refs |= info.refs
        execs |= info.execs
        context = methodpool.get_context()
        # `d` is a global, as in BitBake, so that generator expressions and
        # comprehensions (which do not see eval's locals) can use it.
        outer = context.get("d")
        context["d"] = self
        try:
            compiled = methodpool.compile_code(code.strip(), varname or "<expansion>", "eval")
            value = eval(compiled, context, _VarLookup(self))
        except ExpansionError:
            raise
        except BakeError:
            raise
        except Exception as exc:  # metadata code may raise anything
            raise ExpansionError(varname, "${@" + code + "}",
                                 f"{type(exc).__name__}: {exc}") from exc
        finally:
            if outer is None:
                del context["d"]
            else:
                context["d"] = outer
        return str(value)

    # ----- key expansion --------------------------------------------------------------

    def expand_keys(self) -> None:
        """Rename variables whose names contain `${...}` to their expanded names."""
        for _ in range(10):
            pending = [k for k in self._vars if "${" in k]
            renamed = False
            for key in pending:
                newkey = self.expand(key)
                if newkey != key and "${" not in newkey:
                    self.renameVar(key, newkey, op="expandKeys")
                    renamed = True
            if not renamed:
                return

    def expandVarref(self, var: str) -> None:
        """Replace every literal `${var}` in all values by var's current value."""
        value = self.getVar(var, False)
        if value is None:
            return
        ref = "${" + var + "}"
        for key, entry in list(self._vars.items()):
            if key == var:
                continue
            changed = {}
            for flag, v in entry.items():
                if isinstance(v, str) and ref in v:
                    changed[flag] = v.replace(ref, value)
                elif flag in KEYWORDS and any(ref in str(x[0]) for x in v):
                    changed[flag] = [(x[0].replace(ref, value), x[1]) for x in v]
            if changed:
                self._writable(key).update(changed)
        self._cache = {}
