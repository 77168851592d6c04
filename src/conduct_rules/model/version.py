"""The version of the JSON shapes the library prints (``schema_version`` in every JSON output).

Why its own number: the package version moves with every release, the rules with the ruleset
version; programs that read our JSON need to know when *its shape* changes. Minor: fields added;
major: a field renamed, removed or changed in meaning.
"""

from __future__ import annotations

__all__ = ["PACKAGE_VERSION", "SCHEMA_VERSION"]

SCHEMA_VERSION = "1.0"

#: The package's release (``conduct_rules.__version__``), here so that the command line and the
#: service can print it without importing the package's front door (layers import downward).
PACKAGE_VERSION = "0.1.0"
