"""Which events a subscriber wants: VAPIX's event filters (one entry of the
event stream's eventFilterList), as the Event data streaming API defines them.

A topic filter is ONVIF's ConcreteSet topic expression: topic paths joined by
"|", each matching that topic, or with "//." (or "//") at its end the topic
and every topic under it; "//." alone matches everything. Filters may write
the namespaces as events do (tns1:, tnsaxis:) or as AXIS's filters do
(onvif:, axis:). A content filter is ONVIF's ItemFilter dialect:
boolean(//SimpleItem[@Name="port" and @Value="1"]) expressions combined with
and, or, not() and parentheses, true when an item of the event's source, key
or data fits. A bad filter raises ValueError saying what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from herald.events.contract import Notification
from herald_web.events.instances import as_text

NAMESPACES = {"tns1": "tns1", "onvif": "tns1", "tnsaxis": "tnsaxis", "axis": "tnsaxis"}
MAX_FILTER = 1024  # characters in one topic or content filter
MAX_NESTING = 16  # parentheses and not() in a content filter
_NAME = re.compile(r"(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)")
_TOKEN = re.compile(r"\s*(?:(?P<word>boolean|and|or|not)\b"
                    r"|(?P<path>//(?:[A-Za-z_][\w.-]*:)?SimpleItem)\b"
                    r"|(?P<attribute>@Name|@Value)\b|\"(?P<string>[^\"]*)\"|(?P<symbol>[()\[\]=]))")

Items = list[tuple[str, str]]
Test = Callable[[Items], bool]
ItemTest = Callable[[tuple[str, str]], bool]


def _segment(text: str) -> str:
    match = _NAME.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text.strip()!r:.60} is not a topic name")
    prefix, name = match.groups()
    if prefix is None:
        return name
    if prefix not in NAMESPACES:
        raise ValueError(f"unknown namespace {prefix!r:.40}: use onvif:, axis:, tns1: or tnsaxis:")
    return f"{NAMESPACES[prefix]}:{name}"


def topic_paths(expression: str) -> tuple[tuple[tuple[str, ...], bool], ...]:
    """The expression's topic paths, each as (segments, with the topics under it)."""
    paths = []
    for alternative in expression.split("|"):
        path = alternative.strip()
        subtree = path.endswith(("//.", "//"))
        path = path.removesuffix(".").removesuffix("//") if subtree else path
        segments = tuple(_segment(s) for s in path.split("/")) if path else ()
        if not segments and not subtree:
            raise ValueError("a topic path is empty")
        paths.append((segments, subtree))
    return tuple(paths)


class _ContentFilter:
    """A recursive descent over the ItemFilter grammar that builds the test."""

    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []  # (kind, text)
        position = 0
        while text[position:].strip():
            match = _TOKEN.match(text, position)
            if match is None:
                raise ValueError(f"cannot read the content filter at {text[position:]!r:.40}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            position = match.end()
        self.position = self.depth = 0

    def parse(self) -> Test:
        test = self._expression(self._boolean)
        if self.position < len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.position][1]!r:.40} "
                             "in the content filter")
        return test

    def _accept(self, word: str) -> bool:
        if self.position < len(self.tokens) and self.tokens[self.position] in (
                ("word", word), ("symbol", word)):
            self.position += 1
            return True
        return False

    def _expect(self, word: str) -> None:
        if not self._accept(word):
            found = self.tokens[self.position][1] if self.position < len(self.tokens) else None
            raise ValueError(f"the content filter needs {word!r} where it has "
                             f"{'its end' if found is None else repr(found)}")

    def _take(self, kind: str, what: str) -> str:
        if self.position >= len(self.tokens) or self.tokens[self.position][0] != kind:
            raise ValueError(f"the content filter {what}")
        self.position += 1
        return self.tokens[self.position - 1][1]

    def _expression(self, atom: Callable[[], Callable[[Any], bool]]) -> Callable[[Any], bool]:
        """Atoms joined by "or" and "and" (which binds tighter)."""
        alternatives = [self._conjunction(atom)]
        while self._accept("or"):
            alternatives.append(self._conjunction(atom))
        return alternatives[0] if len(alternatives) == 1 else (
            lambda x: any(test(x) for test in alternatives))

    def _conjunction(self, atom: Callable[[], Callable[[Any], bool]]) -> Callable[[Any], bool]:
        terms = [self._factor(atom)]
        while self._accept("and"):
            terms.append(self._factor(atom))
        return terms[0] if len(terms) == 1 else lambda x: all(test(x) for test in terms)

    def _factor(self, atom: Callable[[], Callable[[Any], bool]]) -> Callable[[Any], bool]:
        """An atom, (expression) or not(expression)."""
        negate = self._accept("not")
        if not negate and not self._accept("("):
            return atom()
        if negate:
            self._expect("(")
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ValueError(f"the content filter nests deeper than {MAX_NESTING}")
        inner = self._expression(atom)
        self.depth -= 1
        self._expect(")")
        return (lambda x: not inner(x)) if negate else inner

    def _boolean(self) -> Test:
        """boolean(//SimpleItem[...]): whether any item fits."""
        self._expect("boolean")
        self._expect("(")
        self._take("path", "can test //SimpleItem[...] only")
        self._expect("[")
        fits: ItemTest = self._expression(self._comparison)
        self._expect("]")
        self._expect(")")
        return lambda items: any(fits(item) for item in items)

    def _comparison(self) -> ItemTest:
        """@Name="..." or @Value="..."."""
        index = ("@Name", "@Value").index(self._take("attribute", "compares @Name or @Value only"))
        self._expect("=")
        wanted = self._take("string", "compares with a quoted value only")
        return lambda item: item[index] == wanted


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string")
    if len(value) > MAX_FILTER:
        raise ValueError(f"{what} is longer than {MAX_FILTER} characters")
    return value


@dataclass(frozen=True)
class EventFilter:
    """One subscription: the topics it takes (None: all) and a test of the content."""

    topics: tuple[tuple[tuple[str, ...], bool], ...] | None
    content: Test | None

    @classmethod
    def from_dict(cls, raw: Any) -> EventFilter:
        if not isinstance(raw, dict):
            raise ValueError("must be an object with topicFilter and/or contentFilter")
        topic, content = raw.get("topicFilter"), raw.get("contentFilter")
        if topic is None and content is None:
            raise ValueError("needs a topicFilter, a contentFilter or both")
        return cls(
            topic_paths(_text(topic, "topicFilter")) if topic is not None else None,
            _ContentFilter(_text(content, "contentFilter")).parse() if content is not None
            else None)

    def matches(self, notification: Notification) -> bool:
        if self.topics is not None:
            topic = tuple(_segment(s) for s in notification.topic.split("/"))
            if not any(topic == path or (subtree and topic[:len(path)] == path)
                       for path, subtree in self.topics):
                return False
        if self.content is None:
            return True
        parts = (notification.source, notification.key, notification.data)
        items = [(name, as_text(value)) for part in parts for name, value in part.items()]
        return self.content(items)
