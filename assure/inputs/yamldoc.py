"""Safe, bounded YAML loading that remembers where every value came from.

PyYAML's `safe_load` forgets positions, silently keeps the last of two duplicate keys and
expands aliases without limit. Users need `file:line:column` in every message and the tool
must survive hostile input, so we compose the node graph ourselves (composition never
expands aliases), then build plain Python data from it while counting nodes. A document
whose expansion would exceed the node budget (a "billion laughs" alias bomb) is rejected as
soon as the budget runs out, long before memory grows. Only YAML's core types are accepted:
any other tag (such as `!!python/object`) is an error, never an object, and a core tag must
fit its text (`!!int abc` is an error at its position, not a crash later).

What comes out is safe for every writer downstream: numbers are finite (`.inf` and `.nan`
are refused, so no report prints `Infinity` or "inf%"), and text holds no control
characters other than tab, line feed and carriage return (XML, and so DOCX, JUnit and HTML,
cannot carry them; a terminal would obey them). Refusing them here, with their position,
is the one decision: nothing later needs to strip them from user text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assure.errors import DataError, Position, os_reason
from assure.i18n import Msg

PathKey = tuple[str | int, ...]

MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null")}
_TIMESTAMP = f"{_TAG}timestamp"
_SEQ = f"{_TAG}seq"
_NULL = f"{_TAG}null"
_NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})
_MAP = f"{_TAG}map"


#: Characters no text value may hold: C0 controls but tab, LF and CR; DEL; C1 controls;
#: the non-characters U+FFFE/U+FFFF; lone surrogates (from `"\ud800"` escapes).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")

#: Characters YAML forbids in a stream (YAML 1.1 §5.1: printable characters only); found
#: before parsing so the message has the real line and column.
_NON_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


def control_problem(text: str) -> tuple[int, str] | None:
    """Offset and description of the first control character in `text`, if any."""
    m = CONTROL.search(text)
    if m is None:
        return None
    return m.start(), f"U+{ord(m.group()):04X}"


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def format_path(path: PathKey) -> str:
    """`("components", 0, "id")` → `components[0].id`; the root is ``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass(frozen=True, slots=True)
class Document:
    """Plain data of one YAML file plus the position of every value and key in it."""

    file: str
    data: Any
    value_marks: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: PathKey, *, key: bool = False) -> Position:
        """Position of the value (or its key) at `path`, else of its nearest ancestor."""
        marks = self.key_marks if key else self.value_marks
        probe = tuple(path)
        while True:
            if probe in marks:
                line, col = marks[probe]
                return Position(self.file, line, col)
            if not probe:
                return Position(self.file, 1, 1)
            probe = probe[:-1]
            marks = self.value_marks

    def error(self, path: PathKey, message: str | Msg, *, key: bool = False) -> DataError:
        """A DataError pointing at `path`."""
        pos = self.position(path, key=key)
        return DataError.at(
            pos.file, message, line=pos.line, column=pos.column, field=format_path(path)
        )


#: What PyYAML says, matched to the catalogue so a syntax error reads in the run's language;
#: a problem not listed keeps PyYAML's words inside the translated frame.
_YAML_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^did not find expected ',' or '(?P<close>[\]}])'$", "yaml.problem.expected_comma"),
        (r"^did not find expected key$", "yaml.problem.expected_key"),
        (r"^did not find expected node content$", "yaml.problem.expected_value"),
        (r"^did not find expected '-' indicator$", "yaml.problem.expected_dash"),
        (r"^mapping values are not allowed here$", "yaml.problem.mapping_here"),
        (r"^could not find expected ':'$", "yaml.problem.expected_colon"),
        (r"^found undefined alias '?(?P<name>[^']*)'?$", "yaml.problem.undefined_alias"),
        (r"^found unexpected end of stream$", "yaml.problem.end_of_stream"),
        (r"^found character '(?P<char>.+)' that cannot start any token$", "yaml.problem.bad_char"),
        (r"^found unknown escape character '?(?P<char>[^']*)'?$", "yaml.problem.bad_escape"),
        (r"^expected <block end>, but found '?(?P<found>[^']*)'?$", "yaml.problem.block_end"),
        (r"^found duplicate anchor", "yaml.problem.duplicate_anchor"),
    )
)


def yaml_problem(what: str) -> Msg:
    """A PyYAML problem text as a catalogue message."""
    for pattern, key in _YAML_PROBLEMS:
        m = pattern.match(what.strip())
        if m:
            return Msg.of(key, **m.groupdict())
    return Msg.of("yaml.invalid", what=what or "?")


def read_text(path: Path, display: str | None = None, *, max_bytes: int = MAX_BYTES) -> str:
    """Read a text file defensively: bounded size, no binary, strict UTF-8."""
    name = display or str(path)
    try:
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except IsADirectoryError:
        raise DataError.at(name, Msg.of("yaml.is_folder")) from None
    except FileNotFoundError:
        raise DataError.at(name, Msg.of("yaml.no_such_file")) from None
    except PermissionError:
        raise DataError.at(name, Msg.of("yaml.permission_denied")) from None
    except OSError as exc:
        raise DataError.at(name, Msg.of("yaml.cannot_read", reason=os_reason(exc))) from None
    if len(raw) > max_bytes:
        raise DataError.at(name, Msg.of("yaml.too_large", kib=max_bytes // 1024))
    if b"\x00" in raw:
        at = raw.index(b"\x00")
        line = raw[:at].count(b"\n") + 1
        start = raw.rfind(b"\n", 0, at) + 1
        col = len(raw[start:at].decode("utf-8", "replace")) + 1
        raise DataError.at(name, Msg.of("yaml.binary"), line=line, column=col)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DataError.at(name, Msg.of("yaml.not_utf8"), line=line, column=col) from None
    return text


def parse_yaml(text: str, file: str, *, max_nodes: int = MAX_NODES) -> Document:
    """Parse one YAML document from `text`; `file` names it in messages."""
    bad = _NON_PRINTABLE.search(text)
    if bad is not None:
        line, col = _line_col(text, bad.start())
        raise DataError.at(
            file,
            Msg.of("yaml.control_character", code=f"U+{ord(bad.group()):04X}"),
            line=line,
            column=col,
        )
    try:
        nodes = list(_compose_all(text))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or ""
        raise DataError.at(file, yaml_problem(what), line=line, column=col) from None
    except yaml.YAMLError as exc:  # reader errors (control characters) carry no mark
        raise DataError.at(file, yaml_problem(str(exc))) from None
    except RecursionError:
        raise DataError.at(file, Msg.of("yaml.too_deep")) from None
    if not nodes:
        raise DataError.at(file, Msg.of("yaml.empty"))
    if len(nodes) > 1:
        mark = nodes[1].start_mark
        raise DataError.at(
            file,
            Msg.of("yaml.several_documents"),
            line=mark.line + 1,
            column=mark.column + 1,
        )
    builder = _Builder(file, max_nodes)
    data = builder.build(nodes[0], ())
    return Document(file, data, builder.value_marks, builder.key_marks)


def load_yaml(path: Path, display: str | None = None, *, max_bytes: int = MAX_BYTES) -> Document:
    """Read and parse a YAML file (see `read_text` and `parse_yaml`)."""
    name = display or str(path)
    return parse_yaml(read_text(path, name, max_bytes=max_bytes), name)


# libyaml's parser is about seven times faster than PyYAML's pure-Python one and reports the
# same marks; composition (not construction) is all we take from it.
_Composer: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose_all(text: str) -> Iterator[yaml.Node]:
    loader = _Composer(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                yield node
    finally:
        loader.dispose()


class _Builder:
    """Turns a composed node graph into plain data, with positions and a node budget."""

    def __init__(self, file: str, max_nodes: int) -> None:
        self.file = file
        self.budget = max_nodes
        self.value_marks: dict[PathKey, tuple[int, int]] = {}
        self.key_marks: dict[PathKey, tuple[int, int]] = {}
        self._active: set[int] = set()
        self._scalars = yaml.SafeLoader("")

    def _fail(self, node: yaml.Node, message: Msg, path: PathKey) -> DataError:
        m = node.start_mark
        return DataError.at(
            self.file, message, line=m.line + 1, column=m.column + 1, field=format_path(path)
        )

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise self._fail(
                node,
                Msg.of("yaml.alias_bomb"),
                path,
            )
        self.value_marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if id(node) in self._active:
            raise self._fail(node, Msg.of("yaml.recursive_alias"), path)
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                if node.tag != _SEQ:
                    raise self._fail(node, Msg.of("yaml.tag_not_allowed", tag=repr(node.tag)), path)
                return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
        finally:
            self._active.discard(id(node))
        raise self._fail(node, Msg.of("yaml.unsupported_node"), path)  # pragma: no cover

    def _scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        if node.tag == _TIMESTAMP:
            return node.value  # dates stay text; the schema checks their form
        if node.tag not in _SCALAR_TAGS:
            raise self._fail(node, Msg.of("yaml.tag_not_allowed", tag=repr(node.tag)), path)
        if node.tag == _NULL and node.value not in _NULL_WORDS:
            raise self._fail(node, Msg.of("yaml.bad_null", value=repr(node.value)), path)
        try:
            value = self._scalars.construct_object(node)
        except (ValueError, KeyError, IndexError, TypeError, OverflowError, yaml.YAMLError):
            kind = node.tag.removeprefix(_TAG)
            shown = node.value if len(node.value) <= 40 else node.value[:37] + "…"
            raise self._fail(
                node, Msg.of("yaml.bad_scalar", value=repr(shown), kind=kind), path
            ) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise self._fail(node, Msg.of("yaml.not_finite", value=repr(node.value)), path)
        if isinstance(value, str):
            value = unicodedata.normalize("NFC", value)
            self._check_text(node, value, path)
        return value

    def _check_text(self, node: yaml.Node, value: str, path: PathKey) -> None:
        found = control_problem(value)
        if found is not None:
            raise self._fail(
                node,
                Msg.of("yaml.control_in_text", code=found[1]),
                path,
            )

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        if node.tag != _MAP:
            raise self._fail(node, Msg.of("yaml.tag_not_allowed", tag=repr(node.tag)), path)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == f"{_TAG}merge":
                raise self._fail(key_node, Msg.of("yaml.merge_key"), path)
            if not isinstance(key_node, yaml.ScalarNode):
                raise self._fail(key_node, Msg.of("yaml.key_not_text"), path)
            key = unicodedata.normalize("NFC", str(key_node.value))
            child: PathKey = (*path, key)
            self._check_text(key_node, key, child)
            if key in out:
                raise self._fail(key_node, Msg.of("yaml.duplicate_key", key=repr(key)), child)
            self.key_marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = self.build(value_node, child)
        return out
