"""Choose the recipe behind a name: PROVIDES, PREFERRED_PROVIDER_*, PREFERRED_VERSION_*.

A build-time name resolves among recipes listing it in PROVIDES (PN always is).
PREFERRED_PROVIDER_<name> picks the PN; otherwise a recipe whose PN is the name
wins, then the highest layer priority. Among versions of one PN,
PREFERRED_VERSION_<pn> (`%` matches any suffix) decides, otherwise the highest
layer priority, then DEFAULT_PREFERENCE, then the highest version. Runtime
names resolve the same way through PACKAGES/RPROVIDES and PREFERRED_RPROVIDER_*.
"""

from __future__ import annotations

import functools

from bake.bb import warn
from bake.data import DataStore
from bake.errors import BakeError
from bake.recipes import RecipeInfo
from bake.versions import split_version, vercmp


class NoProvider(BakeError):
    """Nothing provides (or runtime-provides) a name that is needed."""


class Providers:
    """Name → recipe resolution over all parsed recipes."""

    def __init__(self, infos: dict[str, RecipeInfo], d: DataStore):
        self.infos = infos
        self.d = d
        self.assumed = set((d.getVar("ASSUME_PROVIDED") or "").split())
        self.build: dict[str, list[str]] = {}
        self.runtime: dict[str, list[str]] = {}
        for fn, info in infos.items():
            if info.skipped:
                continue
            for name in info.provides:
                self.build.setdefault(name, []).append(fn)
            for name in info.rprovides:
                self.runtime.setdefault(name, []).append(fn)
        self._cache: dict[tuple[str, bool], str] = {}
        self.warned: set[str] = set()

    def is_assumed(self, name: str) -> bool:
        """Names in ASSUME_PROVIDED are treated as present without a recipe."""
        return name in self.assumed

    def resolve(self, name: str, runtime: bool = False, needed_by: str = "") -> str:
        """The recipe file chosen to provide `name` (build-time or runtime)."""
        key = (name, runtime)
        if key not in self._cache:
            self._cache[key] = self._choose(name, runtime, needed_by)
        return self._cache[key]

    def _choose(self, name: str, runtime: bool, needed_by: str) -> str:
        index = self.runtime if runtime else self.build
        candidates = index.get(name, [])
        if not candidates:
            raise NoProvider(self._nothing_message(name, runtime, needed_by))
        var = "PREFERRED_RPROVIDER_" if runtime else "PREFERRED_PROVIDER_"
        preferred = self.d.getVar(var + name)
        if preferred:
            chosen = [fn for fn in candidates if self.infos[fn].pn == preferred]
            if not chosen:
                raise NoProvider(f"{var}{name} is set to '{preferred}', but no recipe named "
                                 f"{preferred} {'r' if runtime else ''}provides {name}")
            candidates = chosen
        pns = sorted({self.infos[fn].pn for fn in candidates})
        if len(pns) > 1:
            pn = self._choose_pn(name, pns, candidates, var)
            candidates = [fn for fn in candidates if self.infos[fn].pn == pn]
        return self.best_version(candidates)

    def _choose_pn(self, name: str, pns: list[str], candidates: list[str], var: str) -> str:
        if name in pns:
            return name
        top = max(self.infos[fn].priority for fn in candidates)
        best = sorted({self.infos[fn].pn for fn in candidates if self.infos[fn].priority == top})
        if len(best) > 1 and name not in self.warned:
            self.warned.add(name)
            warn(f"Multiple providers are available for {name} ({', '.join(pns)}); choosing "
                 f"{best[0]}. Set {var}{name} to choose one.")
        return best[0]

    def best_version(self, fns: list[str]) -> str:
        """Among recipes of one PN: the preferred version, else priority, preference, version."""
        pn = self.infos[fns[0]].pn
        wanted = self.d.getVar(f"PREFERRED_VERSION_{pn}")
        if wanted:
            matching = [fn for fn in fns if _version_matches(self.infos[fn], wanted)]
            if matching:
                fns = matching
            elif pn not in self.warned:
                self.warned.add(pn)
                available = ", ".join(sorted(self.infos[fn].pv for fn in fns))
                warn(f"preferred version {wanted} of {pn} not available (versions: {available})")

        def compare(a: str, b: str) -> int:
            ia, ib = self.infos[a], self.infos[b]
            if ia.priority != ib.priority:
                return ia.priority - ib.priority
            if ia.default_preference != ib.default_preference:
                return ia.default_preference - ib.default_preference
            return vercmp((ia.pe, ia.pv, ia.pr), (ib.pe, ib.pv, ib.pr))

        return max(fns, key=functools.cmp_to_key(compare))

    def _nothing_message(self, name: str, runtime: bool, needed_by: str) -> str:
        verb = "RPROVIDES" if runtime else "PROVIDES"
        msg = f"Nothing {verb} '{name}'"
        if needed_by:
            msg += f" ({needed_by} depends on it)"
        skipped = [i for i in self.infos.values() if i.skipped and
                   name in (i.rprovides if runtime else i.provides)]
        for info in skipped:
            msg += f"\n  {info.pn} was skipped: {info.skipped}"
        return msg


def _version_matches(info: RecipeInfo, wanted: str) -> bool:
    epoch, version, revision = split_version(wanted) if "-" in wanted or ":" in wanted \
        else ("", wanted, "")
    if epoch and epoch != info.pe:
        return False
    if revision and revision != info.pr:
        return False
    if version.endswith("%"):
        return info.pv.startswith(version[:-1])
    return info.pv == version
