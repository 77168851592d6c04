"""A strict, safe YAML reader for ruleset files.

Why not ``yaml.safe_load`` alone: it silently keeps the last of two duplicate keys (a rule could
lose its condition without anyone noticing), and it expands aliases, so a few lines can become
gigabytes. Here duplicate keys and aliases are errors, tags that would build Python objects are
refused by the safe constructor, and files above ``MAX_BYTES`` are refused before parsing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from conduct_rules.errors import RulesetError

__all__ = ["MAX_BYTES", "read_yaml"]

#: Largest ruleset file read, in bytes. The Ontario ruleset is a few tens of kilobytes.
MAX_BYTES = 2_000_000


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys and aliases."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(
                "while reading a ruleset", None, "aliases (*name) are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    raise yaml.constructor.ConstructorError(
                        None, None, "a mapping key must be a plain value", key_node.start_mark
                    ) from None
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        f"duplicate key '{key}' (first at line {seen[key].line + 1})",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path, label: str) -> Any:
    """Read one YAML document from ``path``; any problem becomes a ``RulesetError``."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise RulesetError(f"cannot read file ({exc.strerror})", file=label) from None
    if size > MAX_BYTES:
        raise RulesetError(f"file too large ({size} bytes; at most {MAX_BYTES})", file=label)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesetError(
            f"cannot read file as UTF-8 ({type(exc).__name__})", file=label
        ) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        if "python/" in str(problem) or "constructor for the tag" in str(problem):
            problem = "YAML tags that construct objects are not allowed"
        raise RulesetError(f"{where}{problem}", file=label) from None
    except yaml.YAMLError as exc:
        raise RulesetError(f"invalid YAML ({type(exc).__name__})", file=label) from None
    except RecursionError:
        raise RulesetError("YAML nested too deeply", file=label) from None
