"""A strict, safe YAML reader for ruleset files.

Why not ``yaml.safe_load`` alone: it silently keeps the last of two duplicate keys (a rule could
lose its condition without anyone noticing), and it expands aliases, so a few lines can become
gigabytes. Here duplicate keys, aliases, explicit tags (``!!python/object/apply:...``,
``!include``) and nesting deeper than ``MAX_DEPTH`` are errors, and files above ``MAX_BYTES`` are
refused before parsing.

Every check runs while the document is *composed* (turned into a tree of nodes), before a single
value is *constructed*: nothing a file says can run code or allocate more than the file's size.
Composing also tells us where we are, so errors name the rule and field (``rule 'risk-of-harm',
field 'when.any[1]'``) as well as the line, not only a position in the text.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from conduct_rules.errors import RulesetError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "parse_yaml", "read_bounded", "read_yaml"]

#: Largest ruleset file read, in bytes. The Ontario ruleset is a few tens of kilobytes.
MAX_BYTES = 2_000_000
#: Deepest nesting of mappings and lists. The Ontario ruleset needs about a dozen levels.
MAX_DEPTH = 64

#: Longest integer written in a ruleset file. Thresholds are a few digits.
MAX_NUMBER_CHARS = 100

# The only tags a ruleset may carry: the ones YAML resolves plain values to by itself.
_CORE = "tag:yaml.org,2002:"
_INT = _CORE + "int"
_ALLOWED_TAGS = frozenset(
    _CORE + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
)


class _Located(yaml.MarkedYAMLError):
    """A problem found while composing, with the path of the node it concerns."""

    def __init__(self, problem: str, mark: Any, path: list[Any], rule: str | None) -> None:
        super().__init__(None, None, problem, mark)
        self.path = path
        self.rule = rule


def _short(text: str, limit: int = 60) -> str:
    text = text if text.isprintable() else text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[:limit] + "…"


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, aliases, tags and deep nesting while composing."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        # (parent node, index) of every node being composed, outermost first; index is a key node
        # for a mapping value, an int for a list item, None for a mapping key.
        self._frames: list[tuple[Node | None, Any]] = []

    # ---- where are we -----------------------------------------------------------------------

    def _path(self) -> list[Any]:
        out: list[Any] = []
        for _, index in self._frames:
            if isinstance(index, ScalarNode):
                out.append(index.value)
            elif isinstance(index, int):
                out.append(index)
        return out

    def _rule(self) -> str | None:
        """The id of the rule being composed, when inside ``rules: [...]``."""
        path = self._path()
        if len(path) < 2 or path[0] != "rules" or not isinstance(path[1], int):
            return None
        # Frames: document root, ``rules``, the rule's index, then one whose parent is the rule's
        # mapping node, partly composed: ``id`` comes first in every rule we ship, so it is
        # usually there even when the error is further down.
        parent = self._frames[3][0] if len(self._frames) > 3 else None
        if isinstance(parent, MappingNode):
            for key, value in parent.value:
                if key.value == "id" and isinstance(value, ScalarNode):
                    return str(value.value)
        return f"#{path[1] + 1}"

    def _fail(self, problem: str, mark: Any) -> _Located:
        return _Located(problem, mark, self._path(), self._rule())

    # ---- composing --------------------------------------------------------------------------

    def compose_node(self, parent: Node | None, index: Any) -> Any:
        self._frames.append((parent, index))
        try:
            self._check_before(parent, index)
            node = super().compose_node(parent, index)
            if node is not None:
                self._check_tag(node)
                is_key = isinstance(parent, MappingNode) and index is None
                if is_key and not isinstance(node, ScalarNode):
                    raise self._fail("a mapping key must be a plain value", node.start_mark)
            return node
        except yaml.MarkedYAMLError as exc:
            if not isinstance(exc, _Located) and not hasattr(exc, "cr_path"):
                # A syntax error from the scanner or parser: remember where in the tree it was.
                exc.cr_path = self._path()  # type: ignore[attr-defined]
                exc.cr_rule = self._rule()  # type: ignore[attr-defined]
            raise
        finally:
            self._frames.pop()

    def _check_before(self, parent: Node | None, index: Any) -> None:
        """Depth, aliases and duplicate keys: all known before the node is composed."""
        if len(self._frames) > MAX_DEPTH:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise self._fail(f"nested more than {MAX_DEPTH} levels deep", mark)
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise self._fail("aliases (*name) are not allowed: write the value out", mark)
        if isinstance(parent, MappingNode) and isinstance(index, ScalarNode):
            # Compare keys as values, not text: ``yes`` and ``true`` are the same key in YAML 1.1.
            # Scalars with core tags only (checked when the key was composed): constructing them
            # runs no code.
            value = self.construct_object(index)
            for key, _ in parent.value:
                if key is index or not isinstance(key, ScalarNode):
                    continue
                if key.value == index.value or self.construct_object(key) == value:
                    same = (
                        "" if key.value == index.value else f"same key as '{_short(key.value)}', "
                    )
                    raise self._fail(
                        f"duplicate key '{_short(index.value)}' "
                        f"({same}first at line {key.start_mark.line + 1})",
                        index.start_mark,
                    )

    def _check_tag(self, node: Node) -> None:
        tag = node.tag or ""
        if tag == _INT and isinstance(node, ScalarNode) and len(node.value) > MAX_NUMBER_CHARS:
            # Python refuses to build an int of more than 4,300 digits (a ValueError, and a slow
            # conversion before): refused here, with the rule and field, before it is built.
            raise self._fail(
                f"number too long (more than {MAX_NUMBER_CHARS} characters)", node.start_mark
            )
        if tag in _ALLOWED_TAGS:
            return
        shown = "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag
        if shown == "!!merge":
            raise self._fail("merge keys (<<) are not allowed: write the keys out", node.start_mark)
        raise self._fail(
            f"YAML tag '{_short(shown)}' is not allowed: tags that construct objects or "
            "include files are refused; write plain values",
            node.start_mark,
        )

    # ---- constructing (after every check above has passed) ----------------------------------

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        # Backstop for keys that differ as text but not as values (``yes`` and ``true``).
        if isinstance(node, MappingNode):
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        f"duplicate key '{_short(str(key))}' (first at line {seen[key].line + 1})",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def _field(path: list[Any], rule: str | None) -> str | None:
    """``rules[2].then[0].met_when`` -> ``then[0].met_when`` when the rule is named.

    A very deep path keeps its first and last parts: ``when.not.not.not.….not.not``.
    """
    parts: list[Any] = path[2:] if rule is not None else path
    if len(parts) > 10:
        parts = [*parts[:5], "…", *parts[-4:]]
    text = ""
    for p in parts:
        text += f"[{p}]" if isinstance(p, int) else (f".{_short(str(p))}" if text else _short(p))
    return text or None


def _unreadable(exc: BaseException, label: str) -> RulesetError:
    why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
    return RulesetError(f"cannot read file ({why})", file=label)


def read_bounded(path: Path, label: str, inside: Path | None = None) -> bytes:
    """The bytes of one ruleset file: a regular file, at most ``MAX_BYTES``, read once.

    Why each check (a ruleset folder may come from someone else, see docs/reliability.md):
    a FIFO would block ``open`` and ``read`` forever, ``/dev/zero`` or ``/dev/urandom`` never
    end, and a symbolic link can point anywhere on the machine. So the path is resolved, must stay
    inside ``inside`` (the ruleset folder, when given), must be a regular file before it is
    opened (``os.stat``, which does not open it), is opened without blocking and checked again
    on the open descriptor (the file may have been swapped in between), and at most
    ``MAX_BYTES + 1`` bytes are read whatever size the file claims.
    """
    try:
        real = path.resolve(strict=True)
        if inside is not None and not real.is_relative_to(inside.resolve(strict=True)):
            raise RulesetError(
                "the file is a link to outside the ruleset folder; only files inside it are read",
                file=label,
            )
        if not stat.S_ISREG(os.stat(real).st_mode):
            raise RulesetError(
                "not a regular file (a folder, device or pipe); only regular files are read",
                file=label,
            )
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        fd = os.open(real, flags)
    except RulesetError:
        raise
    except (OSError, RuntimeError, ValueError) as exc:  # missing, a loop, a name too long
        raise _unreadable(exc, label) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise RulesetError("not a regular file; only regular files are read", file=label)
        if st.st_size > MAX_BYTES:
            raise RulesetError(
                f"file too large ({st.st_size} bytes; at most {MAX_BYTES})", file=label
            )
        chunks: list[bytes] = []
        total = 0
        while total <= MAX_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_BYTES + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except RulesetError:
        raise
    except OSError as exc:
        raise _unreadable(exc, label) from None
    finally:
        os.close(fd)
    if total > MAX_BYTES:  # grew while being read
        raise RulesetError(f"file too large (more than {MAX_BYTES} bytes)", file=label)
    return b"".join(chunks)


def read_yaml(path: Path, label: str, inside: Path | None = None) -> Any:
    """Read one YAML document from ``path``; any problem becomes a ``RulesetError``."""
    return parse_yaml(read_bounded(path, label, inside), label)


def parse_yaml(data: bytes, label: str) -> Any:
    """Parse one YAML document from a file's bytes; any problem becomes a ``RulesetError``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise RulesetError("cannot read file as UTF-8 (not UTF-8 text)", file=label) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        if isinstance(exc, _Located):
            rule, fld = exc.rule, _field(exc.path, exc.rule)
        else:
            rule = getattr(exc, "cr_rule", None)
            fld = _field(getattr(exc, "cr_path", None) or [], rule)
            if not isinstance(exc, yaml.constructor.ConstructorError):
                problem = f"YAML syntax: {problem}"
        raise RulesetError(f"{where}{problem}", file=label, rule=rule, field=fld) from None
    except yaml.YAMLError:
        raise RulesetError("invalid YAML", file=label) from None
    except RecursionError:
        raise RulesetError("YAML nested too deeply", file=label) from None
    except ValueError as exc:
        # Constructing a value failed outside YAML's own errors: an integer of more than 4,300
        # digits (Python's int limit), a date that does not exist. Named, never echoed.
        raise RulesetError(f"a value cannot be read ({type(exc).__name__})", file=label) from None
