"""Errors that carry where in the metadata they come from, so users can fix them."""

from __future__ import annotations


class BakeError(Exception):
    """Any error the engine reports to the user (exit code 1, no traceback)."""


class ParseError(BakeError):
    """Bad or unsupported metadata, reported as `file:line: message`."""

    def __init__(self, msg: str, filename: str | None = None, lineno: int | None = None):
        self.msg = msg
        self.filename = filename
        self.lineno = lineno
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.filename and self.lineno:
            return f"ParseError at {self.filename}:{self.lineno}: {self.msg}"
        if self.filename:
            return f"ParseError in {self.filename}: {self.msg}"
        return f"ParseError: {self.msg}"


class ExpansionError(BakeError):
    """A `${...}` expansion failed: a self reference or inline Python that raised."""

    def __init__(self, varname: str | None, expression: str, reason: str):
        self.varname = varname
        self.expression = expression
        self.reason = reason
        where = f"variable {varname}" if varname else "expression"
        super().__init__(f"Failure expanding {where}, expression was {expression} "
                         f"which triggered exception {reason}")


class SkipRecipe(Exception):
    """Raised by metadata (bb.parse.SkipRecipe) to skip a recipe with a reason."""
