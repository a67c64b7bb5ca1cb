"""Read BitBake metadata files into statements (the grammar of the syntax chapter).

`.conf` files allow assignments, `export`, `unset` and `include`/`require`/
`include_all`. Recipes, classes and `.inc` files add functions, `inherit`,
`inherit_defer`, `addtask`, `deltask` and `EXPORT_FUNCTIONS`. Any other line is a
ParseError naming the file and line. Parsed files are cached by path, size and
modification time, since classes are shared by every recipe.
"""

from __future__ import annotations

import os
import re

from bake import statements as st
from bake.errors import ParseError

_ASSIGN_RE = re.compile(r"""
    ^(?P<exp>export\s+)?
    (?P<var>[a-zA-Z0-9\-_+.${}/~:]+?)
    (\[(?P<flag>[a-zA-Z0-9\-_+.][a-zA-Z0-9\-_+.@/]*)\])?
    \s*(?P<op>:=|\?\?=|\?=|\+=|=\+|=\.|\.=|=)\s*
    (?P<quote>['"])(?P<value>.*)(?P=quote)$
    """, re.X)
_INCLUDE_RE = re.compile(r"^(include|require|include_all)\s+(.+?)\s*$")
_EXPORT_RE = re.compile(r"^export\s+([a-zA-Z0-9\-_+.${}/~]+)$")
_UNSET_RE = re.compile(
    r"^unset\s+([a-zA-Z0-9\-_+.${}/~:]+)(?:\[([a-zA-Z0-9\-_+.][a-zA-Z0-9\-_+.@]*)\])?$")
_FUNC_START_RE = re.compile(
    r"^(?P<py>python(?=[\s(]))?\s*(?P<fr>fakeroot\s+)?(?P<name>[\w.\-+{}$:]+)?\s*\(\s*\)\s*\{$")
_DEF_RE = re.compile(r"^def\s+(\w+)\s*\(.*\)\s*:")
_DEF_BODY_RE = re.compile(r"^(\s+.*|#.*)?$")
_INHERIT_RE = re.compile(r"^(inherit|inherit_defer)\s+(.+)$")
_ADDTASK_RE = re.compile(r"^addtask\s+([^#]+?)\s*(#.*)?$")
_DELTASK_RE = re.compile(r"^deltask\s+([^#]+?)\s*(#.*)?$")
_EXPORT_FUNCS_RE = re.compile(r"^EXPORT_FUNCTIONS\s+([^#]+?)\s*(#.*)?$")
_OLD_SYNTAX_RE = re.compile(r"_(append|prepend|remove)(_|$)")
_UNSUPPORTED = {
    "addhandler": "event handlers (addhandler) are not supported by this engine",
    "addpylib": "addpylib is not supported by this engine",
    "addfragments": "addfragments is not supported by this engine",
}

_cache: dict[str, tuple[int, int, list[st.Statement]]] = {}


def is_conf(path: str) -> bool:
    """`.conf` files use the configuration grammar; everything else the recipe grammar."""
    return path.endswith(".conf")


def parse_file(path: str) -> list[st.Statement]:
    """The statements of one metadata file (cached while the file is unchanged)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror}", path) from exc
    cached = _cache.get(path)
    if cached and cached[0] == info.st_mtime_ns and cached[1] == info.st_size:
        return cached[2]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    result = parse_text(text, path)
    _cache[path] = (info.st_mtime_ns, info.st_size, result)
    return result


def parse_text(text: str, path: str) -> list[st.Statement]:
    """Parse metadata source `text` as if read from `path`."""
    return _Parser(path, is_conf(path)).run(text.splitlines())


class _Parser:
    def __init__(self, path: str, conf: bool):
        self.path = path
        self.conf = conf
        self.out: list[st.Statement] = []

    def error(self, lineno: int, msg: str) -> ParseError:
        return ParseError(msg, self.path, lineno)

    def run(self, lines: list[str]) -> list[st.Statement]:
        i = 0
        while i < len(lines):
            lineno = i + 1
            line = lines[i].rstrip()
            i += 1
            if not self.conf:
                m = _FUNC_START_RE.match(line)
                if m:
                    i = self._function(m, lines, i, lineno)
                    continue
                m = _DEF_RE.match(line)
                if m:
                    i = self._pydef(m.group(1), lines, i - 1, lineno)
                    continue
            if line.endswith("\\"):
                line, i = self._join(line, lines, i, lineno)
            if not line.strip():
                continue
            if line[0].isspace():
                # BitBake takes no indented statement, nor an indented comment.
                raise self.error(lineno, f"unparsed line: '{line}'")
            if line.startswith("#"):
                continue
            self._statement(line, lineno)
        return self.out

    def _join(self, line: str, lines: list[str], i: int, lineno: int) -> tuple[str, int]:
        """Join backslash-continued lines; a comment may not continue into code."""
        comment = line.lstrip().startswith("#")
        while line.endswith("\\"):
            if i >= len(lines):
                raise self.error(lineno, "line continuation at end of file")
            nxt = lines[i].rstrip()
            i += 1
            if comment and not nxt.lstrip().startswith("#"):
                raise self.error(lineno, "a comment ends with a backslash and continues into "
                                 "the next line, which is not a comment: make it all a "
                                 "comment or remove the backslash")
            if not comment and nxt.lstrip().startswith("#"):
                raise self.error(i, "a comment inside a multi-line expression is invalid")
            line = line[:-1] + nxt
        return line, i

    def _function(self, m: re.Match[str], lines: list[str], i: int, lineno: int) -> int:
        body: list[str] = []
        while i < len(lines):
            line = lines[i].rstrip()
            i += 1
            if line == "}":
                name = m.group("name")
                if m.group("fr"):
                    raise self.error(lineno, "fakeroot functions are not supported by this engine")
                self._check_name(name or "", lineno)
                self.out.append(st.Function(self.path, lineno, name, "\n".join(body) + "\n",
                                            bool(m.group("py"))))
                return i
            body.append(line)
        raise self.error(lineno, "function is not closed: no line with only '}' follows")

    def _pydef(self, name: str, lines: list[str], i: int, lineno: int) -> int:
        body = [lines[i].rstrip()]
        i += 1
        while i < len(lines) and _DEF_BODY_RE.match(lines[i]):
            body.append(lines[i].rstrip())
            i += 1
        while body and not body[-1].strip():
            body.pop()
        self.out.append(st.PyDef(self.path, lineno, name, "\n".join(body)))
        return i

    def _check_name(self, var: str, lineno: int) -> None:
        if _OLD_SYNTAX_RE.search(var) and "${" not in var:
            raise self.error(lineno, f"{var} uses the old override syntax ('_append', "
                             "'_prepend', '_remove'); write ':append', ':prepend', ':remove'")

    def _statement(self, s: str, lineno: int) -> None:
        m = _ASSIGN_RE.match(s)
        # A value holding one quote of the kind around it (`X = "a\"b"`) is not an
        # assignment to BitBake: three quotes make the line unparsable.
        if m and m.group("value").count(m.group("quote")) != 1:
            var = m.group("var")
            self._check_name(var, lineno)
            self.out.append(st.Assign(self.path, lineno, var, m.group("flag"), m.group("op"),
                                      m.group("value"), bool(m.group("exp"))))
            return
        m = _INCLUDE_RE.match(s)
        if m:
            self.out.append(st.Include(self.path, lineno, m.group(2), m.group(1)))
            return
        m = _EXPORT_RE.match(s)
        if m:
            self.out.append(st.ExportOnly(self.path, lineno, m.group(1)))
            return
        m = _UNSET_RE.match(s)
        if m:
            self.out.append(st.Unset(self.path, lineno, m.group(1), m.group(2)))
            return
        word = s.split(None, 1)[0]
        if word in _UNSUPPORTED:
            raise self.error(lineno, _UNSUPPORTED[word])
        if not self.conf and self._recipe_statement(s, lineno):
            return
        if self.conf and word in ("inherit", "inherit_defer", "addtask", "deltask",
                                  "EXPORT_FUNCTIONS", "python", "def"):
            hint = ' (use INHERIT += "..." to inherit a class globally)' \
                if "inherit" in word else ""
            raise self.error(lineno, f"'{word}' is not allowed in a .conf file{hint}")
        raise self.error(lineno, f"unparsed line: '{s}'")

    def _recipe_statement(self, s: str, lineno: int) -> bool:
        m = _INHERIT_RE.match(s)
        if m:
            self.out.append(st.Inherit(self.path, lineno, m.group(2).split("#")[0].strip(),
                                       m.group(1) == "inherit_defer"))
            return True
        m = _ADDTASK_RE.match(s)
        if m:
            self.out.append(self._addtask(m.group(1), lineno))
            return True
        m = _DELTASK_RE.match(s)
        if m:
            self.out.append(st.DelTask(self.path, lineno, m.group(1).split()))
            return True
        m = _EXPORT_FUNCS_RE.match(s)
        if m:
            self.out.append(st.ExportFunctions(self.path, lineno, m.group(1).split()))
            return True
        return False

    def _addtask(self, words: str, lineno: int) -> st.AddTask:
        lists: dict[str, list[str]] = {"tasks": [], "after": [], "before": []}
        current = "tasks"
        for word in words.split():
            if word in ("after", "before"):
                current = word
            else:
                lists[current].append(word)
        if not lists["tasks"]:
            raise self.error(lineno, "addtask needs a task name")
        return st.AddTask(self.path, lineno, lists["tasks"], lists["after"], lists["before"])
