"""The cooker: configuration, every recipe, providers and build targets, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass

from bake import cache as parsecache
from bake import conf, methodpool
from bake.data import DataStore
from bake.errors import BakeError
from bake.providers import Providers
from bake.recipes import Collections, RecipeInfo, collect_files, parse_recipe
from bake.statements import task_name
from bake.taskgraph import tid
from bake.ui import UI


@dataclass
class ParseStats:
    """What the parse of the recipes did (for the "Parsing of N .bb files" line)."""

    total: int = 0
    cached: int = 0
    parsed: int = 0
    skipped: int = 0
    masked: int = 0


class Cooker:
    """Holds the configuration and the parsed recipes of one build directory."""

    def __init__(self, topdir: str, environ: dict[str, str], ui: UI,
                 use_cache: bool = True, track_history: bool = False):
        self.ui = ui
        self.track_history = track_history
        self.config = conf.load(topdir, environ, track_history)
        self.data = self.config.data
        self.collections = Collections(self.data)
        self.infos: dict[str, RecipeInfo] = {}
        self.appends: dict[str, list[str]] = {}
        self._datastores: dict[str, DataStore] = {}
        self.cache = parsecache.ParseCache(self.config) if use_cache else None
        self.stats = ParseStats()
        self._providers: Providers | None = None

    @property
    def topdir(self) -> str:
        """The build directory."""
        return self.config.topdir

    def parse(self) -> ParseStats:
        """Parse every recipe (or take it from the parse cache)."""
        files = collect_files(self.data, self.collections)
        self.appends = files.appends
        stats = ParseStats(total=len(files.recipes), masked=files.masked)
        self.ui.parse_started(stats.total)
        for i, fn in enumerate(files.recipes, 1):
            appends = files.appends[fn]
            info = self.cache.load_info(fn, appends) if self.cache else None
            if info is None:
                self.ui.context = fn
                try:
                    info, d, ctx = parse_recipe(fn, appends, self.data, self.collections)
                finally:
                    self.ui.context = None
                self._datastores[fn] = d
                if self.cache:
                    self.cache.store(info, d, ctx)
                stats.parsed += 1
            else:
                stats.cached += 1
            stats.skipped += bool(info.skipped)
            self.infos[fn] = info
            self.ui.parse_progress(i, stats.total)
        if self.cache:
            self.cache.save_index()
        self.ui.parse_finished(stats)
        self.stats = stats
        return stats

    def datastore(self, fn: str) -> DataStore:
        """The finalised datastore of recipe `fn` (from memory, the cache, or a new parse)."""
        d = self._datastores.get(fn)
        if d is None and self.cache:
            d = self.cache.load_data(fn)
            if d is not None:
                methodpool.ensure_defs(d)
        if d is None:
            _info, d, _ctx = parse_recipe(fn, self.appends.get(fn, []), self.data,
                                         self.collections)
        self._datastores[fn] = d
        return d

    @property
    def providers(self) -> Providers:
        """Name resolution over the parsed recipes."""
        if self._providers is None:
            self._providers = Providers(self.infos, self.data)
        return self._providers

    def recipe_for(self, name: str) -> str:
        """The recipe file building target `name` (a PN or anything in PROVIDES)."""
        return self.providers.resolve(name, needed_by="the command line")

    def target_tids(self, targets: list[str], task: str) -> list[str]:
        """Task ids for command-line targets (`name` or `name:do_task`)."""
        out = []
        for target in targets:
            name, sep, ttask = target.partition(":")
            if target == "world":
                out += [tid(fn, task_name(task)) for fn in self.world()]
                continue
            fn = self.recipe_for(name)
            wanted = task_name(ttask if sep else task)
            if wanted not in self.infos[fn].tasks:
                raise BakeError(f"Task {wanted} does not exist for target {name} "
                                f"({os.path.relpath(fn, self.topdir)})")
            out.append(tid(fn, wanted))
        return out

    def world(self) -> list[str]:
        """The preferred recipe of every PN (the `world` target)."""
        pns = sorted({i.pn for i in self.infos.values() if not i.skipped})
        return [self.recipe_for(pn) for pn in pns]
