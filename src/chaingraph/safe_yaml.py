"""Read the YAML files people edit (datasets, mapping files) safely and fast.

PyYAML's C parser (libyaml) composes the document; the values are then built here, not by
PyYAML's constructors, so that:

- nothing but plain data can come out: text, whole and decimal numbers, true/false, null,
  lists and mappings (``!!python/…``, ``!!binary``, ``!!set`` and any other tag are refused);
- every mapping and list remembers the line it starts on (:class:`LineDict`, :class:`LineList`),
  so each validation message can name ``file:line``;
- hostile input gives one clear :class:`YamlError` naming the file and line, never a
  traceback or a hang: an impossible date (``2023-02-30``), a whole number of thousands of
  digits, nesting deeper than :data:`MAX_DEPTH`, aliases that expand to more than
  :data:`MAX_ALIAS_EXTRA` extra values ("billion laughs"), a file larger than
  :data:`MAX_BYTES`, a mapping used as a key, a repeated key;
- dates become ISO text (``2023-02-01``), so whatever was read can be written to JSON or
  Neo4j as it is; mapping keys are always text, as written.

Without the C extension the pure-Python parser composes instead (same results, slower).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from .errors import InvalidGraphData

#: largest YAML file read, in bytes; long lists belong in CSV files
MAX_BYTES = 64 * 1024 * 1024
#: deepest nesting of lists and mappings (a dataset needs about 6 levels)
MAX_DEPTH = 64
#: how many values aliases (``*name``) may add when expanded, over the whole file
MAX_ALIAS_EXTRA = 10_000
#: longest whole number, in digits
MAX_INT_DIGITS = 30

_CORE = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_CORE + t for t in ("str", "int", "float", "bool", "null"))
TIMESTAMP, SEQ, MAP, MERGE = (_CORE + t for t in ("timestamp", "seq", "map", "merge"))
_VALUE = _CORE + "value"

_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
_TIMESTAMP_RE = re.compile(
    r"""^(?P<year>[0-9][0-9][0-9][0-9])-(?P<month>[0-9][0-9]?)-(?P<day>[0-9][0-9]?)
    (?:(?:[Tt]|[ \t]+)(?P<hour>[0-9][0-9]?):(?P<minute>[0-9][0-9]):(?P<second>[0-9][0-9])
    (?:\.[0-9]*)?
    (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)?$""",
    re.X,
)


class YamlError(InvalidGraphData):
    """A YAML file that cannot be read as plain data; ``file`` and ``line`` say where."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")
        self.file = file
        self.line = line
        self.detail = message


class LineDict(dict[str, Any]):
    """A mapping read from YAML, with the (1-based) line it starts on."""

    __slots__ = ("line",)

    def __init__(self, line: int | None = None) -> None:
        super().__init__()
        self.line = line


class LineList(list[Any]):
    """A list read from YAML, with the (1-based) line it starts on."""

    __slots__ = ("line",)

    def __init__(self, line: int | None = None) -> None:
        super().__init__()
        self.line = line


def line_of(value: object) -> int | None:
    """The line a mapping or list read by :func:`load` starts on (None for anything else)."""
    return getattr(value, "line", None) if isinstance(value, LineDict | LineList) else None


# --- parsing: libyaml when present --------------------------------------------------------

_IMPLICIT: dict[Any, list[tuple[str, re.Pattern[str]]]] = (
    yaml.resolver.Resolver.yaml_implicit_resolvers
)

if yaml.__with_libyaml__:
    from yaml import _yaml

    def _parser(text: str) -> Any:
        return _yaml.CParser(text)

else:  # pragma: no cover - PyYAML built without libyaml

    class _PyParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
        """Text to YAML events in pure Python."""

        def __init__(self, text: str) -> None:
            yaml.reader.Reader.__init__(self, text)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)

    def _parser(text: str) -> Any:
        return _PyParser(text)


# --- building values from the event stream -------------------------------------------------

_NO_KEY = object()


class _Frame:
    """A list or mapping being filled."""

    __slots__ = ("value", "size", "anchor", "line", "key", "merge", "is_map")

    def __init__(self, value: Any, anchor: str | None, line: int, is_map: bool) -> None:
        self.value = value
        self.size = 1
        self.anchor = anchor
        self.line = line
        self.key: Any = _NO_KEY
        self.merge: list[dict[str, Any]] | None = None
        self.is_map = is_map


class _Builder:
    """Builds plain values from YAML events, bounding depth and alias expansion.

    One pass over the events, no node graph kept: memory is the result's only.
    """

    def __init__(self, file: str, lines: bool) -> None:
        self.file = file
        self.lines = lines
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.extra = 0

    def fail(self, event: Any, message: str) -> YamlError:
        mark = getattr(event, "start_mark", None)
        return YamlError(self.file, mark.line + 1 if mark is not None else None, message)

    def run(self, parser: Any) -> Any:  # noqa: C901 - one dispatch loop, kept flat for speed
        get = parser.get_event
        events = yaml.events
        scalar_event, alias_event = events.ScalarEvent, events.AliasEvent
        map_start, seq_start = events.MappingStartEvent, events.SequenceStartEvent
        end_events = (events.MappingEndEvent, events.SequenceEndEvent)
        implicit_tags = _IMPLICIT
        stack: list[_Frame] = []
        top: _Frame | None = None
        root: Any = None
        documents = 0
        lines = self.lines
        while True:
            event = get()
            kind = type(event)
            if kind is scalar_event:
                tag = event.tag
                text = event.value
                if tag is None or tag == "!":
                    tag = STR
                    if event.implicit[0]:
                        for candidate, regexp in implicit_tags.get(text[:1], ()):
                            if regexp.match(text):
                                tag = candidate
                                break
                if top is not None and top.is_map and top.key is _NO_KEY:
                    if tag == MERGE:
                        top.key = MERGE
                    else:
                        top.key = text  # keys are text, as written
                        if text in top.value:
                            raise self.fail(
                                event, f"the key '{text}' appears twice in this mapping; keep one"
                            )
                    continue
                value = text if tag == STR else self.scalar(event, tag, text)
                size = 1
                anchor = event.anchor
            elif kind is map_start or kind is seq_start:
                if top is not None and top.is_map and top.key is _NO_KEY:
                    raise self.fail(event, "a key must be plain text, not a list or mapping")
                tag = event.tag
                is_map = kind is map_start
                if tag is not None and tag != "!" and tag != (MAP if is_map else SEQ):
                    raise self.fail(event, f"the tag '{tag}' is not allowed here; remove it")
                if len(stack) >= MAX_DEPTH:
                    raise self.fail(
                        event, f"nested more than {MAX_DEPTH} levels deep; flatten the structure"
                    )
                line = event.start_mark.line + 1
                container: Any
                if is_map:
                    container = LineDict(line) if lines else {}
                else:
                    container = LineList(line) if lines else []
                top = _Frame(container, event.anchor, line, is_map)
                stack.append(top)
                continue
            elif kind in end_events:
                done = stack.pop()
                value, size, anchor = done.value, done.size, done.anchor
                if done.merge:
                    for src in done.merge:
                        for key, val in src.items():
                            value.setdefault(key, val)
                top = stack[-1] if stack else None
            elif kind is alias_event:
                if top is not None and top.is_map and top.key is _NO_KEY:
                    raise self.fail(event, "a key must be plain text, not an alias")
                seen = self.anchors.get(event.anchor)
                if seen is None:
                    raise self.fail(
                        event,
                        f"the alias *{event.anchor} names no anchor &{event.anchor} before it",
                    )
                value, size = seen
                self.extra += size
                if self.extra > MAX_ALIAS_EXTRA:
                    raise self.fail(
                        event,
                        f"aliases (*name) expand to more than {MAX_ALIAS_EXTRA:,} values; "
                        "write the values out instead of nesting aliases",
                    )
                anchor = None
            elif kind is events.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self.fail(event, "more than one document ('---') in this file; keep one")
                continue
            elif kind is events.StreamEndEvent:
                return root
            else:  # stream start, document end
                continue
            if anchor is not None:
                self.anchors[anchor] = (value, size)
            if top is None:
                root = value
            elif top.is_map:
                key, top.key = top.key, _NO_KEY
                top.size += size
                if key is MERGE:
                    sources = value if isinstance(value, list) else [value]
                    if not all(isinstance(src, dict) for src in sources):
                        raise self.fail(event, "'<<' must name mappings (<<: *name)")
                    top.merge = (top.merge or []) + sources
                else:
                    top.value[key] = value
            else:
                top.value.append(value)
                top.size += size

    def scalar(self, event: Any, tag: str, text: str) -> Any:
        if tag == NULL:
            return None
        if tag == BOOL:
            return _BOOLS[text.lower()]
        if tag == INT:
            return self.integer(event, text)
        if tag == FLOAT:
            return _float(text)
        if tag == TIMESTAMP:
            return self.timestamp(event, text)
        if tag == _VALUE:
            return text
        raise self.fail(event, f"the tag '{tag}' is not allowed; write plain text or numbers")

    def integer(self, event: Any, text: str) -> int:
        text = text.replace("_", "")
        digits = len(text.lstrip("+-"))
        if digits > MAX_INT_DIGITS:
            raise self.fail(
                event,
                f"a whole number of {digits} digits is too long (at most {MAX_INT_DIGITS}); "
                "quote it if it is text",
            )
        sign = -1 if text.startswith("-") else 1
        text = text.lstrip("+-")
        if text == "0":
            return 0
        if text.startswith("0b"):
            return sign * int(text[2:], 2)
        if text.startswith("0x"):
            return sign * int(text[2:], 16)
        if text.startswith("0o"):
            return sign * int(text[2:], 8)
        if text.startswith("0"):
            return sign * int(text, 8)
        if ":" in text:  # YAML 1.1 base 60: 1:30 is 90
            value = 0
            for part in text.split(":"):
                value = value * 60 + int(part)
            return sign * value
        return sign * int(text)

    def timestamp(self, event: Any, text: str) -> str:
        text = text.strip()
        match = _TIMESTAMP_RE.match(text)
        try:
            if match is None:
                raise ValueError(text)
            day = dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
            if match["hour"] is None:
                return day.isoformat()
            dt.time(int(match["hour"]), int(match["minute"]), int(match["second"]))
        except ValueError:
            raise self.fail(
                event, f"'{text}' is not a real date; write it as YYYY-MM-DD (or quote it)"
            ) from None
        return text


def _float(text: str) -> float:
    value = text.replace("_", "").lower()
    sign = -1.0 if value.startswith("-") else 1.0
    value = value.lstrip("+-")
    if value == ".inf":
        return sign * float("inf")
    if value == ".nan":
        return float("nan")
    if ":" in value:  # YAML 1.1 base 60
        total = 0.0
        for part in value.split(":"):
            total = total * 60 + float(part)
        return sign * total
    return sign * float(value)


# --- entry points --------------------------------------------------------------------------


def loads(text: str, file: str = "<text>", *, lines: bool = True) -> Any:
    """Plain data from YAML text; raises :class:`YamlError` naming ``file`` and the line.

    With ``lines`` (the default) mappings and lists are :class:`LineDict` / :class:`LineList`.

    >>> data = loads("a: [1, 2023-02-01, yes]\\nb: {c: ~}\\n")
    >>> data, data.line, data["b"].line
    ({'a': [1, '2023-02-01', True], 'b': {'c': None}}, 1, 2)
    >>> loads("signed: 2023-02-30\\n", "x.yaml")
    Traceback (most recent call last):
      ...
    chaingraph.safe_yaml.YamlError: x.yaml:1: '2023-02-30' is not a real date; write it as YYYY-MM-DD (or quote it)
    """  # noqa: E501
    parser = _parser(text)
    try:
        return _Builder(file, lines).run(parser)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "unreadable"
        raise YamlError(
            file,
            mark.line + 1 if mark is not None else None,
            f"malformed YAML: {what}. Fix the syntax there "
            "(indentation, a missing ':' or an unclosed quote)",
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(file, None, f"malformed YAML: {str(exc).splitlines()[0]}") from None
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()


def load(path: Path, file: str | None = None, *, lines: bool = True) -> Any:
    """Plain data from a YAML file (UTF-8, a BOM accepted); ``file`` names it in messages.

    Raises :class:`YamlError` for a file larger than :data:`MAX_BYTES`, text that is not
    UTF-8, malformed YAML or anything :func:`loads` refuses.
    """
    name = file or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise YamlError(name, None, f"cannot be read: {exc.strerror or exc}") from None
    if size > MAX_BYTES:
        raise _too_big(name, size)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise YamlError(name, None, f"cannot be read: {exc.strerror or exc}") from None
    return load_bytes(data, name, lines=lines)


def _too_big(name: str, size: int) -> YamlError:
    return YamlError(
        name,
        None,
        f"is {size / 2**20:.0f} MB, more than the {MAX_BYTES // 2**20} MB a YAML file may "
        "hold; put long lists of firms or links in CSV files",
    )


def load_bytes(data: bytes, file: str, *, lines: bool = True) -> Any:
    """Plain data from the bytes of a YAML file, as :func:`load` reads the file."""
    name = file
    if len(data) > MAX_BYTES:
        raise _too_big(name, len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise YamlError(
            name, line, "not UTF-8 text. Re-save it as UTF-8 (e.g. iconv -f GB18030 -t UTF-8)"
        ) from None
    return loads(text, name, lines=lines)
